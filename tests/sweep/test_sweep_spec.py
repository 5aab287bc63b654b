"""The sweep file (ranges, draws, chunks, digests) and the uncertainty of a dose request, in this process."""

from __future__ import annotations

import numpy as np
import pytest

from lightdose.errors import FileFormatError
from lightdose.sweep.compute import assignment, cell_outputs
from lightdose.sweep.spec import compile_sweep, sweep_from_text
from lightdose.sweep.uncertainty import PERCENTILES, uncertainty
from lightdose.transport.dose import DoseRequest, depth_dose

BASE = "name: t\nbase:\n  dose: {placement: pad-890, site: ankle-medial, exposure: 30 min}\n"


def _sweep(body: str):
    text = BASE + body
    return compile_sweep(sweep_from_text(text, "s.yaml"), text=text, path="s.yaml")


def test_ranges_lists_and_draws_become_canonical_coordinates():
    sweep = _sweep("axes:\n  exposure: {from: 1 min, to: 100 min, steps: 3, scale: log}\n"
                   "  person.fat_thickness: {distribution: uniform, low: 2 mm, high: 2 cm, count: 4}\n"
                   "  person.skin_type: [I, VI]\n")
    exposure, fat, skin = sweep.dims
    assert exposure.fields[0][1] == (60.0, pytest.approx(600.0), 6000.0)
    assert fat.name == "person_fat_thickness" and "person_fat_thickness_value" in fat.coords
    assert all(2.0 <= v <= 20.0 for v in fat.fields[0][1])
    assert skin.fields[0][1] == ("I", "VI") and sweep.shape == (3, 4, 2)


def test_draws_are_reproducible_and_independent_of_the_other_fields():
    one = _sweep("samples:\n  count: 5\n  fields:\n    person.dermal_blood: {distribution: uniform, low: 0.2 %, "
                 "high: 2 %}\n")
    two = _sweep("seed: 1\nsamples:\n  count: 5\n  fields:\n    optics.scattering_scale: {distribution: log-uniform, "
                 "low: 0.5, high: 2}\n    person.dermal_blood: {distribution: uniform, low: 0.2 %, high: 2 %}\n")
    assert dict(one.dims[0].fields)["person.dermal_blood"] == dict(two.dims[0].fields)["person.dermal_blood"]
    assert one.digest != two.digest and one.digest == _sweep(
        "samples:\n  count: 5\n  fields:\n    person.dermal_blood: {distribution: uniform, low: 0.2 %, high: 2 %}\n"
    ).digest


def test_a_cell_is_the_stage_run_on_the_base_with_the_cell_values():
    sweep = _sweep("axes:\n  exposure: [10 min, 20 min]\n  placement.distance: [0 cm, 1 cm]\n")
    values = assignment(sweep, (1, 1))
    assert values == {"exposure": 1200.0, "placement.distance": 10.0}
    direct = depth_dose(DoseRequest(placement={"device": "pad-890", "distance": "1 cm"}, site="ankle-medial",
                                    exposure="20 min"))
    assert cell_outputs(sweep, values)["target_fluence"] == direct.targets[0].fluence


def test_chunks_cover_every_cell_once():
    sweep = _sweep("axes:\n  exposure: {from: 1 min, to: 10 min, steps: 7}\n  placement.distance: {from: 0 cm, "
                   "to: 2 cm, steps: 5}\nchunk_cells: 4\n")
    seen = np.zeros(sweep.shape, dtype=int)
    for chunk in range(sweep.n_chunks):
        seen[sweep.chunk_region(chunk)] += 1
    assert (seen == 1).all()


@pytest.mark.parametrize(("body", "needle"), [
    ("axes:\n  exposure: {distribution: normal, mean: 20 min, sd: 60 s, count: 3}\n", "write sd in the unit of mean"),
    ("axes:\n  optics.scattering_scale: [0.5, 20]\n", "outside the allowed range"),
    ("axes:\n  exposure: [10 min, 600 s]\n", "the same value as item 0"),
    ("axes:\n  exposure: [10 min]\nplot: {x: person.skin_type}\n", "is not one of the axes"),
])
def test_more_bad_files_name_the_line(body, needle):
    with pytest.raises(FileFormatError) as caught:
        _sweep(body)
    assert needle in str(caught.value) and "line" in str(caught.value)


def test_uncertainty_of_a_dose_request_gives_ordered_percentiles_from_draws_within_their_ranges():
    request = DoseRequest(placement="pad-890", site="ankle-medial", exposure="30 min")
    result = uncertainty(request, samples=12, seed=3)
    assert result.failed == 0 and result.dataset.sizes["sample"] == 12
    blood = result.dataset["person_dermal_blood"].values
    position = result.dataset["optics_scattering_position"].values
    assert ((blood >= 0.002) & (blood <= 0.02)).all() and ((position >= 0) & (position <= 1)).all()
    fluence = [result.percentiles["target_fluence"][p] for p in PERCENTILES]
    assert fluence == sorted(fluence) and fluence[0] < fluence[-1]
    again = uncertainty(request, samples=12, seed=3)
    assert again.percentiles == result.percentiles


def test_scenario_and_heat_sweeps_record_their_outputs(tmp_path, examples):
    from lightdose.sweep.run import decoded, open_result, run_sweep

    text = (f"name: knee\nbase:\n  scenario: {examples / 'knee-panel.yaml'}\naxes:\n  devices[0].distance: [10 cm, "
            "20 cm]\noutputs: [exposure, target_fluence, peak_skin_temperature, verdict, limiting_factor]\n")
    sweep = compile_sweep(sweep_from_text(text, "k.yaml"), text=text, path="k.yaml")
    ds = open_result(run_sweep(sweep, tmp_path / "k.zarr").store)
    assert dict(ds.sizes) == {"devices_0_distance": 2, "site": 1} and not ds["failed"].any()
    assert ds["verdict"].dtype == np.int8 and (ds["verdict"] >= 0).all()
    assert set(decoded(ds)["verdict"].values.ravel()) <= {"achievable", "limited", "not achievable"}
    assert ds["exposure"].notnull().all() and ds["exposure"].attrs["units"] == "s"

    text = ("name: heat\nbase:\n  heat: {placement: pad-890, site: ankle-medial, exposure: 5 min}\nsamples:\n"
            "  count: 2\n  fields:\n    optics.scattering_bound: {distribution: choice, values: [low, high]}\n")
    sweep = compile_sweep(sweep_from_text(text, "h.yaml"), text=text, path="h.yaml")
    ds = open_result(run_sweep(sweep, tmp_path / "h.zarr").store)
    assert ds["peak_skin_temperature"].notnull().all() and ds["cem43"].attrs["units"] == "min"
