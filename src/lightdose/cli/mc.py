"""The layered Monte Carlo on MCML input files."""

from __future__ import annotations

from pathlib import Path

import typer

from lightdose.cli.app import app, console, print_json, user_errors_exit_cleanly


@app.command()
@user_errors_exit_cleanly
def mc(
    file: str = typer.Argument(..., help="MCML input file (.mci): all runs in it are simulated."),
    photons: int | None = typer.Option(None, "--photons", "-n", help="Photons per run (default: the file's)."),
    seed: int = typer.Option(1, "--seed", help="Random seed (results are reproducible for a given seed)."),
    threads: int | None = typer.Option(None, "--threads", help="CPU threads (default: all)."),
    mco_dir: str | None = typer.Option(None, "--mco-dir", help="Also write MCML-style .mco outputs here."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Layered Monte Carlo (MCML physics) for the runs of an MCML .mci file; prints Rsp, Rd, A, Tt."""
    import math

    from rich.table import Table

    from lightdose.errors import InputError
    from lightdose.transport.mc import read_mci, simulate, write_mco

    runs = read_mci(file)
    if photons is not None and photons < 1:
        raise InputError("--photons", f"{photons} must be >= 1")
    if mco_dir is not None and not Path(mco_dir).is_dir():
        raise InputError("--mco-dir", f"{mco_dir} is not a directory")
    show_progress = not json_output and console.is_terminal
    results = []
    for run in runs:
        ds = simulate(run.stack, photons=photons or run.photons, seed=seed, threads=threads, grid=run.grid,
                      progress=show_progress)
        if mco_dir is not None:
            write_mco(ds, Path(mco_dir) / Path(run.output_name).name, output_name=run.output_name)
        results.append({
            "run": run.output_name,
            "rsp": float(ds["rsp"]),
            "rd": float(ds["rd"]),
            "a": float(ds["a"]),
            "tt": float(ds["tt"]),
            "rd_se": float(ds["rd_se"]),
            "a_se": float(ds["a_se"]),
            "tt_se": float(ds["tt_se"]),
            "a_layers": [float(v) for v in ds["a_layer"].values],
            "photons": int(ds.attrs["photons"]),
            "seconds": float(ds.attrs["wall_time_s"]),
            "photons_per_ms": float(ds.attrs["photons_per_ms"]),
            "partial": bool(ds.attrs["partial"]),
            "z_mm": [float(v) for v in ds["z"].values],
            "fluence_z": [None if math.isnan(v) else float(v) for v in ds["fluence_z"].values],
        })
        if ds.attrs["partial"]:  # Ctrl-C: report what was simulated, do not start the next run
            break
    if json_output:
        print_json(results)
        return
    for res in results:
        table = Table(title=f"{file}: run {res['run']} ({res['photons']} photons, seed {seed})")
        table.add_column("quantity")
        table.add_column("value", justify="right")
        table.add_column("std. error", justify="right")
        table.add_row("Rsp (specular reflectance)", f"{res['rsp']:.5f}", "exact")
        for key, label in (("rd", "Rd (diffuse reflectance)"), ("a", "A (absorbed)"), ("tt", "Tt (transmittance)")):
            table.add_row(label, f"{res[key]:.5f}", f"{res[key + '_se']:.5f}")
        for i, value in enumerate(res["a_layers"], start=1):
            table.add_row(f"  A in layer {i}", f"{value:.5f}", "")
        table.add_row("photons per ms", f"{res['photons_per_ms']:.1f}", "")
        console.print(table)
        if res["partial"]:
            console.print("[yellow]interrupted: partial result[/]")
