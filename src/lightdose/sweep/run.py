"""Running a sweep: the Zarr store its results stream into, chunk by chunk, and the loop that fills it — in this
process, or on a Dask cluster.

The store (a Zarr group, format 2) is laid out before any cell is computed: every output as an array over the
sweep's dimensions (plus ``site`` for a scenario) with the sweep's chunks, the coordinates, and ``failed`` (cells whose
request a stage refused). The client — never a worker — writes each chunk's values into its region when the chunk
comes back, then a small marker ``lightdose_done/<chunk>`` (written to a temporary name and renamed, so it exists
only once the values are on disk). ``resume`` reads the markers and computes only the chunks without one, after
checking that the store was made by the same sweep (:attr:`Sweep.digest`).

On Dask each chunk is one task with a fixed key (the sweep's digest and the chunk number), its inputs the sweep
(sent to the cluster once, as the result of a task the scheduler can rerun) and the chunk number. A worker lost
mid-task (killed, out of memory) has its tasks rerun elsewhere by Dask's scheduler; as a chunk's values depend on
nothing else, the store ends up the same.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from lightdose import __version__
from lightdose.errors import InputError
from lightdose.sweep.cluster import shared
from lightdose.sweep.compute import ChunkValues, compute_chunk
from lightdose.sweep.outputs import MISSING_CODE, OUTPUTS, decode
from lightdose.sweep.spec import Sweep

if TYPE_CHECKING:
    from distributed import Client

DONE_FOLDER = "lightdose_done"
"""The folder in the store holding one marker per finished chunk."""
SweepProgress = Callable[[int, int], None]
"""Called after each chunk is stored, with (cells done, cells in all)."""


@dataclass(frozen=True)
class SweepRun:
    """How a run of a sweep went. ``partial``: stopped (Ctrl-C) before every chunk was stored."""

    store: Path
    cells: int
    chunks_total: int
    chunks_computed: int
    """Chunks computed by this run."""
    chunks_skipped: int
    """Chunks already in the store (``resume``)."""
    cells_computed: int
    """Cells computed by this run."""
    cells_failed: int
    first_error: str | None
    seconds: float
    """Wall time of this run [s]."""
    partial: bool


# ------------------------------------------------------------------------------------------------------------ store


def template(sweep: Sweep) -> xr.Dataset:
    """The sweep's Dataset with every value missing (lazy Dask arrays: nothing is allocated)."""
    import dask.array as da

    dims = tuple(d.name for d in sweep.dims)
    coords: dict[str, Any] = {}
    for dim in sweep.dims:
        for name, (values, attrs) in dim.coords.items():
            coords[name] = xr.Variable((dim.name,), values, attrs)
    site_dims: tuple[str, ...] = ()
    chunks = sweep.chunks
    if sweep.sites:
        site_dims = ("site",)
        coords["site"] = xr.Variable(("site",), np.array(sweep.sites, dtype=str), {"long_name": "site of the plan"})
        chunks = chunks + (len(sweep.sites),)
    shape = sweep.shape + ((len(sweep.sites),) if sweep.sites else ())
    variables: dict[str, xr.Variable] = {}
    for name in sweep.outputs:
        output = OUTPUTS[name]
        fill = MISSING_CODE if output.codes is not None else np.nan
        variables[name] = xr.Variable(dims + site_dims, da.full(shape, fill, dtype=output.dtype, chunks=chunks),
                                      output.attrs())
    variables["failed"] = xr.Variable(dims, da.zeros(sweep.shape, dtype=bool, chunks=sweep.chunks),
                                      {"long_name": "the cell's request was refused by its stage (outputs missing)"})
    info: dict[str, str | int | float] = {
        "title": sweep.name, "description": sweep.description, "sweep_kind": sweep.kind,
        "sweep_digest": sweep.digest, "sweep_source": sweep.source, "seed": sweep.seed, "cells": sweep.cells,
        "chunks": sweep.n_chunks, "window_low": sweep.window[0], "window_high": sweep.window[1],
        "window_units": "J/mm^2", "lightdose_version": __version__,
        "solver": "lightdose.sweep (Dask; one task per chunk of cells)",
    }
    if sweep.target is not None:
        info["target"] = sweep.target
    return xr.Dataset(variables, coords=coords, attrs=info)


def _encoding(sweep: Sweep) -> dict[str, dict[str, Any]]:
    encoding: dict[str, dict[str, Any]] = {}
    for name in sweep.outputs:
        output = OUTPUTS[name]
        encoding[name] = {"_FillValue": MISSING_CODE if output.codes is not None else np.nan}
    return encoding


def _store_digest(store: Path) -> str | None:
    try:
        with xr.open_zarr(store, zarr_format=2, consolidated=True) as ds:
            return str(ds.attrs.get("sweep_digest"))
    except Exception:  # not a store at all (any reader error): the caller says so
        return None


def check_store(sweep: Sweep, store: Path, *, resume: bool = False, overwrite: bool = False) -> None:
    """Check, without writing anything, that the store at `store` can take `sweep`: a new path in an existing
    folder; with `resume` a store this sweep made; with `overwrite` a sweep store (never any other folder). Each
    problem is one :class:`InputError`, found before any work starts."""
    if resume and overwrite:
        raise InputError("--resume", "give --resume (continue the store) or --overwrite (start again), not both")
    if not store.parent.is_dir():
        raise InputError("--store", f"{store.parent} is not an existing folder")
    if not store.exists():
        return
    if resume or overwrite:
        digest = _store_digest(store)
        if digest is None:
            raise InputError("--store", f"{store} exists and is not a sweep store; give another --store")
        if resume and digest != sweep.digest:
            raise InputError("--resume", f"{store} holds the results of another sweep (or of this file before it "
                                         "was changed, or of another lightdose version); use --overwrite to start "
                                         "again, or another --store")
        return
    raise InputError("--store", f"{store} already exists; --resume continues it, --overwrite replaces it")


def prepare_store(sweep: Sweep, store: Path, *, resume: bool = False, overwrite: bool = False) -> set[int]:
    """Make the store at `store` for `sweep` (or, with `resume`, keep the one there) once :func:`check_store`
    allows it, and return the chunks already in it."""
    check_store(sweep, store, resume=resume, overwrite=overwrite)
    if store.exists() and resume:
        return done_chunks(store)
    if store.exists():
        shutil.rmtree(store)
    template(sweep).to_zarr(store, mode="w", compute=False, encoding=_encoding(sweep), zarr_format=2,
                            consolidated=True)
    (store / DONE_FOLDER).mkdir()
    return set()


def done_chunks(store: Path) -> set[int]:
    """The chunks whose values are in the store (those with a marker)."""
    folder = store / DONE_FOLDER
    if not folder.is_dir():
        return set()
    return {int(name) for name in os.listdir(folder) if name.isdigit()}


def write_chunk(sweep: Sweep, store: Path, values: ChunkValues) -> None:
    """Write one chunk's values into its region of the store, then its marker."""
    import zarr

    group = zarr.open_group(store, mode="r+", zarr_format=2)
    region = sweep.chunk_region(values.chunk)
    for name, array in (*values.values.items(), ("failed", values.failed)):
        target = group[name]
        assert isinstance(target, zarr.Array)
        target[region] = array
    marker = store / DONE_FOLDER / str(values.chunk)
    temporary = marker.with_suffix(".tmp")
    temporary.write_text(json.dumps({"failed": int(values.failed.sum()), "first_error": values.first_error,
                                     "seconds": values.seconds}))
    temporary.replace(marker)


def _chunk_notes(store: Path) -> tuple[int, str | None]:
    """(cells failed, the first refusal's message) over every stored chunk."""
    failed, first = 0, None
    folder = store / DONE_FOLDER
    for name in sorted(done_chunks(store)):
        note = json.loads((folder / str(name)).read_text())
        failed += int(note["failed"])
        first = first or note["first_error"]
    return failed, first


def open_result(store: Path) -> xr.Dataset:
    """The Dataset in a store (loaded into memory; the store is closed)."""
    # the fill values stay as stored (NaN for numbers, MISSING_CODE for coded outputs), so that the codes stay
    # integers: a CF mask would turn every coded output into floats
    with xr.open_zarr(store, zarr_format=2, consolidated=True, mask_and_scale=False) as ds:
        loaded: xr.Dataset = ds.load()
    for variable in loaded.variables.values():
        variable.attrs.pop("_FillValue", None)
        variable.encoding = {}
    return loaded


# -------------------------------------------------------------------------------------------------------- running


def _run_here(sweep: Sweep, todo: list[int], on_chunk: Callable[[ChunkValues], None]) -> None:
    for chunk in todo:
        on_chunk(compute_chunk(sweep, chunk))


def _run_on(client: Client, sweep: Sweep, todo: list[int], on_chunk: Callable[[ChunkValues], None]) -> None:
    from distributed import as_completed

    on_cluster = shared(client, sweep)
    futures = [client.submit(compute_chunk, on_cluster, chunk, key=f"lightdose-sweep-{sweep.digest}-{chunk}",
                             pure=False) for chunk in todo]
    try:
        for future in as_completed(futures):
            on_chunk(future.result())
            future.release()
    finally:
        client.cancel(futures)
        client.cancel([on_cluster])


def _cells_of(sweep: Sweep, chunks: set[int] | list[int]) -> int:
    return sum(int(np.prod([s.stop - s.start for s in sweep.chunk_region(c)])) for c in chunks)


class _CtrlC:
    """Ctrl-C during a sweep: raised at once while the client waits for results, but held back while a chunk is
    being written (Zarr's own event-loop thread would swallow it there, and the run would go on to the end) and
    raised right after that write. In the main thread only; elsewhere Python's default handling stays."""

    def __init__(self) -> None:
        self.pressed = False
        self.writing = False
        self.installed = False
        self.previous: Any = None

    def _handler(self, signum: int, frame: Any) -> None:
        self.pressed = True
        if not self.writing:
            raise KeyboardInterrupt

    def __enter__(self) -> _CtrlC:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handler)
            self.installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self.previous if self.previous is not None else signal.default_int_handler)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        self.writing = True
        try:
            yield
        finally:
            self.writing = False
        if self.pressed:
            raise KeyboardInterrupt


def run_sweep(sweep: Sweep, store: str | Path, *, client: Client | None = None, resume: bool = False,
              overwrite: bool = False, progress: SweepProgress | None = None) -> SweepRun:
    """Compute the cells of `sweep` into the Zarr store at `store`: on `client`'s Dask cluster, or in this process
    when None. With `resume`, only the chunks not yet in the store. Ctrl-C (:class:`KeyboardInterrupt`) stops the
    run with the chunks finished so far stored: the result is flagged ``partial`` and a later ``resume`` completes
    it."""
    start = time.perf_counter()
    path = Path(store)
    done = prepare_store(sweep, path, resume=resume, overwrite=overwrite)
    todo = [chunk for chunk in range(sweep.n_chunks) if chunk not in done]
    counted = {"cells": _cells_of(sweep, done), "chunks": 0, "computed": 0}

    ctrl_c = _CtrlC()

    def on_chunk(values: ChunkValues) -> None:
        with ctrl_c.deferred():
            write_chunk(sweep, path, values)
        counted["chunks"] += 1
        counted["cells"] += int(values.failed.size)
        counted["computed"] += int(values.failed.size)
        if progress is not None:
            progress(counted["cells"], sweep.cells)

    partial = False
    try:
        with ctrl_c:
            if client is None:
                _run_here(sweep, todo, on_chunk)
            else:
                _run_on(client, sweep, todo, on_chunk)
    except KeyboardInterrupt:
        partial = True
    failed, first = _chunk_notes(path)
    return SweepRun(store=path, cells=sweep.cells, chunks_total=sweep.n_chunks, chunks_computed=counted["chunks"],
                    chunks_skipped=len(done), cells_computed=counted["computed"], cells_failed=failed,
                    first_error=first,
                    seconds=time.perf_counter() - start, partial=partial or len(done_chunks(path)) < sweep.n_chunks)


# -------------------------------------------------------------------------------------------------------- exports


def decoded(ds: xr.Dataset) -> xr.Dataset:
    """`ds` with its coded outputs (verdict, limiting factor) as words."""
    out = ds.copy()
    for name in ds.data_vars:
        if name in OUTPUTS and OUTPUTS[str(name)].codes is not None:
            attrs = {k: v for k, v in ds[name].attrs.items() if k not in ("flag_values", "flag_meanings", "units")}
            out[name] = (ds[name].dims, decode(str(name), ds[name].values), attrs)
    return out


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write `ds` to NetCDF (NetCDF-3 through SciPy: no extra library)."""
    out = Path(path)
    plain = ds.copy()
    for name in plain.variables:
        if plain[name].dtype == bool:
            plain[name] = plain[name].astype(np.int8)
        plain[name].encoding = {}
    for name, coord in plain.coords.items():
        if coord.dtype.kind == "U":
            plain = plain.assign_coords({name: coord.astype("S")})
    plain.to_netcdf(out, engine="scipy")
    return out


def write_csv(ds: xr.Dataset, path: str | Path) -> Path:
    """Write `ds` as CSV: one row per cell (and site), one column per coordinate and output, with units in the
    column names (``target_fluence [J/mm^2]``); coded outputs as words."""
    out = Path(path)
    table = decoded(ds).to_dataframe().reset_index()
    names = {}
    for column in table.columns:
        units = ds[column].attrs.get("units") if column in ds.variables else None
        names[column] = f"{column} [{units}]" if units and units != "1" else str(column)
    table.rename(columns=names).to_csv(out, index=False)
    return out


__all__ = ["DONE_FOLDER", "SweepProgress", "SweepRun", "check_store", "decoded", "done_chunks", "open_result",
           "prepare_store", "run_sweep", "template", "write_chunk", "write_csv", "write_netcdf"]
