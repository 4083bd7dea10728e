"""Read and validate custom_events.yml, the analysts' list of custom events (see docs/custom_events.md).

Every problem is reported before any file is written or any SQL runs, as
`<file>: entry #<n> (line <l>, event_type '<type>'): key '<key>': <what is wrong>`, or for an entry given
on the command line `command line (new entry, event_type '<type>'): <option as typed>: key '<key>': ...`.
The shape of an entry is checked by pydantic models (EntrySpec); derived names, duplicates and
collisions, which depend on more than one value, are checked after it (validate_entries).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml  # type: ignore[import-untyped, unused-ignore]  # no types-PyYAML in the lock
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

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
MODEL_PREFIX = "custom_"  # every custom-event model name starts with it
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


# --- the shape of an entry, validated by pydantic ------------------------------------------------
def _refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError("custom_events", message)


def _text(max_len: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        problem = text_problem(value) or (f"is longer than {max_len} characters" if len(value) > max_len else None)
        if problem:
            raise _refuse(problem)
        return value
    return check


def _name_text(value: str) -> str:
    """A key or type as the app sends it: not blank, no surrounding whitespace (it would never match)."""
    if not value.strip():
        raise _refuse("must not be blank")
    if value != value.strip():
        raise _refuse(f"{value!r} has leading or trailing whitespace; the app's key would not match it")
    return value


def _event_type(value: str) -> str:
    if any(ch.isspace() for ch in value):
        raise _refuse(f"{value!r} contains whitespace; an event type is one word such as checkout or add_to_cart")
    if value.startswith("_"):
        raise _refuse(
            f"{value!r} is a built-in event type (a leading _ marks Pinpoint's and the native streams' own "
            "events, which the event views already cover, e.g. _email.send in email_send); custom events "
            "are the app's own types, without a leading _")
    return value


def _identifier(value: str) -> str:
    problem = identifier_problem(value)
    if problem:
        raise _refuse(problem)
    return value


def _model_name(value: str) -> str:
    if not value.startswith(MODEL_PREFIX):
        raise _refuse(
            f"{value!r} does not start with {MODEL_PREFIX}: custom-event models live under that prefix, so that "
            "they never take the name of one of the project's views or models and a removed one can be "
            "dropped safely (dbt run-operation drop_custom_event_orphans)")
    return value


def _attribute_type(value: str) -> str:
    if value not in TYPES:
        raise _refuse(f"unknown type {value!r}; expected one of {', '.join(TYPES)}")
    return value


def _metric_name(value: str) -> str:
    if value not in METRICS:
        raise _refuse(
            f"unknown metric {value!r}; the raw table's metrics struct holds only {', '.join(METRICS)} "
            "(the Glue schema drops custom metrics): send the value as an attribute and declare it "
            "under attributes with type double")
    return value


def _plain_name(kind: str, keys: tuple[str, ...]) -> Callable[[Any], Any]:
    """An attribute or metric may be written as its bare name."""
    def expand(value: Any) -> Any:
        if isinstance(value, str):
            return {"name": value}
        if not isinstance(value, dict):
            raise _refuse(f"must be {kind} name or a mapping with {'/'.join(keys)}, got {value!r}")
        return value
    return expand


Text = Annotated[str, AfterValidator(_text(MAX_TEXT))]
ColumnText = Annotated[str, AfterValidator(_text(MAX_COLUMN_TEXT))]
EventText = Annotated[str, AfterValidator(_text(500))]  # Glue allows 2048 for a table comment in all
Identifier = Annotated[str, AfterValidator(_identifier)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AttributeSpec(_Spec):
    name: Annotated[str, AfterValidator(_name_text), AfterValidator(_text(MAX_TEXT))]
    type: Annotated[str, AfterValidator(_attribute_type)] = "string"
    alias: Identifier | None = None
    description: ColumnText | None = None


class MetricSpec(_Spec):
    name: Annotated[str, AfterValidator(_metric_name)]
    alias: Identifier | None = None
    description: ColumnText | None = None


class EntrySpec(_Spec):
    event_type: Annotated[str, AfterValidator(_name_text), AfterValidator(_event_type), AfterValidator(_text(MAX_TEXT))]
    name: Annotated[str, AfterValidator(_identifier), AfterValidator(_model_name)] | None = None
    description: EventText | None = None
    attributes: list[Annotated[AttributeSpec, BeforeValidator(_plain_name("an attribute", ATTRIBUTE_KEYS))]] | None = None
    metrics: list[Annotated[MetricSpec, BeforeValidator(_plain_name("a metric", METRIC_KEYS))]] | None = None


def _key(loc: tuple[int | str, ...]) -> str:
    """pydantic's error location ('attributes', 1, 'type') as this project's key 'attributes[1].type'."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else part)
    return key


def _message(error: ErrorDetails, allowed: dict[str, tuple[str, ...]]) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        parent = next((k for k in reversed(error["loc"][:-1]) if isinstance(k, str)), "")
        return f"unknown key; allowed: {', '.join(allowed.get(parent, ENTRY_KEYS))}"
    if kind == "string_type":
        return f"must be a string, got {value!r}"
    if kind == "list_type":
        return f"must be a list, got {value!r}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"the entry must be a mapping with an event_type, got {value!r}"
    return str(error["msg"])


# --- where an entry was written, for the messages ------------------------------------------------
@dataclass(frozen=True)
class Origin:
    """Where an entry comes from: an entry of the file, or the command line (`flags`: key -> how it was typed)."""
    file: str
    index: int | None = None       # entry number in the file; None for the command line
    line: int | None = None
    flags: dict[str, str] = field(default_factory=dict)

    def prefix(self, raw: Any) -> str:
        event_type = raw.get("event_type") if isinstance(raw, dict) else None
        label = f"event_type {event_type!r}" if isinstance(event_type, str) else "no event_type"
        if self.index is None:
            return f"command line (new entry, {label})"
        where = f"line {self.line}, " if self.line else ""
        return f"{self.file}: entry #{self.index} ({where}{label})"

    def describe(self) -> str:
        """How another entry's message refers to this one."""
        if self.index is None:
            return "the command line"
        return f"{self.file} entry #{self.index}" + (f" (line {self.line})" if self.line else "")

    def flag(self, key: str) -> str:
        top = re.match(r"[a-z_]+(\[\d+\])?", key)
        found = top and (self.flags.get(top.group(0)) or self.flags.get(re.sub(r"\[\d+\]$", "", top.group(0))))
        return f": {found}" if found else ""


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, origin: Origin, raw: Any, key: str, message: str) -> None:
        self.lines.append(f"{origin.prefix(raw)}{origin.flag(key)}: key '{key}': {message}")


def _event(spec: EntrySpec, origin: Origin, raw: Any, problems: _Problems) -> CustomEvent | None:
    """The entry with its derived names, after the checks pydantic cannot make alone."""
    before = len(problems.lines)

    def error(key: str, message: str) -> None:
        problems.add(origin, raw, key, message)

    name = spec.name
    if name is None:
        name = default_model_name(spec.event_type)
        problem = identifier_problem(name)
        if problem:
            error("name", f"{problem} (derived from event_type {spec.event_type!r}; set a name)")
    if spec.attributes is not None and not spec.attributes:
        error("attributes", "is an empty list: list at least one attribute")
    elif not spec.attributes and not spec.metrics:
        error("attributes", "no attributes and no metrics: a custom-event model exists to type them; list at least one")
    attributes: list[Attribute] = []
    seen_names: set[str] = set()
    for i, a in enumerate(spec.attributes or []):
        if a.name in seen_names:
            error(f"attributes[{i}].name", f"attribute {a.name!r} is listed twice")
        seen_names.add(a.name)
        alias = a.alias
        if alias is None:
            alias = snake_case(a.name)
            problem = identifier_problem(alias)
            if problem:
                error(f"attributes[{i}].alias", f"{problem} (derived from the attribute name {a.name!r}; set an alias)")
        attributes.append(Attribute(a.name, a.type, alias, a.description))
    metrics = [Metric(m.name, m.alias or m.name, m.description) for m in spec.metrics or []]
    seen_columns: dict[str, str] = {}
    columns = [(f"attributes[{i}].alias", a.alias) for i, a in enumerate(attributes)]
    columns += [(f"metrics[{i}].alias", m.alias) for i, m in enumerate(metrics)]
    for key, column in columns:
        if column in COMMON_COLUMNS:
            error(key, f"column {column!r} collides with a common column ({', '.join(COMMON_COLUMNS)}); set another alias")
        elif column in seen_columns:
            error(key, f"column {column!r} is already used by {seen_columns[column]}; set another alias")
        seen_columns.setdefault(column, key)
    if len(problems.lines) > before:
        return None
    return CustomEvent(spec.event_type, name, spec.description, tuple(attributes), tuple(metrics))


def validate_entries(entries: list[tuple[Any, Origin]], existing_models: set[str] | None = None) -> list[CustomEvent]:
    """The validated entries, in order; raises ConfigError listing every problem.

    `existing_models`: names of the project's models and seeds, which a custom model may not reuse."""
    problems = _Problems()
    allowed = {"": ENTRY_KEYS, "attributes": ATTRIBUTE_KEYS, "metrics": METRIC_KEYS}
    events: list[CustomEvent] = []
    by_type: dict[str, Origin] = {}
    by_name: dict[str, Origin] = {}
    for raw, origin in entries:
        if not isinstance(raw, dict):
            problems.add(origin, raw, "event_type", f"the entry must be a mapping with an event_type, got {raw!r}")
            continue
        try:
            spec = EntrySpec.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                problems.add(origin, raw, _key(error["loc"]), _message(error, allowed))
            continue
        event = _event(spec, origin, raw, problems)
        if event is None:
            continue
        ok = True
        if event.event_type in by_type:
            problems.add(origin, raw, "event_type",
                         f"event type {event.event_type!r} is already configured by {by_type[event.event_type].describe()}")
            ok = False
        if event.name in by_name:
            problems.add(origin, raw, "name", f"model name {event.name!r} is already used by "
                         f"{by_name[event.name].describe()}; set a different name")
            ok = False
        elif existing_models and event.name in existing_models:
            problems.add(origin, raw, "name", f"model name {event.name!r} is already a model or seed of the "
                         "project (documented in dbt docs); set a different name")
            ok = False
        by_type.setdefault(event.event_type, origin)
        by_name.setdefault(event.name, origin)
        if ok:
            events.append(event)
    if problems.lines:
        raise ConfigError(problems.lines)
    return events


# --- the file ------------------------------------------------------------------------------------
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


def file_entries(text: str, file: str) -> list[tuple[Any, Origin]]:
    """The raw entries of a custom_events.yml text, each with its entry number and line."""
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
    if problems:
        raise ConfigError(problems)
    return [(raw, Origin(file, index, node.start_mark.line + 1))
            for index, (raw, node) in enumerate(zip(data, root.value), start=1)]


def parse_config(text: str, file: str, existing_models: set[str] | None = None,
                 added: list[tuple[Any, Origin]] | None = None) -> list[CustomEvent]:
    """The validated entries of a custom_events.yml text, then of `added` (entries given on the command line)."""
    return validate_entries(file_entries(text, file) + (added or []), existing_models)


def load_config(path: Path, existing_models: set[str] | None = None, label: str | None = None,
                added: list[tuple[Any, Origin]] | None = None) -> list[CustomEvent]:
    label = label or path.name
    try:
        text = path.read_text(encoding="utf-8") if path.exists() or not added else ""
    except FileNotFoundError:
        raise ConfigError([f"{label}: file not found"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{label}: not UTF-8 text ({exc.reason})"]) from None
    return parse_config(text, label, existing_models, added)
