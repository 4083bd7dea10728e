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

{#- Adding milliseconds to the epoch gives a plain timestamp (no time zone) with exact
    milliseconds; from_unixtime would give a timestamp with time zone and invite float rounding.
    The literal has six fractional digits so the result is timestamp(6): Iceberg tables on Athena
    store only timestamp(6) (a CTAS of a timestamp(3) column into Iceberg is refused), and DuckDB's
    timestamp is microseconds too. Hive tables would need timestamp(3): see docs/athena.md. -#}
{% macro athena__epoch_ms_to_timestamp(epoch_ms) -%}
    date_add('millisecond', cast({{ epoch_ms }} as bigint), timestamp '1970-01-01 00:00:00.000000')
{%- endmacro %}
