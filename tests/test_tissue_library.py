import numpy as np
import pytest
from pydantic import ValidationError

from lightdose import tissues
from lightdose.errors import InputError
from lightdose.model_base import describe_validation_error
from lightdose.optics import OpticsRequest, optical_properties
from lightdose.optics.penetration import effective_attenuation_coefficient, penetration_depth
from lightdose.parameters import load_set
from lightdose.provenance import Provenance
from lightdose.units import USER_INPUT

REQUIRED = [
    "stratum-corneum",
    *(f"epidermis-{t}" for t in ("I", "II", "III", "IV", "V", "VI")),
    "dermis-low-blood",
    "dermis-high-blood",
    "blood",
    "subcutaneous-fat",
    "muscle",
    "nerve",
    "tendon-fascia",
    "bone",
]


def test_library_has_the_required_presets_with_references():
    for name in REQUIRED:
        tissue = tissues.get(name)
        assert tissue.name == name
        assert len(tissue.reference) > 20, f"{name} lacks a reference"


@pytest.mark.parametrize("name", tissues.names())
def test_every_preset_is_physical_over_450_to_1000_nm(name):
    op = tissues.get(name).optical_properties(np.arange(450.0, 1001.0, 10.0))
    assert np.all(np.isfinite(op.mua)) and np.all(op.mua > 0)
    assert np.all(op.mus >= 0)


def test_melanin_rises_with_skin_type():
    mua = [tissues.get("epidermis", skin_type=t).optical_properties(810.0).mua[0] for t in range(1, 7)]
    assert all(a < b for a, b in zip(mua, mua[1:], strict=False))


def test_skin_type_spellings():
    assert tissues.get("epidermis", skin_type="iv").name == "epidermis-IV"
    assert tissues.get("epidermis", skin_type=4).name == "epidermis-IV"
    assert tissues.get("epidermis").name == "epidermis-III"
    with pytest.raises(InputError, match="I–VI"):
        tissues.get("epidermis", skin_type="VII")
    with pytest.raises(InputError, match="epidermis presets only"):
        tissues.get("dermis", skin_type="II")


def test_unknown_name_lists_all_names_and_suggests():
    with pytest.raises(InputError) as info:
        tissues.get("dermus")
    message = str(info.value)
    assert "'dermis'" in message
    for name in tissues.names():
        assert name in message


def test_nir_penetrates_deeper_than_red_in_soft_tissue():
    # δ ~3–8 mm at 800–850 nm, ~2–5 mm at 630–660 nm in soft tissue (lightdose's expected range for the optical
    # properties of Jacques 2013, Phys Med Biol 58:R37: muscle, and the dermis with ex-vivo scattering)
    ex_vivo = load_set("ex-vivo-optics")
    for name in ("muscle", "dermis"):
        op = tissues.get(name, parameters=ex_vivo).optical_properties([660.0, 810.0])
        assert op.delta[1] > op.delta[0]
        assert 3.0 <= op.delta[1] <= 8.0
    # Living dermis scatters 1.8-2.0x less at 660-810 nm (Jonasson et al. 2018, J Biomed Opt 23:121608), so δ, which
    # goes as 1/sqrt(mus') where mus' >> mua, is 1.3-1.45x longer.
    in_vivo = tissues.get("dermis").optical_properties([660.0, 810.0])
    ratio = in_vivo.delta / tissues.get("dermis", parameters=ex_vivo).optical_properties([660.0, 810.0]).delta
    assert np.all((1.3 < ratio) & (ratio < 1.45)), ratio


def test_skin_type_of_a_preset():
    assert [tissues.skin_type_of(f"epidermis-{t}") for t in tissues.ROMAN_SKIN_TYPES] == list(tissues.ROMAN_SKIN_TYPES)
    assert tissues.skin_type_of("epidermis") == "III" and tissues.skin_type_of("dermis") is None


def test_the_optics_stage_answers_in_canonical_units_with_provenance():
    request = OpticsRequest(tissue="epidermis", wavelengths=["660 nm", 850], skin_type=4)
    result = optical_properties(request)
    assert (result.tissue, result.skin_type, request.skin_type) == ("epidermis-IV", "IV", "IV")
    expected = tissues.get("epidermis-IV").optical_properties([660.0, 850.0])
    assert [r.wavelength for r in result.records] == [660.0, 850.0]
    assert [r.mua for r in result.records] == list(expected.mua)
    assert [r.delta for r in result.records] == list(expected.delta)
    assert result.provenance == Provenance.of(request, "default")
    ds = result.dataset
    assert ds.attrs["tissue"] == "epidermis-IV" and ds.attrs["request_hash"] == result.provenance.request_hash
    assert ds["mua"].attrs["units"] == "1/mm" and ds["delta"].attrs["units"] == "mm"
    assert OpticsRequest.model_validate_json(request.model_dump_json()) == request  # round-trips


@pytest.mark.parametrize(("fields", "problem"), [
    ({"tissue": "dermus", "wavelengths": [810]}, "tissue: unknown tissue 'dermus'"),
    ({"tissue": "dermis", "wavelengths": [810], "skin_type": "II"}, "skin_type: applies to the epidermis"),
    ({"tissue": "epidermis", "wavelengths": [810], "skin_type": "VII"}, "skin_type: 'VII' is not a Fitzpatrick"),
    ({"tissue": "water", "wavelengths": ["1200 nm"]}, "wavelength: 1200 nm is outside the supported range 395–1109"),
    ({"tissue": "dermis", "wavelengths": []}, "wavelengths: give 1 to 1000 wavelengths, got 0"),
    ({"tissue": "dermis", "wavelengths": ["9**9**9 nm"]}, "wavelengths[0]: cannot read '9**9**9 nm'"),
])
def test_the_optics_request_refuses_what_it_cannot_answer(fields, problem):
    with pytest.raises(ValidationError) as caught:
        OpticsRequest.model_validate(fields, context=USER_INPUT)
    assert describe_validation_error(caught.value).startswith(problem)


def test_mueff_and_delta_have_one_definition():
    op = tissues.get("dermis").optical_properties([660.0, 810.0])
    np.testing.assert_array_equal(op.mueff, effective_attenuation_coefficient(op.mua, op.musp))
    np.testing.assert_array_equal(op.delta, penetration_depth(op.mua, op.musp))
    np.testing.assert_allclose(op.delta * op.mueff, 1.0)
    assert penetration_depth(0.0, 1.0) == np.inf  # nothing absorbs: no attenuation
