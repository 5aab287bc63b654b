"""Body sites: the preset layer stacks and their targets."""

from __future__ import annotations

import typer

from lightdose.cli.app import app, console, print_json, user_errors_exit_cleanly


@app.command()
@user_errors_exit_cleanly
def sites(json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List the body-site presets with their layers and targets."""
    from rich.table import Table

    from lightdose.anatomy import sites as library

    rows = []
    for name in library.names():
        stack = library.get(name)
        rows.append({
            "name": name,
            "description": stack.description,
            "layers": [{"name": layer.name, "tissue": layer.resolved_tissue.name, "thickness_mm": layer.thickness}
                       for layer in stack.layers],
            "targets": [{"name": t.name, "kind": t.kind, "depth_mm": [t.depth_min, t.depth_max]}
                        for t in stack.targets],
            "reference": stack.reference,
        })
    if json_output:
        print_json(rows)
        return
    table = Table(title="Body sites (layers from the skin down, thickness in mm; targets with depth in mm)")
    for column in ("site", "layers", "targets"):
        table.add_column(column, overflow="fold")
    for r in rows:
        layers = " / ".join(
            f"{layer['tissue']} {layer['thickness_mm']:g}" if layer["thickness_mm"] else f"{layer['tissue']} …"
            for layer in r["layers"]
        )
        targets = ", ".join(f"{t['name']} {t['depth_mm'][0]:g}–{t['depth_mm'][1]:g}" for t in r["targets"])
        table.add_row(r["name"], layers, targets)
    console.print(table)
