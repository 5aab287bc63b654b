"""Body sites: the preset layer stacks and their targets."""

from __future__ import annotations

import typer

from lightdose.cli.app import app, console, print_json, user_errors_exit_cleanly


@app.command()
@user_errors_exit_cleanly
def sites(json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List the body-site presets with their layers and targets."""
    from lightdose.present.sites import sites_json, sites_table

    rows = sites_json()
    if json_output:
        print_json(rows)
        return
    console.print(sites_table(rows))
