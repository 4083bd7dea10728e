{#- Email engagement per subject line over all loaded history, from the sent messages of
    fct_email_messages (rates = distinct engaged messages / distinct sent messages). -#}
{{ config(materialized='table') }}

with sent as (

    select * from {{ ref('fct_email_messages') }}
    where is_sent

),

final as (

    select
        subject,
        {{ email_engagement_measures() }}
    from sent
    group by subject

)

select * from final
