#!/usr/bin/env python3
"""A local, single-node Trino for the `trino` dbt target and the engine tests (`make trino`).

    python scripts/trino_server.py start     # fetch once, configure, start (or reuse), wait, print the URL
    python scripts/trino_server.py stop      # stop the server this script started
    python scripts/trino_server.py status    # print whether it answers; exit 1 when it does not
    python scripts/trino_server.py check     # exit 0 when Java 24+ and the server (or Maven) are available

The server tarball `io.trino:trino-server:476:tar.gz` comes from Maven Central through Maven's own cache
(~/.m2), so it is downloaded once per machine. It is unpacked into the cache folder (default
~/.cache/engagement_events/trino-476, env ENGAGEMENT_TRINO_HOME) with only the Hive and Iceberg
plugins: the other 50-odd connectors would each load at start-up, which takes minutes on 2 cores. The
server listens on 127.0.0.1 only, port 8089 by default (env ENGAGEMENT_TRINO_PORT; `make docs` takes
8080), and has two catalogs on the local disk: `hive` (file metastore, for the raw external tables over
the Firehose folders) and `iceberg` (file metastore, for the models). Trino 476 needs Java 24 or newer:
the JDK is taken from ENGAGEMENT_TRINO_JAVA_HOME, else the newest JDK under /usr/lib/jvm that is new
enough, else JAVA_HOME when it is new enough.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from engagement_tools import trino_port as port

TRINO_VERSION = "476"
MIN_JAVA = 24
ARTIFACT = f"io.trino:trino-server:{TRINO_VERSION}:tar.gz"
# The plugins the two catalogs need; every other folder under plugin/ is left out of the unpacked copy.
PLUGINS = ("hive", "iceberg")
DEFAULT_HEAP = "3G"
START_TIMEOUT_SECONDS = 600
# Read a Parquet file's column chunks one by one instead of the whole file (Trino reads files below 3 MB
# whole and merges reads less than 1 MB apart). Local files are small, so without this every query's
# physical input would be whole files; with it, it counts the columns a query reads, as Athena bills
# (scripts/athena_bill.py). Local reads are cheap either way.
EXACT_PARQUET_READS = ("parquet.small-file-threshold=0B", "parquet.max-merge-distance=0B")


def home() -> Path:
    default = Path.home() / ".cache" / "engagement_events" / f"trino-{TRINO_VERSION}"
    return Path(os.environ.get("ENGAGEMENT_TRINO_HOME", str(default))).expanduser().resolve()


def server_dir() -> Path:
    return home() / f"trino-server-{TRINO_VERSION}"


def data_dir() -> Path:
    return home() / "data"


def url() -> str:
    return f"http://127.0.0.1:{port()}"


def java_major(java_home: Path) -> int | None:
    """The major version of the JDK at `java_home`, or None when there is no runnable java there."""
    java = java_home / "bin" / "java"
    if not java.is_file():
        return None
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=60).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)', out)
    return int(match.group(1)) if match else None


def find_java_home() -> Path | None:
    """A JDK that can run Trino 476 (Java 24+), or None."""
    explicit = os.environ.get("ENGAGEMENT_TRINO_JAVA_HOME")
    if explicit:
        path = Path(explicit)
        major = java_major(path)
        return path if major is not None and major >= MIN_JAVA else None
    candidates: list[tuple[int, Path]] = []
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        for path in sorted(jvm_root.iterdir()):
            if path.is_dir() and not path.is_symlink():
                major = java_major(path)
                if major is not None and major >= MIN_JAVA:
                    candidates.append((major, path))
    if os.environ.get("JAVA_HOME"):
        path = Path(os.environ["JAVA_HOME"])
        major = java_major(path)
        if major is not None and major >= MIN_JAVA:
            candidates.append((major, path))
    return max(candidates)[1] if candidates else None


def maven_tarball() -> Path:
    """Where Maven keeps the server tarball once downloaded."""
    repo = Path(os.environ.get("ENGAGEMENT_M2_REPOSITORY", str(Path.home() / ".m2" / "repository")))
    return repo / "io" / "trino" / "trino-server" / TRINO_VERSION / f"trino-server-{TRINO_VERSION}.tar.gz"


def missing_prerequisites() -> list[str]:
    """Why a local Trino cannot run here (empty when it can)."""
    reasons = []
    if find_java_home() is None:
        reasons.append(f"no Java {MIN_JAVA}+ JDK found (set ENGAGEMENT_TRINO_JAVA_HOME or install one under /usr/lib/jvm)")
    if not (server_dir() / "bin" / "launcher").is_file() and not maven_tarball().is_file() and shutil.which("mvn") is None:
        reasons.append(f"Maven (mvn) is missing and {ARTIFACT} is not in the Maven cache")
    if shutil.which("python3") is None:
        reasons.append("python3 is missing (Trino's bin/launcher is a Python script)")
    return reasons


def download() -> Path:
    tarball = maven_tarball()
    if not tarball.is_file():
        print(f"downloading {ARTIFACT} (about 820 MB, once) with Maven ...", file=sys.stderr)
        subprocess.run(["mvn", "--batch-mode", "--quiet", "dependency:get", f"-Dartifact={ARTIFACT}",
                        "-Dtransitive=false"], check=True)
    if not tarball.is_file():
        raise SystemExit(f"error: Maven finished but {tarball} is missing")
    return tarball


def unpack(tarball: Path) -> None:
    """Unpack the server, then prune plugin/ to the needed plugins. The tarball stores jars shared by
    several plugins as hard links, so it is unpacked whole and pruned after (a link keeps its data)."""
    target = server_dir()
    if (target / "bin" / "launcher").is_file():
        return
    home().mkdir(parents=True, exist_ok=True)
    partial = home() / "unpacking"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    print(f"unpacking {tarball.name} (keeping plugins: {', '.join(PLUGINS)}) ...", file=sys.stderr)
    subprocess.run(["tar", "-xzf", str(tarball), "-C", str(partial)], check=True)
    unpacked = partial / f"trino-server-{TRINO_VERSION}"
    for plugin in (unpacked / "plugin").iterdir():
        if plugin.name not in PLUGINS:
            shutil.rmtree(plugin)
    unpacked.rename(target)
    partial.rmdir()


def write_config(heap: str) -> Path:
    """Write etc/ (node, JVM, server, log and the two catalogs) and return its path. Rewritten on every
    start so a changed port or heap takes effect."""
    etc = home() / "etc"
    (etc / "catalog").mkdir(parents=True, exist_ok=True)
    data = data_dir()
    for folder in (data, data / "hive_metastore", data / "iceberg_metastore", data / "iceberg_warehouse"):
        folder.mkdir(parents=True, exist_ok=True)
    files = {
        "node.properties": [
            "node.environment=engagement_events",
            "node.id=engagement-events-local",
            f"node.data-dir={data}",
            "node.internal-address=127.0.0.1",
            # Listen on loopback only (airlift binds the HTTP server to node.bind-ip).
            "node.bind-ip=127.0.0.1",
        ],
        "jvm.config": [
            "-server",
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:ReservedCodeCacheSize=256M",
            "-Djdk.attach.allowAttachSelf=true",
            "-Duser.timezone=UTC",
            "-Dfile.encoding=UTF-8",
        ],
        "config.properties": [
            "coordinator=true",
            "node-scheduler.include-coordinator=true",
            f"http-server.http.port={port()}",
            f"discovery.uri={url()}",
            "query.max-memory=1500MB",
            "query.max-memory-per-node=1500MB",
            # Two cores shared with other work: few splits in flight, no speculative start-up work.
            "task.concurrency=2",
            "task.max-worker-threads=4",
        ],
        "log.properties": ["io.trino=WARN"],
        # Raw files anywhere on the local disk: local.location=/ makes local:///abs/path the folder /abs/path.
        "catalog/hive.properties": [
            "connector.name=hive",
            "hive.metastore=file",
            f"hive.metastore.catalog.dir=local://{data / 'hive_metastore'}",
            "fs.native-local.enabled=true",
            "local.location=/",
            # Partition projection lists every hour of its range; hours with no folder are empty, as
            # on Athena, instead of failing the query.
            "hive.ignore-absent-partitions=true",
            *EXACT_PARQUET_READS,
        ],
        "catalog/iceberg.properties": [
            "connector.name=iceberg",
            "iceberg.catalog.type=TESTING_FILE_METASTORE",
            f"hive.metastore.catalog.dir=local://{data / 'iceberg_metastore'}",
            "fs.native-local.enabled=true",
            "local.location=/",
            "iceberg.file-format=PARQUET",
            *EXACT_PARQUET_READS,
        ],
    }
    for name, lines in files.items():
        (etc / name).write_text("\n".join(lines) + "\n")
    return etc


def server_info() -> dict[str, object] | None:
    """The server's /v1/info, or None when nothing answers on the port."""
    try:
        with urllib.request.urlopen(f"{url()}/v1/info", timeout=5) as response:
            info: dict[str, object] = json.loads(response.read().decode())
            return info
    except (urllib.error.URLError, OSError, ValueError):
        return None


def launcher(command: str, etc: Path, java_home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JAVA_HOME": str(java_home), "PATH": f"{java_home / 'bin'}:{os.environ.get('PATH', '')}"}
    return subprocess.run(
        [str(server_dir() / "bin" / "launcher"), command, f"--etc-dir={etc}", f"--data-dir={data_dir()}",
         f"--launcher-log-file={data_dir() / 'launcher.log'}", f"--server-log-file={data_dir() / 'server.log'}"],
        env=env, capture_output=True, text=True, check=False,
    )


def start(heap: str) -> int:
    info = server_info()
    if info is not None and info.get("starting") is False:
        print(f"Trino already running at {url()} (reused)")
        return 0
    reasons = missing_prerequisites()
    if reasons:
        print("error: cannot run a local Trino: " + "; ".join(reasons), file=sys.stderr)
        return 2
    java_home = find_java_home()
    assert java_home is not None
    unpack(download())
    etc = write_config(heap)
    began = time.monotonic()
    if info is None:
        result = launcher("start", etc, java_home)
        if result.returncode != 0:
            print(f"error: bin/launcher start failed: {result.stdout}{result.stderr}", file=sys.stderr)
            return 1
    while time.monotonic() - began < START_TIMEOUT_SECONDS:
        info = server_info()
        if info is not None and info.get("starting") is False:
            print(f"Trino {TRINO_VERSION} listening at {url()} (catalogs hive, iceberg; started in "
                  f"{time.monotonic() - began:.0f} s; logs in {data_dir()}; stop with: make trino-stop)")
            return 0
        if launcher("status", etc, java_home).returncode != 0 and info is None and time.monotonic() - began > 10:
            print(f"error: Trino exited while starting; see {data_dir() / 'server.log'}", file=sys.stderr)
            return 1
        time.sleep(2)
    print(f"error: Trino did not answer within {START_TIMEOUT_SECONDS} s; see {data_dir() / 'server.log'}", file=sys.stderr)
    return 1


def stop() -> int:
    java_home = find_java_home()
    etc = home() / "etc"
    if java_home is None or not (server_dir() / "bin" / "launcher").is_file() or not etc.is_dir():
        print("no local Trino installed; nothing to stop")
        return 0
    result = launcher("stop", etc, java_home)
    print((result.stdout + result.stderr).strip() or "stopped")
    return 0 if result.returncode == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("start", "stop", "status", "check"), nargs="?", default="start")
    parser.add_argument("--heap", default=os.environ.get("ENGAGEMENT_TRINO_HEAP", DEFAULT_HEAP),
                        help=f"JVM -Xmx (default {DEFAULT_HEAP}, env ENGAGEMENT_TRINO_HEAP)")
    args = parser.parse_args(argv)
    if args.command == "start":
        return start(args.heap)
    if args.command == "stop":
        return stop()
    if args.command == "check":
        reasons = missing_prerequisites()
        print("; ".join(reasons) if reasons else "ok")
        return 1 if reasons else 0
    info = server_info()
    print(json.dumps(info) if info is not None else f"nothing answers at {url()}")
    return 0 if info is not None else 1


if __name__ == "__main__":
    sys.exit(main())
