"""Responses to finite beams by convolving the pencil-beam response with the beam profile.

For a beam of irradiance profile S(r) [1/mm^2 per W], the response is the 2-D convolution of the pencil
response G(r) with S (Wang, Jacques & Zheng 1997, Comput. Methods Programs Biomed. 54:141-150, "CONV").
In cylindrical symmetry,

    R(r) = integral G(r'') r'' dr'' * Theta(r, r''),  Theta(r, r'') = integral_0^2pi S(|r - r''|) dtheta,

with Theta in closed form for a flat-top disk of radius a (2 S0 arccos((r^2 + r''^2 - a^2)/(2 r r''))) and for
a Gaussian of 1/e^2 radius w (2 pi S0 exp(-2 (r^2 + r''^2)/w^2) I0(4 r r''/w^2)). G is the bin average
scored by the Monte Carlo; each output bin is averaged over its annulus, like a directly sampled tally, by
sub-sampling input and output bins. Pencil-beam weight that left the r grid is not convolved, so results
are accurate only where the beam plus the lateral spread fits inside the grid.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.special import i0e

from lightdose.errors import InputError
from lightdose.transport.mc.sources import FlatTopBeam, GaussianBeam

_SUB = 8


def _theta(r: np.ndarray, rp: np.ndarray, source: FlatTopBeam | GaussianBeam) -> np.ndarray:
    """Angular integral of the irradiance profile [1/mm^2 * rad] for all pairs (r, r'')."""
    a = source.radius_mm
    rr, pp = np.meshgrid(r, rp, indexing="ij")
    if isinstance(source, FlatTopBeam):
        s0 = 1.0 / (math.pi * a * a)
        c = np.clip((rr * rr + pp * pp - a * a) / (2.0 * rr * pp), -1.0, 1.0)
        return 2.0 * s0 * np.arccos(c)
    s0 = 2.0 / (math.pi * a * a)
    return 2.0 * math.pi * s0 * np.exp(-2.0 * (rr - pp) ** 2 / (a * a)) * i0e(4.0 * rr * pp / (a * a))


def convolve_memory_bytes(nr: int) -> int:
    """Memory [bytes] that :func:`convolution_matrix` takes for `nr` radial bins: the angular integrals and their
    r-weighted copy on the sub-sampled rings, the per-ring sums and the matrix itself."""
    sub = _SUB * nr
    return 8 * (2 * sub * sub + sub * nr + nr * nr)


def convolution_matrix(nr: int, dr: float, source: FlatTopBeam | GaussianBeam) -> np.ndarray:
    """K[j, i]: response in output ring j (annulus-averaged) per unit pencil response density in ring i."""
    sub = (np.arange(nr * _SUB) + 0.5) * (dr / _SUB)  # sub-ring midpoints [mm]
    theta = _theta(sub, sub, source)  # (out sub-ring, in sub-ring)
    inner = theta * (sub * (dr / _SUB))[None, :]  # integral over the input ring: r'' dr'' Theta
    k_sub = inner.reshape(nr * _SUB, nr, _SUB).sum(axis=2)  # (out sub-ring, in ring)
    ring_area = math.pi * dr * dr * (2.0 * np.arange(nr) + 1.0)
    weights = 2.0 * math.pi * sub * (dr / _SUB)  # area of each output sub-ring
    k = (k_sub * weights[:, None]).reshape(nr, _SUB, nr).sum(axis=1)
    return k / ring_area[:, None]


def convolve_dataset(ds: xr.Dataset, source: FlatTopBeam | GaussianBeam) -> xr.Dataset:
    """Return a copy of a pencil-beam Dataset with its r-resolved variables convolved with `source`.

    Depth profiles and totals are unchanged (they do not depend on the beam shape). Standard errors of the
    convolved radial profiles are propagated assuming independent radial bins.
    """
    k = convolution_matrix(ds.sizes["r"], float(ds.attrs["dr_mm"]), source)
    out = ds.copy()
    for name in ("a_rz", "fluence_rz", "rd_r", "tt_r", "rd_ra", "tt_ra"):
        values = ds[name].values
        out[name] = (ds[name].dims, np.tensordot(k, values, axes=(1, 0)), ds[name].attrs)
    for name in ("rd_r_se", "tt_r_se"):
        se = ds[name].values
        out[name] = (ds[name].dims, np.sqrt((k * k) @ (se * se)), ds[name].attrs)
    out.attrs.update(source=source.kind, source_radius_mm=source.radius_mm, source_method="convolve")
    return out


def ring_powers(ring_radius_mm: np.ndarray, ring_irradiance: np.ndarray, edges_mm: np.ndarray) -> np.ndarray:
    """∫ b dA over the annuli between consecutive `edges_mm` (from 0) of a staircase profile: ring j of the profile
    lies between ``ring_radius_mm[j-1]`` and ``ring_radius_mm[j]`` with value ``ring_irradiance[j]``.

    Within a ring the cumulative ∫_0^r b·2πρ dρ is linear in r², so it is interpolated exactly; beyond the last
    ring the profile is zero.
    """
    outer = np.asarray(ring_radius_mm, dtype=float)
    inner = np.r_[0.0, outer[:-1]]
    cumulative = np.r_[0.0, np.cumsum(np.asarray(ring_irradiance, dtype=float) * math.pi * (outer**2 - inner**2))]
    at_edges = np.interp(np.r_[0.0, edges_mm] ** 2, np.r_[0.0, outer] ** 2, cumulative)
    return np.diff(at_edges)


def on_axis_fluence(ds: xr.Dataset, ring_radius_mm: np.ndarray, ring_irradiance: np.ndarray) -> np.ndarray:
    """On-axis fluence rate versus depth per unit centre irradiance of an extended beam, from a pencil-beam run.

    By translation invariance the axis sees a pencil at distance ρ as the pencil's own response at ρ, so
    φ(0, z) = ∫ G(ρ, z)·E(ρ) dA with G the pencil's fluence rate per W: the `fluence_rz` of a pencil-beam
    Dataset summed over its r bins with the power of the profile (:func:`ring_powers`, relative irradiance ×
    area) that falls in each bin. Exact where the profile is constant over each r bin (choose the bins as the
    profile's rings); pencil weight scored beyond the grid's last bin is lost (make the grid reach the profile's
    edge). NaN where `fluence_rz` is (layers with μa = 0).
    """
    if ds.attrs.get("source") != "pencil":
        raise InputError("source", f"{ds.attrs.get('source')!r}: on-axis weighting needs a pencil-beam run")
    edges = float(ds.attrs["dr_mm"]) * np.arange(1, ds.sizes["r"] + 1)
    return ring_powers(ring_radius_mm, ring_irradiance, edges) @ ds["fluence_rz"].values
