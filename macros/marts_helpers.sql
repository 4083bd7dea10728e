{#-
    Helpers of the marts (models/marts/**) and the analyses. Engine differences are dispatched
    (duckdb__ / a portable default__ that Athena engine v3 and Trino share / trino__ where they differ),
    as in macros/cross_engine/.
-#}

{#- ------------------------------------------------------------------ incremental configuration

    The config() values of an incremental mart, per engine. Three shapes:

    * message grain (partition_column none): one row per message, recomputed from all of the
      message's events whenever one of them is new. DuckDB: delete+insert on unique_key.
      Athena: an Iceberg table (the project's default table type) merged on unique_key, the only
      Athena strategy that replaces single rows, partitioned by day(time_column).
    * period grain (partition_column given, e.g. sent_date): every period touched by a changed
      message is recomputed whole. DuckDB: delete+insert keyed on the period column (deletes every
      row of the period, inserts the new ones). Athena: a Hive table partitioned by the period
      column with insert_overwrite (drops the partitions present in the new rows, writes them).
      Hive, not the project's default Iceberg: a recomputed day must also lose the groups that
      no longer exist (a message that moved to another group), which a merge on the grain cannot
      do, and the grain has NULL-able columns a merge key cannot match on. So these models cast
      their timestamps with as_hive_timestamp. The partition column must be the last column of
      the model's select.

    * several rows per message (replace_key given, e.g. message_id): every row of a changed message
      is recomputed, and the run replaces all rows of those messages, so a row that no longer exists
      goes too. DuckDB and Trino: delete+insert keyed on replace_key. Athena: a table rebuilt on each
      run, because dbt-athena has no delete+insert and a merge needs a unique, never-NULL key (these
      grains have a NULL-able column, e.g. a message without a recipient).

    Returned as a dict and used as `config(**marts_incremental_config(...))`: config is not SQL, so
    this is the one place where the engine picks a value.
-#}
{% macro marts_incremental_config(unique_key, partition_column=none, time_column=none, replace_key=none) %}
    {{- return(adapter.dispatch('marts_incremental_config', 'engagement_events')(unique_key, partition_column, time_column, replace_key)) -}}
{% endmacro %}

{% macro duckdb__marts_incremental_config(unique_key, partition_column=none, time_column=none, replace_key=none) %}
    {{- return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': partition_column or replace_key or unique_key,
        'on_schema_change': 'fail',
    }) -}}
{% endmacro %}

{% macro default__marts_incremental_config(unique_key, partition_column=none, time_column=none, replace_key=none) %}
    {%- if replace_key %}
        {{- return({'materialized': 'table'}) -}}
    {%- elif partition_column %}
        {{- return({
            'materialized': 'incremental',
            'table_type': 'hive',
            'format': 'parquet',
            'incremental_strategy': 'insert_overwrite',
            'partitioned_by': [partition_column],
            'on_schema_change': 'fail',
        }) -}}
    {%- else %}
        {{- return({
            'materialized': 'incremental',
            'table_type': 'iceberg',
            'format': 'parquet',
            'incremental_strategy': 'merge',
            'unique_key': unique_key,
            'partitioned_by': ['day(' ~ time_column ~ ')'] if time_column else none,
            'on_schema_change': 'fail',
        }) -}}
    {%- endif %}
{% endmacro %}

{#- Trino (dbt-trino, Iceberg catalog): no Hive tables to overwrite by partition, so the period grain is
    DuckDB's delete+insert on the period column, on an Iceberg table partitioned by it; several rows per
    message, delete+insert on replace_key; the message grain is Athena's merge on unique_key, partitioned
    by day(time_column). -#}
{% macro trino__marts_incremental_config(unique_key, partition_column=none, time_column=none, replace_key=none) %}
    {%- if partition_column or replace_key %}
        {{- return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': partition_column or replace_key,
            'properties': table_properties([partition_column] if partition_column else []),
            'on_schema_change': 'fail',
        }) -}}
    {%- else %}
        {{- return({
            'materialized': 'incremental',
            'incremental_strategy': 'merge',
            'unique_key': unique_key,
            'properties': table_properties(['day(' ~ time_column ~ ')'] if time_column else []),
            'on_schema_change': 'fail',
        }) -}}
    {%- endif %}
{% endmacro %}

{#- Predicate of an incremental run that recomputes whole groups: the row's group (`group_column`: a
    rollup's period, or a message id) of the import CTE `relation` holds a row of `changed_relation`
    (the model's input itself, a ref) changed since this model's newest `watermark_column` minus the
    lookback (its `changed_column`, the row's ingest hour). Every row of such a group is read, so the
    group is recomputed whole. The changed rows are looked up in the input, not in the import CTE: a
    CTE named twice is materialised by DuckDB, i.e. every row and column of the whole history copied
    on every run, where the input alone is read through its zone maps (only the window's row groups). -#}
{% macro in_changed_groups(relation, group_column, changed_column, watermark_column, changed_relation) -%}
    {{ relation }}.{{ group_column }} in (
        select changed.{{ group_column }}
        from {{ changed_relation }} as changed
        where changed.{{ changed_column }} >= {{ incremental_window_start(this, watermark_column) }}
    )
{%- endmacro %}

{#- Number of events of one type in a group (0, never NULL). Portable SQL. -#}
{% macro count_event_type(event_type) -%}
    sum(case when event_type = '{{ event_type }}' then 1 else 0 end)
{%- endmacro %}

{#- Earliest / latest value of an expression over the events of one type in a group. -#}
{% macro min_for_event_type(event_type, expr) -%}
    min(case when event_type = '{{ event_type }}' then {{ expr }} end)
{%- endmacro %}

{% macro max_for_event_type(event_type, expr) -%}
    max(case when event_type = '{{ event_type }}' then {{ expr }} end)
{%- endmacro %}

{#- The later of two values, ignoring NULLs (Trino's greatest() returns NULL when any argument is
    NULL, DuckDB's ignores NULLs: this is the same on both). -#}
{% macro later_of(left_expr, right_expr) -%}
    case
        when {{ left_expr }} is null then {{ right_expr }}
        when {{ right_expr }} is null then {{ left_expr }}
        when {{ left_expr }} >= {{ right_expr }} then {{ left_expr }}
        else {{ right_expr }}
    end
{%- endmacro %}

{#- True when an array contains a value (Trino: contains, DuckDB: list_contains). -#}
{% macro array_contains(array_expr, value_expr) %}
    {{- return(adapter.dispatch('array_contains', 'engagement_events')(array_expr, value_expr)) -}}
{% endmacro %}

{% macro duckdb__array_contains(array_expr, value_expr) -%}
    list_contains({{ array_expr }}, {{ value_expr }})
{%- endmacro %}

{% macro default__array_contains(array_expr, value_expr) -%}
    contains({{ array_expr }}, {{ value_expr }})
{%- endmacro %}

{#- The current instant as a timestamp WITHOUT time zone in UTC, comparable with the project's
    timestamps (all UTC, no zone). Both engines' current_timestamp carry a zone; comparing it with a
    zone-less timestamp would silently use the session zone. -#}
{% macro utc_now() %}
    {{- return(adapter.dispatch('utc_now', 'engagement_events')()) -}}
{% endmacro %}

{% macro duckdb__utc_now() -%}
    timezone('UTC', current_timestamp)
{%- endmacro %}

{% macro default__utc_now() -%}
    cast(current_timestamp at time zone 'UTC' as timestamp)
{%- endmacro %}

{#- The "as of" instant of the recipient rollup: var engagement_as_of ('YYYY-MM-DD HH:MM:SS'), the
    word 'now', or (default, null) the latest send in the data, which keeps the rollup reproducible. -#}
{% macro engagement_as_of(latest_expr) -%}
    {%- set as_of = var('engagement_as_of', none) -%}
    {%- if as_of is none or as_of == '' -%}
        {{ latest_expr }}
    {%- elif as_of == 'now' -%}
        {{ utc_now() }}
    {%- else -%}
        cast('{{ as_of }}' as timestamp)
    {%- endif -%}
{%- endmacro %}

{#- The engagement measures shared by the email rollups, over rows of fct_email_messages that are
    already restricted to sent messages: distinct-message counts (*_messages), event counts
    (*_events) and rates (engaged messages / sent messages), raw and human (opens and clicks that
    fct_email_engagements does not classify as machine). Ends without a comma. -#}
{% macro email_engagement_measures() -%}
        count(*) as sent_messages,
        sum(case when is_delivered then 1 else 0 end) as delivered_messages,
        sum(case when is_opened then 1 else 0 end) as opened_messages,
        sum(case when is_clicked then 1 else 0 end) as clicked_messages,
        sum(case when is_unsubscribed then 1 else 0 end) as unsubscribed_messages,
        sum(case when is_hard_bounced then 1 else 0 end) as hard_bounced_messages,
        sum(case when is_soft_bounced then 1 else 0 end) as soft_bounced_messages,
        sum(case when is_complained then 1 else 0 end) as complained_messages,
        sum(open_events) as open_events,
        sum(click_events) as click_events,
        sum(unsubscribe_events) as unsubscribe_events,
        {{ safe_divide('sum(case when is_delivered then 1 else 0 end)', 'count(*)') }} as delivery_rate,
        {{ safe_divide('sum(case when is_opened then 1 else 0 end)', 'count(*)') }} as open_rate,
        {{ safe_divide('sum(case when is_clicked then 1 else 0 end)', 'count(*)') }} as click_rate,
        {{ safe_divide('sum(case when is_unsubscribed then 1 else 0 end)', 'count(*)') }} as unsubscribe_rate,
        {{ safe_divide('sum(case when is_clicked and is_opened then 1 else 0 end)', 'sum(case when is_opened then 1 else 0 end)') }}
            as click_to_open_rate,
        sum(case when is_human_opened then 1 else 0 end) as human_opened_messages,
        sum(case when is_human_clicked then 1 else 0 end) as human_clicked_messages,
        sum(human_open_events) as human_open_events,
        sum(machine_open_events) as machine_open_events,
        sum(human_click_events) as human_click_events,
        sum(machine_click_events) as machine_click_events,
        {{ safe_divide('sum(case when is_human_opened then 1 else 0 end)', 'count(*)') }} as human_open_rate,
        {{ safe_divide('sum(case when is_human_clicked then 1 else 0 end)', 'count(*)') }} as human_click_rate,
        min(sent_at) as first_sent_at,
        max(sent_at) as last_sent_at
{%- endmacro %}

{#- Total cost in US dollars of a group of messages, as a double that does not depend on the order
    rows are summed in (a double sum does, so a full refresh and an incremental run could differ in
    the last bit): the millicents are summed as an exact decimal, then divided. -#}
{% macro sum_cost_usd(price_in_millicents_expr) -%}
    cast(sum(cast({{ price_in_millicents_expr }} as decimal(38, 6))) as double) / 100000
{%- endmacro %}

{#- The instant the analyses' "last 30 days" windows count back from: var analysis_as_of
    ('YYYY-MM-DD HH:MM:SS', UTC) to replay a past period, by default the current UTC time. -#}
{% macro analysis_as_of() -%}
    {%- set as_of = var('analysis_as_of', none) -%}
    {%- if as_of is none or as_of == '' or as_of == 'now' -%}
        {{ utc_now() }}
    {%- else -%}
        cast('{{ as_of }}' as timestamp)
    {%- endif -%}
{%- endmacro %}

{#- The period-grain rollups are Hive tables on Athena (see marts_incremental_config), and Athena's
    Hive tables store timestamps in milliseconds: a CREATE TABLE AS / INSERT of a timestamp(6)
    column into them is refused ("the configured precision is MILLISECONDS"). The project's
    timestamps are timestamp(6) (for its Iceberg tables), so the Hive rollups narrow theirs. -#}
{% macro as_hive_timestamp(expr) %}
    {{- return(adapter.dispatch('as_hive_timestamp', 'engagement_events')(expr)) -}}
{% endmacro %}

{#- DuckDB has one timestamp type, and the Trino rollups are Iceberg tables (trino__marts_incremental_config),
    timestamp(6): no cast. Only Athena's Hive tables need one. -#}
{% macro default__as_hive_timestamp(expr) -%}
    {{ expr }}
{%- endmacro %}

{% macro athena__as_hive_timestamp(expr) -%}
    cast({{ expr }} as timestamp(3))
{%- endmacro %}
