"""The local perfusion model: fixed points, recovery, modifiers, the optional light term and bad input."""

import numpy as np
import pytest

from lightdose.errors import InputError
from lightdose.physiology.calibration import heating_protocol
from lightdose.physiology.perfusion import (
    NEUROPATHY_PLATEAU_FACTOR,
    LocalPerfusion,
    PerfusionModifiers,
    default_parameters,
    simulate_perfusion,
    steady_state_pct_max,
)

REST = default_parameters().resting_pct_max


@pytest.mark.parametrize("temperature", [28.0, 31.0, 33.0])
def test_temperature_held_at_baseline_stays_at_baseline(temperature):
    t = np.arange(0.0, 4 * 3600.0, 30.0)
    for modifiers in (PerfusionModifiers(), PerfusionModifiers(neuropathy=True, light_no=True)):
        ds = simulate_perfusion(t, np.full(t.size, temperature), modifiers=modifiers)
        assert np.all(ds.perfusion_pct_max.values == REST)


def test_steady_state_is_a_fixed_point_below_die_away():
    t = np.arange(0.0, 1800.0, 10.0)
    ds = simulate_perfusion(t, np.full(t.size, 40.0))
    assert np.allclose(ds.perfusion_pct_max.values, steady_state_pct_max(40.0), atol=1e-9)


def test_returns_to_baseline_after_the_stimulus_ends():
    t, heat = heating_protocol(42.0, duration_s=90 * 60.0, step_s=10.0)
    temperature = np.where(t < 30 * 60.0, heat, 33.0)
    p = simulate_perfusion(t, temperature).perfusion_pct_max.values
    assert p[t == 30 * 60.0][0] > 4 * REST
    assert abs(p[-1] - REST) < 0.5  # an hour after heating stops
    after = p[t >= 30 * 60.0]
    assert np.all(np.diff(after) <= 1e-9)  # the recovery is monotonic (no rebound above the end value)


def test_slower_recovery_constants_keep_flow_up_longer():
    t, heat = heating_protocol(42.0, duration_s=60 * 60.0, step_s=10.0)
    temperature = np.where(t < 30 * 60.0, heat, 33.0)
    base = default_parameters()
    slow = base.model_copy(update={"tau_no_off_s": 3 * base.tau_no_off_s})
    fast_p = simulate_perfusion(t, temperature, base).perfusion_pct_max.values
    slow_p = simulate_perfusion(t, temperature, slow).perfusion_pct_max.values
    during = t < 30 * 60.0
    assert np.array_equal(fast_p[during], slow_p[during])  # recovery constants act only when the drive falls
    assert np.all(slow_p[~during] >= fast_p[~during] - 1e-12) and slow_p[-1] > fast_p[-1] + 1.0


def test_neuropathy_scales_the_plateau_rise_by_its_factor():
    healthy = steady_state_pct_max(40.0)
    neuropathic = steady_state_pct_max(40.0, modifiers=PerfusionModifiers(neuropathy=True))
    assert (neuropathic - REST) / (healthy - REST) == pytest.approx(NEUROPATHY_PLATEAU_FACTOR, rel=1e-9)


def test_faster_heating_gives_a_larger_axon_reflex():
    t = np.arange(0.0, 1800.0, 5.0)
    fast = simulate_perfusion(t, np.minimum(33.0 + 0.1 * t, 42.0)).axon_reflex_pct_max.values.max()
    slow = simulate_perfusion(t, np.minimum(33.0 + 0.01 * t, 42.0)).axon_reflex_pct_max.values.max()
    assert slow < 0.6 * fast


def test_light_term_is_off_by_default_and_short_lived_when_on():
    t = np.arange(0.0, 3600.0, 10.0)
    irradiance = np.where(t < 1800.0, 5.0, 0.0)  # 890 nm at 5 mW/cm² for 30 min, skin held at 33 °C
    off = simulate_perfusion(t, np.full(t.size, 33.0), irradiance_mw_cm2=irradiance)
    assert np.all(off.perfusion_pct_max.values == REST)
    on = simulate_perfusion(t, np.full(t.size, 33.0), modifiers=PerfusionModifiers(light_no=True),
                            irradiance_mw_cm2=irradiance)
    p = on.perfusion_pct_max.values
    params = default_parameters()
    expected_rise = params.light_no_max_pct_max * 5.0 / (5.0 + params.light_no_half_mw_cm2)
    assert p[t == 1790.0][0] - REST == pytest.approx(expected_rise, rel=0.01)  # 6 τ_light into the exposure
    assert p[t == 1800.0 + 1200.0][0] - REST < 0.1 * expected_rise  # SCIENCE.md §7: up for ≤ 20 min after
    assert on.attrs["light_no_term"].startswith("on")


def test_callable_model_follows_the_offline_integration():
    t, temperature = heating_protocol(42.0, duration_s=1800.0, step_s=1.0)
    offline = simulate_perfusion(t, temperature).perfusion_pct_max.values
    model = LocalPerfusion()
    online = [model(np.array([temperature[k]]), 0.0, 1.0)[0] * REST for k in range(t.size)]
    assert np.max(np.abs(np.array(online) - offline)) < 1.0


def test_blocks_remove_their_pathways():
    t, temperature = heating_protocol(42.0)
    emla = simulate_perfusion(t, temperature, modifiers=PerfusionModifiers(local_anaesthetic=True))
    lname = simulate_perfusion(t, temperature, modifiers=PerfusionModifiers(nos_inhibition=True))
    assert np.all(emla.axon_reflex_pct_max.values == 0.0)
    assert np.all(lname.no_pct_max.values == 0.0)


@pytest.mark.parametrize(("t", "temperature", "field"), [
    ([0.0, 0.0, 1.0], [33.0, 33.0, 33.0], "t_s"),
    ([0.0, 1.0, 2.0], [33.0, 33.0], "temperature_c"),
    ([0.0, 1.0, 2.0], [33.0, 60.0, 33.0], "temperature_c"),
    ([0.0, 1.0, 2.0], [33.0, np.nan, 33.0], "temperature_c"),
])
def test_bad_input_names_the_field(t, temperature, field):
    with pytest.raises(InputError, match=field):
        simulate_perfusion(t, temperature)
