"""The planner: exposure times from the dose, the limits that cap them, coverage and reproducibility.

Expectations come from independent calls of the lower stages (depth_dose, heat_session), not from the planner."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lightdose
from lightdose.anatomy import Person
from lightdose.anatomy.population import PopulationModel, sample_people
from lightdose.devices.placement import Placement
from lightdose.parameters import ParameterChoice
from lightdose.planning import load_scenario, plan
from lightdose.planning.coverage import _monotone_split, heat_coverage, light_coverage
from lightdose.planning.safety import Limits, thermal_verdict
from lightdose.planning.scenario import TargetSpec
from lightdose.present.plan import plan_json, plan_json_text
from lightdose.thermal.sauna import SaunaRequest, simulate_sauna
from lightdose.thermal.session import HeatRequest, heat_session
from lightdose.transport.dose import DoseRequest, depth_dose
from lightdose.transport.skin_beam import skin_beam
from lightdose.units import from_j_cm2, j_cm2, mw_cm2

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PEOPLE = 40  # virtual people in these tests (the examples use 1000; benchmarks/bench_planner.py times that)
AIM = from_j_cm2(math.sqrt(10.0))  # J/mm²: the geometric middle of 1–10 J/cm²
SESSION_S = 2400.0  # the examples' longest session, 40 min


def dose(device, site, person=None, distance=0.0, exposure=1.0):
    """The dose stage, called directly (independent of the planner)."""
    return depth_dose(DoseRequest(placement={"device": device, "distance": distance}, site=site,
                                  person=person or Person(), exposure=exposure))


def rate(device, site, person=None, distance=0.0):
    """Fluence rate at the target's mid-depth [W/mm²]."""
    return dose(device, site, person, distance).target().fluence_rate


def heat(device, site, person=None, exposure=60.0, **options):
    placement = {"device": device, **{k: options.pop(k) for k in ("distance", "pad_heat") if k in options}}
    return heat_session(HeatRequest(placement=placement, site=site, person=person or Person(), exposure=exposure,
                                    **options))


def scenario(name, people=PEOPLE, **update):
    s = load_scenario(EXAMPLES / name)
    s = s.model_copy(update={"coverage": s.coverage.model_copy(update={"people": people}), **update})
    return s


def site_of(result, site):
    return next(s for s in result.sites if s.site == site)


@pytest.fixture(scope="module")
def neuropathy():
    return plan(scenario("neuropathy-feet-pad890.yaml"))


@pytest.fixture(scope="module")
def knee():
    return plan(scenario("knee-panel.yaml"))


def test_lightdose_plan_is_exposed():
    assert lightdose.plan is plan


def test_exposure_times_fluence_rate_is_the_aimed_dose(knee):
    s = knee.sites[0]
    assert s.verdict == "achievable"
    assert s.limiting_factor is None
    assert s.aim == pytest.approx(AIM)
    assert s.exposure_s * s.target_fluence_rate == pytest.approx(s.target_fluence)
    # independent: the dose stage for that exposure gives the aimed dose at the target's mid-depth
    independent = dose("panel-660-850", "knee", distance="15 cm", exposure=s.exposure_s)
    assert independent.target().fluence == pytest.approx(s.aim, rel=1e-9)
    assert s.energy_per_point_j == pytest.approx(s.power_at_skin_w * s.exposure_s)


def test_panel_exposure_scales_with_the_target_irradiance_when_moved(knee):
    far = plan(scenario("knee-panel.yaml", people=0,
                        devices=[knee.scenario.devices[0].model_copy(update={"distance": 300.0})]))
    near_rate, far_rate = rate("panel-660-850", "knee", distance="15 cm"), rate("panel-660-850", "knee",
                                                                                 distance="30 cm")
    assert far.sites[0].exposure_s / knee.sites[0].exposure_s == pytest.approx(near_rate / far_rate, rel=1e-9)


def test_neuropathy_example_honest_result(neuropathy):
    person = neuropathy.scenario.person
    for site_spec in neuropathy.scenario.sites:
        site = site_of(neuropathy, site_spec.site)
        target_rate = rate("pad-890", site_spec.stack(), person)
        # exposure = aim / fluence rate at the target, capped at the 40-min session (identical physics: 1e-9)
        assert site.exposure_s == pytest.approx(min(AIM / target_rate, SESSION_S), rel=1e-9)
        assert site.target_fluence == pytest.approx(target_rate * site.exposure_s, rel=1e-9)
    heel = site_of(neuropathy, "heel")
    # the heel's plantar nerves (15–30 mm) are the deepest target: the longest exposure of the plan. With in-vivo
    # dermal optics the aim takes ~34 min under the 30 × 75 mm pad, inside the 40-min session (with ex-vivo optics it
    # took longer and the session length capped it): the verdict follows the aiming rule either way
    assert heel.exposure_s == max(s.exposure_s for s in neuropathy.sites)
    if AIM / heel.target_fluence_rate <= SESSION_S:
        assert heel.verdict == "achievable" and heel.target_fluence == pytest.approx(heel.aim, rel=1e-9)
    else:
        assert heel.verdict == "limited" and heel.limiting_factor == "too deep"
        assert heel.window[0] < heel.target_fluence < heel.aim
    # the plantar nerves are the target whose dose spreads most across people: the most out of the window
    outside = {s.site: 1.0 - s.coverage.in_window for s in neuropathy.sites}
    spread = {s.site: np.percentile(s.coverage.doses, 95) / np.percentile(s.coverage.doses, 5)
              for s in neuropathy.sites}
    assert max(outside, key=outside.get) == max(spread, key=spread.get) == "heel"
    # the evidence label states the negative sham-controlled trials
    assert any("Clifft et al. 2005" in c for e in neuropathy.evidence for c in e.citations)
    assert all(s.peak_skin_temp_c < 43.0 for s in neuropathy.sites)
    # one pad moved over eight exposures exceeds the 40-min session: the headline says so, and is not "achievable"
    assert neuropathy.session_minutes > 40
    assert any("from site to site" in w for w in neuropathy.warnings)
    assert neuropathy.verdict == "limited"
    assert "from site to site" in neuropathy.binding


def test_dose_across_the_targets_depth_range(neuropathy):
    """Edges and the share of the depth range in the window, from an independent depth_dose and root finding: the
    fluence falls monotonically with depth below the dermis, so the window is one interval [z_10, z_1] of depth,
    z_D where the fluence equals D J/cm²."""
    from scipy.optimize import brentq

    person = neuropathy.scenario.person
    for site_spec in neuropathy.scenario.sites:
        site = site_of(neuropathy, site_spec.site)
        ds = dose("pad-890", site_spec.stack(), person, exposure=site.exposure_s).dataset
        shallow, deep = site.target_depth_mm
        z, fluence = ds.z.values, j_cm2(ds.fluence_total.values)

        def dose_at(depth, z=z, fluence=fluence):
            return float(np.exp(np.interp(depth, z, np.log(fluence))))

        # the edges: depth_dose's own fluence at the shallow and deep edge (identical physics: 1e-9)
        edges = [j_cm2(v) for v in site.target_fluence_edges]
        assert edges == pytest.approx((dose_at(shallow), dose_at(deep)), rel=1e-9)
        z10 = shallow if dose_at(shallow) <= 10.0 else brentq(lambda d: dose_at(d) - 10.0, shallow, deep)
        z1 = deep if dose_at(deep) >= 1.0 else brentq(lambda d: dose_at(d) - 1.0, shallow, deep)
        # sampled on 301 depths: the share is known to one sample spacing (1/300 of the range) at each crossing
        assert site.target_depth_in_window == pytest.approx((z1 - z10) / (deep - shallow), abs=2.0 / 300)
    heel = site_of(neuropathy, "heel")
    assert j_cm2(heel.target_fluence_edges[0]) > 10.0 > 1.0 > j_cm2(heel.target_fluence_edges[1])
    assert any("across the target's depth range" in w for w in heel.warnings)
    assert not any("across the target's depth range" in w for w in site_of(neuropathy, "foot-dorsum").warnings)


def test_the_plan_says_whom_it_is_for_and_gives_the_population_median(neuropathy):
    data = plan_json(neuropathy)
    assert data["person"]["made_for"].startswith("the scenario's person: skin type III")
    for site, entry in zip(neuropathy.sites, data["sites"], strict=True):
        assert entry["population_median_j_cm2"] == pytest.approx(j_cm2(np.median(site.coverage.doses)), rel=1e-5)


def test_too_deep_is_not_achievable_and_does_not_crash():
    s = scenario("neuropathy-feet-pad890.yaml", people=0)
    deep = s.sites[3].model_copy(update={"target": s.sites[3].target.model_copy(update={"depth": (55.0, 60.0)})})
    result = plan(s.model_copy(update={"sites": [deep]}))
    site = result.sites[0]
    assert site.verdict == "not achievable"
    assert site.limiting_factor == "too deep"
    assert result.verdict == "not achievable"
    assert site.exposure_s == pytest.approx(40 * 60.0)  # the most the limits allow, with what it delivers
    assert j_cm2(site.target_fluence) < 1.0
    assert site.time_for_lower_edge_s > 40 * 60.0
    assert json.loads(plan_json_text(result))["sites"][0]["achievable"] is False


@pytest.mark.parametrize(("limit_c", "achievable"), [(35.0, False), (35.5, True)])
def test_too_hot_caps_the_exposure_at_the_skin_limit(limit_c, achievable):
    """Knee panel, skin limits below what it reaches: the exposure stops where the skin reaches the limit. The knee's
    window edge needs 20.4 s and the aim 64.5 s (depth_dose); the skin reaches 35 °C after 12.9 s (before the edge:
    not achievable) and 35.5 °C after 33.3 s (between them: achievable, capped) — each case well clear of the
    boundary, checked below from independent calls."""
    limits = Limits(skin_temperature=limit_c)
    site = plan(scenario("knee-panel.yaml", people=0, limits=limits)).sites[0]
    assert site.limiting_factor == "too hot"
    assert site.achievable is achievable
    # the plan's bioheat run, computed directly: the cap is its first crossing of the limit (same run: 1e-9)
    run = heat("panel-660-850", "knee", exposure=float(site.heat.dataset.t.values[-1]), distance="15 cm").dataset
    t, skin = run.t.values, run.surface_temperature.values
    k = int(np.argmax(skin > limit_c))
    crossing = t[k - 1] + (limit_c - skin[k - 1]) / (skin[k] - skin[k - 1]) * (t[k] - t[k - 1])
    assert site.exposure_s == pytest.approx(crossing, rel=1e-9)
    knee_rate = rate("panel-660-850", "knee", distance="15 cm")
    t_low, t_aim = from_j_cm2(1.0) / knee_rate, AIM / knee_rate
    assert (crossing > 1.3 * t_low and crossing < t_aim / 1.3) if achievable else crossing < t_low / 1.3


@pytest.mark.parametrize(("window", "achievable"), [(("1 J/cm^2", "10 J/cm^2"), True),
                                                   (("3 J/cm^2", "10 J/cm^2"), False)])
def test_above_the_skin_mpe(window, achievable):
    """A 2 W probe on 1 cm² (2 W/cm² at 810 nm, six times the long-exposure MPE): ICNIRP 2013 allows H = 1.1·C_A·t^0.25
    J/cm² below 10 s, so E·t = 1.1·C_A·t^0.25 → t* = (1.1·C_A/E)^(4/3) = (1.1·1.6596/2)^(4/3) = 0.885 s."""
    s = scenario("carpal-tunnel-probe810.yaml", people=0)
    probe = lightdose.devices.get("probe-810").model_dump()
    probe["grids"][0]["emitter"]["power"] = 2.0
    probe["thermal"]["electrical_power"] = 6.0  # a 2 W laser diode draws more than 2 W (wall-plug ~0.33)
    strong = type(s.devices[0]).model_validate({**s.devices[0].model_dump(), "device": None, "definition": probe})
    goal = s.goal.model_validate({"window": list(window)})
    site = plan(s.model_copy(update={"devices": [strong], "goal": goal})).sites[0]
    assert site.limiting_factor == "above the skin MPE"
    assert site.achievable is achievable
    c_a = 10 ** (0.002 * (810 - 700))
    beam = skin_beam(Placement(device=probe, distance=s.devices[0].distance))
    peak_w_cm2 = float(beam.peak_irradiance.sum()) * 100.0  # W/mm² → W/cm²
    assert site.exposure_s == pytest.approx((1.1 * c_a / peak_w_cm2) ** (4 / 3), rel=1e-9)
    # by hand with the nominal 2 W/cm²: the irradiance grid integrates the sharp-edged spot to 1 %, so t* to 4/3 %
    assert site.exposure_s == pytest.approx((1.1 * c_a / 2.0) ** (4 / 3), rel=0.04 / 3)
    # the window's lower edge (1 or 3 J/cm²) needs 0.66 or 1.98 s at the target (depth_dose): before or after t*
    probe_rate = rate(probe, s.sites[0].stack(), s.person, distance=s.devices[0].distance)
    t_low = from_j_cm2(float(window[0].split()[0])) / probe_rate
    assert (t_low < site.exposure_s / 1.3) if achievable else (t_low > 1.3 * site.exposure_s)


def test_heat_only_plan_has_no_light_dose_but_skin_temperature_and_perfusion():
    result = plan(scenario("heating-pad-comparison.yaml", people=0))
    pad = result.sites[0]
    assert pad.kind == "heating-pad"
    assert pad.target_fluence is None
    assert pad.exposure_s == 1200.0
    reference = heat("heating-pad-42", "foot-dorsum", Person(neuropathy=True), exposure="20 min")
    assert pad.peak_skin_temp_c == pytest.approx(reference.peak_skin_temp_c, abs=1e-9)
    assert pad.perfusion.plateau_pct_max > 2 * pad.perfusion.baseline_pct_max
    light = result.sites[1]
    assert light.limiting_factor == "above the window"  # 20 fixed minutes of the pad: far above 10 J/cm²
    assert light.target_fluence == pytest.approx(light.target_fluence_rate * 1200.0)


def test_coverage_fractions_sum_to_one_and_match_a_direct_computation():
    model = PopulationModel(target_position="middle", neuropathy_fraction=0.5)
    people = sample_people(model, 12, seed=3)
    s = scenario("neuropathy-feet-pad890.yaml", people=0)
    placement = Placement(device="pad-890")
    stack, beam = s.sites[1].stack(), skin_beam(placement)
    exposure = 180.0
    window = (from_j_cm2(1.0), from_j_cm2(10.0))
    cov = light_coverage(people, stack, placement, beam, exposure, window, Limits(), ParameterChoice())
    assert cov.below + cov.in_window + cov.above + cov.unsafe == pytest.approx(1.0)
    direct = []
    for i in range(len(people)):
        result = dose("pad-890", stack, people.person(i), exposure=exposure)
        direct.append(result.target().fluence)
        # the dose stage reads the target off its 0.1 mm depth grid by log-linear interpolation, whose error in ln φ
        # is at most h²/8·|(ln φ)''| (h the spacing): the bound from the profile's second differences around it
        ds = result.dataset
        ln_phi, z = np.log(ds.fluence_rate_total.values), ds.z.values
        k = int(np.searchsorted(z, result.target().depth_mm))
        bound = np.abs(np.diff(ln_phi[k - 2:k + 2], 2)).max() / 8.0
        assert abs(math.log(cov.doses[i] / direct[-1])) <= bound + 1e-12
    direct = np.array(direct)
    assert cov.in_window == pytest.approx(np.mean((direct >= window[0]) & (direct <= window[1])))
    assert cov.below == pytest.approx(np.mean(direct < window[0]))


def test_coverage_counts_people_who_break_a_thermal_limit():
    """A skin limit just below what the heating pad reaches: the screen at the extremes fails, and the people between
    them are split by monotonicity with fewer runs than people — and exactly as running every person finds."""
    people = sample_people(PopulationModel(neuropathy_fraction=0.5), 30, seed=5)
    limits = Limits(skin_temperature=40.2)
    stack = load_scenario(EXAMPLES / "heating-pad-comparison.yaml").sites[0].stack()
    cov = heat_coverage(people, stack, Placement(device="heating-pad-42"), 1200.0, limits, ParameterChoice())
    direct = [thermal_verdict(heat("heating-pad-42", stack, people.person(i), exposure=1200.0, dt=5.0),
                              limits).time_s <= 1200.0 for i in range(len(people))]
    assert cov.unsafe_people.tolist() == direct
    assert 0 < sum(direct) < len(direct)
    runs = int(cov.thermal_check.split()[0])
    assert runs < len(people) and cov.thermal_check.endswith("follow by monotonicity")


@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
@settings(max_examples=60, deadline=None)
def test_the_monotone_split_agrees_with_asking_everyone(seed, dims):
    """Any monotone rule (here: a weighted sum of inputs above a threshold, weights ≥ 0) is recovered exactly."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.random((200, dims)), 2)  # ties included
    weights, threshold = rng.random(dims), rng.random() * dims / 2
    truth = x @ weights > threshold
    asked = []
    flags, runs = _monotone_split(x, [], lambda k: asked.append(k) or bool(truth[k]))
    assert flags.tolist() == truth.tolist()
    assert runs == len(asked) == len(set(asked)) <= len(x)


def test_reproducible_same_seed_same_json():
    first = plan_json_text(plan(scenario("carpal-tunnel-probe810.yaml")))
    second = plan_json_text(plan(scenario("carpal-tunnel-probe810.yaml")))
    assert first == second
    other = plan_json_text(plan(scenario("carpal-tunnel-probe810.yaml", seed=2)))
    assert json.loads(other)["sites"][0]["coverage"] != json.loads(first)["sites"][0]["coverage"]


def test_carpal_tunnel_reports_walt_energy_per_point():
    result = plan(scenario("carpal-tunnel-probe810.yaml", people=0))
    site = result.sites[0]
    # the probe's 200 mW all reach the skin (1 % from integrating its sharp-edged spot on the irradiance grid)
    assert site.power_at_skin_w == pytest.approx(0.2, rel=0.02)
    assert site.energy_per_point_j == pytest.approx(site.power_at_skin_w * site.exposure_s)
    jenkins_carroll = plan_json(result)["sites"][0]["jenkins_carroll"]
    assert jenkins_carroll["points"] == 3
    assert jenkins_carroll["pulse_parameters"] == "continuous wave"
    assert jenkins_carroll["number_of_treatments"] == "8"
    assert any("WALT 2010" in w for w in site.warnings)


def test_panel_facing_the_head_gets_the_eye_warning(knee):
    placement = knee.scenario.devices[0].model_copy(update={"faces_head": True})
    site = plan(scenario("knee-panel.yaml", people=0, devices=[placement])).sites[0]
    eye = [w for w in site.warnings if "faces the head" in w]
    beam = skin_beam(Placement(device="panel-660-850", distance="15 cm"))
    nir_mw_cm2 = mw_cm2(float(beam.peak_irradiance[beam.wavelength_nm >= 780.0].sum()))  # the 850 nm band
    limit_s = (1.8 / (nir_mw_cm2 / 1000.0)) ** (4 / 3)  # ICNIRP 2013 / IEC 62471: 1.8·t^−0.75 W/cm²
    assert site.exposure_s < limit_s  # ~64 s against ~287 s: the warning says it stays within the limit
    assert len(eye) == 1
    assert f"{nir_mw_cm2:.3g} mW/cm²" in eye[0]
    assert "stays within" in eye[0]


def test_sauna_course():
    result = plan(scenario("sauna-course.yaml"))
    course, s = result.saunas[0], result.scenario
    rows = {(r.air_temperature_c, r.exposure_s / 60.0): r for r in course.sessions}
    # a 15-min session is read off the 40-min run; an independent 15-min JOS-3 run of the same body agrees (the
    # first 15 minutes of the same solver's run: 1e-9 °C)
    cabin = s.devices[0].model()
    alone = simulate_sauna(SaunaRequest(air_temperature=60.0, relative_humidity=cabin.relative_humidity,
                                        exposure="15 min", person=s.body))
    assert rows[(60.0, 15.0)].core_rise_c == pytest.approx(alone.peak_core_rise_c, abs=1e-9)
    # the course reads rectal temperature (what the sauna studies measured) and it keeps rising with time in the
    # cabin; how far it falls short of Waon therapy's +1.0–1.2 °C (Kihara et al. 2004) is a known failure of JOS-3,
    # kept in tests/validation/test_sauna_finnish.py
    assert 0 < rows[(60.0, 15.0)].core_rise_c < rows[(60.0, 40.0)].core_rise_c
    assert rows[(60.0, 40.0)].sweat_loss_g > rows[(50.0, 40.0)].sweat_loss_g > 0
    assert course.achievable
    assert any("1.5 L" in g for g in course.guidance)
    assert any("cardiovascular" in w for w in course.warnings)
    hot = plan(scenario("sauna-course.yaml", limits=Limits(core_temperature=38.0))).saunas[0]
    assert not hot.achievable
    assert hot.limiting_factor == "too hot"
    assert hot.safe_minutes[60.0] < 40


def test_a_pad_hot_enough_to_leave_the_thermal_model_is_too_hot_not_an_error():
    """1 W/cm² of waste heat takes the skin past 100 °C (the bioheat model's range): the plan says "too hot" and
    caps the exposure where the skin reaches 43 °C."""
    s = scenario("neuropathy-feet-pad890.yaml", people=5)
    hot = s.devices[0].model_copy(update={"pad_heat": 0.01})  # 1 W/cm² in W/mm²
    site = plan(s.model_copy(update={"devices": [hot], "sites": s.sites[:1]})).sites[0]
    assert not site.achievable
    assert site.limiting_factor == "too hot"
    assert site.coverage.unsafe == 1.0
    assert any("bioheat model's range" in w for w in site.warnings)
    # the plan's run was shortened to stay in range; the same run computed directly crosses 43 °C at the cap
    stack, run_s = s.sites[0].stack(), float(site.heat.dataset.t.values[-1])
    same = heat("pad-890", stack, s.person, exposure=run_s, pad_heat="1 W/cm^2")
    assert same.dataset.surface_temperature.values.max() < 100.0
    assert site.exposure_s == pytest.approx(thermal_verdict(same, Limits()).time_s, rel=1e-12)
    # against a 0.01 s step the 1 s step's linear interpolation may misplace the crossing by up to one step
    fine = heat("pad-890", stack, s.person, exposure=5.0, dt=0.01, pad_heat="1 W/cm^2")
    assert abs(site.exposure_s - thermal_verdict(fine, Limits()).time_s) < 1.0


@pytest.mark.parametrize(("site", "target", "factor"), [("knee", None, "too far"),
                                                         ("knee", {"name": "deep", "depth": (60.0, 70.0)}, "too deep")])
def test_a_panel_too_far_away_is_too_far_unless_the_target_is_too_deep_anyway(site, target, factor):
    """At 2 m the panel's skin irradiance is ~60 times lower than at its nominal 15 cm: the session length caps the
    exposure because of the distance (at 15 cm the aim needs about a minute) — unless the target is so deep that even
    at 15 cm the aim needs longer than the session."""
    s = scenario("knee-panel.yaml", people=0)
    far = s.devices[0].model_copy(update={"distance": 2000.0})
    sites = s.sites if target is None else [s.sites[0].model_copy(update={"target": TargetSpec(**target)})]
    result = plan(s.model_copy(update={"devices": [far], "sites": sites})).sites[0]
    assert result.exposure_s == SESSION_S
    assert result.limiting_factor == factor
    near_rate = rate("panel-660-850", sites[0].stack(), s.person, distance="15 cm")
    assert (AIM / near_rate < SESSION_S) is (factor == "too far")
    skin = mw_cm2(float(skin_beam(Placement(device="panel-660-850", distance="2 m")).centre_irradiance.sum()))
    assert f"{skin:.3g} mW/cm²" in result.reason
    if factor == "too far":
        assert f"bring the device to 15 cm, where it needs {AIM / near_rate / 60:.3g} min" in result.reason


def test_a_site_may_ask_for_a_depth_profile_to_100_mm():
    """`max_depth` on a site reaches the report's depth-dose profile (issue 17: "how deep does it go")."""
    s = scenario("knee-panel.yaml", people=0)
    deep = s.model_copy(update={"sites": [s.sites[0].model_copy(update={"max_depth": 100.0})]})
    z = plan(deep).sites[0].dose.dataset.z.values
    assert z[-1] == pytest.approx(100.0, abs=0.1)  # the last cell centre of a 0.1 mm grid
    assert plan(s).sites[0].dose.dataset.z.values[-1] < 100.0
