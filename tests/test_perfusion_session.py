"""Perfusion sessions: the perfusion model coupled two-way with bioheat, the time after the session, the device
comparison and the CLI."""

import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from lightdose.anatomy import Person
from lightdose.cli import app
from lightdose.limits import MAX_AFTER_S, MAX_SESSION_S
from lightdose.model_base import describe_validation_error
from lightdose.physiology.compare import Comparison, Treatment, load_comparison, run_comparison
from lightdose.physiology.perfusion import steady_state_pct_max
from lightdose.physiology.session import (
    PerfusionRequest,
    elevation_verdict,
    minutes_elevated_after,
    perfusion_session,
)
from lightdose.thermal.session import HeatRequest, heat_session

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "microcirculation-comparison.yaml"


def perfusion(device, site, person=None, exposure="30 min", after=0.0, **options):
    """The perfusion stage (a small helper: the request is the stage's only input)."""
    return perfusion_session(PerfusionRequest(placement=device, site=site, person=person or Person(),
                                              exposure=exposure, after=after, **options))


def heat(device, site, exposure, **options):
    return heat_session(HeatRequest(placement=device, site=site, exposure=exposure, **options))


@pytest.fixture(scope="module")
def heating_pad():
    return perfusion("heating-pad-42", "foot-dorsum", exposure="60 min", after="90 min")


def test_energy_budget_closes_over_session_and_recovery(heating_pad):
    ds = heating_pad.dataset
    assert abs(float(ds.energy_residual)) < 1e-9
    assert ds.t.values[-1] == pytest.approx(150 * 60.0)
    assert np.all(np.diff(ds.t.values) > 0)


def test_two_way_coupling_cools_the_skin():
    """More perfusion carries more heat away: the coupled skin is cooler than with resting perfusion."""
    coupled = perfusion("heating-pad-42", "foot-dorsum").dataset
    resting = heat("heating-pad-42", "foot-dorsum", "30 min", vasodilation="off").dataset
    assert float(coupled.surface_temperature[-1]) < float(resting.surface_temperature[-1]) - 0.2
    assert float(coupled.energy_perfusion) < float(resting.energy_perfusion)


def test_long_session_reaches_the_quasi_steady_solution(heating_pad):
    """After an hour the dynamic perfusion has settled on its plateau curve, which is calibrated to the same data
    as the bioheat solver's quasi-steady F(T): the two sessions' skin temperatures agree closely."""
    quasi = heat("heating-pad-42", "foot-dorsum", "60 min").dataset
    ds = heating_pad.dataset
    end = ds.t.values <= 3600.0
    assert float(ds.surface_temperature.values[end][-1]) == pytest.approx(float(quasi.surface_temperature[-1]),
                                                                          abs=0.3)
    dermis_mid = float(np.interp(0.8, ds.z.values, ds.temperature.values[end][-1]))
    assert heating_pad.end_pct_max == pytest.approx(float(steady_state_pct_max(dermis_mid)), rel=0.15)


def test_perfusion_and_skin_return_to_rest_after_the_session(heating_pad):
    p = heating_pad.dataset.perfusion_pct_max.values
    skin = heating_pad.dataset.surface_temperature.values
    assert heating_pad.peak_pct_max > 4 * heating_pad.baseline_pct_max
    assert p[-1] == pytest.approx(heating_pad.baseline_pct_max, abs=0.3)
    assert skin[-1] == pytest.approx(skin[0], abs=0.2)
    assert 5.0 < heating_pad.minutes_elevated_after_end < 60.0
    assert not heating_pad.elevated_at_end_of_run


def test_neuropathy_blunts_perfusion_and_warms_the_skin():
    healthy = perfusion("pad-890", "foot-dorsum")
    neuropathic = perfusion("pad-890", "foot-dorsum", Person(neuropathy=True))
    assert neuropathic.peak_pct_max < healthy.peak_pct_max
    assert (float(neuropathic.dataset.surface_temperature[-1])
            > float(healthy.dataset.surface_temperature[-1]))


def test_narrow_beam_session_in_r_z_closes_its_budget():
    result = perfusion("probe-810", "wrist", exposure="10 min", after="20 min")
    assert "r-z" in result.heat.solver
    assert abs(result.dataset.attrs["energy_residual"]) < 1e-6
    assert result.peak_pct_max > result.baseline_pct_max


def test_perfusion_units_scale_from_the_resting_reading():
    ds = perfusion("pad-890", "foot-dorsum", exposure="5 min", baseline_pu=12.0).dataset
    assert float(ds.perfusion_pu[0]) == pytest.approx(12.0)
    np.testing.assert_allclose(ds.perfusion_pu.values / 12.0,
                               ds.perfusion_pct_max.values / float(ds.perfusion_pct_max[0]))


def test_minutes_elevated_after_counts_to_the_last_elevated_sample():
    t = np.arange(0.0, 7200.0, 60.0)
    p = np.where(t < 1800.0 + 600.0, 30.0, 10.0)  # 10 min above after a 30-min session
    assert minutes_elevated_after(t, p, 1800.0, 10.0) == (9.0, False)
    assert minutes_elevated_after(t, np.full(t.size, 30.0), 1800.0, 10.0) == (pytest.approx(89.0), True)
    assert minutes_elevated_after(t, np.full(t.size, 11.0), 1800.0, 10.0) == (0.0, False)


def test_same_irradiance_placement_matches_the_pad():
    from lightdose import devices
    from lightdose.devices.irradiance import centre_irradiance

    distance = Treatment(name="panel", device="panel-630", same_irradiance_as="pad-890").placement().distance
    panel = centre_irradiance(devices.get("panel-630"), distance)
    pad = centre_irradiance(devices.get("pad-890"), 0.0)
    assert panel == pytest.approx(pad, rel=1e-4)
    assert 100.0 < distance < 1000.0


def test_comparison_file_errors_name_line_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("site: foot-dorsum\nexposure: 30 min\npeople: {healthy: {}\ntreatments: []\n")
    with pytest.raises(Exception, match="line"):
        load_comparison(bad)
    semantic = tmp_path / "semantic.yaml"
    semantic.write_text("site: foot-dorsum\nexposure: 30 min\npeople: {healthy: {}}\n"
                        "treatments: [{name: x, device: pad-890, distance: 1 cm, same_irradiance_as: pad-890}]\n")
    result = CliRunner().invoke(app, ["compare", str(semantic)])
    assert result.exit_code == 2
    assert "treatments[0]" in result.stderr


def test_light_term_starts_from_the_resting_skin():
    """The optional light term rises during the exposure; before it the skin is at rest (same baseline)."""
    plain = perfusion("pad-890", "foot-dorsum", exposure="20 min")
    lit = perfusion("pad-890", "foot-dorsum", exposure="20 min", light_no=True)
    assert lit.baseline_pct_max == pytest.approx(plain.baseline_pct_max, abs=1e-12)
    assert lit.peak_pct_max > plain.peak_pct_max + 3.0
    assert lit.dataset.attrs["light_no_term"].startswith("on")


def test_bad_after_names_the_field():
    with pytest.raises(ValidationError, match="after"):
        perfusion("pad-890", "foot-dorsum", exposure="5 min", after="-1 min")


def test_cli_perfusion_json_keys_and_png(tmp_path):
    png = tmp_path / "perfusion.png"
    result = CliRunner().invoke(app, ["perfusion", "--device", "pad-890", "--site", "foot-dorsum", "--time", "10min",
                                      "--after", "30min", "--neuropathy", "--png", str(png), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("t_s", "perfusion_pct_max", "peak_pct_max", "plateau_pct_max", "minutes_elevated_after_end"):
        assert key in data
    assert data["peak_pct_max"] == pytest.approx(max(data["perfusion_pct_max"]), abs=0.5)
    assert png.stat().st_size > 10_000


def test_cli_compare_runs_the_example(tmp_path):
    png = tmp_path / "comparison.png"
    result = CliRunner().invoke(app, ["compare", str(EXAMPLE), "--png", str(png),
                                      "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["cases"]) == 6
    for case in data["cases"]:
        assert case["minutes_elevated_after_end"] < 60.0  # nowhere near "elevated for up to 4 hours"
        assert not case["elevated_at_end_of_run"]
    assert png.stat().st_size > 20_000


@pytest.mark.parametrize(("minutes", "still_up", "after_s", "expected"), [
    (25.0, False, 4 * 3600.0, "elevated for 25 min after the session: this run does not support"),
    (5.0, True, 300.0, "still elevated at the end of the 5 min followed: the run is too short to judge"),
    (240.0, True, 4 * 3600.0, "elevated for 4.0 h after the session: this run supports"),
    (300.0, False, 6 * 3600.0, "elevated for 5.0 h after the session: this run supports"),
])
def test_elevation_verdict_follows_the_computed_result(minutes, still_up, after_s, expected):
    assert elevation_verdict(minutes, still_up, after_s).startswith(expected)


def test_cli_perfusion_verdict_follows_the_run():
    short = CliRunner().invoke(app, ["perfusion", "--device", "pad-890", "--site", "foot-dorsum", "--time", "10min",
                                     "--after", "5min"])
    assert short.exit_code == 0, short.output
    assert "too short to judge" in short.stdout
    assert "does not support" not in short.stdout
    full = CliRunner().invoke(app, ["perfusion", "--device", "pad-890", "--site", "foot-dorsum", "--time", "10min",
                                    "--after", "60min", "--json"])
    data = json.loads(full.stdout)
    assert not data["elevated_at_end_of_run"]
    verdict = elevation_verdict(data["minutes_elevated_after_end"], False, data["after_s"])
    assert verdict.startswith(f"elevated for {data['minutes_elevated_after_end']:.0f} min after the session: this "
                              "run does not support")


def test_heating_pad_works_only_in_contact(tmp_path):
    with pytest.raises(ValidationError) as info:
        heat({"device": "heating-pad-42", "distance": "50 cm"}, "foot-dorsum", "5 min")
    assert describe_validation_error(info.value).startswith("placement.distance: 500 mm: 'heating-pad-42' is a "
                                                            "heating pad")
    comparison = tmp_path / "pad-at-a-distance.yaml"
    comparison.write_text("site: foot-dorsum\nexposure: 30 min\npeople: {healthy: {}}\n"
                          "treatments: [{name: pad, device: heating-pad-42, distance: 50 cm}]\n")
    result = CliRunner().invoke(app, ["compare", str(comparison)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: treatments[0].distance: 500 mm: 'heating-pad-42' is a heating pad")


@pytest.mark.parametrize(("treatment", "field", "message"), [
    ("{name: x, device: panel-630, same_irradiance_as: heating-pad-42}", "treatments[0].same_irradiance_as",
     "'heating-pad-42' is a heat-only source"),
    ("{name: x, device: heating-pad-42, same_irradiance_as: pad-890}", "treatments[0].same_irradiance_as",
     "the treatment's device 'heating-pad-42' is a heat-only source"),
    ("{name: x, device: panel-630, same_irradiance_as: panel-940}", "treatments[0].same_irradiance_as",
     "'panel-940' is not a contact device"),
    ("{name: x, device: panel-630}", "treatments[0].distance", "give the distance"),
    ("{name: x, device: no-such-pad}", "treatments[0].device", "unknown device 'no-such-pad'"),
    ("{name: x, device: panel-630, distance: 5 m}", "treatments[0].distance",
     "5 m is outside the allowed range 0–3000 mm"),
])
def test_comparison_placement_errors_name_the_treatment_field(tmp_path, treatment, field, message):
    comparison = tmp_path / "comparison.yaml"
    comparison.write_text(f"site: foot-dorsum\nexposure: 30 min\npeople: {{healthy: {{}}}}\n"
                          f"treatments: [{treatment}]\n")
    result = CliRunner().invoke(app, ["compare", str(comparison)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {field}: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("field", "value"), [
    ("exposure", "100 h"), ("exposure", "0 min"), ("after", "25 h"), ("after", "1e9 h"), ("after", "-1 min"),
])
def test_session_and_time_after_have_physical_bounds(tmp_path, field, value):
    with pytest.raises(ValidationError) as info:
        heat("heating-pad-42", "foot-dorsum", **{"exposure": "5 min", field: value})
    assert describe_validation_error(info.value).startswith(f"{field}: {value} is outside the allowed range")
    comparison = tmp_path / "comparison.yaml"
    settings = {"exposure": "30 min", "after": "1 h", field: value}
    comparison.write_text(f"site: foot-dorsum\nexposure: {settings['exposure']}\nafter: {settings['after']}\n"
                          "people: {healthy: {}}\ntreatments: [{name: pad, device: pad-890}]\n")
    result = CliRunner().invoke(app, ["compare", str(comparison)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {field}: {value} is outside the allowed range")
    cli = CliRunner().invoke(app, ["perfusion", "--device", "pad-890", "--site", "foot-dorsum",
                                   *(["--time", value, "--after", "0 min"] if field == "exposure" else
                                     ["--time", "5 min", "--after", value])])
    assert cli.exit_code == 2
    assert cli.stderr.startswith(f"error: {field}: {value} is outside the allowed range")


def test_the_bounds_themselves_are_allowed():
    request = HeatRequest(placement="pad-890", site="foot-dorsum", exposure="4 h", after="24 h")
    assert request.exposure == MAX_SESSION_S == 4 * 3600.0
    assert request.after == MAX_AFTER_S == 24 * 3600.0
    assert HeatRequest(placement="pad-890", site="foot-dorsum", exposure="1 min").after == 0.0


@pytest.mark.parametrize("command", [
    ["perfusion", "--device", "pad-890", "--site", "foot-dorsum", "--time", "5min"],
    ["compare", str(EXAMPLE)],
])
def test_png_in_a_missing_folder_is_one_line_before_any_work(tmp_path, command):
    missing = tmp_path / "no-such-folder" / "plot.png"
    result = CliRunner().invoke(app, [*command, "--png", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --png: '{missing}': ") and "is not an existing folder" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not missing.parent.exists()


@pytest.mark.parametrize("after", ["1 h", "1.5 h"])
def test_comparison_plot_uses_each_panels_baseline_and_the_time_followed(after):
    """Each person's panel draws its own cases' baseline × 1.2 and marks the end of the time followed, whatever
    `after` the file sets (not the first case's baseline, not a fixed 4 h)."""
    import io

    import matplotlib.image

    from lightdose.present.physiology import plot_comparison

    result = run_comparison(Comparison.model_validate({
        "site": "foot-dorsum", "exposure": "2 min", "after": after,
        "people": {"healthy": {}, "neuropathic": {"neuropathy": True}},
        "treatments": [{"name": "pad", "device": "pad-890"}, {"name": "heating pad", "device": "heating-pad-42"}]}))
    baselines = {(c.person, c.treatment): c.result.baseline_pct_max for c in result.cases}
    assert baselines[("healthy", "pad")] == pytest.approx(baselines[("healthy", "heating pad")])
    assert baselines[("neuropathic", "pad")] < baselines[("healthy", "pad")]
    buffer = io.BytesIO()
    plot_comparison(result, buffer)
    buffer.seek(0)
    assert matplotlib.image.imread(buffer).shape[0] > 500  # two panels
