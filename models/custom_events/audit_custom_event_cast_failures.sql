{#- One row per typed attribute of every custom event in custom_events.yml: values seen, values that did
    not cast to the declared type (NULL in the model), and one example of such a value. -#}
{{ config(materialized='view', tags=['custom_events']) }}

{{ custom_event_cast_failures() }}
