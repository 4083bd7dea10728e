{#- A data-quality warning with a count: the audit model should be empty. Used with severity warn on the
    audits of what the sources control (rejected lines, unmapped types, unreadable files, schema drift),
    so a build says how much it set aside without failing on data nobody here can fix. -#}
{% test no_rows(model) %}

select * from {{ model }}

{% endtest %}
