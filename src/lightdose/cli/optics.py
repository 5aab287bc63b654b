"""Tissue optics: the preset tissue library and optical properties at given wavelengths."""

from __future__ import annotations

import typer

from lightdose.cli import options
from lightdose.cli.app import app, console, print_json, user_errors_exit_cleanly


@app.command()
@user_errors_exit_cleanly
def tissues(json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List the preset tissues with their composition, scattering and references."""
    from lightdose.present.optics import aliases_line, tissues_json, tissues_table

    if json_output:
        print_json(tissues_json())
        return
    console.print(tissues_table())
    console.print(aliases_line())


@app.command()
@user_errors_exit_cleanly
def optics(
    tissue: str = typer.Argument(..., help="Preset tissue name (see `lightdose tissues`)."),
    wavelength: list[str] = typer.Option(
        ..., "--wavelength", "-w", help="Wavelength, e.g. 810nm (a bare number is in nm); repeat for several."
    ),
    skin_type: str | None = typer.Option(None, "--skin-type", help="Fitzpatrick type I–VI (epidermis only)."),
    parameters: str = options.PARAMETERS,
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Optical properties of a tissue: μa, μs, μs′, g, n and the diffusion penetration depth δ (the dermis scatters
    as living skin by default; --parameters ex-vivo-optics for excised dermis)."""
    from lightdose.optics import OpticsRequest, optical_properties
    from lightdose.present.optics import optics_json, optics_table
    from lightdose.units import USER_INPUT

    request = OpticsRequest.model_validate({"tissue": tissue, "wavelengths": wavelength, "skin_type": skin_type,
                                            "parameters": parameters}, context=USER_INPUT)
    result = optical_properties(request)
    if json_output:
        print_json(optics_json(result))
        return
    console.print(optics_table(result))
