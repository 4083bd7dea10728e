{#- Cross-engine expressions of the deliverability marts (issue 21). default__ is the portable
    (Trino / Athena) body; duckdb__ exists only where DuckDB differs. -#}

{#- A dotted IPv4 address as a bigint (a * 2^24 + b * 2^16 + c * 2^8 + d), NULL for anything else
    (IPv6, empty, a part outside 0..255, fewer or more than four parts). split_part and try_cast
    behave alike on both engines here: a missing part is '' (DuckDB) or NULL (Trino), and both give a
    NULL cast. -#}
{% macro ipv4_to_bigint(ip_expr) %}
    {{- return(adapter.dispatch('ipv4_to_bigint', 'engagement_events')(ip_expr)) -}}
{% endmacro %}

{% macro default__ipv4_to_bigint(ip_expr) -%}
    case
        when
            {{ ip_expr }} is not null
            and length({{ ip_expr }}) - length(replace({{ ip_expr }}, '.', '')) = 3
            {%- for part in [1, 2, 3, 4] %}
            and try_cast(split_part({{ ip_expr }}, '.', {{ part }}) as bigint) between 0 and 255
            {%- endfor %}
            then
                try_cast(split_part({{ ip_expr }}, '.', 1) as bigint) * 16777216
                + try_cast(split_part({{ ip_expr }}, '.', 2) as bigint) * 65536
                + try_cast(split_part({{ ip_expr }}, '.', 3) as bigint) * 256
                + try_cast(split_part({{ ip_expr }}, '.', 4) as bigint)
    end
{%- endmacro %}

{#- The last address of an IPv4 CIDR block ('17.0.0.0/8') as a bigint: network + 2^(32 - prefix) - 1.
    The first address is ipv4_to_bigint of the part before the slash. -#}
{% macro ipv4_cidr_last_bigint(cidr_expr) -%}
    {{ ipv4_to_bigint("split_part(" ~ cidr_expr ~ ", '/', 1)") }}
    + cast(power(2, 32 - cast(split_part({{ cidr_expr }}, '/', 2) as integer)) as bigint) - 1
{%- endmacro %}

{#- Whole milliseconds from start_expr to end_expr (bigint; negative when end is earlier). Trino's
    date_diff truncates the difference; DuckDB's date_diff counts unit boundaries crossed, so DuckDB
    subtracts epoch milliseconds instead (the same number for the project's millisecond times). -#}
{% macro milliseconds_between(start_expr, end_expr) %}
    {{- return(adapter.dispatch('milliseconds_between', 'engagement_events')(start_expr, end_expr)) -}}
{% endmacro %}

{% macro default__milliseconds_between(start_expr, end_expr) -%}
    date_diff('millisecond', {{ start_expr }}, {{ end_expr }})
{%- endmacro %}

{% macro duckdb__milliseconds_between(start_expr, end_expr) -%}
    (epoch_ms({{ end_expr }}) - epoch_ms({{ start_expr }}))
{%- endmacro %}

{#- Seconds (double, millisecond precision) from start_expr to end_expr. -#}
{% macro seconds_between(start_expr, end_expr) -%}
    (cast({{ milliseconds_between(start_expr, end_expr) }} as double) / 1000)
{%- endmacro %}

{#- The first element of an array, NULL when it is empty or NULL (Trino: element_at; DuckDB: the
    subscript, which is 1-based and gives NULL out of range). -#}
{% macro array_first(array_expr) %}
    {{- return(adapter.dispatch('array_first', 'engagement_events')(array_expr)) -}}
{% endmacro %}

{% macro default__array_first(array_expr) -%}
    element_at({{ array_expr }}, 1)
{%- endmacro %}

{% macro duckdb__array_first(array_expr) -%}
    ({{ array_expr }})[1]
{%- endmacro %}

{#- A value as the project's table timestamp type: timestamp(6) on Trino / Athena (Iceberg tables refuse
    timestamp(3), which a plain `timestamp` is there); DuckDB has one timestamp type. -#}
{% macro cast_to_table_timestamp(expr) %}
    {{- return(adapter.dispatch('cast_to_table_timestamp', 'engagement_events')(expr)) -}}
{% endmacro %}

{% macro default__cast_to_table_timestamp(expr) -%}
    cast({{ expr }} as timestamp(6))
{%- endmacro %}

{% macro duckdb__cast_to_table_timestamp(expr) -%}
    cast({{ expr }} as timestamp)
{%- endmacro %}
