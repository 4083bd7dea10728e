"""The two pinned requirement files: run needs alone in requirements.txt, test tooling on top of it.

The proof that a venv from requirements.txt alone runs `make run` is a fresh install (docs/decisions.md,
entry 15); these tests keep the files in the shape that makes it hold.
"""
from __future__ import annotations

import ast
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO_ROOT, SCRIPTS

# The scripts that `make run` runs, with the modules they import (at any depth, not only at the top).
RUN_SCRIPTS = ("generate_events.py", "report.py", "add_custom_event.py", "custom_events_config.py")
TEST_TOOLS = ("pytest", "hypothesis", "moto", "mypy", "sqlfluff", "sqlfluff-templater-dbt", "selenium",
              "trino-query-parser")


def pinned(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            req = Requirement(line)
            [spec] = list(req.specifier)
            assert spec.operator == "==", f"{path.name}: {line} is not pinned"
            out[canonicalize_name(req.name)] = spec.version
    return out


def test_test_file_builds_on_the_run_file_and_pins_no_run_package_again() -> None:
    test_file = REPO_ROOT / "requirements-test.txt"
    directives = [line for line in test_file.read_text().splitlines() if line.startswith("-")]
    assert directives == ["-r requirements.txt"]
    run, test = pinned(REPO_ROOT / "requirements.txt"), pinned(test_file)
    assert not set(run) & set(test), "a package pinned in both files could differ"
    for tool in TEST_TOOLS:
        assert canonicalize_name(tool) in test and canonicalize_name(tool) not in run, tool
    assert "hypothesis" in test


def test_direct_needs_are_pinned_at_the_locked_versions() -> None:
    locked = {**pinned(REPO_ROOT / "requirements.txt"), **pinned(REPO_ROOT / "requirements-test.txt")}
    for source in ("requirements.in", "requirements-test.in"):
        for line in (REPO_ROOT / source).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                req = Requirement(line)
                [spec] = list(req.specifier)
                assert locked.get(canonicalize_name(req.name)) == spec.version, f"{source}: {line} vs the lock"


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module.split(".")[0])
    return modules


def test_the_scripts_of_make_run_import_only_run_packages() -> None:
    run = set(pinned(REPO_ROOT / "requirements.txt"))
    local = {p.stem for p in SCRIPTS.glob("*.py")}
    owners = packages_distributions()
    missing = []
    for script in RUN_SCRIPTS:
        for module in sorted(_imported_modules(SCRIPTS / script) - local - set(sys.stdlib_module_names)):
            dists = {canonicalize_name(d) for d in owners.get(module, [])}
            assert dists, f"{script}: no installed distribution provides {module!r}"
            if not dists & run:
                missing.append(f"{script}: {module} (from {', '.join(sorted(dists))})")
    assert not missing, "imported by make run's scripts but not in requirements.txt:\n" + "\n".join(missing)
