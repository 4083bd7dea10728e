{#- Raw files the engine cannot read at all, found before any model reads them: a Parquet file that is
    not one (no PAR1 magic at its start or end, or a footer length that does not fit the file; a
    truncated upload looks like this) and a .gz object that is not gzip data. Also the files within a
    folder whose name starts with . or _, which Athena and Trino never read (decision 71).
    base_pinpoint_events and the native base models skip the files listed here (the var
    fail_on_unreadable_files makes the unreadable ones fatal instead). A file whose structure is sound but
    whose content is damaged still stops the build, and the engine's error names it. On Athena and Trino
    the table is empty: those engines read the files themselves (docs/native_sources.md). -#}
{{ config(materialized='table') }}

with pinpoint_files as (

    select * from {{ raw_file_listing('pinpoint', source('pinpoint', 'all_events')) }}

),

ses_files as (

    select * from {{ raw_file_listing('ses', source('ses', 'ses_events')) }}

),

sms_files as (

    select * from {{ raw_file_listing('sms', source('sms', 'sms_events')) }}

),

hidden_files as (

    select
        'pinpoint' as source_system,
        pinpoint_hidden.*
    from {{ raw_hidden_folder_files('pinpoint', source('pinpoint', 'all_events')) }} as pinpoint_hidden
    union all
    select
        'ses' as source_system,
        ses_hidden.*
    from {{ raw_hidden_folder_files('ses', source('ses', 'ses_events')) }} as ses_hidden
    union all
    select
        'sms' as source_system,
        sms_hidden.*
    from {{ raw_hidden_folder_files('sms', source('sms', 'sms_events')) }} as sms_hidden

),

parquet_checked as (

    select
        'pinpoint' as source_system,
        pinpoint_files.source_file,
        pinpoint_files.file_size_bytes,
        case
            when pinpoint_files.file_size_bytes < 12
                then 'not a Parquet file: shorter than its 12 bytes of magic and footer length'
            when pinpoint_files.head_bytes != pinpoint_files.parquet_magic
                then 'not a Parquet file: no PAR1 magic at the start'
            when pinpoint_files.tail_bytes != pinpoint_files.parquet_magic
                then 'truncated Parquet file: no PAR1 magic at the end (footer missing)'
            when pinpoint_files.footer_length is null
                or pinpoint_files.footer_length = 0
                or pinpoint_files.footer_length > pinpoint_files.file_size_bytes - 12
                then 'corrupt Parquet file: the footer length does not fit the file'
        end as problem
    from pinpoint_files

),

native_files as (

    select
        'ses' as source_system,
        ses_files.*
    from ses_files
    union all
    select
        'sms' as source_system,
        sms_files.*
    from sms_files

),

gzip_checked as (

    select
        native_files.source_system,
        native_files.source_file,
        native_files.file_size_bytes,
        case
            when native_files.gzip_header is null or native_files.gzip_header != native_files.gzip_magic
                then 'not gzip data although the name ends in .gz (no 1f 8b 08 header)'
        end as problem
    from native_files
    where lower(native_files.source_file) like '%.gz'

),

checked as (

    select
        parquet_checked.source_system,
        parquet_checked.source_file,
        parquet_checked.file_size_bytes,
        parquet_checked.problem
    from parquet_checked
    where parquet_checked.problem is not null
    union all
    select
        gzip_checked.source_system,
        gzip_checked.source_file,
        gzip_checked.file_size_bytes,
        gzip_checked.problem
    from gzip_checked
    where gzip_checked.problem is not null

),

final as (

    -- a file in a hidden folder is listed for that reason only, whatever its bytes
    select
        hidden_files.source_system,
        hidden_files.source_file,
        hidden_files.file_size_bytes,
        '{{ hidden_folder_problem() }}' as problem
    from hidden_files
    union all
    select
        checked.source_system,
        checked.source_file,
        checked.file_size_bytes,
        checked.problem
    from checked
    where checked.source_file not in (select hidden_files.source_file from hidden_files)

)

select * from final
