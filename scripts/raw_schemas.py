"""The raw schemas (the Pinpoint Glue table all_events, the SES and SMS records), read from the one
place they are written: the data_type (a Hive/Glue type) of each column of the source tables in
models/sources/*.yml. dbt reads the same YAML (macros/raw_schemas.sql); a column without a data_type
(ingest_timestamp, the hour folder) is not stored in the files."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

SOURCES_DIR = Path(__file__).resolve().parents[1] / "models" / "sources"
# Raw table (the --table/--layout name) -> (YAML file, source name).
RAW_TABLES = {"all_events": ("src_pinpoint.yml", "pinpoint"), "ses_events": ("src_ses.yml", "ses"),
              "sms_events": ("src_sms.yml", "sms")}


def raw_columns(table: str) -> list[tuple[str, str]]:
    """(name, Hive type) of every stored column of a raw table, in order, spelled as in the YAML."""
    file_name, source_name = RAW_TABLES[table]
    document: Any = YAML(typ="safe").load((SOURCES_DIR / file_name).read_text())
    source = next(s for s in document["sources"] if s["name"] == source_name)
    node = next(t for t in source["tables"] if t["name"] == table)
    return [(str(c["name"]), str(c["data_type"])) for c in node["columns"] if c.get("data_type")]


def glue_schema_text(table: str) -> str:
    """The table as Glue stores it (names and struct fields lower-cased), one "position name type" a line."""
    return "".join(f"{position} {name.lower()} {hive_type.lower()}\n"
                   for position, (name, hive_type) in enumerate(raw_columns(table), start=1))
