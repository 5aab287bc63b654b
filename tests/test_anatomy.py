import pytest
from pydantic import ValidationError

from lightdose.anatomy import Layer, LayerStack, Person, Target, sites
from lightdose.anatomy.person import map_depth
from lightdose.errors import InputError

REQUIRED_SITES = {
    "foot-dorsum": {"deep-peroneal-nerve", "superficial-peroneal-nerve"},
    "ankle-medial": {"tibial-nerve"},
    "ankle-lateral": {"sural-nerve"},
    "forefoot-plantar": {"plantar-digital-nerves"},
    "heel": {"plantar-nerves"},
    "wrist": {"median-nerve"},
    "elbow": {"ulnar-nerve"},
    "knee": {"joint-capsule"},
    "lower-back": {"paraspinal-muscle"},
}


def test_every_required_site_exists_with_its_targets_and_a_reference():
    assert set(sites.names()) == set(REQUIRED_SITES)
    for name, targets in REQUIRED_SITES.items():
        stack = sites.get(name)
        assert {t.name for t in stack.targets} == targets
        assert stack.reference
        assert stack.layers[-1].thickness is None  # semi-infinite bottom


def test_target_depths_follow_science_brief():
    assert (sites.get("ankle-medial").target("tibial-nerve").depth_min,
            sites.get("ankle-medial").target("tibial-nerve").depth_max) == (5.0, 15.0)
    assert sites.get("heel").target("plantar-nerves").depth_min == 15.0


def test_unknown_site_lists_the_valid_ones():
    with pytest.raises(InputError) as info:
        sites.get("ankel-medial")
    assert "'ankle-medial'" in str(info.value)
    for name in REQUIRED_SITES:
        assert name in str(info.value)


def test_unknown_tissue_in_a_layer_is_rejected():
    with pytest.raises(ValidationError, match="unknown tissue"):
        Layer(tissue="skinn", thickness=1.0)


def test_only_last_layer_may_be_semi_infinite():
    with pytest.raises(ValidationError, match="only the last layer"):
        LayerStack(layers=[Layer(tissue="dermis"), Layer(tissue="muscle")])


def test_target_range_must_be_ordered():
    with pytest.raises(ValidationError, match="shallower"):
        Target(name="x", depth_min="8 mm", depth_max="0.5 cm")


def test_thickness_units_and_layer_lookup():
    stack = LayerStack(layers=[Layer(tissue="epidermis", thickness="100 um"),
                               Layer(tissue="dermis", thickness="0.15 cm"), Layer(tissue="muscle")])
    assert stack.boundaries[:3] == pytest.approx([0.0, 0.1, 1.6])
    assert stack.layer_index_at(0.05) == 0
    assert stack.layer_index_at(0.1) == 1
    assert stack.layer_index_at(50.0) == 2


def test_skin_type_changes_only_the_epidermis():
    base = sites.get("wrist")
    dark = Person(skin_type="VI").apply(base)
    assert dark.layers[0].tissue == "epidermis-VI"
    assert dark.layers[1:] == base.layers[1:]
    assert Person(skin_type=2).skin_type == "II"
    with pytest.raises(ValidationError, match="Fitzpatrick"):
        Person(skin_type="VIII")


def test_measured_fat_thickness_moves_deeper_targets_by_the_difference():
    base = sites.get("ankle-medial")  # fat 3 mm from 1.3 to 4.3 mm; tibial nerve 5–15 mm (below the fat)
    thick = Person(fat_thickness="6 mm").apply(base)
    assert thick.layers[2].thickness == pytest.approx(6.0)
    assert thick.target("tibial-nerve").depth_min == pytest.approx(8.0)
    assert thick.target("tibial-nerve").depth_max == pytest.approx(18.0)


def test_bmi_rule_scales_subcutaneous_fat_but_not_plantar_pads():
    back = Person(bmi=35).apply(sites.get("lower-back"))
    assert back.layers[2].thickness == pytest.approx(20.0)  # (35 − 15)/(25 − 15) × 10 mm
    heel = Person(bmi=35).apply(sites.get("heel"))
    assert heel.layers[3].thickness == pytest.approx(17.0)
    with pytest.raises(ValidationError, match="not both"):
        Person(bmi=30, fat_thickness=5.0)
    with pytest.raises(ValidationError, match="bmi"):
        Person(bmi=70)


def test_neuropathy_thins_the_forefoot_pad_and_lowers_dermal_blood():
    base = sites.get("forefoot-plantar")
    neuro = Person(neuropathy=True).apply(base)
    # forefoot pads 5.7–7.8 mm without and 4.0–6.2 mm with neuropathy: the ratio of the mid-ranges
    assert neuro.layers[3].thickness == pytest.approx(6.5 * ((4.0 + 6.2) / 2) / ((5.7 + 7.8) / 2))
    assert neuro.layers[2].tissue == "dermis-low-blood"
    # targets inside the pad move up with it, in proportion
    assert neuro.target("plantar-digital-nerves").depth_max < base.target("plantar-digital-nerves").depth_max
    assert Person(neuropathy=True).apply(sites.get("heel")).layers[3].thickness == pytest.approx(17.0)


def test_map_depth_is_identity_for_an_unchanged_stack():
    stack = sites.get("knee")
    for depth in (0.0, 0.05, 3.0, 9.0, 40.0):
        assert map_depth(depth, stack, stack) == pytest.approx(depth)


def test_dermal_blood_sets_the_dermis_composition_and_is_bounded():
    stack = Person(dermal_blood="2 %", neuropathy=True).apply(sites.get("wrist"))
    dermis = stack.layers[1].resolved_tissue
    assert dermis.blood == pytest.approx(0.02)
    assert dermis.water == pytest.approx(0.65)
    mua_low = Person(dermal_blood=0.002).apply(sites.get("wrist")).layers[1].resolved_tissue.absorption(660.0)
    assert dermis.absorption(660.0) > mua_low
    with pytest.raises(ValidationError, match="dermal_blood"):
        Person(dermal_blood=0.5)
