"""Issue 15, acceptance 3: Debian's chromium (Playwright; never a downloaded browser) against a live server on
loopback: a clinician logs in, creates a patient and a course, records three sessions (one breaks the plan and is
saved only after the warning) and two outcomes, and sees the timeline with the cumulative dose and the trend; a
researcher sees only the de-identified cohort. Any console error (a Content-Security-Policy violation is one) fails
the test. Skipped with the reason when /usr/bin/chromium or Playwright is absent."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from lightdose.records.db import make_engine, session_factory, upgrade
from tests.records._load import Server
from tests.records.conftest import PASSWORD, make_clinic
from tests.web._web import screenshot_folder

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 120_000
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "records"


@pytest.fixture
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}: browser test skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed: browser test skipped")
    profile = tempfile.mkdtemp(prefix="lightdose-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, viewport={"width": 1024, "height": 1300},
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def _page(context, errors):
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def _shoot(page, path) -> None:
    """A screenshot for docs/records.md, in 256 colours (as tests/web saves theirs)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def _login(page, base, username):
    page.goto(base + "/records")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login")


def test_a_clinician_and_a_researcher_in_the_browser(chromium, tmp_path):
    url = f"sqlite:///{tmp_path / 'browser.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    server = Server(url)
    errors: list[str] = []
    try:
        clinic = make_clinic(session_factory(engine))
        from sqlalchemy import text

        with engine.connect() as connection:
            names = dict(connection.execute(text("SELECT role, username FROM users WHERE clinic_id = :c"),
                                            {"c": clinic.clinic_id}).all())
        page = _page(chromium, errors)
        _login(page, server.base, names["clinician"])
        page.fill("#code", "BROWSER-7")
        page.check("input[name=neuropathy]")
        page.click("#create-patient")
        page.locator("#patient-code").wait_for()
        page.fill("#course-minutes", "20")
        page.fill("#start_date", "2026-05-04")
        page.click("#create-course")
        page.locator("#save-session").wait_for()
        for day, minutes in ((4, "20"), (6, "20"), (8, "35")):
            page.fill("#started_at", f"2026-05-{day:02d}T09:00")
            page.fill("#minutes", minutes)
            page.click("#save-session")
            if minutes == "35":  # more than planned: warned first, saved only on the second click
                page.locator("#plan-warnings").wait_for()
                assert "more time than planned" in page.locator("#plan-warnings").inner_text()
                page.click("#save-session")
            page.locator("#adherence").wait_for()
        assert page.locator("#adherence").inner_text().startswith("3 /")
        page.click("text=BROWSER-7")
        for day, pain in ((4, "7"), (18, "4")):
            page.fill("#measured_at", f"2026-05-{day:02d}T08:30")
            page.fill("#pain_nrs", pain)
            page.fill("#vpt_v", "31")
            page.click("#create-outcome")
            page.locator("#patient-code").wait_for()
        page.set_input_files("#ldf-file", str(Path(__file__).resolve().parents[1] / "data" / "ldf" /
                                              "local_heating_semicolon.txt"))
        page.click("#upload-ldf")
        page.locator("#ldf").wait_for()
        assert page.locator("#ldf tbody tr").count() == 2  # its two perfusion channels, analysed
        assert page.locator("#timeline tr.session").count() == 3
        assert page.locator("#timeline tr.outcome").count() == 2
        cumulative = float(page.locator(".cumulative-dose").first.inner_text())
        assert cumulative > 0
        assert page.locator("svg.trend").count() >= 2  # the cumulative dose and the pain trend
        _shoot(page, screenshot_folder(SCREENSHOTS, tmp_path) / "timeline.png")
        page.click("#logout")
        page.locator("#username").wait_for()

        _login(page, server.base, names["researcher"])
        page.locator("#cohort").wait_for()
        body = page.locator("main").inner_text()
        assert "BROWSER-7" not in body and "2026-05" not in body
        assert page.locator("#cohort tbody tr").count() == 1
        assert page.request.get(server.base + "/records/patients/1").status == 403  # not a researcher's
        page.close()
        log = server.log_text()
    finally:
        server.stop()
        engine.dispose()
    assert errors == []
    assert "BROWSER-7" not in log and "local_heating" not in log  # no patient data in the server's log
