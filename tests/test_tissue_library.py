import numpy as np
import pytest

from lightdose import tissues
from lightdose.errors import InputError

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
    # SCIENCE.md §1: δ ~3–8 mm at 800–850 nm, ~2–5 mm at 630–660 nm in soft tissue
    for name in ("muscle", "dermis"):
        op = tissues.get(name).optical_properties([660.0, 810.0])
        assert op.delta[1] > op.delta[0]
        assert 3.0 <= op.delta[1] <= 8.0
