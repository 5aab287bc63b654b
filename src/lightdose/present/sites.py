"""The body-site presets for people and programs: the JSON of `lightdose sites --json` (layers from the skin down
with their thickness in mm, targets with their depth range in mm) and the terminal table."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from lightdose.anatomy import sites as library


def sites_json() -> list[dict[str, Any]]:
    """One row per preset site: name, description, layers (tissue, thickness in mm; None for the semi-infinite
    last layer), targets (kind, depth range in mm) and reference."""
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
    return rows


def sites_table(rows: list[dict[str, Any]]) -> Table:
    """The `lightdose sites` table of :func:`sites_json` rows."""
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
    return table


__all__ = ["sites_json", "sites_table"]
