#!/usr/bin/env python3
"""Prove that the project compiles to SQL Amazon Athena (engine v3, Trino) accepts, without AWS.

1. Starts a moto server (a local AWS mock) on a free loopback port, so dbt-athena's metadata calls
   (STS, Glue) get answers; nothing leaves the machine.
2. Runs `dbt compile --target athena` with the test-only profile tests/athena/profiles.yml, then a
   second compile of the incremental models with their Glue tables present in the mock, so the
   `is_incremental()` branch is compiled and checked too.
3. Parses every compiled model, data test and analysis strictly with Trino's own ANTLR grammar
   (trino-query-parser) and checks Athena pitfalls the grammar cannot see:
   - map-subscript:   `m['key']` raises on a missing key in Trino; use element_at(m, 'key').
   - integer-division: a `/` with a count-like call (count, count_if, approx_distinct, cardinality,
                       length, rank functions...) on one side, or integer literals on both, and
                       nothing double/decimal on either side (Trino divides bigints as integers).
   - unknown-function: a called function that is not in scripts/trino_functions.txt (catches
                       DuckDB-only names such as list_transform, epoch_ms, strftime).
   - varbinary-arg:    md5/sha*/to_hex given something that is not obviously varbinary (Trino's
                       md5 takes varbinary: hash to_utf8(text)).
   - hidden-column:    "$path" (or another hidden column) read through a CTE/subquery: `select *`
                       does not carry hidden columns, so it must be read where the table is named.
4. Checks that every model and column description, as dbt-athena persists it to Glue, fits
   Glue's limits (255 characters for a column comment, 2048 for a table description).

    python scripts/check_athena_sql.py [--project-dir .] [--target-path DIR] [--keep] [--vars '{k: v}']
    python scripts/check_athena_sql.py --compiled-dir target/compiled   # only parse and check
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from antlr4 import CommonTokenStream, InputStream  # type: ignore[import-untyped]
from antlr4.atn.PredictionMode import PredictionMode  # type: ignore[import-untyped]
from antlr4.error.ErrorStrategy import BailErrorStrategy  # type: ignore[import-untyped]
from antlr4.error.Errors import ParseCancellationException  # type: ignore[import-untyped]
from antlr4.tree.Tree import TerminalNode  # type: ignore[import-untyped]
from trino_query_parser.error import TrinoErrorListener, TrinoSyntaxError as TrinoSyntaxError  # type: ignore[import-untyped]
from trino_query_parser.SqlBaseLexer import SqlBaseLexer  # type: ignore[import-untyped]
from trino_query_parser.SqlBaseParser import SqlBaseParser  # type: ignore[import-untyped]

from engagement_tools import REPO_ROOT, SCRIPTS_DIR, dbt_args, environ, run_dbt

HIDDEN_COLUMNS = frozenset({'"$path"', '"$file_size"', '"$file_modified_time"', '"$partition"', '"$bucket"'})
STRING_LITERALS = (SqlBaseParser.StringLiteralContext, SqlBaseParser.BasicStringLiteralContext,
                   SqlBaseParser.UnicodeStringLiteralContext)
FUNCTIONS_FILE = SCRIPTS_DIR / "trino_functions.txt"
TEST_PROFILES_DIR = REPO_ROOT / "tests" / "athena"
GLUE_COLUMN_COMMENT_MAX = 255
GLUE_TABLE_DESCRIPTION_MAX = 2048

# Calls whose result is an integer (bigint) whatever they are given: one of these on either side
# of `/` needs a cast to double. (sum is left out: its type follows its input, unknown to a parser.)
INTEGER_RESULT_CALLS = frozenset({
    "count", "count_if", "approx_distinct", "cardinality", "length", "row_number", "rank",
    "dense_rank", "ntile", "strpos", "date_diff", "day", "hour", "minute", "month", "year", "week",
})
# Calls that return double whatever they are given.
DOUBLE_RESULT_CALLS = frozenset({
    "avg", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "sqrt",
    "power", "pow", "ln", "log2", "log10", "exp", "rand", "random", "approx_percentile", "corr",
    "percent_rank", "cume_dist", "to_unixtime",
})
# md5/sha*/to_hex take varbinary in Trino; these produce it.
VARBINARY_CALLS = frozenset({"md5", "sha1", "sha256", "sha512", "to_hex"})
VARBINARY_PRODUCERS = frozenset({
    "to_utf8", "from_hex", "from_base64", "from_base64url", "from_base32", "md5", "sha1", "sha256",
    "sha512", "hmac_md5", "hmac_sha1", "hmac_sha256", "hmac_sha512", "xxhash64", "murmur3",
    "spooky_hash_v2_32", "spooky_hash_v2_64", "to_big_endian_32", "to_big_endian_64",
    "to_ieee754_32", "to_ieee754_64",
})


@dataclass(frozen=True)
class Finding:
    """One problem in one compiled file (path relative to the compiled/ folder)."""

    path: str
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: [{self.kind}] {self.message}"


# ------------------------------------------------------------------------------------- parsing
def _parser(sql: str) -> Any:
    """A Trino parser over `sql`, case-insensitive like Trino's, raising on the first error."""
    stream = InputStream(sql)
    # Trino's grammar spells keywords in upper case; match on upper-cased code points but keep the
    # original text (strdata) so names and messages keep their case.
    stream.data = [ord(c.upper()) if len(c.upper()) == 1 else ord(c) for c in sql]
    lexer = SqlBaseLexer(stream)
    lexer.removeErrorListeners()
    lexer.addErrorListener(TrinoErrorListener())
    parser = SqlBaseParser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(TrinoErrorListener())
    return parser


def parse_trino(sql: str) -> Any:
    """Parse one statement strictly; raises TrinoSyntaxError. Tries the fast SLL mode first."""
    fast = _parser(sql)
    fast._interp.predictionMode = PredictionMode.SLL
    fast._errHandler = BailErrorStrategy()
    try:
        return fast.singleStatement()
    except (ParseCancellationException, TrinoSyntaxError):
        return _parser(sql).singleStatement()  # full LL: exact error position and message


def _walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, TerminalNode):
            continue
        yield current
        stack.extend(reversed(list(current.getChildren())))


def _unwrap(node: Any) -> Any:
    """Descend through single-child wrappers and parentheses to the expression that matters."""
    while True:
        if isinstance(node, SqlBaseParser.ParenthesizedExpressionContext):
            node = node.expression()
            continue
        children = [c for c in node.getChildren() if not isinstance(c, TerminalNode)]
        if len(children) == 1 and node.getChildCount() == 1:
            node = children[0]
            continue
        return node


def _text(node: Any) -> str:
    """The original source text of a node, spaces included, on one line."""
    text = str(node.start.getInputStream().getText(node.start.start, node.stop.stop))
    return " ".join(text.split())


def _call_name(node: Any) -> str:
    return str(node.qualifiedName().getText()).split(".")[-1].strip('"').lower()


def _first_arg(node: Any) -> Any | None:
    args = node.expression()
    return args[0] if args else None


def _is_double_like(expr: Any) -> bool:
    node = _unwrap(expr)
    if isinstance(node, SqlBaseParser.CastContext):
        type_text = str(node.type_().getText()).lower()
        return type_text in ("double", "real") or type_text.startswith("decimal")
    if isinstance(node, (SqlBaseParser.DecimalLiteralContext, SqlBaseParser.DoubleLiteralContext)):
        return True
    if isinstance(node, SqlBaseParser.FunctionCallContext):
        name = _call_name(node)
        if name in DOUBLE_RESULT_CALLS:
            return True
        first = _first_arg(node)
        return name in ("nullif", "coalesce", "abs", "round") and first is not None and _is_double_like(first)
    if isinstance(node, SqlBaseParser.ArithmeticBinaryContext):
        return _is_double_like(node.left) or _is_double_like(node.right)
    return False


def _is_integer_call(expr: Any) -> bool:
    """A count-like call (bigint whatever its input), possibly in nullif/coalesce or integer arithmetic."""
    node = _unwrap(expr)
    if isinstance(node, SqlBaseParser.FunctionCallContext):
        name = _call_name(node)
        first = _first_arg(node)
        return name in INTEGER_RESULT_CALLS or (
            name in ("nullif", "coalesce") and first is not None and _is_integer_call(first))
    if isinstance(node, SqlBaseParser.ArithmeticBinaryContext):
        return _is_integer_call(node.left) or _is_integer_call(node.right)
    return False


def _is_integer_literal(expr: Any) -> bool:
    return isinstance(_unwrap(expr), SqlBaseParser.IntegerLiteralContext)


def _own_nodes(node: Any) -> Iterator[Any]:
    """The nodes of one query level: `node`'s subtree without nested SELECTs."""
    stack = list(node.getChildren())
    while stack:
        current = stack.pop()
        if isinstance(current, TerminalNode) or isinstance(current, SqlBaseParser.QuerySpecificationContext):
            continue
        yield current
        stack.extend(current.getChildren())


def _hidden_columns(spec: Any) -> tuple[set[str], bool]:
    """(hidden columns such as "$path" used by this SELECT level, whether its FROM names a db.table)."""
    used = {n.getText().lower() for n in _own_nodes(spec)
            if isinstance(n, SqlBaseParser.QuotedIdentifierContext) and n.getText().lower() in HIDDEN_COLUMNS}
    reads_table = any(isinstance(n, SqlBaseParser.TableNameContext) and len(n.qualifiedName().identifier()) >= 2
                      for n in _own_nodes(spec))
    return used, reads_table


def check_tree(path: str, tree: Any, known_functions: frozenset[str]) -> list[Finding]:
    """The pitfall checks on one parsed statement."""
    findings: list[Finding] = []
    # Trino leaves hidden columns ("$path", ...) out of `select *`: one is usable through a CTE or
    # subquery only if some SELECT that names the table itself selects it explicitly.
    specs = [(n, *_hidden_columns(n)) for n in _walk(tree) if isinstance(n, SqlBaseParser.QuerySpecificationContext)]
    carried = set().union(*(used for _, used, reads_table in specs if reads_table))
    for spec, used, reads_table in specs:
        for column in sorted(used - carried) if not reads_table else []:
            findings.append(Finding(path, "hidden-column", f"line {spec.start.line}: {column} is a hidden column that "
                                    "`select *` does not carry: select it where the table itself is read"))
    for node in _walk(tree):
        line = node.start.line if node.start is not None else 0
        if isinstance(node, SqlBaseParser.FunctionCallContext):
            name = _call_name(node)
            if name not in known_functions:
                findings.append(Finding(path, "unknown-function", f"line {line}: {name}() is not a Trino/Athena "
                                        "engine v3 function (scripts/trino_functions.txt)"))
            if name in VARBINARY_CALLS:
                first = _first_arg(node)
                inner = _unwrap(first) if first is not None else None
                ok = (isinstance(inner, SqlBaseParser.FunctionCallContext) and _call_name(inner) in VARBINARY_PRODUCERS) or (
                    isinstance(inner, SqlBaseParser.CastContext) and str(inner.type_().getText()).lower() == "varbinary")
                if not ok:
                    findings.append(Finding(path, "varbinary-arg", f"line {line}: {name}() takes varbinary in Trino; "
                                            "wrap the text in to_utf8(...)"))
        elif isinstance(node, SqlBaseParser.SubscriptContext):
            if isinstance(_unwrap(node.index), STRING_LITERALS):
                findings.append(Finding(path, "map-subscript", f"line {line}: {_text(node)} fails on a missing key "
                                        "in Trino; use element_at(map, key) (macro map_get)"))
        elif isinstance(node, SqlBaseParser.ArithmeticBinaryContext) and node.operator.type == SqlBaseParser.SLASH:
            if not (_is_double_like(node.left) or _is_double_like(node.right)) and (
                    _is_integer_call(node.left) or _is_integer_call(node.right)
                    or (_is_integer_literal(node.left) and _is_integer_literal(node.right))):
                findings.append(Finding(path, "integer-division", f"line {line}: {_text(node)} may divide integers "
                                        "(Trino truncates); cast a side to double or use safe_divide()"))
    return findings


def load_functions(path: Path = FUNCTIONS_FILE) -> frozenset[str]:
    names = (line.split("#", 1)[0].strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(name for name in names if name)


def check_compiled_dir(compiled_dir: Path, known_functions: frozenset[str] | None = None) -> tuple[int, list[Finding]]:
    """Parse and check every .sql file under `compiled_dir`; returns (files checked, findings)."""
    functions = known_functions if known_functions is not None else load_functions()
    files = sorted(compiled_dir.rglob("*.sql"))
    findings: list[Finding] = []
    for file in files:
        rel = file.relative_to(compiled_dir).as_posix()
        sql = file.read_text(encoding="utf-8").strip().rstrip(";")
        try:
            tree = parse_trino(sql)
        except TrinoSyntaxError as err:
            findings.append(Finding(rel, "parse", f"not valid Trino SQL at {err.line}:{err.column}: {err.msg[:200]}"))
            continue
        findings.extend(check_tree(rel, tree, functions))
    return len(files), findings


# ------------------------------------------------------------------------------- descriptions
def glue_comment(description: str, limit: int) -> str:
    """The text dbt-athena stores in Glue (whitespace folded, ellipsis past `limit`)."""
    from dbt.adapters.athena.utils import clean_sql_comment, ellipsis_comment

    return str(ellipsis_comment(clean_sql_comment(description), limit))


def description_findings(manifest: Mapping[str, Any]) -> tuple[list[Finding], list[str]]:
    """(violations of Glue's limits as persisted, descriptions dbt-athena will truncate)."""
    findings: list[Finding] = []
    truncated: list[str] = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        where = node["original_file_path"]
        table_text = glue_comment(node.get("description") or "", GLUE_TABLE_DESCRIPTION_MAX)
        if len(table_text) > GLUE_TABLE_DESCRIPTION_MAX:
            findings.append(Finding(where, "glue-description", f"table description is {len(table_text)} chars"))
        for name, column in node.get("columns", {}).items():
            from dbt.adapters.athena.utils import clean_sql_comment

            raw = clean_sql_comment(column.get("description") or "")
            stored = glue_comment(column.get("description") or "", GLUE_COLUMN_COMMENT_MAX)
            if len(stored) > GLUE_COLUMN_COMMENT_MAX:
                findings.append(Finding(where, "glue-comment", f"column {name}: comment is {len(stored)} chars"))
            if len(raw) > GLUE_COLUMN_COMMENT_MAX:
                truncated.append(f"{node['name']}.{name} ({len(raw)} chars)")
    return findings, sorted(truncated)


# ------------------------------------------------------------------------------- moto and dbt
def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server(timeout_s: float = 30.0) -> Iterator[str]:
    """A moto server on 127.0.0.1 for the duration of the block; yields its endpoint URL."""
    binary = Path(sys.executable).parent / "moto_server"
    command = [str(binary)] if binary.exists() else [shutil.which("moto_server") or "moto_server"]
    port = _free_loopback_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([*command, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start on {endpoint}") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def fake_aws_env(endpoint: str) -> Iterator[None]:
    """Environment for boto3 and the test profile: the mock endpoint and fake credentials."""
    values = {
        "ATHENA_TEST_ENDPOINT_URL": endpoint, "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    with environ(AWS_PROFILE=None, **values):
        yield


def _dbt(project_dir: Path, target_path: Path, *args: str, dbt_vars: Mapping[str, Any] | None = None) -> None:
    """One in-process dbt invocation against the Athena test profile; raises on failure."""
    cli = dbt_args(*args, "--target", "athena", "--quiet", project_dir=project_dir, target_path=target_path,
                   profiles_dir=TEST_PROFILES_DIR, dbt_vars=dbt_vars or None)
    result = run_dbt(cli)
    if not result.success:
        raise RuntimeError(f"dbt {' '.join(args)} --target athena failed: {result.exception or result.result}")


def _create_glue_tables(manifest: Mapping[str, Any], materialized: str) -> list[str]:
    """Register every model with this materialisation as a Glue table in the mock."""
    import boto3

    glue = boto3.client("glue")
    names: list[str] = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"].get("materialized") != materialized:
            continue
        schema, name = node["schema"], node["alias"] or node["name"]
        try:
            glue.create_database(DatabaseInput={"Name": schema})
        except glue.exceptions.AlreadyExistsException:
            pass
        glue.create_table(DatabaseName=schema, TableInput={
            "Name": name, "TableType": "EXTERNAL_TABLE",
            "StorageDescriptor": {"Columns": [{"Name": "event_id", "Type": "string"}],
                                  "Location": f"s3://engagement-events-test/warehouse/{schema}/{name}/"},
            "Parameters": {"table_type": "ICEBERG"} if node["config"].get("table_type") == "iceberg" else {},
        })
        names.append(node["unique_id"])
    return names


def compile_for_athena(project_dir: Path, target_path: Path,
                       dbt_vars: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Compile the project for Athena (full build, then incremental models' incremental branch).

    The second compile writes to target_path/incremental; returns the first compile's manifest.
    dbt_vars: project vars for both compiles (e.g. {"pseudonymize_pii": True})."""
    with moto_server() as endpoint, fake_aws_env(endpoint):
        _dbt(project_dir, target_path, "compile", "--no-populate-cache", dbt_vars=dbt_vars)
        manifest: dict[str, Any] = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
        incremental = _create_glue_tables(manifest, "incremental")
        if incremental:  # (a method selector: dbt compile prints nodes selected by name)
            _dbt(project_dir, target_path / "incremental", "compile", "--select", "config.materialized:incremental",
                 dbt_vars=dbt_vars)
    return manifest


def run_check(project_dir: Path, target_path: Path,
              dbt_vars: Mapping[str, Any] | None = None) -> tuple[int, list[Finding], list[str]]:
    """Compile, parse and check; returns (files checked, findings, truncated descriptions)."""
    manifest = compile_for_athena(project_dir, target_path, dbt_vars)
    functions = load_functions()
    findings: list[Finding] = []
    count = 0
    for compiled in (target_path / "compiled", target_path / "incremental" / "compiled"):
        if compiled.is_dir():
            n, found = check_compiled_dir(compiled, functions)
            count += n
            findings.extend(found)
    missing = _missing_compiled(manifest, project_dir)
    findings.extend(Finding(path, "not-compiled", "no compiled SQL found for this node") for path in missing)
    desc_findings, truncated = description_findings(manifest)
    return count, findings + desc_findings, truncated


def _missing_compiled(manifest: Mapping[str, Any], project_dir: Path) -> list[str]:
    """Models, data tests and analyses (SQL, enabled, not ephemeral) with no compiled file."""
    missing: list[str] = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "test", "analysis") or node.get("language", "sql") != "sql":
            continue
        if node["config"].get("materialized") == "ephemeral" or not node["config"].get("enabled", True):
            continue
        compiled_path = node.get("compiled_path")
        if not compiled_path or not (project_dir / compiled_path).is_file():  # absolute paths stay absolute
            missing.append(node["unique_id"])
    return missing


def yaml_mapping(text: str) -> dict[str, Any]:
    """A --vars value (a YAML mapping, as dbt's --vars takes it) as a dict."""
    import yaml  # type: ignore[import-untyped, unused-ignore]  # no types-PyYAML in the lock

    value = yaml.safe_load(text)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"not a YAML mapping: {text}")
    return {str(key): item for key, item in value.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project-dir", type=Path, default=REPO_ROOT)
    parser.add_argument("--target-path", type=Path, help="where to compile (default: a temporary folder)")
    parser.add_argument("--compiled-dir", type=Path, help="only parse and check this compiled/ folder")
    parser.add_argument("--vars", type=yaml_mapping, default=None,
                        help="project vars for the compile, as dbt takes them: '{pseudonymize_pii: true}'")
    args = parser.parse_args(argv)

    started = time.monotonic()
    if args.compiled_dir:
        count, findings = check_compiled_dir(args.compiled_dir)
        truncated: list[str] = []
    elif args.target_path:
        count, findings, truncated = run_check(args.project_dir.resolve(), args.target_path.resolve(), args.vars)
    else:
        with tempfile.TemporaryDirectory(prefix="athena-check-") as tmp:
            count, findings, truncated = run_check(args.project_dir.resolve(), Path(tmp), args.vars)
    for finding in findings:
        print(finding, file=sys.stderr)
    if truncated:
        print(f"note: dbt-athena will shorten {len(truncated)} column comment(s) to {GLUE_COLUMN_COMMENT_MAX} "
              f"characters in Glue: {', '.join(truncated)}")
    print(f"checked {count} compiled file(s) in {time.monotonic() - started:.1f}s: "
          f"{'OK' if not findings else f'{len(findings)} problem(s)'}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
