{#- Email engagement per Pinpoint campaign and treatment (A/B variant) over all loaded history,
    from the sent campaign messages of fct_email_messages (rates = distinct engaged messages /
    distinct sent messages). Messages sent outside a campaign (API, journeys) are left out. -#}
{{ config(materialized='table') }}

with sent as (

    select * from {{ ref('fct_email_messages') }}
    where
        is_sent
        and pinpoint_campaign_id is not null

),

final as (

    select
        pinpoint_campaign_id,
        pinpoint_treatment_id,
        {{ email_engagement_measures() }}
    from sent
    group by pinpoint_campaign_id, pinpoint_treatment_id

)

select * from final
