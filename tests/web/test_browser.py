"""Issue 14, acceptance 3: Debian's chromium (driven by Playwright; never a downloaded browser) against a live
`lightdose serve` on loopback. Each test fails on any console error (a Content-Security-Policy violation is one) and
saves a screenshot that docs/web.md shows. Skipped with the reason when /usr/bin/chromium is absent."""

from __future__ import annotations

import re

import pytest
import yaml

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a live server and a browser: tens of seconds

WAIT_MS = 120_000
"""Longest wait for an answer [ms] (a busy 2-core machine)."""


def shoot(page, path) -> None:
    """A screenshot of the viewport for docs/web.md, in 256 colours (a fifth of the size)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


@pytest.fixture
def base(live_server) -> str:
    return live_server.url


@pytest.fixture
def page(browser, live_server):
    page = browser.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    # htmx reports a request it aborted itself (hx-sync replaces an older request by a newer one) as an error
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    aborted = any(e.startswith("htmx:sendAbort") for e in errors)
    real = [e for e in errors if not (aborted and e.startswith(("htmx:sendAbort", "htmx:afterRequest")))]
    assert real == [], errors


def test_changing_the_time_changes_the_target_dose(page, base, screenshots):
    page.goto(base + "/explore?device=pad-890&site=ankle-medial&time=30+min")
    before = page.locator("#target-dose").inner_text()
    page.locator("#peak-skin").wait_for()  # the session panel has arrived
    page.locator(".chart-box canvas").first.wait_for()  # uPlot drew the depth-dose chart
    page.fill("#time", "10 min")
    page.press("#time", "Tab")
    page.wait_for_function("before => document.querySelector('#target-dose').textContent !== before", arg=before)
    after = page.locator("#target-dose").inner_text()
    assert float(after) == pytest.approx(float(before) / 3, rel=0.02)
    page.wait_for_url(re.compile(r".*time=10"))
    page.locator("#peak-skin").wait_for()
    page.locator(".chart-box").first.hover()  # the legend reads the hovered depth
    shoot(page, screenshots / "explorer.png")


def test_plan_from_an_example_with_coverage_and_report(page, base, screenshots, tmp_path):
    page.goto(base + "/plan")
    page.select_option("#example", "knee-panel.yaml")
    page.click("#yaml-form button[value=load]")
    page.locator("#scenario-form input[name='t:name'][value^='Knee']").wait_for()
    page.fill("#f-coverage-people", "100")
    page.click("#run-form")
    page.locator("#plan-result").wait_for()
    assert "Evidence:" in page.locator("#plan-result .evidence").inner_text()
    page.locator("#coverage-table").wait_for(timeout=600_000)
    assert "%" in page.locator("#coverage-table").inner_text()
    with page.expect_download() as download:
        page.click("#report-download")
    report = tmp_path / "report.html"
    download.value.save_as(report)
    text = report.read_text(encoding="utf-8")
    assert "100 virtual people" in text and "Jenkins" in text
    page.locator("#plan-result").evaluate("element => element.scrollIntoView()")
    shoot(page, screenshots / "plan.png")


def test_design_a_device_and_use_it_in_the_explorer(page, base, screenshots, tmp_path):
    page.goto(base + "/designer")
    page.fill("#d-name", "browser-panel")
    page.fill("#d-rows", "3")
    page.press("#d-rows", "Tab")
    page.wait_for_function("() => document.querySelector('#design-heading').textContent === 'browser-panel'")
    page.wait_for_function("() => document.querySelector('#design-power').textContent === '4.8'")
    page.locator("canvas.map").wait_for()
    shoot(page, screenshots / "designer.png")
    with page.expect_download() as download:
        page.click("#save-device")
    saved = tmp_path / "device.yaml"
    download.value.save_as(saved)
    from lightdose.devices.catalog import load

    assert load(yaml.safe_load(saved.read_text(encoding="utf-8"))).emitter_count == 24
    page.click("#use-in-explorer")
    page.wait_for_url(re.compile(r".*/explore\?.*own="))
    assert "your own: browser-panel" in page.locator("#device").inner_text()
    assert float(page.locator("#target-dose").inner_text()) > 0
    page.locator("#peak-skin").wait_for()


def test_compare_and_the_libraries(page, base, screenshots):
    from tests.web.test_api import SMALL_COMPARISON

    page.goto(base + "/compare")
    page.fill("#compare-yaml", SMALL_COMPARISON)
    page.click("#compare-form button[type=submit]")
    page.locator("#comparison-table").wait_for()
    assert page.locator("#compare-result .chart-box canvas").count() >= 2
    page.locator("#compare-result").evaluate("element => element.scrollIntoView()")
    shoot(page, screenshots / "compare.png")
    page.goto(base + "/library/devices/panel-660-850")
    page.locator("canvas.map").wait_for()
    page.locator("canvas.map").hover()
    assert "mW/cm²" in page.locator(".readout").inner_text()
    shoot(page, screenshots / "library-device.png")
    page.goto(base + "/library/sites")
    shoot(page, screenshots / "library-sites.png")
