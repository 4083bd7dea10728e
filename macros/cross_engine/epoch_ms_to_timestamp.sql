{#- Epoch milliseconds (bigint) to a UTC timestamp that keeps the milliseconds. -#}
{% macro epoch_ms_to_timestamp(epoch_ms) %}
    {{- return(adapter.dispatch('epoch_ms_to_timestamp', 'engagement_events')(epoch_ms)) -}}
{% endmacro %}

{% macro default__epoch_ms_to_timestamp(epoch_ms) %}
    {{- cross_engine_unsupported('epoch_ms_to_timestamp') -}}
{% endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(epoch_ms) -%}
    epoch_ms(cast({{ epoch_ms }} as bigint))
{%- endmacro %}

{#- Adding milliseconds to the epoch keeps a plain timestamp(3); from_unixtime would give a
    timestamp with time zone on Athena engine v3 and invite float rounding. -#}
{% macro athena__epoch_ms_to_timestamp(epoch_ms) -%}
    date_add('millisecond', cast({{ epoch_ms }} as bigint), timestamp '1970-01-01 00:00:00.000')
{%- endmacro %}
