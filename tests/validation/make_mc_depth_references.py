"""Generate the Monte Carlo depth profiles that the fast (δ-P1) solver is validated against.

1. Broad beams: every bundled body site (default person) at 630, 660, 810, 850, 890, 940 and 980 nm, infinitely
   broad uniform beam, fixed seed → ``tests/data/mc_depth_references.nc``.
2. Finite beams (``--finite-beams``): flat-top beams of radius 5 and 10 mm on four sites at 660, 850 and 980 nm;
   on-axis fluence rate from the centre radial bin, mean and standard error over independent seeds →
   ``tests/data/mc_finite_beam_references.nc``.
3. The planner's deepest target (``--heel-pad``): the 890 nm pad (3 × 7.5 cm) in contact with the heel of a
   neuropathic person, the pad's own azimuthal-mean irradiance profile through a pencil beam (the `mc` solver of
   `fluence_rate_on_axis`), mean and standard error over independent seeds → ``tests/data/mc_heel_pad890.nc``.

Run from the repository root (each part takes ~15–30 min on 2 cores):

    .venv/bin/python tests/validation/make_mc_depth_references.py [--seconds-per-case 22]
    .venv/bin/python tests/validation/make_mc_depth_references.py --finite-beams
    .venv/bin/python tests/validation/make_mc_depth_references.py --heel-pad        # ~8 min

The test suite only reads the files (and re-simulates one case briefly to check the file matches the engine).
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
FINITE_OUTPUT = OUTPUT.with_name("mc_finite_beam_references.nc")
FINITE_SITES = ("ankle-medial", "wrist", "heel", "forefoot-plantar")
FINITE_WAVELENGTHS_NM = (660.0, 850.0, 980.0)
FINITE_RADII_MM = (5.0, 10.0)
FINITE_SEEDS = 4
HEEL_OUTPUT = OUTPUT.with_name("mc_heel_pad890.nc")
HEEL_PHOTONS = 2_000_000


def simulate_case(site: str, wavelength_nm: float, photons: int | None, seconds: float | None) -> xr.Dataset:
    """One reference: the MC broad-beam profile of `site` at `wavelength_nm`."""
    spec = stack_spec(sites.get(site), wavelength_nm)
    return simulate(spec, UniformBeam(), photons=photons, max_seconds=seconds, seed=SEED, grid=GRID)


def finite_beam_grid(radius_mm: float) -> Grid:
    """Depth bins as for broad beams; radial bins of a fifth of the beam radius (only the centre bin is used)."""
    return Grid(dz_mm=GRID.dz_mm, nz=GRID.nz, dr_mm=radius_mm / 5.0, nr=2, na=1)


def simulate_finite_case(site: str, wavelength_nm: float, radius_mm: float, seed: int, photons: int | None,
                         seconds: float | None) -> np.ndarray:
    """On-axis φ/E0 of a flat-top beam (centre radial bin), one seed."""
    from lightdose.transport.mc import FlatTopBeam

    spec = stack_spec(sites.get(site), wavelength_nm)
    ds = simulate(spec, FlatTopBeam(radius_mm=radius_mm), photons=photons, max_seconds=seconds, seed=seed,
                  grid=finite_beam_grid(radius_mm))
    return ds["fluence_rz"].values[0] * np.pi * radius_mm**2


def finite_beams(seconds: float) -> None:
    shape = (len(FINITE_SITES), len(FINITE_WAVELENGTHS_NM), len(FINITE_RADII_MM), GRID.nz)
    mean = np.zeros(shape)
    se = np.zeros(shape)
    for i, site in enumerate(FINITE_SITES):
        for j, wl in enumerate(FINITE_WAVELENGTHS_NM):
            for k, radius in enumerate(FINITE_RADII_MM):
                runs = np.array([simulate_finite_case(site, wl, radius, SEED + s, 2_000_000, seconds)
                                 for s in range(FINITE_SEEDS)])
                mean[i, j, k] = runs.mean(axis=0)
                se[i, j, k] = runs.std(axis=0, ddof=1) / np.sqrt(FINITE_SEEDS)
                print(f"{site:18s} {wl:5.0f} nm  a = {radius:g} mm", flush=True)
    z = (np.arange(GRID.nz) + 0.5) * GRID.dz_mm
    out = xr.Dataset(
        {"fluence": (("site", "wavelength", "radius", "z"), mean, {"units": "1", "long_name": "on-axis phi/E0"}),
         "fluence_se": (("site", "wavelength", "radius", "z"), se, {"units": "1"})},
        coords={"site": np.array(FINITE_SITES), "wavelength": ("wavelength", np.array(FINITE_WAVELENGTHS_NM)),
                "radius": ("radius", np.array(FINITE_RADII_MM), {"units": "mm"}), "z": ("z", z, {"units": "mm"})},
        attrs={"seeds": f"{SEED}..{SEED + FINITE_SEEDS - 1}", "seconds_per_seed": seconds,
               "generator": "tests/validation/make_mc_depth_references.py --finite-beams"},
    )
    out.to_netcdf(FINITE_OUTPUT, engine="scipy")
    print(f"wrote {FINITE_OUTPUT}")


def heel_pad() -> None:
    """On-axis fluence rate per mW/cm² at the skin under pad-890 on a neuropathic heel, 4 seeds."""
    from lightdose.anatomy import Person
    from lightdose.devices.placement import Placement
    from lightdose.transport.dose import fluence_rate_on_axis
    from lightdose.transport.skin_beam import skin_beam

    stack = Person(neuropathy=True).apply(sites.get("heel"))
    beam = skin_beam(Placement(device="pad-890"))
    z = (np.arange(GRID.nz) + 0.5) * GRID.dz_mm
    runs = []
    for seed in range(SEED, SEED + FINITE_SEEDS):
        rate, _, _, _ = fluence_rate_on_axis(stack, beam, z, solver="mc", photons=HEEL_PHOTONS, seed=seed)
        runs.append(rate[0] / beam.centre_irradiance[0])
        print(f"heel, pad-890, seed {seed}", flush=True)
    runs = np.array(runs)
    out = xr.Dataset(
        {"fluence": ("z", runs.mean(axis=0), {"units": "1", "long_name": "on-axis phi/E_centre"}),
         "fluence_se": ("z", runs.std(axis=0, ddof=1) / np.sqrt(len(runs)), {"units": "1"})},
        coords={"z": ("z", z, {"units": "mm"})},
        attrs={"seeds": f"{SEED}..{SEED + FINITE_SEEDS - 1}", "photons_per_seed": HEEL_PHOTONS,
               "person": "Person(neuropathy=True)", "site": "heel", "device": "pad-890", "wavelength_nm": 890.0,
               "generator": "tests/validation/make_mc_depth_references.py --heel-pad"},
    )
    out.to_netcdf(HEEL_OUTPUT, engine="scipy")
    print(f"wrote {HEEL_OUTPUT}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-per-case", type=float, default=25.0)
    parser.add_argument("--max-photons", type=int, default=3_000_000)
    parser.add_argument("--finite-beams", action="store_true", help="generate the finite-beam references instead")
    parser.add_argument("--heel-pad", action="store_true", help="generate the heel / 890 nm pad reference instead")
    args = parser.parse_args()
    if args.heel_pad:
        heel_pad()
        return
    if args.finite_beams:
        finite_beams(seconds=6.0)
        return
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
