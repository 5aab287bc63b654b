"""Every reference value kept as data (tests/reference/*.yaml) against lightdose: one parametrised test, one row each.

Each file names its `model`; :data:`COMPUTE` maps the model to the function that computes a row's `quantity` from
its `inputs` with lightdose and returns a pint quantity and its standard error (None unless a Monte Carlo computes
it). Rows of kind `self-snapshot` run as regression checks — their test ids say so — never as validation. Each test
prints lightdose's value against the reference and the accepted interval (`pytest -rA` or `-s` shows it); a failure
says the same. Format: tests/reference/README.md.

The compute functions take every published number a row depends on from the row's `inputs` (or from the row's own
file), never from the module under test: the comparison stays independent of the constants it checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np
import pint
import pytest
from scipy.special import erfc

from lightdose.anatomy import sites
from lightdose.optics import spectra
from lightdose.optics.tissue import Tissue
from lightdose.parameters import ParameterSet, default_set
from lightdose.physiology.calibration import Condition, simulate_condition
from lightdose.physiology.perfusion import default_parameters
from lightdose.physiology.session import minutes_elevated_after
from lightdose.thermal import session as heat
from lightdose.thermal.burn import OMEGA_THRESHOLD, BurnRequest, arrhenius_omega, burn_dose
from lightdose.thermal.properties import thermal_properties
from lightdose.thermal.sauna import SaunaRequest, simulate_sauna
from lightdose.thermal.session import bare_skin
from lightdose.thermal.vasodilation import skin_perfusion_factor
from lightdose.units import parse_quantity, ureg
from tests.validation._references import ReferenceFormatError, Row, all_rows, check, load

Computed = tuple[pint.Quantity, pint.Quantity | None]

SERIES_POINTS = 3000
"""Samples of a conducted temperature history (log-spaced in time; doubling them changes the times by < 0.1 %)."""


def skin_diffusivity(params: ParameterSet) -> float:
    """Thermal diffusivity of skin k/(ρ·c) [mm²/s] from the parameter set's thermal properties (IT'IS database)."""
    k = params["thermal.skin.conductivity [W/(m*K)]"]
    rho_c = params["thermal.skin.density [kg/m^3]"] * params["thermal.skin.specific_heat [J/(kg*K)]"]
    return k / rho_c * 1e6


def conducted_history(surface_c: float, initial_c: float, depth_mm: float, until_s: float,
                      params: ParameterSet) -> tuple[np.ndarray, np.ndarray]:
    """Times [s] and temperatures [°C] at `depth_mm` below a surface held at `surface_c` from t = 0 in skin that was
    at `initial_c`: a semi-infinite solid, T = T_i + (T_s − T_i)·erfc(x / (2·√(α·t))) (Carslaw & Jaeger 1959,
    Conduction of Heat in Solids, §2.4)."""
    t = np.concatenate([[0.0], np.geomspace(until_s * 1e-7, until_s, SERIES_POINTS)])
    spread = 2.0 * np.sqrt(skin_diffusivity(params) * np.maximum(t, np.finfo(float).tiny))
    return t, initial_c + (surface_c - initial_c) * erfc(depth_mm / spread)


def time_to_threshold(surface_c: float, initial_c: float, depth_mm: float, params: ParameterSet,
                      omega: float = OMEGA_THRESHOLD) -> float:
    """Time [s] until Ω at `depth_mm` reaches `omega` under a surface held at `surface_c` (bisection in log time,
    1e-6 relative; inf beyond 10⁶ s)."""
    def omega_at(until_s: float) -> float:
        return arrhenius_omega(*conducted_history(surface_c, initial_c, depth_mm, until_s, params), params)

    low, high = 1e-3, 1e6
    if omega_at(high) < omega:
        return math.inf
    while high / low > 1.0 + 1e-6:
        middle = math.sqrt(low * high)
        low, high = (low, middle) if omega_at(middle) >= omega else (middle, high)
    return math.sqrt(low * high)


def burn(row: Row) -> Computed:
    """The burn-dose quantities: `time_to_threshold` (Ω = 1 at the basal layer under a surface held at a temperature,
    the experiment of Moritz & Henriques 1947) and `cem43` of a constant temperature (through the burn-dose stage)."""
    inputs = row.inputs
    if row.quantity == "time_to_threshold":
        seconds = time_to_threshold(parse_quantity(inputs["surface_temperature"], "temperature"),
                                    parse_quantity(inputs["initial_temperature"], "temperature"),
                                    parse_quantity(inputs["basal_depth"], "length"), default_set())
        return ureg.Quantity(seconds, "s"), None
    if row.quantity == "cem43":
        result = burn_dose(BurnRequest(temperature=inputs["temperature"], time=inputs["time"]))
        return ureg.Quantity(result.cem43_min, "min"), None
    raise ValueError(f"{row.test_id}: no quantity {row.quantity!r} in the burn model")


def _unknown(row: Row, model: str) -> ValueError:
    return ValueError(f"{row.test_id}: no quantity {row.quantity!r} in the {model} model")


def optics(row: Row) -> Computed:
    """Chromophore spectra and tissue optics (lightdose.optics): `water_absorption`, `molar_extinction` (the blood
    absorption of lightdose.optics.spectra divided by ln 10 · c / M, with the hemoglobin concentration c and molar
    mass M given in the row), `blood_absorption`, `refractive_index` of a tissue of the row's water fraction, and
    `penetration_depth` δ of a tissue of the row's composition and scattering."""
    inputs = row.inputs
    if row.quantity == "refractive_index":
        tissue = Tissue(water=inputs["water"], scattering={"a": 1.0, "b": 1.0})
        return ureg.Quantity(tissue.refractive_index, ""), None
    wavelength = parse_quantity(inputs["wavelength"], "wavelength")
    if row.quantity == "water_absorption":
        return ureg.Quantity(float(spectra.water()(wavelength)), "1/mm"), None
    blood = {"oxy": spectra.oxygenated_blood, "deoxy": spectra.deoxygenated_blood}
    if row.quantity == "blood_absorption":
        return ureg.Quantity(float(blood[inputs["form"]]()(wavelength)), "1/mm"), None
    if row.quantity == "molar_extinction":
        mua = ureg.Quantity(float(blood[inputs["form"]]()(wavelength)), "1/mm")
        per_molar = math.log(10.0) * ureg.Quantity(inputs["hemoglobin"]) / ureg.Quantity(inputs["molar_mass"])
        return (mua / per_molar).to("1/(cm*M)"), None
    if row.quantity == "penetration_depth":
        tissue = Tissue(**inputs["composition"], scattering=inputs["scattering"])
        return ureg.Quantity(float(tissue.optical_properties(wavelength).delta[0]), "mm"), None
    raise _unknown(row, "optics")


def thermal_properties_model(row: Row) -> Computed:
    """Thermal properties of a preset tissue with the default parameter set (`density`, `specific_heat`,
    `conductivity`, and `blood_heat_capacity`, the ρ_b·c_b of its perfusion term), and the `skin_emissivity` that bare
    skin radiates with in heat sessions."""
    params = default_set()
    if row.quantity == "skin_emissivity":
        return ureg.Quantity(bare_skin(params).emissivity, ""), None
    props = thermal_properties(row.inputs["tissue"], params)
    units = {"density": "kg/m^3", "specific_heat": "J/(kg*K)", "conductivity": "W/(m*K)",
             "blood_heat_capacity": "J/(m^3*K)"}
    if row.quantity not in units:
        raise _unknown(row, "thermal_properties")
    return ureg.Quantity(float(getattr(props, row.quantity)), units[row.quantity]), None


def vasodilation(row: Row) -> Computed:
    """`plateau_conductance`: the quasi-steady perfusion factor F(T) of the heat sessions (default parameter set) times
    the resting conductance the row states (lightdose's documented assumption), in % of maximum."""
    if row.quantity != "plateau_conductance":
        raise _unknown(row, "vasodilation")
    temperature = parse_quantity(row.inputs["temperature"], "temperature")
    resting = parse_quantity(row.inputs["resting"], "dimensionless")
    factor = float(skin_perfusion_factor(temperature, default_set()))
    return ureg.Quantity(100.0 * factor * resting, "%"), None


BLOCKS = {"none": {}, "emla": {"local_anaesthetic": True}, "lname": {"nos_inhibition": True},
          "both": {"local_anaesthetic": True, "nos_inhibition": True}}
"""The pharmacological blocks of a local-heating row (`block`), as :class:`lightdose.physiology.calibration.Condition`
fields."""


@cache
def _local_heating(hold_c: float, block: str) -> dict[str, float]:
    return simulate_condition(default_parameters(), Condition(temperature_c=hold_c, **BLOCKS[block]))


def perfusion(row: Row) -> Computed:
    """`local_heating`: a read-out (`peak`, `peak_time`, `plateau`) of the perfusion model with the default parameter
    set under the local-heating protocol (lightdose.physiology.calibration) held at `hold`, with `block`."""
    if row.quantity != "local_heating":
        raise _unknown(row, "perfusion")
    readouts = _local_heating(parse_quantity(row.inputs["hold"], "temperature"), row.inputs["block"])
    if row.inputs["readout"] == "peak_time":
        return ureg.Quantity(readouts["peak_time_min"], "min"), None
    return ureg.Quantity(readouts[row.inputs["readout"]], "%"), None


def sauna(row: Row) -> Computed:
    """`core_rise`: the rise of the JOS-3 core (central blood) temperature over a cabin session of lightdose's default
    person (lightdose.thermal.sauna)."""
    if row.quantity != "core_rise":
        raise _unknown(row, "sauna")
    result = simulate_sauna(SaunaRequest(**row.inputs))
    return ureg.Quantity(result.peak_core_rise_c, "delta_degC"), None


def elevation_threshold() -> float:
    """The smallest perfusion/baseline ratio that :func:`minutes_elevated_after` counts as elevated after a session
    (bisection on a record held at that ratio after the session's end)."""
    t = np.arange(0.0, 3600.0, 60.0)

    def elevated(ratio: float) -> bool:
        return minutes_elevated_after(t, np.where(t < 1800.0, 3.0, ratio), 1800.0, 1.0)[0] > 0.0

    low, high = 1.0, 2.0
    while high - low > 1e-12:
        middle = 0.5 * (low + high)
        low, high = (low, middle) if elevated(middle) else (middle, high)
    return high


def assumptions(row: Row) -> Computed:
    """lightdose's documented assumptions (self-snapshots): `neuropathic_dermal_perfusion_ratio`, the dermis' resting
    perfusion in the layer properties a heat session builds for a person with neuropathy over the same without
    (default parameter set, the row's `site`); `elevation_threshold`, what perfusion/baseline counts as elevated
    after a session."""
    if row.quantity == "elevation_threshold":
        return ureg.Quantity(elevation_threshold(), ""), None
    if row.quantity != "neuropathic_dermal_perfusion_ratio":
        raise _unknown(row, "assumptions")
    params = default_set()
    stack = sites.get(row.inputs["site"])

    def dermis(neuropathy: bool) -> float:
        props = heat._layer_properties(stack, neuropathy, params)  # what coupled_session hands the solver
        return next(p.perfusion for p in props if p.role == "dermis")

    return ureg.Quantity(dermis(True) / dermis(False), ""), None


def optics_in_vivo(row: Row) -> Computed:
    """`reduced_scattering`: μs′ of a preset tissue at the row's `wavelength` under the parameter set `set` (default
    "default") turned into the optics variant `bound` (default "nominal"; lightdose.optics.variants)."""
    from lightdose import tissues
    from lightdose.optics.variants import optics_variant
    from lightdose.parameters import load_set

    if row.quantity != "reduced_scattering":
        raise _unknown(row, "optics_in_vivo")
    params = optics_variant(load_set(row.inputs.get("set", "default")), row.inputs.get("bound", "nominal"))
    tissue = tissues.get(row.inputs["tissue"], parameters=params)
    wavelength = parse_quantity(row.inputs["wavelength"], "wavelength")
    return ureg.Quantity(float(tissue.optical_properties(wavelength).musp[0]), "1/mm"), None


def device_heating(row: Row) -> Computed:
    """`skin_temperature_end` [°C] and `skin_temperature_rise` [K] at the end of the exposure, for the row's device
    (in contact, with its own heat), site (a preset's name or a layer stack), person and exposure."""
    inputs = row.inputs
    result = heat.heat_session(heat.HeatRequest(placement=inputs["device"], site=inputs["site"],
                                                person=inputs.get("person", {}), exposure=inputs["exposure"]))
    skin = result.dataset.surface_temperature.values
    if row.quantity == "skin_temperature_end":
        return pint.Quantity(float(skin[-1]), "degC"), None
    if row.quantity == "skin_temperature_rise":
        return pint.Quantity(float(skin[-1] - skin[0]), "delta_degC"), None
    raise _unknown(row, "device_heating")


COMPUTE: dict[str, Callable[[Row], Computed]] = {
    "burn": burn, "optics": optics, "thermal_properties": thermal_properties_model, "vasodilation": vasodilation,
    "perfusion": perfusion, "sauna": sauna, "assumptions": assumptions, "optics_in_vivo": optics_in_vivo,
    "device_heating": device_heating,
}
"""The function computing each model's rows (the file's `model`)."""

ROWS = list(all_rows())


def test_every_file_has_a_model_to_compute_it():
    assert {row.model for row in ROWS} <= set(COMPUTE)


def test_the_format_compares_lists_ranges_and_standard_errors(tmp_path):
    """The kinds of reference other models need: a profile (list, rel), a Monte Carlo range widened by standard
    errors known at run time, an absolute tolerance, and a self-snapshot labelled as a regression check."""
    (tmp_path / "demo.yaml").write_text("""
model: demo
rows:
  - {id: profile, quantity: q, inputs: {}, expected: {value: [1.0, 2.0], unit: mm}, kind: independent-code,
     tolerance: {rel: 0.01, basis: b}, source: iadpython 0.5}
  - {id: gardner-rd, quantity: q, inputs: {}, expected: {between: [0.2375, 0.2381], unit: "1"}, kind: published,
     checked: secondary, tolerance: {se: 4, basis: b}, source: s}
  - {id: snapshot, quantity: q, inputs: {}, expected: {value: 37.0, unit: degC}, kind: self-snapshot,
     tolerance: {abs: 0.1, basis: b}, source: lightdose 0.2.0}
""")
    profile, rd, snapshot = load(tmp_path / "demo.yaml")
    assert check(profile, ureg.Quantity([0.1009, 0.199], "cm")).passed
    assert not check(profile, ureg.Quantity([1.02, 2.0], "mm")).passed
    assert check(rd, ureg.Quantity(0.2370, ""), ureg.Quantity(0.0002, "")).passed
    assert not check(rd, ureg.Quantity(0.2370, ""), ureg.Quantity(0.0001, "")).passed
    with pytest.raises(ValueError, match="standard errors"):
        check(rd, ureg.Quantity(0.2378, ""))
    assert check(snapshot, ureg.Quantity(37.05, "degC")).passed
    assert snapshot.test_id == "demo:snapshot (regression check)"


@pytest.mark.parametrize(("row", "message"), [
    ("{id: a, quantity: q, inputs: {}, expected: {value: 1, unit: s}, kind: published, checked: primary, "
     "tolerance: {rel: 0.1}, source: s}", "basis"),
    ("{id: a, quantity: q, inputs: {}, expected: {value: 1, unit: s}, kind: measured, "
     "tolerance: {rel: 0.1, basis: b}, source: s}", "kind must be one of"),
    ("{id: a, quantity: q, inputs: {}, expected: {value: 1, unit: s}, kind: published, "
     "tolerance: {rel: 0.1, basis: b}, source: s}", "checked must be one of"),
    ("{id: a, quantity: q, inputs: {}, expected: {value: 1, unit: apples}, kind: self-snapshot, "
     "tolerance: {rel: 0.1, basis: b}, source: s}", "not a unit"),
])
def test_a_row_breaking_the_format_is_refused_naming_it(tmp_path, row, message):
    (tmp_path / "bad.yaml").write_text(f"model: demo\nrows:\n  - {row}\n")
    with pytest.raises(ReferenceFormatError, match=rf"bad.yaml, row 1 \(a\): .*{message}"):
        load(tmp_path / "bad.yaml")


@pytest.mark.parametrize("row", ROWS, ids=[row.test_id for row in ROWS])
def test_reference(row: Row):
    value, se = COMPUTE[row.model](row)
    outcome = check(row, value, se)
    print(outcome.text(row))
    assert outcome.passed, outcome.text(row)
