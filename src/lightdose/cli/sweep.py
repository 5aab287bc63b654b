"""`lightdose sweep`: a parameter sweep from a sweep file, in this process or on a Dask cluster, into a Zarr store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from lightdose.cli import options
from lightdose.cli.app import INTERRUPTED_EXIT, app, console, err_console, print_json, user_errors_exit_cleanly
from lightdose.cli.progress import status_line

if TYPE_CHECKING:
    from lightdose.sweep.run import SweepRun
    from lightdose.sweep.spec import Sweep


@app.command()
@user_errors_exit_cleanly
def sweep(
    file: str = typer.Argument(..., help="Sweep file (YAML): a base and the axes to vary it along (docs/sweeps.md)."),
    store: str | None = typer.Option(None, "--store", help="Zarr store to write (default: the file's name with "
                                                           ".zarr, in the current folder)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the store: compute only the chunks not in it."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing store of a sweep."),
    workers: int | None = options.WORKERS,
    scheduler: str | None = options.SCHEDULER,
    yes: bool = typer.Option(False, "--yes", help="Run a sweep of more than a million cells (up to 1e9)."),
    netcdf: str | None = typer.Option(None, "--netcdf", help="Also write the results to this NetCDF file (.nc)."),
    csv: str | None = typer.Option(None, "--csv", help="Also write the results as CSV, one row per cell."),
    png: str | None = typer.Option(None, "--png", help="Write the summary plot (heat maps of the target dose over "
                                                       "two axes and the share in the window) to this .png."),
    json_output: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
) -> None:
    """Sweep a scenario or a dose, heat or perfusion request over axes of field values: every cell's outputs into
    one Dataset (the axes as dimensions) written chunk by chunk to a Zarr store.

    Ctrl-C stops the run with the chunks finished so far in the store (exit status 130); --resume completes it."""
    from lightdose.sweep.cluster import resolve_target
    from lightdose.sweep.run import check_store
    from lightdose.sweep.spec import MAX_CELLS, MAX_CELLS_WITHOUT_YES, load_sweep

    # everything a user can get wrong, before any work: the file, the cluster, the store and the output paths
    plan = load_sweep(file, max_cells=MAX_CELLS if yes else MAX_CELLS_WITHOUT_YES)
    n_workers, address = resolve_target(workers, scheduler)
    out = Path(store) if store is not None else Path.cwd() / f"{Path(file).stem}.zarr"
    check_store(plan, out, resume=resume, overwrite=overwrite)
    _check_exports(netcdf, csv, png)
    result = _run(plan, out, n_workers, address, resume=resume, overwrite=overwrite, quiet=json_output)
    summary: dict[str, object] = {
        "sweep": plan.name, "store": str(result.store), "cells": result.cells, "chunks": result.chunks_total,
        "chunks_computed": result.chunks_computed, "chunks_already_stored": result.chunks_skipped,
        "cells_computed": result.cells_computed, "cells_failed": result.cells_failed,
        "first_error": result.first_error, "seconds": round(result.seconds, 3), "partial": result.partial}
    if not result.partial:
        summary.update(_exports(plan, result.store, netcdf, csv, png))
    if json_output:
        print_json(summary)
    else:
        _report(plan.name, result, summary)
    if result.partial:
        err_console.print(f"[yellow]interrupted:[/] the store holds {result.chunks_skipped + result.chunks_computed} "
                          f"of {result.chunks_total} chunks; `lightdose sweep {escape(file)}"
                          f"{escape(f' --store {store}') if store is not None else ''} --resume` computes the rest",
                          highlight=False, soft_wrap=True)
        raise typer.Exit(code=INTERRUPTED_EXIT)


def _check_exports(netcdf: str | None, csv: str | None, png: str | None) -> None:
    from lightdose.output_files import writable_path
    from lightdose.present.figures import png_path

    for option, path in (("--netcdf", netcdf), ("--csv", csv)):
        if path is not None:
            writable_path(path, option)
    if png is not None:
        png_path(png)


def _run(plan: Sweep, out: Path, n_workers: int | None, address: str | None, *, resume: bool, overwrite: bool,
         quiet: bool) -> SweepRun:
    """Run the sweep here, or on a local or an existing Dask cluster (none started when nothing is left to do)."""
    from lightdose.sweep.run import done_chunks, run_sweep

    with status_line(not quiet, err_console) as line:
        progress = None if line is None else (
            lambda done, total: line(f"sweep: {done:,} of {total:,} cells", done / total))
        nothing_left = resume and out.exists() and len(done_chunks(out)) == plan.n_chunks
        if (n_workers is None and address is None) or nothing_left:
            return run_sweep(plan, out, resume=resume, overwrite=overwrite, progress=progress)
        with options.cluster(n_workers, address, quiet) as client:
            return run_sweep(plan, out, client=client, resume=resume, overwrite=overwrite, progress=progress)


def _exports(plan: Sweep, store: Path, netcdf: str | None, csv: str | None, png: str | None) -> dict[str, str]:
    from lightdose.present.figures import save_png
    from lightdose.sweep.fields import dimension_name
    from lightdose.sweep.plots import summary_figure
    from lightdose.sweep.run import open_result, write_csv, write_netcdf

    written: dict[str, str] = {}
    if netcdf is None and csv is None and png is None:
        return written
    ds = open_result(store)
    if netcdf is not None:
        written["netcdf"] = str(write_netcdf(ds, netcdf))
    if csv is not None:
        written["csv"] = str(write_csv(ds, csv))
    if png is not None:
        x = dimension_name(plan.plot.x) if plan.plot.x else None
        y = dimension_name(plan.plot.y) if plan.plot.y else None
        written["png"] = str(save_png(summary_figure(ds, x, y, plan.plot.site), png))
    return written


def _report(name: str, result: SweepRun, summary: dict[str, object]) -> None:
    rate = f", {result.cells_computed / result.seconds:.3g} cells/s" if result.cells_computed else ""
    console.print(f"[bold]{escape(name)}[/]: {result.cells:,} cells in {result.chunks_total} chunks → "
                  f"{escape(str(result.store))} ({result.chunks_computed} chunks computed, {result.chunks_skipped} "
                  f"already stored, {result.seconds:.1f} s{rate})", highlight=False, soft_wrap=True)
    if result.cells_failed:
        console.print(f"[yellow]warning:[/] {result.cells_failed} cell(s) refused by their stage (outputs NaN, "
                      f"`failed` = true); the first: {escape(result.first_error or '')}", soft_wrap=True)
    for key in ("netcdf", "csv", "png"):
        if key in summary:
            console.print(f"wrote {escape(str(summary[key]))}", highlight=False)
