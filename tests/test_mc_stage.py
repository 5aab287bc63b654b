"""The Monte Carlo stage: McRequest → monte_carlo → McResult."""

import os
import signal

import numpy as np
import pytest
from pydantic import ValidationError

from lightdose.errors import FileFormatError
from lightdose.model_base import describe_validation_error
from lightdose.provenance import Provenance
from lightdose.transport.mc import McRequest, monte_carlo

TWO_RUNS = """\
1.0
2
first.mco A
{photons}
0.01 0.01
20 10 5
2
1.0
1.4 1 90 0.75 0.02
1.4 0.5 50 0.9 0.05
1.0
second.mco A
3000
0.01 0.01
20 10 5
1
1.0
1.5 1 100 0.9 {thickness}
1.0
"""


def write(tmp_path, photons=4000, thickness="0.1"):
    path = tmp_path / "two.mci"
    path.write_text(TWO_RUNS.format(photons=photons, thickness=thickness))
    return path


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({}, "case: give an .mci file or a case (mcml-slab"),
        ({"mci": "a.mci", "case": "gardner"}, "case: give an .mci file or a case, not both"),
        ({"case": "gardnr"}, "case: 'gardnr' is not a Monte Carlo case"),
        ({"case": "gardner", "photons": 0}, "photons"),
        ({"case": "gardner", "seed": -1}, "seed"),
        ({"case": "gardner", "threads": 10_000}, "threads: 10000 must be in [1,"),
    ],
)
def test_bad_request_names_the_field(fields, needle):
    with pytest.raises(ValidationError) as info:
        McRequest(**fields)
    assert needle in describe_validation_error(info.value)


def test_request_round_trips_to_json():
    request = McRequest(case="gardner", photons=1000, seed=3)
    assert McRequest.model_validate_json(request.model_dump_json()) == request


def test_result_holds_every_run_with_typed_fields_and_provenance(tmp_path):
    request = McRequest(mci=write(tmp_path), seed=4)
    result = monte_carlo(request)
    assert [run.name for run in result.runs] == ["first.mco", "second.mco"]
    assert not result.partial and result.runs_requested == 2
    assert result.provenance == Provenance.of(request)
    first = result.runs[0]
    assert first.photons == first.photons_requested == 4000 and first.seed == 4 and not first.partial
    assert first.rsp + first.rd + first.a + first.tt == pytest.approx(1.0, abs=1e-12)
    assert len(first.a_layer) == len(first.a_layer_se) == 2 and sum(first.a_layer) == pytest.approx(first.a)
    assert first.scored_weight == pytest.approx(1.0 - first.rsp, abs=5 * first.scored_weight_se + 1e-12)
    assert first.references == ()
    ds = first.dataset
    assert ds.attrs["request_hash"] == result.provenance.request_hash
    for key, value in ds.attrs.items():
        assert isinstance(value, str | int | float) and not isinstance(value, bool), key
    np.testing.assert_array_equal(ds["rd"].values, first.rd)


def test_a_case_carries_its_references():
    result = monte_carlo(McRequest(case="gardner", photons=2000))
    (run,) = result.runs
    assert run.name == "gardner" and run.photons == 2000 and len(run.references) == 5


def test_ctrl_c_returns_the_partial_run_and_starts_no_other(tmp_path):
    """The first run has 128 chunks of 3125 photons (batches of 50 000): Ctrl-C during its second batch."""
    sent = []

    def interrupt(done: int, total: int | None) -> None:
        if done > 50_000 and not sent:
            sent.append(done)
            os.kill(os.getpid(), signal.SIGINT)

    result = monte_carlo(McRequest(mci=write(tmp_path, photons=400_000)), progress=interrupt)
    assert sent and result.partial
    (run,) = result.runs
    assert run.partial and 0 < run.photons < run.photons_requested == 400_000


def test_a_run_that_cannot_finish_names_the_file_and_line(tmp_path):
    path = write(tmp_path, thickness="1e6")
    path.write_text(path.read_text().replace("1.5 1 100 0.9 1e6", "1.5 0 100 0.99 1e6"))
    with pytest.raises(FileFormatError, match=r"two.mci, line 12: run second.mco: layers: a photon packet"):
        monte_carlo(McRequest(mci=path, photons=2000))


def test_ranges_of_whole_batches_merged_in_order_give_the_one_process_run_to_the_bit():
    """What the Dask Monte Carlo does, without Dask: 300 001 photons (a last chunk with the remainder, a last batch
    of fewer than 16 chunks) run as three ranges of whole batches, reduced where they ran and merged in order."""
    from lightdose.transport.mc.runner import TallyMerger, run_chunks, simulate
    from lightdose.transport.mc.stage import run_specs

    spec = run_specs(McRequest(case="gardner", photons=300_001))[0]
    common = {"photons": spec.photons, "seed": 7, "grid": spec.grid}
    reference = simulate(spec.stack, **common)
    merger = TallyMerger(spec.stack, **common)
    for first, n in ((0, 48), (48, 64), (112, 16)):  # the run's 128 chunks: 3 ranges
        merger.add(run_chunks(spec.stack, first_chunk=first, n_chunks=n, **common))
    assert merger.complete and merger.photons_merged == 300_001
    assert merger.dataset(wall_seconds=1.0).equals(reference)


@pytest.mark.parametrize(("first", "n", "needle"), [(8, 16, "not whole batches"), (0, 20, "not whole batches"),
                                                     (112, 32, "outside the run's 128 chunks")])
def test_a_range_that_splits_a_batch_is_refused(first, n, needle):
    from lightdose.errors import InputError
    from lightdose.transport.mc.runner import run_chunks
    from lightdose.transport.mc.stage import run_specs

    spec = run_specs(McRequest(case="gardner", photons=300_001))[0]
    with pytest.raises(InputError, match=needle):
        run_chunks(spec.stack, photons=spec.photons, seed=7, first_chunk=first, n_chunks=n, grid=spec.grid)
