{#- Each of the rate `columns` lies in [0, 1] (NULL allowed: a rate is NULL when its denominator is 0).
    One query for all the rate columns of a model; a failing row names its column. -#}
{% test rates_between_zero_and_one(model, columns) %}

{%- for column in columns %}
select
    '{{ column }}' as rate_column,
    {{ column }} as failing_rate
from {{ model }}
where {{ column }} < 0 or {{ column }} > 1
{% if not loop.last %}union all{% endif %}
{%- endfor %}

{% endtest %}
