{#- Opt-in pseudonymisation of personal data (var pseudonymize_pii, default false). When on, email
    addresses, phone numbers and IP addresses are replaced, in the base models and so in every model
    downstream, by the lower-case hex SHA-256 of salt || value: the same person still joins and counts
    the same, but no raw address is stored. Free text that may quote an address (SMTP responses, bounce
    diagnostics, map values...) keeps its text with address-shaped substrings redacted. The salt comes
    from the env var ENGAGEMENT_PII_SALT (or var pii_salt); keep it secret and stable, or the hashes
    change. docs/privacy.md has the full list and the limits. -#}

{% macro pii_enabled() %}
    {{- return(var('pseudonymize_pii', false) in (true, 'true', 'True', 1, '1')) -}}
{% endmacro %}

{#- The salt as a SQL string literal; a compile error when pseudonymisation is on without a salt. -#}
{% macro pii_salt_literal() %}
    {%- set salt = var('pii_salt', env_var('ENGAGEMENT_PII_SALT', '')) | string -%}
    {%- if salt | length < 8 -%}
        {{ exceptions.raise_compiler_error(
            "engagement_events: pseudonymize_pii is on but no salt is set. Set the environment variable "
            ~ "ENGAGEMENT_PII_SALT (or the var pii_salt) to a secret of at least 8 characters.") }}
    {%- endif -%}
    {{- return("'" ~ salt | replace("'", "''") ~ "'") -}}
{% endmacro %}

{#- One text value: hashed when pseudonymisation is on, unchanged otherwise. -#}
{% macro pii_text(expr) -%}
    {%- if pii_enabled() -%}
        {{ salted_sha256(pii_salt_literal(), expr) }}
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}

{#- An array of text values, each hashed when pseudonymisation is on. -#}
{% macro pii_text_array(expr) -%}
    {%- if pii_enabled() -%}
        {{ transform_array(expr, 'pii_element', salted_sha256(pii_salt_literal(), 'pii_element')) }}
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}

{#- An array of recipient structs whose email_address is hashed when pseudonymisation is on; the other
    fields (given as a list of names, all varchar) are kept, with address-shaped text redacted (a bounce
    diagnostic code often quotes the address: "550 5.1.1 <alex@example.com>... user unknown"). -#}
{% macro pii_recipient_array(expr, other_fields) -%}
    {%- if pii_enabled() -%}
        {%- set fields = [('email_address', salted_sha256(pii_salt_literal(), 'pii_element.email_address'))] -%}
        {%- for name in other_fields -%}
            {%- do fields.append((name, pii_free_text('pii_element.' ~ name))) -%}
        {%- endfor -%}
        {{ transform_array(expr, 'pii_element', varchar_struct(fields)) }}
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}

{#- Free text that may quote an address (SMTP responses, bounce diagnostics, reject reasons, subjects,
    links, map values): when pseudonymisation is on, every email-, IP- and phone-shaped substring is
    replaced by a placeholder ([email], [ip], [phone]); the rest of the text is kept. Unchanged otherwise. -#}
{% macro pii_free_text(expr) -%}
    {%- if pii_enabled() -%}
        {%- set ns = namespace(sql=expr) -%}
        {%- for pattern, placeholder in pii_redaction_patterns() -%}
            {%- set ns.sql = regexp_replace_all(ns.sql, "'" ~ pattern ~ "'", "'" ~ placeholder ~ "'") -%}
        {%- endfor -%}
        {{ ns.sql }}
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}

{#- The redactions of pii_free_text, applied in this order: (pattern, placeholder). The patterns use
    only syntax that RE2 (DuckDB) and Joni (Trino, Athena) read the same way, and no quote character.
    Email before IP (an address can hold a dotted domain), IPv4 before IPv6 (::ffff:192.0.2.1), phone
    last: E.164 only, a + then 7 to 15 digits with at most two of " ().-" between digits. -#}
{% macro pii_redaction_patterns() %}
    {%- set hex = '[0-9A-Fa-f]{1,4}' -%}
    {{- return([
        ('[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+', '[email]'),
        ('[0-9]{1,3}(?:\\.[0-9]{1,3}){3}', '[ip]'),
        ('(?:' ~ hex ~ ':){7}' ~ hex ~ '|(?:' ~ hex ~ ':)+:(?:' ~ hex ~ '(?::' ~ hex ~ ')*)?|::' ~ hex ~ '(?::' ~ hex ~ ')*', '[ip]'),
        ('\\+[0-9](?:[ ().-]{0,2}[0-9]){6,14}', '[phone]'),
    ]) -}}
{% endmacro %}

{#- Keys (compared in lower case) of the string maps attributes, client_context_custom and message_tags
    whose whole value is an address: hashed like the address columns, so attributes['destination_phone_number']
    equals destination_phone_number. The values of every other key go through pii_free_text. -#}
{% macro pii_map_keys() %}
    {{- return([
        'email', 'email_address', 'emailaddress', 'from_address', 'to_address',
        'phone', 'phone_number', 'phonenumber', 'mobile', 'mobile_number',
        'destination_phone_number', 'origination_phone_number',
        'destinationphonenumber', 'originationphonenumber',
        'ip', 'ip_address', 'ipaddress', 'ses:source-ip', 'ses:outgoing-ip',
    ]) -}}
{% endmacro %}

{#- A map(varchar, varchar) with its values pseudonymised when pseudonymisation is on (the values of
    pii_map_keys hashed, the others redacted); unchanged otherwise. NULL stays NULL, keys are kept. -#}
{% macro pii_string_map(map_expr) -%}
    {%- if pii_enabled() -%}
        {{ pseudonymize_string_map(map_expr) }}
    {%- else -%}
        {{ map_expr }}
    {%- endif -%}
{%- endmacro %}

{#- The new value of one map entry, written in terms of the SQL of its key and its value. -#}
{% macro pii_map_value(key_sql, value_sql) -%}
    case
        when lower({{ key_sql }}) in ({% for key in pii_map_keys() %}'{{ key }}'{% if not loop.last %}, {% endif %}{% endfor %})
            then {{ salted_sha256(pii_salt_literal(), value_sql) }}
        else {{ pii_free_text(value_sql) }}
    end
{%- endmacro %}

{#- The text an identity hash (event_id) is computed from: prefixed with the salt when pseudonymisation is
    on, so that an MD5 over raw fields cannot be brute-forced back to an address (the other fields of the
    identity are stored in clear); unchanged otherwise. Every stream uses it, so deduplication is as before. -#}
{% macro pii_identity(text_expr) -%}
    {%- if pii_enabled() -%}
        {{ pii_salt_literal() }} || ({{ text_expr }})
    {%- else -%}
        {{ text_expr }}
    {%- endif -%}
{%- endmacro %}

{#- Lower-case hex SHA-256 of salt || value; NULL stays NULL. -#}
{% macro salted_sha256(salt_literal, expr) %}
    {{- return(adapter.dispatch('salted_sha256', 'engagement_events')(salt_literal, expr)) -}}
{% endmacro %}

{% macro duckdb__salted_sha256(salt_literal, expr) -%}
    sha256({{ salt_literal }} || ({{ expr }}))
{%- endmacro %}

{% macro default__salted_sha256(salt_literal, expr) -%}
    lower(to_hex(sha256(to_utf8({{ salt_literal }} || ({{ expr }})))))
{%- endmacro %}

{#- Apply an expression (written in terms of element_name) to every element of an array. -#}
{% macro transform_array(array_expr, element_name, element_expr) %}
    {{- return(adapter.dispatch('transform_array', 'engagement_events')(array_expr, element_name, element_expr)) -}}
{% endmacro %}

{% macro duckdb__transform_array(array_expr, element_name, element_expr) -%}
    list_transform({{ array_expr }}, lambda {{ element_name }}: {{ element_expr }})
{%- endmacro %}

{% macro default__transform_array(array_expr, element_name, element_expr) -%}
    transform({{ array_expr }}, {{ element_name }} -> {{ element_expr }})
{%- endmacro %}

{#- A struct (row) of varchar fields from (name, expression) pairs. -#}
{% macro varchar_struct(fields) %}
    {{- return(adapter.dispatch('varchar_struct', 'engagement_events')(fields)) -}}
{% endmacro %}

{% macro duckdb__varchar_struct(fields) -%}
    struct_pack({% for name, value in fields %}"{{ name }}" := cast({{ value }} as varchar){% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{% macro default__varchar_struct(fields) -%}
    cast(row({% for name, value in fields %}cast({{ value }} as varchar){% if not loop.last %}, {% endif %}{% endfor %})
        as row({% for name, value in fields %}"{{ name }}" varchar{% if not loop.last %}, {% endif %}{% endfor %}))
{%- endmacro %}

{#- Every match of a regular expression replaced (DuckDB replaces only the first without 'g'). The
    replacement is a literal: no group references. -#}
{% macro regexp_replace_all(text_expr, pattern_literal, replacement_literal) %}
    {{- return(adapter.dispatch('regexp_replace_all', 'engagement_events')(text_expr, pattern_literal, replacement_literal)) -}}
{% endmacro %}

{% macro duckdb__regexp_replace_all(text_expr, pattern_literal, replacement_literal) -%}
    regexp_replace({{ text_expr }}, {{ pattern_literal }}, {{ replacement_literal }}, 'g')
{%- endmacro %}

{% macro default__regexp_replace_all(text_expr, pattern_literal, replacement_literal) -%}
    regexp_replace({{ text_expr }}, {{ pattern_literal }}, {{ replacement_literal }})
{%- endmacro %}

{#- A map(varchar, varchar) with each value replaced by pii_map_value (keys kept; NULL stays NULL). -#}
{% macro pseudonymize_string_map(map_expr) %}
    {{- return(adapter.dispatch('pseudonymize_string_map', 'engagement_events')(map_expr)) -}}
{% endmacro %}

{% macro duckdb__pseudonymize_string_map(map_expr) -%}
    map_from_entries(list_transform(map_entries({{ map_expr }}), lambda pii_entry: struct_pack(
        "key" := pii_entry.key,
        "value" := {{ pii_map_value('pii_entry.key', 'pii_entry.value') }}
    )))
{%- endmacro %}

{% macro default__pseudonymize_string_map(map_expr) -%}
    transform_values({{ map_expr }}, (pii_key, pii_value) -> {{ pii_map_value('pii_key', 'pii_value') }})
{%- endmacro %}
