"""In-vivo dermal scattering from the parameter set, the ex-vivo alternative, and the low / nominal / high optics
variants (lightdose.optics.variants) — and how they reach a dose through the session request."""

import math

import numpy as np
import pytest

from lightdose import tissues
from lightdose.anatomy import Person, sites
from lightdose.anatomy.stack import Layer, LayerStack
from lightdose.errors import InputError
from lightdose.optics import OpticsRequest, optical_properties
from lightdose.optics.tissue import Scattering
from lightdose.optics.variants import BOUNDS, optics_variant, optics_variants, scattering_groups
from lightdose.parameters import ParameterChoice, default_set, load_set, recording
from lightdose.transport.diffusion import log_interp
from lightdose.transport.dose import DoseRequest, depth_dose, fluence_rate_on_axis
from lightdose.transport.skin_beam import skin_beam

# Jonasson et al. 2018 (J Biomed Opt 23:121608), abstract: mus' of living skin, mean +- SD of 1734 subjects [1/mm]
MEAN = {475.0: 3.16, 850.0: 1.13}
SD = {475.0: 0.72, 850.0: 0.27}
EX_VIVO = Scattering(a="45.3 1/cm", b=1.292)  # dermis, Salomatina et al. 2006 via Jacques 2013 Table 2
DERMIS_PRESETS = ("dermis", "dermis-low-blood", "dermis-high-blood")


def musp(bound: str, wavelength: float | list[float], set_name: str = "default") -> np.ndarray:
    params = optics_variant(load_set(set_name), bound)  # type: ignore[arg-type]
    return tissues.get("dermis", parameters=params).optical_properties(wavelength).musp


def test_the_dermis_scatters_as_living_skin_by_default_and_as_excised_dermis_with_the_ex_vivo_set():
    for wavelength, mean in MEAN.items():
        assert musp("nominal", wavelength)[0] == pytest.approx(mean, rel=0.005)
        assert tissues.get("dermis").optical_properties(wavelength).musp[0] == pytest.approx(mean, rel=0.005)
    ex_vivo = load_set("ex-vivo-optics")
    for name in DERMIS_PRESETS:
        assert tissues.scattering_group(name) == "optics.dermis.scattering"
        assert tissues.get(name, parameters=ex_vivo).scattering == EX_VIVO
    # living dermis scatters 1.5x less at 475 nm and 2.0x less at 850 nm than excised dermis
    ratio = musp("nominal", [475.0, 850.0], "ex-vivo-optics") / musp("nominal", [475.0, 850.0])
    assert ratio == pytest.approx([1.53, 2.02], abs=0.01)


def test_only_the_dermis_takes_its_scattering_from_the_parameter_set():
    ex_vivo = load_set("ex-vivo-optics")
    for name in tissues.names():
        if name in DERMIS_PRESETS:
            continue
        assert tissues.scattering_group(name) is None and tissues.scattering(name, ex_vivo) is None
        assert tissues.get(name, parameters=ex_vivo) == tissues.get(name)


def test_low_nominal_high_span_the_in_vivo_spread_and_the_ex_vivo_values():
    variants = optics_variants(default_set())
    assert tuple(variants) == BOUNDS == ("low", "nominal", "high")
    assert variants["nominal"] is default_set()
    assert scattering_groups(default_set()) == ["optics.dermis.scattering"]
    wavelengths = np.arange(400.0, 1001.0, 10.0)
    low, nominal, high = (musp(bound, wavelengths) for bound in BOUNDS)
    assert np.all(low < nominal) and np.all(nominal < high)
    for wavelength in MEAN:  # low is mean - 1 SD; high (ex vivo) lies above mean + 1 SD
        assert musp("low", wavelength)[0] == pytest.approx(MEAN[wavelength] - SD[wavelength], rel=0.005)
        assert musp("high", wavelength)[0] > 1.2 * (MEAN[wavelength] + SD[wavelength])
    assert musp("high", wavelengths) == pytest.approx(EX_VIVO.reduced_scattering(wavelengths))
    measured = wavelengths >= 475.0  # from the shortest wavelength of the in-vivo data on
    assert np.all(high[measured] / nominal[measured] > 1.5) and np.all(nominal / low < 1.35)


def test_a_variant_keeps_the_bounds_sources_and_names_itself():
    params = default_set()
    high = optics_variant(params, "high")
    assert high.name == "default (optics: high scattering)" and high.digest != params.digest
    entry = high.entry("optics.dermis.scattering.a [1/cm]")
    assert entry == params.entry("optics.dermis.scattering_high.a [1/cm]") and "Salomatina" in entry.source
    changed = {key for key in params.parameters if high.parameters[key] != params.parameters[key]}
    assert changed == {"optics.dermis.scattering.a [1/cm]", "optics.dermis.scattering.b [1]"}
    with pytest.raises(ValueError, match="low, nominal, high"):
        optics_variant(params, "medium")  # type: ignore[arg-type]
    bare = params.model_copy(update={"parameters": {k: v for k, v in params.parameters.items()
                                                    if "scattering_" not in k}})
    with pytest.raises(KeyError, match="no scattering bounds"):
        optics_variant(bare, "low")
    assert optics_variant(bare, "nominal") is bare


def test_the_keys_a_variant_and_a_dermis_read_are_recorded():
    with recording() as used:
        low = optics_variant(default_set(), "low")
    assert used == {"optics.dermis.scattering_low.a [1/cm]", "optics.dermis.scattering_low.b [1]"}
    with recording() as used:
        tissues.get("dermis", parameters=low)
    assert used == {"optics.dermis.scattering.a [1/cm]", "optics.dermis.scattering.b [1]"}


def test_a_person_s_stack_carries_the_parameter_set_s_dermal_scattering():
    stack = sites.get("wrist")
    person = Person()
    assert person.apply(stack, default_set()) == person.apply(stack)  # the default set changes nothing in the stack
    assert all(layer.scattering is None for layer in person.apply(stack).layers)
    adjusted = person.apply(stack, load_set("ex-vivo-optics"))
    dermis = [layer for layer in adjusted.layers if layer.preset == "dermis"]
    assert [layer.scattering for layer in dermis] == [EX_VIVO]
    assert dermis[0].resolved_tissue.scattering == EX_VIVO
    assert all(layer.scattering is None for layer in adjusted.layers if layer.preset != "dermis")
    # neuropathy swaps in the low-blood dermis, which scatters the same way
    neuropathic = Person(neuropathy=True).apply(stack, load_set("ex-vivo-optics"))
    assert [(layer.preset, layer.scattering) for layer in neuropathic.layers if layer.scattering] == [
        ("dermis-low-blood", EX_VIVO)]
    # a layer that brings its own scattering keeps it
    own = Scattering(a=1.0, b=1.0)
    custom = LayerStack(layers=[Layer(tissue="dermis", thickness=1.0, scattering=own), Layer(tissue="muscle")])
    assert person.apply(custom, load_set("ex-vivo-optics")).layers[0].resolved_tissue.scattering == own


def test_a_request_chooses_the_optics_by_its_parameter_set():
    common = {"placement": "pad-890", "site": "wrist", "exposure": "10 min"}
    in_vivo = depth_dose(DoseRequest(**common)).target()
    ex_vivo = depth_dose(DoseRequest(**common, parameters="ex-vivo-optics")).target()
    overrides = ParameterChoice(overrides={"optics.dermis.scattering.a [1/cm]": 45.3,
                                           "optics.dermis.scattering.b [1]": 1.292})
    overridden = depth_dose(DoseRequest(**common, parameters=overrides)).target()
    assert overridden.fluence_rate == pytest.approx(ex_vivo.fluence_rate, rel=1e-12)
    assert ex_vivo.fluence_rate / in_vivo.fluence_rate == pytest.approx(0.876, abs=0.01)
    result = optical_properties(OpticsRequest(tissue="dermis", wavelengths=[850], parameters="ex-vivo-optics"))
    assert result.records[0].musp == pytest.approx(2.282, rel=0.001)
    assert result.provenance.parameter_set == "ex-vivo-optics"
    bad = ParameterChoice(overrides={"optics.dermis.scattering.b [1]": -1.0})
    with pytest.raises(InputError, match="parameters.*scattering power law"):
        depth_dose(DoseRequest(**common, parameters=bad))


def test_the_fluence_under_pad_890_on_the_wrist_moves_with_the_dermal_scattering_as_expected():
    """pad-890 on the wrist, 5 mm down (in the muscle under 0.1 mm epidermis, 1 mm dermis, 1 mm fat, 1.5 mm
    ligament): only the dermis differs between the variants, so below it the three profiles keep a constant ratio.
    Expected: the high (ex-vivo) dermis scatters 2.06x more at 890 nm; attenuation across 1 mm of it alone,
    exp(-(mueff_high - mueff_nominal) x 1 mm), gives 0.94, and the light it sends back out of the skin takes the
    ratio to 0.87-0.88 (Monte Carlo, 200k photons: 0.874; the low variant 1.026 — tests/validation/
    test_optics_variants_mc.py). The low dermis scatters 0.76x as much: +2-4 %."""
    stack, person = sites.get("wrist"), DoseRequest(placement="pad-890", site="wrist", exposure="1 s").person
    beam = skin_beam(DoseRequest(placement="pad-890", site="wrist", exposure="1 s").placement)
    z = (np.arange(100) + 0.5) * 0.1
    rate = {}
    for bound, params in optics_variants(default_set()).items():
        own = person.apply(stack, params)
        profile = fluence_rate_on_axis(own, beam, z)[0].sum(axis=0)
        rate[bound] = profile
    at5 = {bound: float(log_interp(np.array([5.0]), z, r)[0]) for bound, r in rate.items()}
    assert at5["low"] > at5["nominal"] > at5["high"]
    assert at5["high"] / at5["nominal"] == pytest.approx(0.875, abs=0.015)
    assert at5["low"] / at5["nominal"] == pytest.approx(1.03, abs=0.015)
    attenuation_only = {}
    for bound, params in optics_variants(default_set()).items():
        attenuation_only[bound] = tissues.get("dermis", parameters=params).optical_properties(890.0).mueff[0]
    assert at5["high"] / at5["nominal"] < math.exp(-(attenuation_only["high"] - attenuation_only["nominal"]))
    deep = z > 3.7  # below the ligament: the same muscle in all three
    assert np.ptp(rate["high"][deep] / rate["nominal"][deep]) < 0.005
