"""Assembly of Monte Carlo results into an ``xarray.Dataset`` in physical units, and NetCDF save/load.

Units (every variable carries ``attrs["units"]``):

* finite beams (pencil, flat-top, Gaussian): per incident watt. Rd, Tt, A, A per layer: "1";
  A(z): "1/mm" (W absorbed per mm of depth per W); A(r,z): "1/mm^3"; fluence rate phi(r,z): "1/mm^2"
  (W/mm^2 per W); phi(z) = integral of phi(r,z) over the plane: "1" (equal to the broad-beam phi(z) per
  unit irradiance); Rd(r), Tt(r): "1/mm^2"; Rd(angle), Tt(angle): "1/sr"; Rd(r, angle): "1/(mm^2 sr)".
* infinitely broad uniform beam: per unit incident irradiance (W/mm^2). A(z): "1/mm"; phi(z): "1";
  no r-resolved variables.

``scored_weight`` is the raw weight scored per launched packet, before the normalisation of
:mod:`lightdose.transport.mc.tallies`: 1 - Rsp for a kernel that conserves weight (the conservation check).

Fluence rate is computed from absorption, phi = A / mua (Wang et al. 1995), with the thickness-weighted mean mua of
the depth bin (so bins that straddle a layer interface are not biased); it is NaN (and the variable's ``note``
says so) in depth bins with mua = 0, where the absorption estimator carries no signal.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import xarray as xr

from lightdose.errors import InputError
from lightdose.transport.layers import LayerStackSpec
from lightdose.transport.mc.sources import Grid
from lightdose.transport.mc.tallies import Accumulator


def _bin_absorption(stack: LayerStackSpec, dz: float, nz: int) -> np.ndarray:
    """Thickness-weighted mean μa [1/mm] of each depth bin (bins may straddle layer interfaces).

    Fluence from absorption, φ = A/μa, divides the absorbed power of a bin by this mean: exact when φ is
    uniform over the bin, and free of the spikes that the μa of the bin centre's layer gives in bins that
    contain an interface.
    """
    edges = np.arange(nz + 1) * dz
    bounds = np.asarray(stack.boundaries_mm, dtype=float)
    weighted = np.zeros(nz)
    for layer, top, bottom in zip(stack.layers, bounds[:-1], bounds[1:], strict=True):
        overlap = np.clip(np.minimum(edges[1:], bottom) - np.maximum(edges[:-1], top), 0.0, None)
        weighted += layer.mua * overlap
    return weighted / dz


def _fluence(a: np.ndarray, mua_of_bin: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mua_of_bin > 0.0, a / np.where(mua_of_bin > 0.0, mua_of_bin, 1.0), np.nan)


def build_dataset(acc: Accumulator, stack: LayerStackSpec, grid: Grid, rsp: float, *, broad: bool,
                  attrs: dict[str, str | int | float]) -> xr.Dataset:
    """Turn accumulated raw tallies into a Dataset of physical quantities with standard errors."""
    scale = 1.0 - rsp
    nz, nr, na = grid.nz, grid.nr, grid.na
    dz, dr = grid.dz_mm, grid.dr_mm
    da = 0.5 * math.pi / na
    z = (np.arange(nz) + 0.5) * dz
    r = (np.arange(nr) + 0.5) * dr
    angle = (np.arange(na) + 0.5) * da
    ring_area = math.pi * dr * dr * (2.0 * np.arange(nr) + 1.0)  # pi((i+1)^2 - i^2) dr^2  [mm^2]
    solid_angle = 2.0 * math.pi * (np.cos(np.arange(na) * da) - np.cos((np.arange(na) + 1) * da))  # [sr]
    mua_layers = np.array([layer.mua for layer in stack.layers])
    mua_z = _bin_absorption(stack, dz, nz)

    def frac(name: str) -> np.ndarray:
        return acc.fraction(name, scale)

    def se(name: str) -> np.ndarray:
        return acc.standard_error(name, scale)

    per = "irradiance" if broad else "incident power"
    data: dict[str, tuple] = {}

    def put(name: str, dims: tuple[str, ...], values: np.ndarray | float, units: str, long: str,
            **extra: str) -> None:
        data[name] = (dims, np.asarray(values, dtype=float), {"units": units, "long_name": long, **extra})

    put("rsp", (), rsp, "1", "specular reflectance")
    for key, long in (("rd", "diffuse reflectance"), ("a", "absorbed fraction"),
                      ("tt", "total transmittance")):
        put(key, (), frac(key), "1", long)
        put(f"{key}_se", (), se(key), "1", f"standard error of {long}")
    put("scored_weight", (), acc.scored_weight(), "1",
        "raw weight scored per launched packet, not normalised (conservation check: expected 1 - rsp)")
    put("scored_weight_se", (), acc.scored_weight_se(), "1", "standard error of scored_weight")
    put("a_layer", ("layer",), frac("a_layer"), "1", "absorbed fraction per layer")
    put("a_layer_se", ("layer",), se("a_layer"), "1", "standard error of absorbed fraction per layer")
    a_z_unit = "1/mm"
    put("a_z", ("z",), frac("a_z") / dz, a_z_unit, f"absorbed power per depth per {per}")
    put("a_z_se", ("z",), se("a_z") / dz, a_z_unit, "standard error of a_z")
    phi_note = "NaN in layers with mua = 0 (fluence from absorption, phi = A/mua)"
    put("fluence_z", ("z",), _fluence(frac("a_z") / dz, mua_z), "1",
        "fluence rate per unit incident irradiance (broad beam) = plane-integrated pencil fluence rate per W",
        note=phi_note)
    put("fluence_z_se", ("z",), _fluence(se("a_z") / dz, mua_z), "1", "standard error of fluence_z")
    put("rd_a", ("angle",), frac("rd_a") / solid_angle, "1/sr", "diffuse reflectance per solid angle")
    put("rd_a_se", ("angle",), se("rd_a") / solid_angle, "1/sr", "standard error of rd_a")
    put("tt_a", ("angle",), frac("tt_a") / solid_angle, "1/sr", "transmittance per solid angle")
    put("tt_a_se", ("angle",), se("tt_a") / solid_angle, "1/sr", "standard error of tt_a")
    if not broad:
        vol = ring_area[:, None] * dz
        a_rz = frac("a_rz") / vol
        put("a_rz", ("r", "z"), a_rz, "1/mm^3", "absorbed power density per incident watt")
        put("fluence_rz", ("r", "z"), _fluence(a_rz, mua_z[None, :]), "1/mm^2",
            "fluence rate per incident watt", note=phi_note)
        for key, long in (("rd", "diffuse reflectance"), ("tt", "total transmittance")):
            put(f"{key}_r", ("r",), frac(f"{key}_r") / ring_area, "1/mm^2", f"{long} per area")
            put(f"{key}_r_se", ("r",), se(f"{key}_r") / ring_area, "1/mm^2", f"standard error of {key}_r")
            put(f"{key}_ra", ("r", "angle"), frac(f"{key}_ra") / ring_area[:, None] / solid_angle[None, :],
                "1/(mm^2 sr)", f"{long} per area and solid angle")
    coords = {
        "z": ("z", z, {"units": "mm", "long_name": "depth of bin centre"}),
        "angle": ("angle", angle, {"units": "rad", "long_name": "exit angle from the normal, bin centre"}),
        "layer": ("layer", np.arange(1, len(stack.layers) + 1), {"units": "1"}),
        "layer_name": ("layer", np.array(stack.layer_names(), dtype=str)),
        "layer_thickness": ("layer", [x.thickness_mm for x in stack.layers], {"units": "mm"}),
        "layer_mua": ("layer", mua_layers, {"units": "1/mm"}),
        "layer_mus": ("layer", [x.mus for x in stack.layers], {"units": "1/mm"}),
        "layer_g": ("layer", [x.g for x in stack.layers], {"units": "1"}),
        "layer_n": ("layer", [x.n for x in stack.layers], {"units": "1"}),
    }
    if not broad:
        coords["r"] = ("r", r, {"units": "mm", "long_name": "radius of bin centre"})
    all_attrs = {
        **attrs,
        "n_above": stack.n_above,
        "n_below": stack.n_below,
        "dz_mm": dz,
        "dr_mm": dr,
        "nz": nz,
        "nr": nr,
        "na": na,
        "normalisation": "per incident W/mm^2 (broad beam)" if broad else "per incident W",
    }
    return xr.Dataset(data_vars=data, coords=coords, attrs=all_attrs)


def save(ds: xr.Dataset, path: str | Path) -> None:
    """Write `ds` to NetCDF (netCDF3 through scipy; no netCDF4 library needed)."""
    ds.to_netcdf(path, engine="scipy")


def load(path: str | Path) -> xr.Dataset:
    """Read a Dataset written by :func:`save` (fully loaded into memory, file closed)."""
    p = Path(path)
    if not p.is_file():
        raise InputError("path", f"{p} does not exist")
    with xr.open_dataset(p, engine="scipy") as ds:
        return ds.load()
