#!/usr/bin/env python3
"""Print (and optionally run) the Athena DDL for the raw Pinpoint table `all_events`, or (--table
ses_events / sms_events) for the native SES event publishing and End User Messaging SMS streams.

The table reads the Parquet files Kinesis Data Firehose writes under s3://<bucket>/<prefix>/YYYY/MM/DD/HH/
and uses partition projection on `ingest_timestamp`, so Athena computes the hourly partitions from
the table properties: no MSCK REPAIR, no partition-adding Lambda, no Glue crawler.

    python scripts/athena_ddl.py --bucket my-events-bucket --prefix events --start 2026/01/01/00
    python scripts/athena_ddl.py ... --execute --workgroup primary --output-location s3://my-results/athena/

    python scripts/athena_ddl.py --bucket my-events-bucket --table ses_events --start 2026/10/01/00

The native tables read Firehose's newline-delimited JSON (gzip or not) with the OpenX JSON SerDe; a line
that is not JSON becomes a row of NULLs (ignore.malformed.json), which the warehouse audits. Every
table's columns are the data_type of its source columns in models/sources/*.yml (scripts/raw_schemas.py).

--execute needs boto3 and AWS credentials (the usual AWS_PROFILE / environment / instance role).
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import datetime

from raw_schemas import glue_schema_text

# The raw schemas as Glue stores them (position, name, Hive type), read from their one owner, the
# data_type of the source columns in models/sources/*.yml (scripts/raw_schemas.py).
GLUE_SCHEMA = glue_schema_text("all_events")
SES_SCHEMA = glue_schema_text("ses_events")
SMS_SCHEMA = glue_schema_text("sms_events")
# --table value -> (schema, default key prefix) of the layout it is printed with.
LAYOUTS = {"all_events": (GLUE_SCHEMA, "events"), "ses_events": (SES_SCHEMA, "ses_events"),
           "sms_events": (SMS_SCHEMA, "sms_events")}
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"

PARTITION_COLUMN = "ingest_timestamp"
# Firehose's default prefix is YYYY/MM/DD/HH/ (UTC); the projection format must match it exactly.
PROJECTION_FORMAT = "yyyy/MM/dd/HH"
START_FORMAT = "%Y/%m/%d/%H"
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def glue_columns(schema: str = GLUE_SCHEMA) -> list[tuple[str, str]]:
    """(name, Hive type) of every column, in order."""
    rows = [line.split(None, 2) for line in schema.splitlines() if line.strip()]
    return [(name, hive_type) for _, name, hive_type in rows]


def quote_struct_fields(hive_type: str) -> str:
    """Backtick every struct field name (several, such as `from`, `open`, `to`, are reserved in Hive DDL)."""
    return re.sub(r"(?<=[<,])([A-Za-z_][A-Za-z0-9_]*):", r"`\1`:", hive_type)


def _location(bucket: str, prefix: str) -> str:
    clean = prefix.strip("/")
    return f"s3://{bucket}/{clean}/" if clean else f"s3://{bucket}/"


def parse_start(text: str) -> str:
    """The projection range start in the projection format, from YYYY/MM/DD/HH or an ISO date/time."""
    for fmt in (START_FORMAT, "%Y-%m-%d", "%Y-%m-%dT%H", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text.rstrip("Z"), fmt).strftime(START_FORMAT)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"--start {text!r}: expected YYYY/MM/DD/HH or an ISO date such as 2026-01-01")


def table_properties(bucket: str, prefix: str, start: str) -> dict[str, str]:
    """The partition projection properties, in the order they are printed."""
    col = PARTITION_COLUMN
    return {
        "projection.enabled": "true",
        f"projection.{col}.type": "date",
        f"projection.{col}.format": PROJECTION_FORMAT,
        f"projection.{col}.range": f"{start},NOW",
        f"projection.{col}.interval": "1",
        f"projection.{col}.interval.unit": "HOURS",
        "storage.location.template": f"{_location(bucket, prefix)}${{{col}}}/",
    }


def create_table_ddl(bucket: str, prefix: str, database: str, table: str, start: str,
                     layout: str = "all_events") -> str:
    """CREATE EXTERNAL TABLE over the Firehose folders, with partition projection: Parquet for the
    Pinpoint layout (all_events), newline-delimited JSON through the OpenX SerDe for ses_events and
    sms_events (a malformed line is a row of NULLs, kept and audited downstream)."""
    for label, name in (("database", database), ("table", table)):
        if not _NAME.fullmatch(name):
            raise ValueError(f"{label} name {name!r}: use lower-case letters, digits and underscores")
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r}: expected one of {', '.join(LAYOUTS)}")
    schema = LAYOUTS[layout][0]
    columns = ",\n".join(f"  `{name}` {quote_struct_fields(hive_type)}" for name, hive_type in glue_columns(schema))
    properties = ",\n".join(f"  '{key}' = '{value}'" for key, value in table_properties(bucket, prefix, start).items())
    storage = "STORED AS PARQUET\n" if layout == "all_events" else (
        f"ROW FORMAT SERDE '{JSON_SERDE}'\n"
        "WITH SERDEPROPERTIES ('ignore.malformed.json' = 'true', 'case.insensitive' = 'true')\n"
        "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'\n"
        "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n")
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `{database}`.`{table}` (\n{columns}\n)\n"
        f"PARTITIONED BY (`{PARTITION_COLUMN}` timestamp)\n"
        f"{storage}"
        f"LOCATION '{_location(bucket, prefix)}'\n"
        f"TBLPROPERTIES (\n{properties}\n)"
    )


# ---------------------------------------------------------------------------------------- Trino
# The same tables for open-source Trino's Hive connector (`--engine trino`, and the dbt on-run-start macro
# register_trino_raw_tables, whose macro trino_raw_table_ddl renders the same text). Trino does not parse HiveQL
# DDL: it declares the table with CREATE TABLE ... WITH (...) and names Athena's projection properties
# partition_projection_*. Two differences from the Athena table: the projected key is varchar (Trino
# refuses a timestamp partition key whose value is '2026/10/01/00'; the models parse it), and there is no
# external_location, so a stream whose folder does not exist is an empty table rather than an error (the
# partitions come from the location template; hive.ignore-absent-partitions skips hours with no folder).
TRINO_FORMATS = {"all_events": "PARQUET", "ses_events": "OPENX_JSON", "sms_events": "OPENX_JSON"}
# Placeholders that the dbt macro trino_raw_table_ddl (macros/trino_raw_tables.sql) leaves for
# register_trino_raw_tables (the relation, the folder and the first projected hour).
TRINO_PLACEHOLDERS = ("__RELATION__", "__LOCATION__", "__START__")


def trino_type(hive_type: str) -> str:
    """A Hive type as Trino writes it: struct<a:string> -> row("a" varchar), array<int> -> array(integer)."""
    text = re.sub(r"(?<=[<,])([A-Za-z_][A-Za-z0-9_]*):", r'"\1" ', hive_type)
    for hive, trino in (("struct<", "row("), ("array<", "array("), ("map<", "map(")):
        text = text.replace(hive, trino)
    text = text.replace(">", ")")
    text = re.sub(r"(?<![\w\"])string(?![\w\"])", "varchar", text)
    return re.sub(r"(?<![\w\"])int(?![\w\"])", "integer", text)


def trino_create_table_ddl(relation: str, location: str, start: str, layout: str = "all_events") -> str:
    """CREATE TABLE for Trino's Hive connector over the Firehose folders under `location` (s3://...,
    local:///...), with partition projection on the hour folders from `start` (YYYY/MM/DD/HH) to now."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r}: expected one of {', '.join(LAYOUTS)}")
    col = PARTITION_COLUMN
    columns = [f'  "{name}" {trino_type(hive_type)}' for name, hive_type in glue_columns(LAYOUTS[layout][0])]
    columns.append(
        f'  "{col}" varchar WITH (partition_projection_type = \'DATE\', '
        f"partition_projection_format = '{PROJECTION_FORMAT}', "
        f"partition_projection_range = ARRAY['{start}', 'NOW'], "
        "partition_projection_interval = 1, partition_projection_interval_unit = 'HOURS')")
    properties = [
        f"  format = '{TRINO_FORMATS[layout]}'",
        f"  partitioned_by = ARRAY['{col}']",
        "  partition_projection_enabled = true",
        f"  partition_projection_location_template = '{location.rstrip('/')}/${{{col}}}/'",
    ]
    if TRINO_FORMATS[layout] == "OPENX_JSON":
        # As on Athena: a line that is not JSON is a row of NULLs, audited downstream.
        properties.append("  extra_properties = MAP(ARRAY['ignore.malformed.json'], ARRAY['true'])")
    return (f"CREATE TABLE {relation} (\n" + ",\n".join(columns) + "\n)\nWITH (\n" + ",\n".join(properties) + "\n)")


def execute(statements: list[str], workgroup: str, output_location: str | None) -> None:
    """Run each statement through Athena and wait for it; raises SystemExit with a clear message."""
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
    except ImportError:
        raise SystemExit("error: --execute needs boto3 (pip install boto3); without it, copy the printed DDL into the Athena console") from None
    client = boto3.client("athena")
    for sql in statements:
        # No QueryExecutionContext: the statements name their database, which may not exist yet.
        request: dict[str, object] = {"QueryString": sql, "WorkGroup": workgroup}
        if output_location:
            request["ResultConfiguration"] = {"OutputLocation": output_location}
        try:
            query_id = client.start_query_execution(**request)["QueryExecutionId"]  # type: ignore[arg-type]
            for _ in range(300):  # at most ~5 minutes
                status = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
                if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                    break
                time.sleep(1)
        except NoCredentialsError:
            raise SystemExit("error: no AWS credentials found (set AWS_PROFILE or the AWS_* variables)") from None
        except (BotoCoreError, ClientError) as err:
            raise SystemExit(f"error: Athena refused the statement: {err}") from None
        if status["State"] != "SUCCEEDED":
            raise SystemExit(f"error: query {query_id} {status['State']}: {status.get('StateChangeReason', '')}")
        print(f"-- {status['State']}: query {query_id}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bucket", required=True, help="S3 bucket Firehose writes to")
    parser.add_argument("--engine", choices=("athena", "trino"), default="athena",
                        help="athena: HiveQL for Athena/Glue (default); trino: CREATE TABLE for Trino's Hive connector")
    parser.add_argument("--catalog", default="hive", help="--engine trino: the Hive catalog (default: hive)")
    parser.add_argument("--prefix", default=None,
                        help="key prefix before YYYY/MM/DD/HH/ (default: events, ses_events or sms_events by layout)")
    parser.add_argument("--database", default="due_eventdb", help="Glue database (default: due_eventdb, the var pinpoint_glue_database)")
    parser.add_argument("--table", default="all_events",
                        help="table name (default: all_events, the var all_events_table); ses_events and sms_events "
                             "print the native SES / End User Messaging SMS JSON tables (vars ses_events_table, "
                             "sms_events_table)")
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default=None,
                        help="table layout when --table is another name (default: from --table, else all_events)")
    parser.add_argument("--start", type=parse_start, default="2020/01/01/00",
                        help="first hour with data, YYYY/MM/DD/HH or ISO (default: 2020/01/01/00); keep it close to the real start")
    parser.add_argument("--execute", action="store_true", help="also run the DDL through Athena (needs boto3 and credentials)")
    parser.add_argument("--workgroup", default="primary", help="Athena workgroup for --execute (default: primary)")
    parser.add_argument("--output-location", help="s3:// folder for query results, unless the workgroup sets one")
    args = parser.parse_args(argv)
    layout = args.layout or (args.table if args.table in LAYOUTS else "all_events")
    prefix = args.prefix if args.prefix is not None else LAYOUTS[layout][1]
    if args.engine == "trino":
        schema = f"{args.catalog}.{args.database}"
        ddl = trino_create_table_ddl(f"{schema}.{args.table}", _location(args.bucket, prefix), args.start, layout)
        print(f"CREATE SCHEMA IF NOT EXISTS {schema};\n\n{ddl};")
        return 0

    create_database = f"CREATE DATABASE IF NOT EXISTS `{args.database}`"
    create_table = create_table_ddl(args.bucket, prefix, args.database, args.table, args.start, layout)
    print(f"{create_database};\n\n{create_table};")
    if args.execute:
        execute([create_database, create_table], args.workgroup, args.output_location)
    return 0


if __name__ == "__main__":
    sys.exit(main())
