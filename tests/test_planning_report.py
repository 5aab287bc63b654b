"""The HTML report: self-contained (always checked) and free of console errors in headless Chromium (when
Debian's chromium is installed; skipped otherwise)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lightdose.cli import app
from lightdose.planning import load_scenario, plan
from lightdose.present.report import render_html
from lightdose.units import USER_INPUT

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SITE_KEYS = {"site", "target", "exposure_min", "target_fluence_j_cm2", "target_fluence_rate_mw_cm2",
             "surface_fluence_j_cm2", "peak_skin_temp_c", "verdict", "achievable", "limiting_factor",
             "coverage_in_window"}


def _small(name, people=30):
    s = load_scenario(EXAMPLES / name)
    return s.model_copy(update={"coverage": s.coverage.model_copy(update={"people": people})})


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "comparison.html"
    path.write_text(render_html(plan(_small("heating-pad-comparison.yaml"))), encoding="utf-8")
    return path


def test_report_is_self_contained(report):
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assert "@import" not in html
    assert "url(http" not in html
    images = re.findall(r"<img[^>]*\ssrc=\"([^\"]+)\"", html)
    assert len(images) >= 9
    assert all(src.startswith("data:image/png;base64,") for src in images)
    for text in ("Not a medical device", "Jenkins &amp; Carroll 2011", "Population coverage",
                 "Predicted skin perfusion", "Evidence", "The scenario", "heating-pad-42", "trial evidence",
                 "[verify]", "exposure: 20 min"):
        assert text in html


def test_sauna_report_has_the_course(tmp_path):
    html = render_html(plan(_small("sauna-course.yaml")))
    assert "Sauna course" in html
    assert "drink" in html
    assert "data:image/png;base64," in html


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)")
def test_report_opens_in_headless_chromium_without_console_errors(report, tmp_path):
    probe = report.with_name("probe.html")  # the report plus a probe that records console errors
    html = report.read_text(encoding="utf-8")
    catcher = ("<script>window.__errors=[];window.addEventListener('error',e=>window.__errors.push(e.message));"
               "const _e=console.error;console.error=(...a)=>{window.__errors.push(a.join(' '));_e(...a)};"
               "window.addEventListener('load',()=>{document.body.setAttribute('data-console-errors',"
               "String(window.__errors.length)+':'+document.images.length+':'+"
               "Array.from(document.images).filter(i=>!i.complete||i.naturalWidth===0).length)});</script>")
    probe.write_text(html.replace("<head>", "<head>" + catcher, 1), encoding="utf-8")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}",
               "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-console-errors="(\d+):(\d+):(\d+)"', done.stdout)
    assert found, done.stdout[:500]
    errors, images, broken = map(int, found.groups())
    assert (errors, broken) == (0, 0)
    assert images >= 9
    assert "Uncaught" not in done.stderr
    assert "CONSOLE" not in done.stderr


def test_plan_cli_json_keys_and_report(tmp_path):
    scenario = tmp_path / "carpal.json"
    scenario.write_text(json.dumps(_small("carpal-tunnel-probe810.yaml").model_dump(mode="json", context=USER_INPUT)),
                        encoding="utf-8")
    out = tmp_path / "carpal.html"
    result = runner.invoke(app, ["plan", str(scenario), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert SITE_KEYS <= set(data["sites"][0])
    assert data["sites"][0]["achievable"] is True
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    table = runner.invoke(app, ["plan", str(scenario)])
    assert table.exit_code == 0
    assert "median-nerve" in table.stdout
    assert "not a medical device" in table.stdout


def test_plan_cli_error_is_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndevices: [{device: pad-890}]\nsites:\n  - {site: heel}\n  - {site: wrist, target: "
                   "{depth: 0 mm}}\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", str(bad)])
    assert result.exit_code == 2
    assert "sites[1].target.depth" in result.stderr
    assert "line 5" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_demo_writes_every_example_report(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--people", "5"])
    assert result.exit_code == 0, result.output
    index = tmp_path / "index.html"
    assert str(index.resolve()) in result.stdout.replace("\n", "")
    for stem in ("carpal-tunnel-probe810", "heating-pad-comparison", "knee-panel", "neuropathy-feet-pad890",
                 "sauna-course"):
        assert (tmp_path / f"{stem}.html").exists()
        assert json.loads((tmp_path / f"{stem}.json").read_text(encoding="utf-8"))["name"]
        assert f'href="{stem}.html"' in index.read_text(encoding="utf-8")


@pytest.mark.parametrize(("command", "message"), [
    (["plan", str(EXAMPLES / "knee-panel.yaml"), "-o", "{tmp}/missing/r.html"],
     "--output: '{tmp}/missing/r.html': '{tmp}/missing' is not an existing folder"),
    (["plan", str(EXAMPLES / "knee-panel.yaml"), "-o", "{tmp}"], "--output: '{tmp}' is a folder"),
    (["schema", "-o", "{tmp}/missing/s.json"], "--output: '{tmp}/missing/s.json': '{tmp}/missing' is not an existing"),
    (["demo", "--out", "{tmp}/a-file/out", "--people", "0"], "--out: cannot create the folder '{tmp}/a-file/out'"),
    (["irradiance", "pad-890", "--distance", "0cm", "--png", "{tmp}/missing/m.png"],
     "--png: '{tmp}/missing/m.png': '{tmp}/missing' is not an existing folder"),
    (["depth-dose", "--device", "pad-890", "--site", "heel", "--time", "1min", "--png", "{tmp}/missing/d.png"],
     "--png: '{tmp}/missing/d.png': '{tmp}/missing' is not an existing folder"),
    (["heat", "--device", "pad-890", "--site", "heel", "--time", "1min", "--png", "{tmp}/a-file/h.png"],
     "--png: '{tmp}/a-file/h.png': '{tmp}/a-file' is not an existing folder"),
])
def test_unwritable_output_paths_are_one_line_errors(tmp_path, command, message):
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, [part.format(tmp=tmp_path) for part in command])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {message.format(tmp=tmp_path)}"), lines
