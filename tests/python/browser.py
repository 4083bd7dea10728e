"""Headless Chromium for tests that look at what a person would see (the docs site, later reports).

Debian's `chromium` and `chromium-driver`, driven by selenium through chromedriver; nothing is downloaded
at run time. `browser_unavailable()` says why no browser can be used (the caller skips with that reason),
after trying scripts/install_browser.sh once; `headless_chromium()` yields a ready WebDriver.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install_browser.sh"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER_PATH", "/usr/bin/chromedriver"))
# The flags every run uses: no sandbox (root in a container), nothing that phones home.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
)


def _missing() -> str | None:
    absent = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    return f"{' and '.join(absent)} not found" if absent else None


@cache
def browser_unavailable() -> str | None:
    """None when Chromium, chromedriver and selenium are usable; else the reason, for pytest.skip."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the Python package selenium is not installed (it is pinned in requirements-test.txt: make test-venv)"
    if _missing() and INSTALL_SCRIPT.exists() and shutil.which("bash"):
        done = subprocess.run(["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=900)
        reason = _missing()
        if reason:
            said = (done.stderr or done.stdout).strip().splitlines()
            return f"{reason} and scripts/install_browser.sh could not install them: {said[-1] if said else '?'}"
    return _missing()


@contextmanager
def headless_chromium(width: int = 1400, height: int = 1000, with_logs: bool = False) -> Iterator[WebDriver]:
    """A headless Chromium session with its own throw-away profile; quit and cleaned up on exit.
    `with_logs` also records Chrome's performance (network) and console logs (driver.get_log)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    if with_logs:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def save_screenshot(driver: WebDriver, path: Path, *copies: Path) -> Path:
    """Write a PNG of the current viewport to `path` and copy it into each folder in `copies`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not driver.save_screenshot(str(path)):
        raise AssertionError(f"chromium could not write the screenshot {path}")
    for folder in copies:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, folder / path.name)
    return path
