{#- Epoch milliseconds (bigint) to a UTC timestamp that keeps the milliseconds. -#}
{% macro epoch_ms_to_timestamp(epoch_ms) %}
    {{- return(adapter.dispatch('epoch_ms_to_timestamp', 'engagement_events')(epoch_ms)) -}}
{% endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(epoch_ms) -%}
    epoch_ms(cast({{ epoch_ms }} as bigint))
{%- endmacro %}

{#- Adding milliseconds to the epoch gives a plain timestamp (no time zone) with exact
    milliseconds; from_unixtime would give a timestamp with time zone and invite float rounding.
    The literal has six fractional digits so the result is timestamp(6): Iceberg tables on Athena
    store only timestamp(6) (a CTAS of a timestamp(3) column into Iceberg is refused), and DuckDB's
    timestamp is microseconds too. Hive tables would need timestamp(3): see docs/athena.md. -#}
{#- Whole days, then the milliseconds of the day: Trino's date_add on a timestamp takes an int amount for
    milliseconds (an epoch in milliseconds, ~1.7e12, fails with "integer overflow" on a real Trino 476), so
    the amount is split into two int-sized parts. Integer division and % both truncate toward zero, so
    days * 86400000 + rest is the value exactly, negative epochs included. -#}
{% macro default__epoch_ms_to_timestamp(epoch_ms) -%}
    date_add('millisecond', cast({{ epoch_ms }} as bigint) % 86400000, date_add('day', cast({{ epoch_ms }} as bigint) / 86400000, timestamp '1970-01-01 00:00:00.000000'))
{%- endmacro %}
