{#- Shared failure for the default__ branch of every cross-engine macro. -#}
{% macro cross_engine_unsupported(macro_name) %}
    {{- exceptions.raise_compiler_error(
        "engagement_events: macro '" ~ macro_name ~ "' has no implementation for the '"
        ~ adapter.type() ~ "' adapter. Supported: duckdb, athena. Add a macro named "
        ~ adapter.type() ~ "__" ~ macro_name ~ " in macros/cross_engine/ to support it."
    ) -}}
{% endmacro %}
