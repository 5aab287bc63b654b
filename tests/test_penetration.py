"""`penetration`: how deep the light goes — level depths, dose depth, the fast solver's deep tail, JSON, table, plot
and the command line.

The checks compare the stage with itself and with `depth_dose` (the same transport), not with stored fluence values:
the optics presets may change."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from lightdose.cli import app
from lightdose.present.penetration import penetration_json, plot_penetration, print_penetration
from lightdose.transport.diffusion import log_interp, solve_depth
from lightdose.transport.dose import DoseRequest, depth_dose
from lightdose.transport.penetration import (
    LEVELS,
    PenetrationRequest,
    _last_crossing,
    mueff,
    penetration,
)
from lightdose.transport.stack_spec import stack_spec
from lightdose.units import USER_INPUT

PANEL = {"device": "panel-660-850", "distance": "15 cm"}


@pytest.fixture(scope="module")
def knee_panel():
    return penetration(PenetrationRequest(placement=PANEL, site="knee", exposure="10 min"))


def _rate(result, band):
    ds = result.dataset
    return ds.z.values, (ds.fluence_rate_total.values if band is None else ds.fluence_rate.values[band])


def test_request_defaults_and_bounds():
    request = PenetrationRequest(placement="pad-890", site="ankle-medial", exposure="30 min")
    assert request.max_depth == 100.0
    assert request.dose_threshold == pytest.approx(0.01)  # 1 J/cm² in J/mm²
    assert request.depths()[0] == pytest.approx(0.05)
    assert request.depths()[-1] == pytest.approx(99.95)
    user = {"placement": "pad-890", "site": "ankle-medial", "exposure": "30 min"}
    assert PenetrationRequest.model_validate({**user, "dose_threshold": "4 J/cm^2"},
                                             context=USER_INPUT).dose_threshold == pytest.approx(0.04)
    for field, value, fragment in (("max_depth", "150 mm", "max_depth"), ("max_depth", "0.5 mm", "max_depth"),
                                   ("dose_threshold", "1", "dose_threshold"), ("dose_threshold", "-1 J/cm^2",
                                                                                 "dose_threshold"),
                                   ("solver", "diffusion", "solver")):
        with pytest.raises(ValidationError, match=fragment):
            PenetrationRequest.model_validate({**user, field: value}, context=USER_INPUT)
    with pytest.raises(ValidationError, match="heat-only"):
        PenetrationRequest(placement="heating-pad-42", site="heel", exposure="10 min")


def test_levels_are_where_the_profile_crosses_them(knee_panel):
    for b, item in enumerate((*knee_panel.bands, knee_panel.total)):
        z, rate = _rate(knee_panel, None if item.wavelength_nm is None else b)
        assert item.surface_fluence_rate == pytest.approx(rate[0])
        assert item.surface_fluence_rate > item.surface_irradiance  # light scattered back up adds to it
        depths = [lv.depth_mm for lv in item.levels]
        assert all(d is not None for d in depths) and depths == sorted(depths)
        for lv in item.levels:
            at = float(log_interp(lv.depth_mm, z, rate))
            assert at == pytest.approx(lv.level * rate[0], rel=1e-6)
            assert np.all(rate[z > lv.depth_mm + 0.1] < lv.level * rate[0])  # and stays below
            assert lv.reliable is True  # 1–100 mm
        assert item.peak_fluence_rate == pytest.approx(rate.max())


def test_dose_depth_is_where_the_fluence_falls_to_the_threshold(knee_panel):
    exposure = knee_panel.request.exposure
    for b, item in enumerate((*knee_panel.bands, knee_panel.total)):
        z, rate = _rate(knee_panel, None if item.wavelength_nm is None else b)
        fluence = float(log_interp(item.dose_depth_mm, z, rate)) * exposure
        assert fluence == pytest.approx(0.01, rel=1e-6)
    # all bands together reach deeper than either alone
    assert knee_panel.total.dose_depth_mm > max(b.dose_depth_mm for b in knee_panel.bands)


def test_twice_the_time_reaches_the_threshold_deeper_by_ln2_over_the_local_slope():
    short = penetration(PenetrationRequest(placement=PANEL, site="knee", exposure="10 min"))
    long = penetration(PenetrationRequest(placement=PANEL, site="knee", exposure="20 min"))
    z, rate = _rate(short, 1)
    d1, d2 = short.bands[1].dose_depth_mm, long.bands[1].dose_depth_mm
    # φ(d2)·2t = φ(d1)·t  ⇔  φ(d2) = φ(d1)/2
    assert float(log_interp(d2, z, rate)) == pytest.approx(0.5 * float(log_interp(d1, z, rate)), rel=1e-6)
    assert d2 - d1 == pytest.approx(math.log(2.0) / mueff(short.request.stack(), 850.0), rel=0.05)


def test_none_when_not_reached_and_zero_when_below_at_the_skin():
    shallow = penetration(PenetrationRequest(placement=PANEL, site="knee", exposure="4 h", max_depth="8 mm"))
    item = shallow.bands[0]
    assert item.dose_depth_mm is None and item.dose_depth_reliable is None
    assert item.level(0.001).depth_mm is None and item.level(0.001).reliable is None
    assert item.level(0.5).depth_mm is not None
    brief = penetration(PenetrationRequest(placement=PANEL, site="knee", exposure="1 s"))
    assert brief.total.dose_depth_mm == 0.0
    payload = penetration_json(shallow)
    json.dumps(payload, allow_nan=False)
    assert payload["bands"][0]["dose_depth_mm"] is None
    assert payload["bands"][0]["levels"][-1] == {"percent": 0.1, "depth_mm": None, "reliable": None}


def test_last_crossing_rules():
    z = np.array([0.0, 1.0, 2.0, 3.0])
    assert _last_crossing(z, np.array([1.0, 2.0, 0.5, 0.25]), 1.0) == pytest.approx(1.0 + math.log(2) / math.log(4))
    assert _last_crossing(z, np.array([1.0, 0.5, 0.2, 0.1]), 5.0) == 0.0
    assert _last_crossing(z, np.array([1.0, 0.9, 0.8, 0.7]), 0.5) is None
    assert _last_crossing(z, np.array([1.0, 0.9, 0.0, 0.0]), 0.5) == 2.0  # an empty Monte Carlo bin


def test_same_transport_as_depth_dose_where_depth_dose_is_right(knee_panel):
    """To 30 mm the depth–dose stage (whose grid ends ~70–80 mm deep on this site) and this stage agree."""
    dose = depth_dose(DoseRequest(placement=PANEL, site="knee", exposure="10 min", max_depth="30 mm"))
    z = dose.dataset.z.values
    ours = knee_panel.dataset.fluence_rate.sel(z=z, method="nearest").values
    np.testing.assert_allclose(ours, dose.dataset.fluence_rate.values, rtol=1e-4)


@pytest.mark.parametrize("site", ["knee", "lower-back"])
def test_deep_tail_keeps_the_last_layers_slope_to_100_mm(site):
    """The fast profile is solved well below 100 mm: the log-slope over 90–100 mm is the one over 60–70 mm (a grid
    truncated near 100 mm would bend it down) and both approach μeff of the deepest layer (plus 1/z for the
    panel's finite extent, < 2 %)."""
    result = penetration(PenetrationRequest(placement=PANEL, site=site, exposure="10 min"))
    z = result.dataset.z.values
    for b, item in enumerate(result.bands):
        rate = result.dataset.fluence_rate.values[b]

        def slope(a, c, rate=rate):
            return -math.log(float(log_interp(c, z, rate)) / float(log_interp(a, z, rate))) / (c - a)

        assert slope(90.0, 99.9) == pytest.approx(slope(60.0, 70.0), rel=0.01)
        assert slope(90.0, 99.9) == pytest.approx(item.deep_mueff_per_mm, rel=0.02)
        margin = 8.0 / item.deep_mueff_per_mm
        assert solve_depth(stack_spec(result.request.stack(), item.wavelength_nm), 100.0) >= 100.0 + margin


def test_red_light_does_not_go_as_deep_as_near_infrared():
    lean = penetration(PenetrationRequest(placement=PANEL, site="lower-back", exposure="10 min",
                                          person={"fat_thickness": "5 mm"}))
    assert lean.band(660.0).level(0.01).depth_mm < lean.band(850.0).level(0.01).depth_mm


def test_json_is_finite_with_units_in_the_keys(knee_panel):
    payload = penetration_json(knee_panel)
    text = json.dumps(payload, allow_nan=False)
    assert json.loads(text)["levels_percent"] == [100 * level for level in LEVELS] == [50.0, 10.0, 1.0, 0.1]
    band = payload["bands"][0]
    assert {"wavelength_nm", "surface_irradiance_mw_cm2", "surface_fluence_rate_mw_cm2", "levels", "dose_depth_mm",
            "deep_mueff_per_mm", "deep_e_folding_mm"} <= set(band)
    assert [lv["percent"] for lv in band["levels"]] == [50.0, 10.0, 1.0, 0.1]
    assert payload["layers"][0]["top_mm"] == 0.0 and payload["layers"][-1]["bottom_mm"] is None
    assert len(payload["z_mm"]) == len(payload["relative_fluence_rate"][0]) == 1000
    assert payload["relative_fluence_rate"][0][0] == pytest.approx(1.0)
    assert payload["fast_solver_reliable_mm"] == [1.0, 100.0]


def test_table_and_plot(knee_panel, tmp_path):
    from rich.console import Console

    console = Console(record=True, width=200)
    print_penetration(knee_panel, console)
    text = console.export_text()
    assert "50 %" in text and "0.1 %" in text and "all bands" in text and "Layers [mm]" in text
    assert f"{knee_panel.total.level(0.01).depth_mm:.3g}" in text
    path = plot_penetration(knee_panel, tmp_path / "p.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_monte_carlo_solver_agrees_with_the_fast_one_on_the_levels():
    """A small Monte Carlo (4 parts of 5000 photons) puts the 10 % and 1 % depths of probe-810 on the wrist within
    1 mm of the fast solver's, and flags its noisy tail as not trusted."""
    args = {"placement": "probe-810", "site": "wrist", "exposure": "1 min", "max_depth": "40 mm"}
    fast = penetration(PenetrationRequest(**args))
    mc = penetration(PenetrationRequest(**args, solver="mc", photons=20_000, seed=3))
    assert mc.photons == 20_000 and not mc.partial
    for level in (0.1, 0.01):
        assert mc.bands[0].level(level).depth_mm == pytest.approx(fast.bands[0].level(level).depth_mm, abs=1.0)
    reliable = mc.dataset.reliable.values
    assert reliable[0] and not reliable[-1]
    json.dumps(penetration_json(mc), allow_nan=False)


def test_cli_json_table_png_and_errors(tmp_path):
    args = ["penetration", "--device", "panel-660-850", "--distance", "15cm", "--site", "knee", "--time", "10min"]
    runner = CliRunner()
    result = runner.invoke(app, [*args, "--json", "--png", str(tmp_path / "k.png")])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["site"] == "knee" and payload["max_depth_mm"] == 100.0
    assert (tmp_path / "k.png").exists()
    table = runner.invoke(app, [*args, "--max-depth", "60mm", "--dose-threshold", "2J/cm2"])
    assert table.exit_code == 0 and "dose < 2 J/cm² from" in table.stdout
    for bad in (["--max-depth", "150mm"], ["--max-depth", "60"], ["--dose-threshold", "1"], ["--solver", "x"],
                ["--png", str(tmp_path / "k.txt")]):
        wrong = runner.invoke(app, [*args, *bad])
        lines = wrong.stderr.strip().splitlines()
        assert wrong.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (bad, wrong.stderr)
