"""Monte Carlo result Datasets: units, provenance, NetCDF round trip, input validation."""

import math

import numpy as np
import pytest

from lightdose.errors import InputError
from lightdose.transport.mc import (
    FlatTopBeam,
    Grid,
    Layer,
    LayerStackSpec,
    PencilBeam,
    UniformBeam,
    load,
    save,
    simulate,
)

STACK = LayerStackSpec((Layer(0.5, 0.1, 10.0, 0.9, 1.4), Layer(math.inf, 0.02, 5.0, 0.8, 1.4)))
GRID = Grid(dz_mm=0.1, dr_mm=0.1, nz=20, nr=15, na=6)


@pytest.mark.parametrize("source", [PencilBeam(), UniformBeam(), FlatTopBeam(1.0)])
def test_every_variable_has_units_and_provenance(source):
    ds = simulate(STACK, source, photons=3000, seed=2, grid=GRID)
    for name in list(ds.data_vars) + [c for c in ds.coords if c != "layer_name"]:
        assert "units" in ds[name].attrs, name
    for key in ("lightdose_version", "solver", "seed", "photons", "threads", "wall_time_s", "partial",
                "photons_requested", "steps_per_photon"):
        assert key in ds.attrs
    for key, value in ds.attrs.items():  # NetCDF-safe: plain strings and numbers
        assert isinstance(value, str | int | float) and not isinstance(value, bool), key
    assert float(ds.scored_weight) == pytest.approx(1.0 - float(ds.rsp), abs=5 * float(ds.scored_weight_se) + 1e-12)
    assert ds.attrs["photons"] == 3000 and ds.attrs["seed"] == 2 and ds.attrs["partial"] == 0
    if isinstance(source, UniformBeam):
        assert "a_rz" not in ds and ds.a_z.attrs["units"] == "1/mm"
    else:
        assert ds.a_rz.attrs["units"] == "1/mm^3" and ds.fluence_rz.attrs["units"] == "1/mm^2"
        assert ds.rd_r.attrs["units"] == "1/mm^2"
    assert ds.fluence_z.attrs["units"] == "1" and ds.rd_a.attrs["units"] == "1/sr"


def test_plane_integral_of_pencil_fluence_equals_fluence_z():
    ds = simulate(STACK, PencilBeam(), photons=20000, seed=2, grid=Grid(dz_mm=0.1, dr_mm=0.5, nz=20, nr=200))
    ring = math.pi * 0.25 * (2 * np.arange(200) + 1)
    a_z_from_rz = (ds.a_rz.values * ring[:, None]).sum(0) * 0.1
    inside = a_z_from_rz / (ds.a_z.values * 0.1)
    assert np.all(inside <= 1 + 1e-9) and np.all(inside > 0.999)  # all but the weight beyond r = 100 mm
    np.testing.assert_allclose(ds.fluence_z.values, ds.a_z.values / np.where(ds.z < 0.5, 0.1, 0.02))


def test_save_load_round_trip(tmp_path):
    ds = simulate(STACK, photons=2000, seed=2, grid=GRID)
    path = tmp_path / "run.nc"
    save(ds, path)
    back = load(path)
    for name in ds.data_vars:
        np.testing.assert_array_equal(back[name].values, ds[name].values)
        assert back[name].attrs["units"] == ds[name].attrs["units"]
    assert back.attrs["seed"] == 2 and back.attrs["solver"] == ds.attrs["solver"]
    assert list(back.layer_name.values) == ["layer 1", "layer 2"]


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Layer(-1.0, 0.1, 1.0), "thickness_mm"),
        (lambda: Layer(1.0, 0.1, 1.0, g=1.0), "g"),
        (lambda: Layer(1.0, -0.1, 1.0), "mua"),
        (lambda: Layer(1.0, 0.1, 1.0, n=0.5), "n"),
        (lambda: LayerStackSpec((Layer(math.inf, 0.1, 1.0), Layer(1.0, 0.1, 1.0))), "layers[0].thickness_mm"),
        (lambda: FlatTopBeam(0.0), "radius_mm"),
        (lambda: Grid(nz=0), "nz"),
        (lambda: Grid(nz=20_000, nr=20_000), "grid"),  # 60 GiB of tallies: refused before allocating
        (lambda: simulate(STACK, FlatTopBeam(1.0, method="convolve"), photons=10, grid=Grid(nr=5000)), "grid"),
        (lambda: simulate(STACK, photons=0), "photons"),
        (lambda: simulate(STACK, photons=None), "photons"),
        (lambda: simulate(STACK, photons=10, threads=99), "threads"),
    ],
)
def test_bad_input_names_the_field(make, field):
    with pytest.raises(InputError) as info:
        make()
    assert info.value.field == field


def test_progress_is_reported_while_running():
    calls = []
    simulate(STACK, photons=5000, seed=2, grid=GRID, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (5000, 5000)
    assert all(total == 5000 for _, total in calls) and [d for d, _ in calls] == sorted(d for d, _ in calls)
