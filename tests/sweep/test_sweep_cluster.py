"""Sweeps and the Monte Carlo on a real Dask cluster (worker processes on loopback): the same Dataset on one worker,
two workers or none, to the last bit, also when a worker is killed with SIGKILL in the middle of the run."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import xarray as xr

from lightdose.sweep.cluster import dask_client
from lightdose.sweep.mc import distributed_monte_carlo, task_ranges
from lightdose.sweep.run import done_chunks, open_result, run_sweep
from lightdose.sweep.spec import load_sweep
from lightdose.transport.mc import McRequest, monte_carlo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pytestmark = pytest.mark.slow  # each test uses worker processes (seconds to start and to warm up)


def _kill_a_busy_worker(client) -> int:
    """SIGKILL the process of a worker that has tasks under way (any worker if none has); return its pid."""
    processing = client.processing()
    address = next((a for a, keys in processing.items() if keys), next(iter(processing)))
    pid = client.run(os.getpid, workers=[address])[address]
    os.kill(pid, signal.SIGKILL)
    return pid


def _dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_one_and_two_workers_give_the_dataset_of_one_process(dose_sweep, client, tmp_path):
    sweep = load_sweep(dose_sweep)
    here = run_sweep(sweep, tmp_path / "here.zarr")
    on_two = run_sweep(sweep, tmp_path / "two.zarr", client=client)
    with dask_client(workers=1) as one_worker:
        on_one = run_sweep(sweep, tmp_path / "one.zarr", client=one_worker)
        # the settings a local cluster starts with (LOCAL_CLUSTER_CONFIG): glibc's adaptive allocator kept, even
        # though this test process already started Dask's default cluster (the `client` fixture), whose nannies put
        # MALLOC_TRIM_THRESHOLD_ into os.environ. A lambda reads the worker's environment; `os.environ.get` would
        # travel as a bound method with a copy of this process's
        assert set(one_worker.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_")).values()) == {None}
        assert "MALLOC_TRIM_THRESHOLD_" in os.environ  # this process's own, left as it was
    assert not (here.partial or on_one.partial or on_two.partial)
    assert on_two.chunks_computed == on_one.chunks_computed == sweep.n_chunks == 36
    reference = open_result(here.store)
    assert reference["target_fluence"].notnull().all() and not reference["failed"].any()
    assert open_result(on_one.store).identical(reference)
    assert open_result(on_two.store).identical(reference)


def _same_runs(a, b) -> None:
    assert len(a.runs) == len(b.runs)
    for x, y in zip(a.runs, b.runs, strict=True):
        assert set(x.dataset.variables) == set(y.dataset.variables)
        assert x.dataset.equals(y.dataset)  # every value and coordinate, NaN = NaN, to the last bit
        assert (x.rd, x.rd_se, x.a, x.tt, x.a_layer) == (y.rd, y.rd_se, y.a, y.tt, y.a_layer)


def test_distributed_monte_carlo_equals_one_process_bit_for_bit(client):
    request = McRequest(case="mcml-slab", photons=400_000, seed=11)
    assert task_ranges(400_000, 40_000) == [(16 * k, 16) for k in range(8)]  # 128 chunks of 3125, whole batches
    distributed = distributed_monte_carlo(request, client, task_photons=40_000)
    assert distributed.runs[0].dataset.attrs["workers"] == 2
    _same_runs(distributed, monte_carlo(request))
    _same_runs(distributed, monte_carlo(request.model_copy(update={"threads": 1})))


def test_a_worker_killed_during_a_sweep_changes_nothing(dose_sweep, client, tmp_path):
    sweep = load_sweep(dose_sweep)
    reference = open_result(run_sweep(sweep, tmp_path / "here.zarr").store)
    killed: list[int] = []

    def kill_once(done: int, total: int) -> None:
        if not killed and done < total // 2:
            killed.append(_kill_a_busy_worker(client))

    run = run_sweep(sweep, tmp_path / "killed.zarr", client=client, progress=kill_once)
    assert killed and _dead(killed[0])
    assert not run.partial and len(done_chunks(run.store)) == sweep.n_chunks
    assert open_result(run.store).identical(reference)


def test_a_worker_killed_during_a_distributed_monte_carlo_changes_nothing(client):
    request = McRequest(case="gardner", photons=400_000, seed=5)
    killed: list[int] = []

    def kill_once(done: int, total: int) -> None:
        if not killed and done < total // 2:
            killed.append(_kill_a_busy_worker(client))

    distributed = distributed_monte_carlo(request, client, task_photons=20_000, progress=kill_once)
    assert killed and _dead(killed[0])
    assert not distributed.partial
    _same_runs(distributed, monte_carlo(request))


def test_a_sweep_store_reads_back_as_one_dataset_with_the_axes_as_dimensions(dose_sweep, tmp_path):
    sweep = load_sweep(dose_sweep)
    ds = open_result(run_sweep(sweep, tmp_path / "s.zarr").store)
    assert dict(ds.sizes) == {"exposure": 3, "person_skin_type": 4, "placement_distance": 5}
    assert ds["target_fluence"].attrs["units"] == "J/mm^2" and ds["exposure"].attrs["units"] == "s"
    assert list(ds["person_skin_type"].values) == ["I", "III", "V", "VI"]
    assert isinstance(ds, xr.Dataset) and ds.attrs["cells"] == 60
    # more time at the same irradiance: more fluence at the target, in proportion
    ratio = ds["target_fluence"].isel(exposure=2) / ds["target_fluence"].isel(exposure=0)
    assert float(abs(ratio - 3.0).max()) < 1e-9


def test_a_plans_population_coverage_on_the_cluster_equals_the_one_made_here(client):
    """The virtual people's doses in blocks on two workers (five blocks, the last one short) give the coverage of the
    plan made in one process, to the bit: every person's dose, the fractions, the percentiles."""
    import numpy as np

    from lightdose.planning import load_scenario, plan
    from lightdose.sweep.coverage import dask_people_doses

    scenario = load_scenario(EXAMPLES / "carpal-tunnel-probe810.yaml")
    scenario = scenario.model_copy(update={"coverage": scenario.coverage.model_copy(update={"people": 300})})
    shares: list[float] = []
    there = plan(scenario, people_doses=dask_people_doses(client, block_people=64),
                 progress=lambda what, share: shares.append(share))
    here = plan(scenario)
    assert shares and shares == sorted(shares)
    for a, b in zip(here.sites, there.sites, strict=True):
        assert a.coverage is not None and b.coverage is not None and a.coverage.doses is not None
        assert a.coverage.people == 300 and np.array_equal(a.coverage.doses, b.coverage.doses)
        assert (a.coverage.below, a.coverage.in_window, a.coverage.above, a.coverage.unsafe, a.coverage.percentiles) \
            == (b.coverage.below, b.coverage.in_window, b.coverage.above, b.coverage.unsafe, b.coverage.percentiles)
