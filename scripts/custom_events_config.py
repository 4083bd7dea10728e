"""Read and validate custom_events.yml, the analysts' list of custom events (see docs/custom_events.md).

Every problem is reported before any file is written or any SQL runs, as
`<file>: entry #<n> (line <l>, event_type '<type>'): key '<key>': <what is wrong>`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]  # no types-PyYAML in the lock

# Declared attribute type -> the SQL type of its column (the same name on DuckDB and Athena).
TYPES: dict[str, str] = {
    "string": "varchar", "int": "integer", "bigint": "bigint", "double": "double",
    "boolean": "boolean", "timestamp": "timestamp", "date": "date",
}
# Metrics the raw table can carry: the Glue schema's metrics struct has only this field, and
# int_events keeps it as a column of the same name. Custom metrics are dropped by the Glue schema.
METRICS: dict[str, str] = {"price_in_millicents_usd": "price_in_millicents_usd"}
# Columns every custom-event model has; an attribute or metric column may not reuse these names.
COMMON_COLUMNS: tuple[str, ...] = (
    "event_id", "event_type", "event_timestamp", "arrival_timestamp", "application_id", "endpoint_id",
    "session_id", "aws_account_id", "invalid_attribute_count", "ingest_timestamp",
)
AUDIT_MODEL = "audit_custom_event_cast_failures"
ENTRY_KEYS = ("event_type", "name", "description", "attributes", "metrics")
ATTRIBUTE_KEYS = ("name", "type", "alias", "description")
METRIC_KEYS = ("name", "alias", "description")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
MAX_IDENTIFIER = 63
MAX_TEXT = 200
MAX_COLUMN_TEXT = 150  # with the generated text, a column comment stays within Glue's 255 characters
JINJA_DELIMITERS = ("{{", "}}", "{%", "%}", "{#", "#}")

# Reserved words of DuckDB (duckdb_keywords(), category 'reserved'), of Trino/Athena SELECT
# statements and of Athena DDL: a column or model named like one would need quoting somewhere.
RESERVED_WORDS = frozenset("""
all alter analyse analyze and any array as asc asymmetric authorization between bigint binary boolean
both by case cast char check collate column commit conf constraint create cross cube current
current_catalog current_date current_path current_role current_schema current_time current_timestamp
current_user cursor database date dayofweek deallocate decimal default deferrable delete desc describe
distinct div do double drop else end escape except exchange execute exists extended external extract
false fetch float floor following for foreign from full function grant group grouping having if import
in initially inner insert int integer intersect interval into is join json_array json_exists json_object
json_query json_table json_value lambda lateral leading left less like limit listagg local localtime
localtimestamp macro map more natural none normalize not null numeric of offset on only or order out
outer over partialscan partition percent pivot pivot_longer pivot_wider placing preceding precision
prepare preserve primary procedure qualify range reads recursive reduce references regexp returning
revoke right rlike rollback rollup row rows select set show skip smallint some start summarize
symmetric table tablesample then time timestamp to trailing transform trigger trim true truncate
uescape unbounded union unique uniquejoin unnest unpivot update user using utc_tmestamp values varchar
variadic views when where window with
""".split())


@dataclass(frozen=True)
class Attribute:
    name: str          # the key in the event's attributes map, any text
    type: str          # one of TYPES
    alias: str         # the column name: a checked identifier
    description: str | None


@dataclass(frozen=True)
class Metric:
    name: str          # one of METRICS
    alias: str
    description: str | None


@dataclass(frozen=True)
class CustomEvent:
    event_type: str
    name: str
    description: str | None
    attributes: tuple[Attribute, ...]
    metrics: tuple[Metric, ...]


class ConfigError(Exception):
    """One or more problems in custom_events.yml; str() lists them one a line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def snake_case(text: str) -> str:
    """'itemId' -> 'item_id', 'Plan Name' -> 'plan_name', '_session.start' -> 'session_start'."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def default_model_name(event_type: str) -> str:
    return "custom_" + snake_case(event_type)


def identifier_problem(value: str) -> str | None:
    """Why `value` cannot be a column or model name, or None when it can."""
    if not IDENTIFIER.match(value):
        return f"{value!r} is not a safe identifier: use lower-case letters, digits and _, not starting with a digit"
    if len(value) > MAX_IDENTIFIER:
        return f"{value!r} is longer than {MAX_IDENTIFIER} characters"
    if value in RESERVED_WORDS:
        return f"{value!r} is a reserved SQL word on DuckDB or Athena"
    return None


def text_problem(value: str) -> str | None:
    """Why free text (an event type, an attribute name, a description) is refused, or None."""
    if any(ord(ch) < 32 and ch not in "\n\t" or ord(ch) == 127 for ch in value):
        return "contains a control character"
    found = [d for d in JINJA_DELIMITERS if d in value]
    if found:
        return f"contains the Jinja delimiter {found[0]!r}, which dbt would execute; write plain text"
    return None


class _Entry:
    """Collects the problems of one entry, each naming the file, the entry and the key."""

    def __init__(self, file: str, index: int, line: int | None, raw: Any, problems: list[str]) -> None:
        event_type = raw.get("event_type") if isinstance(raw, dict) else None
        where = f"line {line}, " if line else ""
        label = f"event_type {event_type!r}" if isinstance(event_type, str) else "no event_type"
        self.prefix = f"{file}: entry #{index} ({where}{label})"
        self.problems = problems
        self.ok = True

    def error(self, key: str, message: str) -> None:
        self.problems.append(f"{self.prefix}: key '{key}': {message}")
        self.ok = False

    def text(self, key: str, value: Any, required: bool = False, max_len: int = MAX_TEXT) -> str | None:
        if value is None:
            if required:
                self.error(key, "is required")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(key, f"must be a non-empty string, got {value!r}")
            return None
        problem = text_problem(value) or (f"is longer than {max_len} characters" if len(value) > max_len else None)
        if problem:
            self.error(key, problem)
            return None
        return value

    def identifier(self, key: str, value: Any, hint: str = "") -> str | None:
        if not isinstance(value, str):
            self.error(key, f"must be a string, got {value!r}")
            return None
        problem = identifier_problem(value)
        if problem:
            self.error(key, problem + hint)
            return None
        return value

    def unknown_keys(self, key_prefix: str, raw: dict[Any, Any], allowed: tuple[str, ...]) -> None:
        for key in raw:
            if key not in allowed:
                self.error(f"{key_prefix}{key}", f"unknown key; allowed: {', '.join(allowed)}")


def _attribute(entry: _Entry, key: str, raw: Any) -> Attribute | None:
    spec: dict[Any, Any] = {"name": raw} if isinstance(raw, str) else raw if isinstance(raw, dict) else {}
    if not isinstance(raw, (str, dict)):
        entry.error(key, f"must be an attribute name or a mapping with name/type/alias/description, got {raw!r}")
        return None
    entry.unknown_keys(key + ".", spec, ATTRIBUTE_KEYS)
    name = entry.text(key + ".name", spec.get("name"), required=True)
    type_ = spec.get("type", "string")
    if not isinstance(type_, str) or type_ not in TYPES:
        entry.error(key + ".type", f"unknown type {type_!r}; expected one of {', '.join(TYPES)}")
    description = entry.text(key + ".description", spec.get("description"), max_len=MAX_COLUMN_TEXT)
    if name is None:
        return None
    alias_key = key + ".alias"
    if "alias" in spec:
        alias = entry.identifier(alias_key, spec["alias"])
    else:
        alias = entry.identifier(alias_key, snake_case(name),
                                 f" (derived from the attribute name {name!r}; set an alias)")
    if alias is None or not isinstance(type_, str) or type_ not in TYPES:
        return None
    return Attribute(name, type_, alias, description)


def _metric(entry: _Entry, key: str, raw: Any) -> Metric | None:
    spec: dict[Any, Any] = {"name": raw} if isinstance(raw, str) else raw if isinstance(raw, dict) else {}
    if not isinstance(raw, (str, dict)):
        entry.error(key, f"must be a metric name or a mapping with name/alias/description, got {raw!r}")
        return None
    entry.unknown_keys(key + ".", spec, METRIC_KEYS)
    name = spec.get("name")
    if not isinstance(name, str) or name not in METRICS:
        entry.error(key + ".name", (
            f"unknown metric {name!r}; the raw table's metrics struct holds only {', '.join(METRICS)} "
            "(the Glue schema drops custom metrics): send the value as an attribute and declare it "
            "under attributes with type double"))
        return None
    alias = entry.identifier(key + ".alias", spec.get("alias", name))
    description = entry.text(key + ".description", spec.get("description"), max_len=MAX_COLUMN_TEXT)
    return Metric(name, alias, description) if alias else None


def _list(entry: _Entry, key: str, raw: dict[Any, Any]) -> list[Any]:
    items = raw.get(key) or []
    if not isinstance(items, list):
        entry.error(key, f"must be a list, got {items!r}")
        return []
    return items


def _entry(entry: _Entry, raw: Any) -> CustomEvent | None:
    if not isinstance(raw, dict):
        entry.error("event_type", f"the entry must be a mapping with an event_type, got {raw!r}")
        return None
    entry.unknown_keys("", raw, ENTRY_KEYS)
    event_type = entry.text("event_type", raw.get("event_type"), required=True)
    description = entry.text("description", raw.get("description"), max_len=500)  # Glue: 2048 in all
    name: str | None = None
    if "name" in raw:
        name = entry.identifier("name", raw["name"])
    elif event_type is not None:
        name = entry.identifier("name", default_model_name(event_type),
                                f" (derived from event_type {event_type!r}; set a name)")
    if name == AUDIT_MODEL or (name is not None and name.startswith("audit_")):
        entry.error("name", f"{name!r}: names starting with audit_ are kept for audit models")
    attributes = [a for i, item in enumerate(_list(entry, "attributes", raw)) if (a := _attribute(entry, f"attributes[{i}]", item))]
    metrics = [m for i, item in enumerate(_list(entry, "metrics", raw)) if (m := _metric(entry, f"metrics[{i}]", item))]
    seen_names: set[str] = set()
    seen_columns: dict[str, str] = {}
    for i, attr in enumerate(attributes):
        if attr.name in seen_names:
            entry.error(f"attributes[{i}].name", f"attribute {attr.name!r} is listed twice")
        seen_names.add(attr.name)
    columns = [(f"attributes[{i}].alias", a.alias) for i, a in enumerate(attributes)]
    columns += [(f"metrics[{i}].alias", m.alias) for i, m in enumerate(metrics)]
    for key, column in columns:
        if column in COMMON_COLUMNS:
            entry.error(key, f"column {column!r} collides with a common column ({', '.join(COMMON_COLUMNS)}); set another alias")
        elif column in seen_columns:
            entry.error(key, f"column {column!r} is already used by {seen_columns[column]}; set another alias")
        seen_columns.setdefault(column, key)
    if not entry.ok or event_type is None or name is None:
        return None
    return CustomEvent(event_type, name, description, tuple(attributes), tuple(metrics))


def _duplicate_keys(node: yaml.Node, file: str, problems: list[str]) -> None:
    """PyYAML keeps the last of two equal keys silently; report them instead."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(f"{file}: line {key_node.start_mark.line + 1}: key '{key}' appears twice in one mapping")
            seen.add(key)
            _duplicate_keys(value_node, file, problems)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _duplicate_keys(item, file, problems)


def parse_config(text: str, file: str, existing_models: set[str] | None = None) -> list[CustomEvent]:
    """The validated entries of a custom_events.yml text; raises ConfigError listing every problem.

    `existing_models`: names of the project's other models, which a custom model may not reuse."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError([f"{file}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}"]) from None
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise ConfigError([f"{file}: the top level must be a list of entries (- event_type: ...), got {type(data).__name__}"])
    problems: list[str] = []
    _duplicate_keys(root, file, problems)
    events: list[CustomEvent] = []
    by_type: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for index, (raw, node) in enumerate(zip(data, root.value), start=1):
        entry = _Entry(file, index, node.start_mark.line + 1, raw, problems)
        event = _entry(entry, raw)
        if event is None:
            continue
        if event.event_type in by_type:
            entry.error("event_type", f"event type {event.event_type!r} is already configured by entry #{by_type[event.event_type]}")
        if event.name in by_name:
            entry.error("name", f"model name {event.name!r} is already used by entry #{by_name[event.name]}; set a different name")
        elif existing_models and event.name in existing_models:
            entry.error("name", f"model name {event.name!r} is already a model of the project; set a different name")
        by_type.setdefault(event.event_type, index)
        by_name.setdefault(event.name, index)
        if entry.ok:
            events.append(event)
    if problems:
        raise ConfigError(problems)
    return events


def load_config(path: Path, existing_models: set[str] | None = None, label: str | None = None) -> list[CustomEvent]:
    label = label or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{label}: file not found"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{label}: not UTF-8 text ({exc.reason})"]) from None
    return parse_config(text, label, existing_models)
