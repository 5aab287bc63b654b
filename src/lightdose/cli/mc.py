"""The layered Monte Carlo on MCML input files or named cases."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

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
    photons: int | None = typer.Option(None, "--photons", "-n",
                                       help="Photons per run (default: the file's or the case's)."),
    seed: int = typer.Option(1, "--seed", help="Random seed (results are reproducible for a given seed)."),
    threads: int | None = typer.Option(None, "--threads", help="CPU threads (default: all)."),
    mco_dir: str | None = typer.Option(None, "--mco-dir", help="Also write MCML-style .mco outputs here."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Layered Monte Carlo (MCML physics): Rsp, Rd, A, Tt for the runs of an .mci file or a named case.

    Ctrl-C stops the run: the photons finished so far are reported as a partial result, exit status 130."""
    from lightdose.errors import InputError
    from lightdose.present.mc import partial_note, summary, tables
    from lightdose.transport.mc import McRequest, monte_carlo, write_mco

    request = McRequest(mci=file, case=case, photons=photons, seed=seed, threads=threads)
    if mco_dir is not None and not Path(mco_dir).is_dir():
        raise InputError("--mco-dir", f"{mco_dir} is not a directory")
    with status_line(not json_output, err_console) as line:
        progress = None if line is None else (
            lambda done, total: line(f"Monte Carlo: {done:,} of {total:,} photons", done / total) if total
            else line(f"Monte Carlo: {done:,} photons"))
        try:
            result = monte_carlo(request, progress=progress)
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
