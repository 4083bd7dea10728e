{#-
    One canonical row per event: the validated raw row that int_event_keys chose for each distinct event,
    joined back by validated_row_id. A view, so the canonical columns are written once, in
    int_validated_events (decision 54); a reader's filter on ingest_timestamp reaches the stored table.
    Everything downstream reads this model. Grain: event.
-#}
{{ config(materialized='view') }}

with validated_events as (

    select * from {{ ref('int_validated_events') }}

),

event_keys as (

    select * from {{ ref('int_event_keys') }}

),

final as (

    select
        {{ int_events_columns('validated_events') }}
    from validated_events
    inner join event_keys
        on validated_events.validated_row_id = event_keys.validated_row_id

)

select * from final
