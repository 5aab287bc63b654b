"""Tissue model: composition validation, vectorisation and range checks (property-based where it pays)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lightdose.errors import OutOfRangeError
from lightdose.optics.tissue import Tissue

fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
# Volume fractions drawn for valid tissues: zero, or large enough that fraction × μa is not a denormal number
# (a fraction of 5e-324 times μa rounds to 0, which is arithmetic, not physics).
present_fraction = st.one_of(st.just(0.0), st.floats(min_value=1e-9, max_value=1.0))


@st.composite
def valid_tissues(draw):
    """Compositions whose volume fractions sum to at most 1, with any saturation and realistic scattering."""
    weights = draw(st.lists(present_fraction, min_size=6, max_size=6))
    scale = draw(present_fraction)
    total = sum(weights) or 1.0
    b, w, f, m, bl, _rest = (scale * x / total for x in weights)
    return Tissue(
        blood=b,
        saturation=draw(fraction),
        water=w,
        fat=f,
        melanosome=m,
        baseline=bl,
        scattering={"a": draw(st.floats(0.5, 10.0)), "b": draw(st.floats(0.0, 4.0))},
        g=draw(st.floats(0.0, 0.99)),
    )


@settings(max_examples=200, deadline=None)
@given(tissue=valid_tissues(), wavelength=st.floats(min_value=450.0, max_value=1000.0))
def test_valid_composition_gives_finite_positive_coefficients(tissue, wavelength):
    op = tissue.optical_properties(wavelength)
    assert np.all(np.isfinite(op.mua)) and np.all(op.mua >= 0)
    assert np.all(np.isfinite(op.mus)) and np.all(op.mus > 0)
    if tissue.blood + tissue.water + tissue.fat + tissue.melanosome + tissue.baseline > 0:
        assert np.all(op.mua > 0)


@settings(max_examples=100, deadline=None)
@given(
    name=st.sampled_from(["blood", "saturation", "water", "fat", "melanosome", "baseline"]),
    value=st.one_of(st.floats(max_value=-1e-6, min_value=-1e6), st.floats(min_value=1.000001, max_value=1e6)),
)
def test_fraction_outside_unit_interval_is_rejected_naming_the_field(name, value):
    with pytest.raises(ValidationError) as info:
        Tissue(**{name: value}, scattering={"a": 1.0, "b": 1.0})
    assert name in str(info.value)


@settings(max_examples=100, deadline=None)
@given(weights=st.lists(st.floats(0.05, 1.0), min_size=5, max_size=5), excess=st.floats(1.001, 5.0))
def test_fractions_summing_above_one_are_rejected_naming_the_fields(weights, excess):
    names = ["blood", "water", "fat", "melanosome", "baseline"]
    total = sum(weights)
    values = {n: min(1.0, excess * w / total) for n, w in zip(names, weights, strict=True)}
    if sum(values.values()) <= 1.0 + 1e-9:  # clipping at 1 brought the sum back under 1
        return
    with pytest.raises(ValidationError) as info:
        Tissue(**values, scattering={"a": 1.0, "b": 1.0})
    message = str(info.value)
    assert "sum to" in message
    assert any(n in message for n in names)


def test_vectorised_equals_scalar():
    tissue = Tissue(blood=0.01, saturation=0.7, water=0.7, fat=0.1, scattering={"a": 2.0, "b": 1.2})
    wl = np.array([500.0, 660.0, 810.0, 940.0])
    vector = tissue.optical_properties(wl)
    for i, w in enumerate(wl):
        scalar = tissue.optical_properties(w)
        assert vector.mua[i] == scalar.mua[0]
        assert vector.mus[i] == scalar.mus[0]


def test_units_accepted_for_fractions_and_scattering():
    a = Tissue(water="65 %", scattering={"a": "46 1/cm", "b": 1.421})
    assert a.water == pytest.approx(0.65)
    assert a.scattering.a_prime == pytest.approx(4.6)


def test_out_of_range_wavelength_is_an_error_not_an_extrapolation():
    tissue = Tissue(blood=0.01, fat=0.2, scattering={"a": 1.0, "b": 1.0})
    assert tissue.wavelength_range_nm == (429.0, 1000.0)  # fat data start at 429 nm, hemoglobin end at 1000 nm
    with pytest.raises(OutOfRangeError, match="429–1000 nm"):
        tissue.optical_properties([810.0, 1050.0])
    with pytest.raises(OutOfRangeError):
        tissue.optical_properties(420.0)


def test_musp_and_mus_are_consistent():
    tissue = Tissue(water=0.7, scattering={"a": 2.0, "b": 1.0}, g=0.8)
    op = tissue.optical_properties([600.0, 800.0])
    np.testing.assert_allclose(op.musp, op.mus * 0.2)
    np.testing.assert_allclose(op.musp, 2.0 * (np.array([600.0, 800.0]) / 500.0) ** -1.0)


def test_dataset_carries_units():
    ds = Tissue(water=0.7, scattering={"a": 2.0, "b": 1.0}).optical_properties([630.0, 810.0]).to_dataset()
    assert ds["mua"].attrs["units"] == "1/mm"
    assert ds["delta"].attrs["units"] == "mm"
    assert ds["wavelength"].attrs["units"] == "nm"


def test_tissue_round_trips_through_json():
    tissue = Tissue(name="x", blood=0.01, water=0.6, scattering={"a": 2.0, "b": 1.0}, n=1.41)
    assert Tissue.model_validate_json(tissue.model_dump_json()) == tissue
