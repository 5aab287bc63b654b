"""Tissue optics: the preset tissue library and optical properties at given wavelengths."""

from __future__ import annotations

import typer
from rich.markup import escape

from lightdose.cli.app import app, console, print_json, user_errors_exit_cleanly


@app.command()
@user_errors_exit_cleanly
def tissues(json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List the preset tissues with their composition, scattering and references."""
    from rich.table import Table

    from lightdose import tissues as library

    rows = []
    for name in library.names():
        t = library.get(name)
        rows.append(
            {
                "name": name,
                "description": t.description,
                "blood": t.blood,
                "saturation": t.saturation,
                "water": t.water,
                "fat": t.fat,
                "melanosome": t.melanosome,
                "baseline": t.baseline,
                "musp_500nm_per_mm": t.scattering.a_prime,
                "b_mie": t.scattering.b_mie,
                "g": t.g,
                "n": t.refractive_index,
                "wavelength_range_nm": list(t.wavelength_range_nm),
                "reference": t.reference,
            }
        )
    if json_output:
        print_json({"tissues": rows, "aliases": library.aliases()})
        return
    table = Table(title="Preset tissues (volume fractions; Bl = bloodless-skin baseline; μs′ = a·(λ/500 nm)^−b)")
    for column in ("name", "B", "S", "W", "F", "M", "Bl", "a [1/cm]", "b", "g", "n", "description"):
        table.add_column(escape(column), overflow="fold")
    for r in rows:
        table.add_row(
            r["name"],
            *(f"{r[k]:g}" for k in ("blood", "saturation", "water", "fat", "melanosome", "baseline")),
            f"{10 * r['musp_500nm_per_mm']:.1f}",
            f"{r['b_mie']:g}",
            f"{r['g']:g}",
            f"{r['n']:.3f}",
            r["description"],
        )
    console.print(table)
    alias_text = ", ".join(f"{a} → {t}" for a, t in library.aliases().items())
    console.print(f"Aliases: {alias_text}. References: `lightdose tissues --json` or src/lightdose/data/tissues.yaml.")


def _optics_table(title: str, records_by_tissue: dict[str, list[dict[str, float]]]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for column in ("tissue", "λ [nm]", "μa [1/mm]", "μs [1/mm]", "μs′ [1/mm]", "g", "n", "μeff [1/mm]", "δ [mm]"):
        table.add_column(escape(column), justify="left" if column == "tissue" else "right")
    for name, records in records_by_tissue.items():
        for i, r in enumerate(records):
            table.add_row(
                name if i == 0 else "",
                f"{r['wavelength_nm']:g}",
                f"{r['mua_per_mm']:.4g}",
                f"{r['mus_per_mm']:.4g}",
                f"{r['musp_per_mm']:.4g}",
                f"{r['g']:g}",
                f"{r['n']:.3f}",
                f"{r['mueff_per_mm']:.4g}",
                f"{r['delta_mm']:.3g}",
            )
    console.print(table)


@app.command()
@user_errors_exit_cleanly
def optics(
    tissue: str = typer.Argument(..., help="Preset tissue name (see `lightdose tissues`)."),
    wavelength: list[str] = typer.Option(
        ..., "--wavelength", "-w", help="Wavelength with unit, e.g. 810nm; repeat for several."
    ),
    skin_type: str | None = typer.Option(None, "--skin-type", help="Fitzpatrick type I–VI (epidermis only)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Optical properties of a tissue: μa, μs, μs′, g, n and the diffusion penetration depth δ."""
    from lightdose import tissues as library
    from lightdose.units import parse_quantity

    t = library.get(tissue, skin_type=skin_type)
    wavelengths = [parse_quantity(w, "wavelength") for w in wavelength]
    records = t.optical_properties(wavelengths).records()
    if json_output:
        print_json(records[0] if len(records) == 1 else records)
        return
    _optics_table(f"Optical properties of {t.name}", {t.name: records})
    console.print("δ = 1/√(3μa(μa+μs′)): diffusion theory, broad beam, far from the surface (Jacques 2013).")
