{#- Rows of a custom-event model with at least one attribute value that did not cast to its declared
    type. Used with severity warn: bad values are expected from real apps and must not fail a build,
    but `dbt build` shows how many rows have them (details: audit_custom_event_cast_failures). -#}
{% test custom_event_no_cast_failures(model, column_name) %}
    select *
    from {{ model }}
    where {{ column_name }} > 0
{% endtest %}
