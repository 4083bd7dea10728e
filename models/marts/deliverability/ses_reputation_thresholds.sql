{#-
    The account-level rates at which Amazon SES reviews or pauses an account, one row per metric and
    level, for the report and the docs. The numbers are owned by the vars in dbt_project.yml (the same
    vars the flags of agg_email_deliverability_hourly and agg_email_deliverability_by_provider_daily
    read), so this table cannot disagree with the flags. No input relation: the rows are written here.
-#}
{%- set levels = [
    ('bounce_rate', 'review', 'ses_bounce_review_rate',
     "At about this hard-bounce rate SES places the account under review and expects the sender to clean up its lists."),
    ('bounce_rate', 'pause', 'ses_bounce_pause_rate',
     "At about this hard-bounce rate SES may pause the account's ability to send email."),
    ('complaint_rate', 'review', 'ses_complaint_review_rate',
     "At about this complaint rate SES places the account under review."),
    ('complaint_rate', 'pause', 'ses_complaint_pause_rate',
     "At about this complaint rate SES may pause the account's ability to send email."),
] %}

with levels as (

    {%- for metric, level, var_name, meaning in levels %}

    select
        '{{ metric }}' as metric,
        '{{ level }}' as level,
        cast({{ var(var_name) }} as double) as rate,
        '{{ var_name }}' as var_name,
        '{{ meaning | replace("'", "''") }}' as meaning
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        metric,
        level,
        rate,
        var_name,
        meaning
    from levels

)

select * from final
