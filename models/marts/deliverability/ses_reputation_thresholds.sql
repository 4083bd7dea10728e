{#-
    The account-level rates at which Amazon SES reviews or pauses an account, one row per metric and
    level, for the report and the docs. The numbers are owned by the vars in dbt_project.yml (the same
    vars the flags of agg_email_deliverability_hourly and agg_email_deliverability_by_provider_daily
    read), so this table cannot disagree with the flags. No input relation: the rows are written here.
-#}

with levels as (

    select *
    from (
        values
        (
            'bounce_rate', 'review', {{ var('ses_bounce_review_rate') }}, 'ses_bounce_review_rate',
            'At about this hard-bounce rate SES places the account under review and expects the sender to clean up its lists.'
        ),
        (
            'bounce_rate', 'pause', {{ var('ses_bounce_pause_rate') }}, 'ses_bounce_pause_rate',
            'At about this hard-bounce rate SES may pause the account''s ability to send email.'
        ),
        (
            'complaint_rate', 'review', {{ var('ses_complaint_review_rate') }}, 'ses_complaint_review_rate',
            'At about this complaint rate SES places the account under review.'
        ),
        (
            'complaint_rate', 'pause', {{ var('ses_complaint_pause_rate') }}, 'ses_complaint_pause_rate',
            'At about this complaint rate SES may pause the account''s ability to send email.'
        )
    ) as levels (metric, level, rate, var_name, meaning)  -- noqa: RF04, AL05

),

final as (

    select
        cast(metric as varchar) as metric,
        cast(level as varchar) as level,  -- noqa: RF04
        cast(rate as double) as rate,
        cast(var_name as varchar) as var_name,
        cast(meaning as varchar) as meaning
    from levels

)

select * from final
