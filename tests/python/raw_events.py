"""Write hand-made Pinpoint events (JSON shapes as AWS documents them) as Firehose-style Parquet."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from generate_events import glue_arrow_schema

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_fixture(name: str = "pinpoint_events.jsonl") -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / name).read_text().splitlines() if line.strip()]


def _to_arrow_value(value: Any, arrow_type: pa.DataType) -> Any:
    """JSON value -> what pyarrow expects for `arrow_type` (maps as key/value pairs)."""
    if value is None:
        return None
    if pa.types.is_map(arrow_type):
        return [(k, _to_arrow_value(v, arrow_type.item_type)) for k, v in value.items()]
    if pa.types.is_struct(arrow_type):
        return {f.name: _to_arrow_value(value.get(f.name), f.type) for f in arrow_type}
    if pa.types.is_list(arrow_type):
        return [_to_arrow_value(v, arrow_type.value_type) for v in value]
    return value


def write_events(events: list[dict[str, Any]], root: Path, file_name: str = "part-0001.parquet") -> list[Path]:
    """Write events to root/<event['_folder']>/<file_name>, one file per folder, Glue schema, Snappy."""
    schema = glue_arrow_schema()
    by_folder: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_folder.setdefault(event["_folder"], []).append(event)
    written = []
    for folder, rows in sorted(by_folder.items()):
        columns = {
            field.name: [_to_arrow_value(row.get(field.name), field.type) for row in rows] for field in schema
        }
        path = root / folder / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(columns, schema=schema), path, compression="snappy")
        written.append(path)
    return written
