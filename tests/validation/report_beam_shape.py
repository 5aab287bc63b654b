"""Print the beam-shape table of docs/validation.md (the numbers that tests/validation/test_beam_shape.py and
test_ring_beam.py assert bounds on).

    cd tests/validation && ../../.venv/bin/python report_beam_shape.py
"""

from __future__ import annotations

import math

import numpy as np
from test_beam_shape import EDGE_ALIGNED, HEEL, WRIST, rectangle_by_superposition
from test_ring_beam import disc_annulus_means, gaussian_annulus_means

from lightdose import devices
from lightdose.devices.irradiance import Grid
from lightdose.transport.diffusion import solve_finite_beam, solve_ring_beam
from lightdose.transport.mc import FlatTopBeam, Layer, LayerStackSpec, PencilBeam, simulate
from lightdose.transport.mc import Grid as McGrid
from lightdose.transport.mc.convolve import on_axis_fluence
from lightdose.transport.skin_beam import beam_profile


def worst(fluence, z, reference):
    keep = (z >= 1.0) & (z <= 30.0)
    return float(np.max(np.abs(fluence[keep] / reference[keep] - 1.0)))


def main() -> None:
    disc = solve_finite_beam(HEEL, 26.73)
    for width in (1.0, 0.5, 0.25, 0.1):
        ring = solve_ring_beam(HEEL, *disc_annulus_means(26.73, width, 60.0))
        print(f"flat-top 26.73 mm, heel 890 nm, rings {width} mm: {worst(ring.fluence, disc.z_mm, disc.fluence):.1e}")
    gauss = solve_finite_beam(HEEL, 8.0, profile="gaussian")
    ring = solve_ring_beam(HEEL, *gaussian_annulus_means(8.0, 0.1, 40.0))
    print(f"Gaussian w = 8 mm, heel 890 nm, rings 0.1 mm: {worst(ring.fluence, gauss.z_mm, gauss.fluence):.1e}")
    for device, spec, a, b in (("pad-890", HEEL, 15.0, 37.5), ("probe-810", WRIST, 5.0, 5.0)):
        z, reference = rectangle_by_superposition(spec, a, b, intervals=400)
        light = devices.get_light_device(device)
        maps = {"edge-aligned": light.irradiance_map(0.0, EDGE_ALIGNED[device])}
        for points in (201, 401):
            maps[f"default, {points} points"] = light.irradiance_map(0.0, Grid.around(light, 0.0, points))
        for name, irradiance in maps.items():
            ring = solve_ring_beam(spec, *beam_profile(irradiance, 0))
            print(f"{device} {2 * a:g} x {2 * b:g} mm, {name} map: {worst(ring.fluence, z, reference):.1e}")
        depth = 22.5 if device == "pad-890" else 5.5
        disc = solve_finite_beam(spec, math.sqrt(4 * a * b / math.pi)).at(depth)
        print(f"  rectangle / equal-area disc at {depth} mm: {float(np.interp(depth, z, reference) / disc):.4f} "
              f"(rectangle {float(np.interp(depth, z, reference)):.5f}, disc {float(disc):.5f})")
    spec = LayerStackSpec((Layer(math.inf, 0.05, 10.0, 0.9, 1.4),), n_above=1.0)
    edges = 0.5 * np.arange(1, 9)
    pencil, flat = [], []
    for seed in range(1, 6):
        ds = simulate(spec, PencilBeam(), photons=40_000, seed=seed, grid=McGrid(dz_mm=0.1, nz=80, dr_mm=0.5, nr=8,
                                                                                   na=1))
        pencil.append(on_axis_fluence(ds, edges, np.ones(8)))
        ds = simulate(spec, FlatTopBeam(4.0), photons=40_000, seed=100 + seed,
                      grid=McGrid(dz_mm=0.1, nz=80, dr_mm=0.5, nr=2, na=1))
        flat.append(ds["fluence_rz"].values[0] * math.pi * 16.0)
    windows = [np.asarray(runs).reshape(5, 8, 10).mean(axis=2) for runs in (pencil, flat)]
    means = [w.mean(axis=0) for w in windows]
    se = [w.std(axis=0, ddof=1) / math.sqrt(5) for w in windows]
    zscore = (means[0] - means[1]) / np.hypot(*se)
    print("MC disc a = 4 mm, 1-mm windows 0-8 mm: pencil/flat-top", np.round(means[0] / means[1], 3))
    print("  z", np.round(zscore, 2), "rel SE pencil", np.round(se[0] / means[0], 4),
          "flat-top", np.round(se[1] / means[1], 4))


if __name__ == "__main__":
    main()
