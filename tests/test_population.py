"""Virtual people: seeded, reproducible, and drawn from the stated distributions."""

import numpy as np
import pytest

from lightdose.anatomy import sites
from lightdose.anatomy.population import PopulationModel, sample_people


def test_same_seed_same_people_other_seed_other_people():
    model = PopulationModel(neuropathy_fraction=0.5)
    a, b, c = sample_people(model, 200, 7), sample_people(model, 200, 7), sample_people(model, 200, 8)
    assert np.array_equal(a.bmi, b.bmi) and np.array_equal(a.skin_type, b.skin_type)
    assert not np.array_equal(a.bmi, c.bmi)


def test_distributions():
    people = sample_people(PopulationModel(skin_types={"I": 0, "V": 3, "VI": 1}, neuropathy_fraction=0.25), 4000, 1)
    assert set(people.skin_type) == {"V", "VI"}
    assert np.mean(people.skin_type == "V") == pytest.approx(0.75, abs=0.03)
    assert np.median(people.bmi) == pytest.approx(25.0, rel=0.02)
    assert np.percentile(people.bmi, 95) == pytest.approx(25.0 * np.exp(1.645 * 0.17), rel=0.03)
    assert np.mean(people.neuropathy) == pytest.approx(0.25, abs=0.02)
    assert people.dermal_blood[people.neuropathy].max() <= 0.0063
    assert 0.002 <= people.dermal_blood.min() and people.dermal_blood.max() <= 0.02
    assert 0.85 <= people.plantar_pad_scale.min() and people.plantar_pad_scale.max() <= 1.15


def test_a_virtual_person_changes_the_stack():
    people = sample_people(PopulationModel(), 3, 2)
    heel = sites.get("heel")
    own = people.person(0).apply(heel)
    pad = next(layer for layer in own.layers if layer.plantar_pad)
    assert pad.thickness == pytest.approx(17.0 * people.plantar_pad_scale[0])
    depth = people.target_depth(0, own.targets[0])
    assert own.targets[0].depth_min <= depth <= own.targets[0].depth_max


def test_invalid_weights_are_refused():
    with pytest.raises(ValueError):
        PopulationModel(skin_types={"III": -1.0})
