{#- No two rows share the same values of `combination_of_columns` (NULLs compare equal, as in GROUP
    BY): the grain test of a model whose grain has several, possibly NULL, columns. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as rows_per_grain
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
