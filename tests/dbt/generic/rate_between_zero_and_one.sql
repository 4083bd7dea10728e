{#- A rate column lies in [0, 1] (NULL allowed: the rate is NULL when its denominator is 0). -#}
{% test rate_between_zero_and_one(model, column_name) %}

select {{ column_name }} as failing_rate
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1

{% endtest %}
