"""What people and programs see of tissue optics: the preset library (`lightdose tissues`) and the optical
properties of one tissue (`lightdose optics`), as JSON and as terminal tables. No physics here."""

from __future__ import annotations

import math
from typing import Any

from rich.markup import escape
from rich.table import Table

from lightdose import tissues as library
from lightdose.optics import OpticsResult

OPTICS_NOTE = "δ = 1/√(3μa(μa+μs′)): diffusion theory, broad beam, far from the surface (Jacques 2013)."
"""Printed under the optics table: what δ is and where it holds."""

TISSUES_CAPTION = (
    "Volume fractions (0–1): B blood, W water, F fat, M melanosome (epidermal melanin), Bl bloodless-skin baseline "
    "(Saidi 1992); S is the O₂ saturation of the blood (– without blood). Scattering μs′ = a·(λ/500 nm)^−b, "
    "a = μs′ at 500 nm; g anisotropy, n refractive index; λ the wavelengths with data for every chromophore present."
)
"""Printed under the tissues table: every abbreviation of its header."""


def optics_json(result: OpticsResult) -> dict[str, Any] | list[dict[str, Any]]:
    """One object per wavelength (the object alone for one wavelength): the tissue used, its skin type, and the
    properties with their unit in the key (coefficients in 1/mm, δ in mm)."""
    records = [{"tissue": result.tissue, "skin_type": result.skin_type, "wavelength_nm": r.wavelength,
                "mua_per_mm": r.mua, "mus_per_mm": r.mus, "musp_per_mm": r.musp, "g": r.g, "n": r.n,
                "mueff_per_mm": r.mueff, "delta_mm": r.delta} for r in result.records]
    return records[0] if len(records) == 1 else records


def optics_table(result: OpticsResult) -> Table:
    """The properties per wavelength, units in every header."""
    skin = f" (skin type {result.skin_type})" if result.skin_type else ""
    table = Table(title=f"Optical properties of {result.tissue}{skin}", caption=OPTICS_NOTE)
    for column in ("λ [nm]", "μa [1/mm]", "μs [1/mm]", "μs′ [1/mm]", "g", "n", "μeff [1/mm]", "δ [mm]"):
        table.add_column(escape(column), justify="right")
    for r in result.records:
        table.add_row(f"{r.wavelength:g}", f"{r.mua:.4g}", f"{r.mus:.4g}", f"{r.musp:.4g}", f"{r.g:g}", f"{r.n:.3f}",
                      f"{r.mueff:.4g}", f"{r.delta:.3g}")
    return table


def tissues_json() -> dict[str, Any]:
    """Every preset (composition, scattering, wavelength range with data [nm] — None for no limit —, reference)
    and the aliases."""
    rows = []
    for name in library.names():
        t = library.get(name)
        rows.append({"name": name, "description": t.description, "skin_type": library.skin_type_of(name),
                     "blood": t.blood, "saturation": t.saturation, "water": t.water, "fat": t.fat,
                     "melanosome": t.melanosome, "baseline": t.baseline, "musp_500nm_per_mm": t.scattering.a_prime,
                     "b_mie": t.scattering.b_mie, "f_rayleigh": t.scattering.f_rayleigh, "g": t.g,
                     "n": t.refractive_index,
                     "wavelength_range_nm": [b if math.isfinite(b) else None for b in t.wavelength_range_nm],
                     "reference": t.reference})
    return {"tissues": rows, "aliases": library.aliases()}


def tissues_table() -> Table:
    """The preset library as a table; the caption explains every column (:data:`TISSUES_CAPTION`)."""
    rows = tissues_json()["tissues"]
    rayleigh = any(r["f_rayleigh"] for r in rows)
    table = Table(title="Preset tissues", caption=TISSUES_CAPTION + (" f_Ray: Rayleigh share of μs′ at 500 nm."
                                                                        if rayleigh else ""))
    columns = ["name", "B", "S", "W", "F", "M", "Bl", "a [1/cm]", "b", *(["f_Ray"] if rayleigh else []), "g", "n",
               "λ [nm]", "description"]
    for column in columns:
        table.add_column(escape(column), overflow="fold", justify="left" if column in ("name", "description")
                         else "right")
    for r in rows:
        low, high = r["wavelength_range_nm"]
        table.add_row(
            r["name"],
            f"{r['blood']:g}",
            f"{r['saturation']:g}" if r["blood"] else "–",
            *(f"{r[k]:g}" for k in ("water", "fat", "melanosome", "baseline")),
            f"{10 * r['musp_500nm_per_mm']:.1f}",
            f"{r['b_mie']:g}",
            *([f"{r['f_rayleigh']:g}"] if rayleigh else []),
            f"{r['g']:g}",
            f"{r['n']:.3f}",
            "any" if high is None else f"{low:g}–{high:g}",
            r["description"],
        )
    return table


def aliases_line() -> str:
    """The aliases and where the references are, for under the tissues table."""
    alias_text = ", ".join(f"{alias} → {name}" for alias, name in library.aliases().items())
    return f"Aliases: {alias_text}. References: `lightdose tissues --json` or src/lightdose/data/tissues.yaml."
