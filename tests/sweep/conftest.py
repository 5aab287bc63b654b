"""Shared set-up of the sweep tests: small sweep files and one real Dask cluster (two worker processes on loopback,
one thread each) started once for the tests that need it and torn down after them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

DOSE_SWEEP = """\
name: pad distance, time and skin type
base:
  dose:
    placement: pad-890
    site: ankle-medial
    exposure: 30 min
axes:
  exposure: [10 min, 20 min, 30 min]
  person.skin_type: [I, III, V, VI]
  placement.distance: {from: 0 cm, to: 2 cm, steps: 5}
outputs: [target_fluence, target_fluence_rate, surface_irradiance]
chunk_cells: 2
"""
"""60 cells of the dose stage (about 30 ms each) in 36 chunks: many small tasks, so that a worker can be killed while
it holds some."""


@pytest.fixture
def dose_sweep(tmp_path: Path) -> Path:
    path = tmp_path / "dose-sweep.yaml"
    path.write_text(DOSE_SWEEP)
    return path


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A LocalCluster of two worker processes (nannies restart a killed worker) on 127.0.0.1, no dashboard; closed
    after the module that uses it (closed at the end of the whole session, after the web tests' event loops, its
    teardown failed)."""
    from distributed import LocalCluster

    local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                         dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)
    try:
        yield local
    finally:
        local.close()


@pytest.fixture
def client(cluster: object) -> Iterator[object]:
    """A client of :func:`cluster`, once both workers are up (a test may have killed one)."""
    from distributed import Client

    with Client(cluster) as c:
        c.wait_for_workers(2, timeout=120)
        yield c
