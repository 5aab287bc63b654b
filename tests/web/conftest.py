"""Fixtures of the web app's tests: one app in-process (FastAPI's TestClient, its worker pool started once for the
session), the CLI's ``--json`` for the same inputs, and one live ``lightdose serve`` on a free loopback port (for
the browser and the schemathesis tests), started and stopped here.

Starting an app starts its worker processes and warms their numba kernels: tens of seconds on a busy 2-core
machine, so the fixtures are session-wide.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lightdose.web.app import create_app
from lightdose.web.settings import Settings
from tests.web._web import ROOT, LiveServer, screenshot_folder

SCREENSHOTS = ROOT / "docs" / "web"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def client():
    """The web app in-process with two workers; user errors and bugs are answered, never raised."""
    with TestClient(create_app(Settings(workers=2)), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_server():
    """A running `lightdose serve` (two workers) for the browser and fuzz tests; stopped with Ctrl-C after them."""
    server = LiveServer()
    try:
        server.wait_ready()
        yield server
    finally:
        if server.process.poll() is None:
            server.interrupt()
        server.discard_log_if_clean()


def _chromium_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium): browser test skipped"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[test]'): browser test skipped"
    return None


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser), headless, with a fresh profile."""
    reason = _chromium_missing()
    if reason:
        pytest.skip(reason)
    import tempfile

    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="lightdose-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, accept_downloads=True,
            viewport={"width": 1280, "height": 900},
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshot_folder(SCREENSHOTS, tmp_path_factory.mktemp("screenshots"))


FUZZ_COUNTS = pytest.StashKey[Counter]()


@pytest.fixture(scope="session")
def fuzz_counts(request) -> Counter:
    """Requests that schemathesis sent, per operation (printed in the terminal summary)."""
    counts: Counter = Counter()
    request.config.stash[FUZZ_COUNTS] = counts
    return counts


def pytest_terminal_summary(terminalreporter, config) -> None:
    counts = config.stash.get(FUZZ_COUNTS, None)
    if counts:
        terminalreporter.write_sep("-", "schemathesis: requests sent per operation")
        for operation, sent in sorted(counts.items()):
            terminalreporter.write_line(f"{operation}: {sent}")
