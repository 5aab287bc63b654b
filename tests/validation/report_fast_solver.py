"""Print the fast-solver-versus-Monte-Carlo tables of docs/validation.md from the stored references.

    cd tests/validation && ../../.venv/bin/python report_fast_solver.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr
from test_fast_solver_vs_monte_carlo import smoothed_relative_se

from lightdose.anatomy import sites
from lightdose.transport.diffusion import solve_broad_beam, solve_finite_beam
from lightdose.transport.stack_spec import stack_spec

DATA = str(Path(__file__).resolve().parents[1] / "data") + "/"


def _row(spec, z, mc, rel_se, solve):
    edges = np.asarray(spec.boundaries_mm)
    keep = (z >= 1.0) & (z <= 30.0) & ~np.array([np.any((edges > x - 0.1) & (edges < x + 0.1)) for x in z])
    ratio = solve(z[keep]) / mc[keep]
    rel_se = rel_se[keep]
    worst = int(np.argmax(np.abs(ratio - 1.0) - 3.0 * rel_se))
    return ratio, rel_se, worst, z[keep]


def main() -> None:
    broad = xr.open_dataset(DATA + "mc_depth_references.nc", engine="scipy").load()
    print("Broad beams: fast/MC over 1–30 mm; in brackets the point nearest the tolerance (10 % + 3 SE).\n")
    print("| site | " + " | ".join(f"{w:g} nm" for w in broad.wavelength.values) + " |")
    print("|---|" + "---:|" * broad.sizes["wavelength"])
    for site in broad.site.values:
        cells = []
        for wl in broad.wavelength.values:
            ref = broad.sel(site=site, wavelength=wl)
            spec = stack_spec(sites.get(str(site)), float(wl))
            ratio, rel_se, i, z = _row(spec, ref.z.values, ref.fluence.values,
                                       ref.fluence_se.values / ref.fluence.values, solve_broad_beam(spec).at)
            cells.append(f"{ratio.min():.2f}–{ratio.max():.2f} ({ratio[i]:.2f} at {z[i]:.0f} mm, SE {rel_se[i]:.0%})")
        print(f"| {site} | " + " | ".join(cells) + " |")
    finite = xr.open_dataset(DATA + "mc_finite_beam_references.nc", engine="scipy").load()
    print("\nFlat-top beams: fast/MC on the axis over 1–30 mm; in brackets the point nearest the tolerance"
          " (20 % + 3 SE, SE = median over ±1 mm of the 4-seed SE).\n")
    print("| site | λ | a = " + " | a = ".join(f"{r:g} mm" for r in finite.radius.values) + " |")
    print("|---|---|" + "---:|" * finite.sizes["radius"])
    for site in finite.site.values:
        for wl in finite.wavelength.values:
            cells = []
            for radius in finite.radius.values:
                ref = finite.sel(site=site, wavelength=wl, radius=radius)
                spec = stack_spec(sites.get(str(site)), float(wl))
                rel_se = smoothed_relative_se(ref.fluence.values, ref.fluence_se.values)
                ratio, rel_se, i, z = _row(spec, ref.z.values, ref.fluence.values, rel_se,
                                           solve_finite_beam(spec, float(radius)).at)
                worst = f"{ratio[i]:.2f} at {z[i]:.0f} mm, SE {rel_se[i]:.0%}"
                cells.append(f"{ratio.min():.2f}–{ratio.max():.2f} ({worst})")
            print(f"| {site} | {wl:g} nm | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
