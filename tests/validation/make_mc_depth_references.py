"""Generate the Monte Carlo broad-beam depth profiles that the fast solver is validated against.

Every bundled body site (default person) at 630, 660, 810, 850, 890, 940 and 980 nm, infinitely broad uniform
beam, fixed seed. Writes ``tests/data/mc_depth_references.nc``. Run from the repository root:

    .venv/bin/python tests/validation/make_mc_depth_references.py [--seconds-per-case 25]

It takes ~30 min on 2 cores; the test suite only reads the file (and re-simulates a few cases briefly to
check the file still matches the engine).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import xarray as xr

from lightdose.anatomy import sites
from lightdose.transport.mc import Grid, UniformBeam, simulate
from lightdose.transport.stack_spec import stack_spec

WAVELENGTHS_NM = (630.0, 660.0, 810.0, 850.0, 890.0, 940.0, 980.0)
GRID = Grid(dz_mm=0.2, nz=160, nr=1, na=1)
SEED = 20261122
OUTPUT = Path(__file__).resolve().parents[1] / "data" / "mc_depth_references.nc"


def simulate_case(site: str, wavelength_nm: float, photons: int | None, seconds: float | None) -> xr.Dataset:
    """One reference: the MC broad-beam profile of `site` at `wavelength_nm`."""
    spec = stack_spec(sites.get(site), wavelength_nm)
    return simulate(spec, UniformBeam(), photons=photons, max_seconds=seconds, seed=SEED, grid=GRID)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-per-case", type=float, default=25.0)
    parser.add_argument("--max-photons", type=int, default=3_000_000)
    args = parser.parse_args()
    names = sites.names()
    fluence = np.zeros((len(names), len(WAVELENGTHS_NM), GRID.nz))
    fluence_se = np.zeros_like(fluence)
    photons = np.zeros((len(names), len(WAVELENGTHS_NM)), dtype=np.int64)
    for i, site in enumerate(names):
        for j, wl in enumerate(WAVELENGTHS_NM):
            ds = simulate_case(site, wl, args.max_photons, args.seconds_per_case)
            fluence[i, j] = ds["fluence_z"].values
            fluence_se[i, j] = ds["fluence_z_se"].values
            photons[i, j] = int(ds.attrs["photons"])
            print(f"{site:18s} {wl:5.0f} nm  {photons[i, j]:>9d} photons", flush=True)
    z = ds["z"].values
    out = xr.Dataset(
        {
            "fluence": (("site", "wavelength", "z"), fluence, {"units": "1", "long_name": "phi/E0, broad beam"}),
            "fluence_se": (("site", "wavelength", "z"), fluence_se, {"units": "1"}),
            "photons": (("site", "wavelength"), photons),
        },
        coords={"site": np.array(names), "wavelength": ("wavelength", np.array(WAVELENGTHS_NM), {"units": "nm"}),
                "z": ("z", z, {"units": "mm"})},
        attrs={"seed": SEED, "dz_mm": GRID.dz_mm, "generator": "tests/validation/make_mc_depth_references.py"},
    )
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    out.to_netcdf(OUTPUT, engine="scipy")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
