"""`--uncertainty N` of `depth-dose` and `plan`: the request re-run over draws of the uncertain tissue inputs, its
percentiles in the JSON and as a table, and one-line errors for what it cannot do."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from lightdose.cli import app
from lightdose.sweep.uncertainty import PERCENTILES

runner = CliRunner()


def _json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_depth_dose_spread_brackets_the_optics_range_it_is_drawn_from():
    """The draws vary the dermal scattering between the low and high optics (and the dermal blood), so the dose's
    percentiles are ordered, finite, and lie near the depth-dose's own range over tissue optics."""
    payload = _json("depth-dose", "--device", "pad-890", "--site", "ankle-medial", "--time", "30 min",
                    "--uncertainty", "8", "--seed", "2")
    spread = payload["uncertainty"]
    assert spread["samples"] == 8 and spread["failed"] == 0 and spread["percentiles"] == list(PERCENTILES)
    dose = spread["target"]["target_fluence_j_cm2"]
    assert all(math.isfinite(v) for v in dose) and dose == sorted(dose) and dose[0] < dose[-1]
    low, high = payload["targets"][0]["fluence_optics_range_j_cm2"]
    # dermal blood 0.2-2 % widens the optics range a little either way; the draws cannot leave it by much
    assert 0.8 * low < dose[0] and dose[-1] < 1.2 * high
    again = _json("depth-dose", "--device", "pad-890", "--site", "ankle-medial", "--time", "30 min",
                  "--uncertainty", "8", "--seed", "2")
    assert again["uncertainty"] == spread  # seeded: the same draws


def test_plan_spread_is_per_site_and_shows_in_the_exposure(examples):
    payload = _json("plan", str(examples / "knee-panel.yaml"), "--uncertainty", "3")
    sites = payload["uncertainty"]["sites"]
    assert [s["site"] for s in sites] == [s["label"] for s in payload["sites"]]
    for site in sites:
        assert max(site["target_fluence_j_cm2"]) == pytest.approx(min(site["target_fluence_j_cm2"]), rel=1e-9)
        assert site["exposure_min"] == sorted(site["exposure_min"]) and site["exposure_min"][0] > 0


def test_the_table_follows_the_result():
    result = runner.invoke(app, ["depth-dose", "--device", "pad-890", "--site", "ankle-medial", "--time", "30 min",
                                 "--uncertainty", "3"])
    assert result.exit_code == 0, result.output
    assert "Uncertainty from tissue optics and dermal blood: 3 draws" in result.stdout
    assert "fluence rate [mW/cm²]" in result.stdout and "95th pct" in result.stdout


@pytest.mark.parametrize(("extra", "needle"), [
    (["--uncertainty", "1"], "--uncertainty: 1 draws: allowed 2–10000 (0: off)"),
    (["--uncertainty", "-4"], "--uncertainty: -4 draws: allowed 2–10000 (0: off)"),
    (["--uncertainty", "3", "--solver", "mc"], "--uncertainty: re-runs the fast solver only"),
])
def test_what_it_cannot_do_is_one_line(extra, needle):
    result = runner.invoke(app, ["depth-dose", "--device", "pad-890", "--site", "ankle-medial", "--time", "30 min",
                                 *extra])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr


def test_a_plan_refuses_a_bad_count_before_planning(examples):
    result = runner.invoke(app, ["plan", str(examples / "neuropathy-feet-pad890.yaml"), "--uncertainty", "20000"])
    assert result.exit_code == 2 and "allowed 2–10000" in result.stderr
