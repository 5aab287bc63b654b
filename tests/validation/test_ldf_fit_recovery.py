"""Fitting the perfusion model to a laser-Doppler recording synthesised from known parameters plus white Gaussian
noise recovers them within their reported standard errors, and those errors are calibrated (issue 7 acceptance).

The recording: the local-heating protocol of Minson, Berry & Joyner 2001 (J Appl Physiol 91:1619) as a probe
heater drives it: 33 °C for 10 min, 0.1 °C/s to 42 °C held to 45 min, 0.1 °C/s to 44 °C held to 53 min, heater off
(cooling to 33 °C with τ = 60 s), 15 min of recovery; 1 Hz. Model flux = 20 PU · P/P_rest with parameters that
are not the calibrated defaults, plus N(0, 4 PU) noise (≈ 2 % of the ~184 PU maximum). The fit starts from the
defaults.
"""

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from lightdose.physiology.ldf_fit import DEFAULT_FIT, fit_recording, fitted_flux, model_flux
from lightdose.physiology.perfusion import default_parameters

TRUTH = {"baseline_pu": 20.0, "tau_axon_rise_s": 80.0, "tau_axon_adapt_s": 200.0, "tau_no_s": 300.0,
         "tau_no_off_s": 180.0, "axon_gain_pct_max_per_k": 7.5, "plateau_amplitude_pct_max": 100.0}
NOISE_PU = 4.0
SEED = 20260314
N_DRAWS = 30
"""Noise draws of the calibration test (30 fits: ~15 s)."""
TAIL = 1e-3
"""Probability of each calibration check failing for correctly calibrated errors (its tolerance's tail)."""


def protocol():
    t = np.arange(0.0, 4080.0)
    temperature = np.full(t.size, 33.0)
    temperature = np.where(t >= 600, np.minimum(33.0 + 0.1 * (t - 600), 42.0), temperature)
    temperature = np.where(t >= 2700, np.minimum(42.0 + 0.1 * (t - 2700), 44.0), temperature)
    temperature = np.where(t >= 3180, 33.0 + 11.0 * np.exp(-(t - 3180) / 60.0), temperature)
    return t, temperature


def truth_parameters():
    return default_parameters().model_copy(update={k: v for k, v in TRUTH.items() if k != "baseline_pu"})


def recording(noise):
    t, temperature = protocol()
    flux = model_flux(t, temperature, truth_parameters(), TRUTH["baseline_pu"]) + noise
    return xr.Dataset({"perfusion_1": ("t", flux, {"units": "PU", "label": "Perfusion 1"}),
                       "temp_1": ("t", temperature, {"units": "degC", "label": "Temp 1"})},
                      coords={"t": ("t", t, {"units": "s"})})


def white(seed, n=4080):
    return np.random.default_rng(seed).normal(0.0, NOISE_PU, n)


@pytest.fixture(scope="module")
def fit():
    return fit_recording(recording(white(SEED)))


def test_truth_is_not_the_default_starting_point():
    defaults = default_parameters()
    for name in DEFAULT_FIT:
        assert abs(TRUTH[name] / getattr(defaults, name) - 1.0) > 0.05, name


def test_fit_recovers_each_parameter_within_three_standard_errors(fit):
    assert fit.success
    assert [p.name for p in fit.fitted] == ["baseline_pu", *DEFAULT_FIT]
    print("\nparameter                    true      fitted ± SE         (fitted − true)/SE")
    for p in fit.fitted:
        true = TRUTH[p.name]
        print(f"{p.name:28s} {true:8.3f}  {p.value:9.3f} ± {p.standard_error:7.3f} {p.units:4s} "
              f"{(p.value - true) / p.standard_error:+.2f}")
        assert p.standard_error is not None and 0.0 < p.standard_error < 0.3 * abs(p.value), p.name
        assert abs(p.value - true) <= 3.0 * p.standard_error, p.name
    assert fit.parameters.tau_no_s == fit.value("tau_no_s")
    assert fit.parameters.tau_thermal_s == default_parameters().tau_thermal_s  # held values stay


def test_residuals_are_the_noise(fit):
    assert fit.residual_sd_pu == pytest.approx(NOISE_PU, rel=0.05)
    assert fit.r_squared > 0.99
    assert abs(fit.residual_lag1_autocorrelation) < 0.1 and fit.se_inflation_ar1 < 1.1
    assert fit.degrees_of_freedom == 4080 - 7
    corr = np.array(fit.correlation)
    np.testing.assert_allclose(np.diag(corr), 1.0, atol=1e-9)
    np.testing.assert_allclose(corr, corr.T, atol=1e-12)


def test_fitted_curve_matches_the_noise_free_recording(fit):
    curve = fitted_flux(recording(white(SEED)), fit)
    clean = recording(np.zeros(4080)).perfusion_1.values
    assert curve.attrs["units"] == "PU"
    assert np.sqrt(np.mean((curve.values - clean) ** 2)) < 0.5 * NOISE_PU


@pytest.fixture(scope="module")
def draws():
    """Fits to N_DRAWS further noise draws: (fitted − true)/SE per draw and parameter, and each draw's Mahalanobis
    distance d² = (θ̂ − θ)ᵀ·Cov⁻¹·(θ̂ − θ) with the fit's own covariance (SEs and correlation)."""
    z, d2 = [], []
    for seed in range(N_DRAWS):
        result = fit_recording(recording(white(1000 + seed)))
        se = np.array([p.standard_error for p in result.fitted])
        error = np.array([p.value - TRUTH[p.name] for p in result.fitted])
        z.append(error / se)
        d2.append(z[-1] @ np.linalg.solve(np.array(result.correlation), z[-1]))
    return np.array(z), np.array(d2)


def test_standard_errors_are_calibrated_per_parameter(draws):
    """Each parameter's (fitted − true)/SE behaves like N(0, 1) over the draws: the count within 2 SE is at least the
    0.1 % quantile of Binomial(N_DRAWS, 0.954), and the sample SD lies within the 0.1–99.9 % range of
    √(χ²(N_DRAWS − 1)/(N_DRAWS − 1)). The parameters of one fit are correlated (the axon-reflex ones by 0.87–0.95),
    so they are judged jointly too: ΣD² over the draws against χ²(N_DRAWS·k)."""
    z, d2 = draws
    n, k = z.shape
    within = stats.norm.cdf(2.0) - stats.norm.cdf(-2.0)
    least_within = stats.binom.ppf(TAIL, n, within)
    sd_range = np.sqrt(stats.chi2.ppf([TAIL, 1.0 - TAIL], n - 1) / (n - 1))
    print(f"\n{n} draws, within 2 SE ≥ {least_within:.0f}, SD within {sd_range[0]:.2f}…{sd_range[1]:.2f}")
    for j, name in enumerate(["baseline_pu", *DEFAULT_FIT]):
        print(f"{name:28s} mean {z[:, j].mean():+.2f}  SD {z[:, j].std(ddof=1):.2f}  "
              f"within 2 SE {int(np.sum(abs(z[:, j]) <= 2.0))}/{n}")
        assert np.sum(np.abs(z[:, j]) <= 2.0) >= least_within, name
        assert sd_range[0] <= z[:, j].std(ddof=1) <= sd_range[1], name
        assert abs(z[:, j].mean()) <= stats.norm.ppf(1.0 - TAIL / 2) / np.sqrt(n), name
    joint = stats.chi2.ppf([TAIL / 2, 1.0 - TAIL / 2], n * k)
    print(f"Σd² {d2.sum():.1f} (χ²({n * k}) range {joint[0]:.1f}…{joint[1]:.1f})")
    assert joint[0] <= d2.sum() <= joint[1]


def test_mirror_branch_start_reports_the_canonical_axon_time_constants():
    start = default_parameters().model_copy(update={"tau_axon_rise_s": 250.0, "tau_axon_adapt_s": 60.0,
                                                    "axon_gain_pct_max_per_k": 20.0})
    result = fit_recording(recording(white(SEED)), initial=start)
    for name in ("tau_axon_rise_s", "tau_axon_adapt_s", "axon_gain_pct_max_per_k"):
        assert abs(result.value(name) - TRUTH[name]) <= 3.0 * result.standard_error(name), name


def test_autocorrelated_noise_is_flagged():
    """AR(1) noise (φ = 0.9, the slow vasomotion of real recordings): the SEs need inflating by √((1+ρ)/(1−ρ))."""
    rng = np.random.default_rng(SEED)
    kicks = rng.normal(0.0, NOISE_PU * np.sqrt(1 - 0.9**2), 4080)
    noise = np.empty(4080)
    noise[0] = rng.normal(0.0, NOISE_PU)
    for i in range(1, 4080):
        noise[i] = 0.9 * noise[i - 1] + kicks[i]
    result = fit_recording(recording(noise))
    assert 0.8 < result.residual_lag1_autocorrelation < 0.95
    assert result.se_inflation_ar1 == pytest.approx(np.sqrt(19.0), rel=0.3)
