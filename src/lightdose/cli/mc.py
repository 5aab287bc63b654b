"""The layered Monte Carlo on MCML input files or named cases."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from lightdose.cli import options
from lightdose.cli.app import (
    INTERRUPTED_EXIT,
    app,
    console,
    err_console,
    exit_if_partial,
    print_json,
    user_errors_exit_cleanly,
)
from lightdose.cli.progress import status_line


@app.command()
@user_errors_exit_cleanly
def mc(
    file: str | None = typer.Argument(None, help="MCML input file (.mci): all runs in it are simulated."),
    case: str | None = typer.Option(None, "--case", help="A named case instead of a file, e.g. gardner (a wrong "
                                                         "name lists them; see docs/monte-carlo.md)."),
    photons: str | None = typer.Option(None, "--photons", "-n",
                                       help="Photons per run, e.g. 100000 or 1e9 (default: the file's or the "
                                            "case's)."),
    seed: int = typer.Option(1, "--seed", help="Random seed (results are reproducible for a given seed)."),
    threads: int | None = typer.Option(None, "--threads", help="CPU threads (default: all)."),
    mco_dir: str | None = typer.Option(None, "--mco-dir", help="Also write MCML-style .mco outputs here."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    workers: int | None = options.WORKERS,
    scheduler: str | None = options.SCHEDULER,
) -> None:
    """Layered Monte Carlo (MCML physics): Rsp, Rd, A, Tt for the runs of an .mci file or a named case.

    Ctrl-C stops the run: the photons finished so far are reported as a partial result, exit status 130. With
    --workers or --scheduler the photons are shared out over a Dask cluster: the result is the same to the last bit."""
    from lightdose.errors import InputError
    from lightdose.present.mc import partial_note, summary, tables
    from lightdose.sweep.cluster import resolve_target
    from lightdose.sweep.mc import distributed_monte_carlo
    from lightdose.transport.mc import McRequest, monte_carlo, write_mco

    request = McRequest(mci=file, case=case, photons=_photon_count(photons), seed=seed, threads=threads)
    if mco_dir is not None and not Path(mco_dir).is_dir():
        raise InputError("--mco-dir", f"{mco_dir} is not a directory")
    n_workers, address = resolve_target(workers, scheduler)
    with status_line(not json_output, err_console) as line:
        progress = None if line is None else (
            lambda done, total: line(f"Monte Carlo: {done:,} of {total:,} photons", done / total) if total
            else line(f"Monte Carlo: {done:,} photons"))
        try:
            if n_workers is None and address is None:
                result = monte_carlo(request, progress=progress)
            else:
                with options.cluster(n_workers, address, json_output) as client:
                    result = distributed_monte_carlo(request, client, progress=progress)
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/] before the first batch of photons had finished: no result")
            raise typer.Exit(code=INTERRUPTED_EXIT) from None
    if mco_dir is not None:
        for run in result.runs:
            name = Path(run.name).name
            write_mco(run.dataset, Path(mco_dir) / (name if Path(name).suffix else f"{name}.mco"), output_name=run.name)
    if json_output:
        print_json(summary(result))
    else:
        for table in tables(result, file if file is not None else f"case {case}"):
            console.print(table)
        note = partial_note(result)
        if note:
            console.print(f"[yellow]{escape(note)}[/]")
    exit_if_partial(result.partial)


def _photon_count(text: str | None) -> int | None:
    """``--photons`` as a whole number: digits, or a whole number in exponent notation (``1e9``)."""
    from lightdose.errors import InputError

    if text is None:
        return None
    try:
        return int(text.replace("_", ""))
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value == value and abs(value) != float("inf") and value == int(value)):
        raise InputError("--photons", f"{text!r} is not a whole number of photons; write e.g. 1000000 or 1e9")
    if abs(value) > 1e15:  # far outside the allowed range: say so without printing a 100-digit integer
        raise InputError("--photons", f"{text} is outside the allowed range 100 to 1e12")
    return int(value)
