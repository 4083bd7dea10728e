{#- None of `columns` is NULL: dbt's not_null for several columns of a model in one scan. A failing row
    names its column and counts its NULLs. -#}
{% test not_null_columns(model, columns) %}

with nulls as (

    select
        {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }}

)

{%- for column in columns %}
select
    '{{ column }}' as null_column,
    nulls.{{ column }} as null_rows
from nulls
where nulls.{{ column }} > 0
{% if not loop.last %}union all{% endif %}
{%- endfor %}

{% endtest %}
