"""How one emitter's light spreads over a plane parallel to its face, in a form that integrates in closed form.

The irradiance of every emitter on the skin plane is written as a weighted sum of *separable terms*: a uniform box
(the emitting face, or a strip of it) blurred by an isotropic Gaussian. The power such a term puts into a rectangle
of the plane, and its value at a point, are products of a function of x and a function of y built from the normal
distribution Φ (error functions). Hence:

* a map cell holds the exact power that falls into it, however narrow the peaks (a cell value is the mean over the
  cell, not a sample at its centre): the map's integral is the power reaching the plane at every distance;
* a grid of rows × columns identical emitters sums its column factors and its row factors separately, so that the
  map of a grid costs (rows + columns) one-dimensional evaluations per term, not rows × columns two-dimensional ones.

The terms of each kind of emitter (:func:`spread`, :func:`face_pieces`):

* **cos^m beams** (Lambertian m = 1). The irradiance of a point emitter of power P at height z is
  E(ρ) = P·(m+1)/(2π z²)·(1 + u²)^−s with u = ρ/z and s = (m+3)/2. The Gamma-function integral
  (1 + u²)^−s = (1/Γ(s))·∫ t^(s−1)·e^(−t(1+u²)) dt writes it as a scale mixture of Gaussians e^(−t u²); in ln t the
  integrand is smooth and decays at both ends, so the trapezoid rule converges exponentially
  (Trefethen & Weideman 2014, SIAM Rev 56:385) — the construction of exponential-sum approximations of power
  functions (Beylkin & Monzón 2005, Appl Comput Harmon Anal 19:17). With a = (m+1)/2 the weight of the Gaussian of
  parameter t is the Gamma(a) density of t, so the terms are Gaussians of standard deviation σ = z/√(2t) weighted by
  the trapezoid rule on ln t ∈ [ln t₁, ln t₂] (the Gamma(a) quantiles 10⁻¹³ and 1 − 10⁻¹³) with step
  :data:`MIXTURE_STEP`/√max(a, 1); the weights are renormalised to sum to 1, so each emitter puts exactly its power
  on the infinite plane. Against the closed form the mixture is within 1e-11 of the kernel's peak everywhere, and
  within 1e-9 relative wherever the kernel exceeds 1e-6 of its peak, for half-angles 1°–89°
  (tests/validation/test_irradiance_closed_form.py). An emitting face of finite size radiates the same profile from
  every point of its area (uniform exitance P/A): its irradiance is the point kernel averaged over the face, the
  face being one box (square, rectangle) or strips (disk). As z → 0 every Gaussian narrows to the face itself:
  the irradiance tends to P/A on the face, finite.
* **collimated flat-top** beams: the face's boxes, unblurred (σ = 0), at any distance.
* **collimated Gaussian** beams, E = 2P/(πw²)·exp(−2ρ²/w²): one Gaussian of σ = w/2 (w = size/2).

A disk is cut into :data:`DISK_STRIPS` strips along y, evenly spaced in the polar angle (y = R sin θ, thinner near
the rim), each a box of the strip's height and of the width that gives it the strip's exact area: the power is
exact, the disk's outline is resolved to a strip's height (finer near the rim).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy.special import gammainccinv, gammaincinv, gammaln, ndtr

from lightdose.devices.emitters import Emitter
from lightdose.devices.layout import EmitterGrid

MIXTURE_STEP = 0.3
"""Trapezoid step in ln t of the Gaussian mixture of a cos^m kernel, for a = (m+1)/2 ≤ 1 (divided by √a above)."""
MIXTURE_TAIL = 1e-13
"""Share of the Gamma(a) weight left out at each end of the mixture (then renormalised)."""
DISK_STRIPS = 16
"""Strips a disk face is cut into for the map."""
_MAX_CHUNK_ELEMENTS = 4_000_000
_SQRT_2PI = math.sqrt(2.0 * math.pi)


@cache
def cosine_power_mixture(m: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Weights w_k (summing to 1) and parameters t_k with (m+1)/(2π)·(1+u²)^−(m+3)/2 ≈ Σ w_k·(t_k/π)·exp(−t_k u²).

    Each term is a normalised 2-D Gaussian in u; on a plane at height z it is a Gaussian of σ = z/√(2 t_k) [mm].
    """
    a = (m + 1.0) / 2.0
    step = MIXTURE_STEP / max(1.0, math.sqrt(a))
    low, high = math.log(gammaincinv(a, MIXTURE_TAIL)), math.log(gammainccinv(a, MIXTURE_TAIL))
    tau = low + step * np.arange(math.ceil((high - low) / step) + 1)
    t = np.exp(tau)
    weights = np.exp(a * tau - t - gammaln(a))
    return weights / weights.sum(), t


def spread(emitter: Emitter, z: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The Gaussian blur of `emitter`'s face on a plane at height `z` [mm]: weights (summing to 1) and standard
    deviations σ [mm] per term (σ = 0: no blur)."""
    if emitter.beam == "collimated":
        sigma = emitter.size / 4.0 if emitter.profile == "gaussian" else 0.0
        return np.ones(1), np.array([sigma])
    if z == 0.0:
        return np.ones(1), np.zeros(1)
    weights, t = cosine_power_mixture(emitter.exponent)
    return weights, z / np.sqrt(2.0 * t)


@dataclass(frozen=True)
class Pieces:
    """An emitting face as boxes: weight (share of the power), centre offset and half-size along x and y [mm]."""

    weight: NDArray[np.float64]
    x: NDArray[np.float64]
    half_x: NDArray[np.float64]
    y: NDArray[np.float64]
    half_y: NDArray[np.float64]


def face_pieces(emitter: Emitter) -> Pieces:
    """The boxes of `emitter`'s face: one box (a point is a box of size 0; a Gaussian beam's profile is its blur),
    or :data:`DISK_STRIPS` strips of a flat disk."""
    one, zero = np.ones(1), np.zeros(1)
    if emitter.face == "disk" and emitter.profile == "flat-top":
        radius = emitter.size / 2.0
        edges = radius * np.sin(np.linspace(-math.pi / 2.0, math.pi / 2.0, DISK_STRIPS + 1))
        below = edges * np.sqrt(np.clip(radius**2 - edges**2, 0.0, None)) + radius**2 * np.arcsin(edges / radius)
        area = np.diff(below)  # ∫ 2√(R² − y²) dy over each strip
        half_y = np.diff(edges) / 2.0
        return Pieces(area / area.sum(), np.zeros(DISK_STRIPS), area / (4.0 * half_y), edges[:-1] + half_y, half_y)
    if emitter.face in ("point", "disk"):  # a point, or the centre of a Gaussian beam
        return Pieces(one, zero, zero, zero, zero)
    return Pieces(one, zero, np.array([emitter.size / 2.0]), zero, np.array([(emitter.size_y or emitter.size) / 2.0]))


def _step(d: NDArray[np.float64], sigma: NDArray[np.float64]) -> NDArray[np.float64]:
    """Φ(d/σ), the share of a Gaussian of σ below d; for σ = 0 the unit step (½ at d = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sigma > 0.0, ndtr(d / sigma), 0.5 * (1.0 + np.sign(d)))


def _ramp(u: NDArray[np.float64], sigma: NDArray[np.float64]) -> NDArray[np.float64]:
    """∫_{−∞}^{u} Φ(v/σ) dv = u·Φ(u/σ) + σ·φ(u/σ); max(u, 0) for σ = 0."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        v = u / sigma
        blurred = u * ndtr(v) + sigma * np.exp(-0.5 * v * v) / _SQRT_2PI
    return np.where(sigma > 0.0, blurred, np.maximum(u, 0.0))


def _lower_tail(d: NDArray[np.float64], half: NDArray[np.float64], sigma: NDArray[np.float64],
                point: bool) -> NDArray[np.float64]:
    """Share of a box of half-width `half` blurred by σ that lies below d ≤ 0 from its centre (its cumulative
    distribution, evaluated on its small side to avoid cancellation)."""
    if point:
        return _step(d, sigma)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (_ramp(d + half, sigma) - _ramp(d - half, sigma)) / (2.0 * half)


def _axis_fractions(edges: NDArray[np.float64], centres: NDArray[np.float64], half: NDArray[np.float64],
                    sigma: NDArray[np.float64], point: bool) -> NDArray[np.float64]:
    """Share of each blurred box that falls between consecutive `edges`, summed over `centres`.

    `centres` (J, C): the box centres of piece j in column (or row) c; `half` (J,); `sigma` (K,). Returns (K, J, n)
    for the n = len(edges) − 1 intervals. Each interval is computed from the two tails (T = share beyond the edge on
    the side away from the centre): T₁ − T₂ or T₂ − T₁ when the interval lies on one side, 1 − T₁ − T₂ when it holds
    the centre — no difference of two numbers close to 1.
    """
    sigma4, half4 = sigma[:, None, None, None], half[None, :, None, None]
    out = np.zeros((sigma.size, half.size, edges.size - 1))
    chunk = max(1, _MAX_CHUNK_ELEMENTS // (sigma.size * half.size * edges.size))
    for start in range(0, centres.shape[1], chunk):
        d = edges[None, None, None, :] - centres[None, :, start : start + chunk, None]
        tail = _lower_tail(-np.abs(d), half4, sigma4, point)
        below, above = d[..., :-1], d[..., 1:]
        t1, t2 = tail[..., :-1], tail[..., 1:]
        share = np.where(below >= 0.0, t1 - t2, np.where(above <= 0.0, t2 - t1, 1.0 - t1 - t2))
        out += np.clip(share, 0.0, None).sum(axis=2)
    return out


def _densities(d: NDArray[np.float64], half: NDArray[np.float64], sigma: NDArray[np.float64],
               point: bool) -> NDArray[np.float64]:
    """Density [1/mm] along one axis of a box of half-width `half` blurred by σ, at offsets d from its centre
    (broadcast). A point blurred by σ = 0 has no density: callers refuse that case (a point emitter in contact)."""
    d = -np.abs(d)  # symmetric: evaluated on the small side
    with np.errstate(divide="ignore", invalid="ignore"):
        if point:
            return np.exp(-0.5 * (d / sigma) ** 2) / (_SQRT_2PI * sigma)
        return (_step(d + half, sigma) - _step(d - half, sigma)) / (2.0 * half)


def grid_cell_power(grid: EmitterGrid, x_edges: NDArray[np.float64], y_edges: NDArray[np.float64],
                    z: float) -> NDArray[np.float64]:
    """Power [W] that a grid of emitters puts into each cell [x_edges[i], x_edges[i+1]] × [y_edges[j], y_edges[j+1]]
    of a plane at height `z` [mm]: shape (len(y_edges) − 1, len(x_edges) − 1). The grid's rows and columns are
    summed separately (module docstring)."""
    spread_weight, sigma = spread(grid.emitter, z)
    pieces = face_pieces(grid.emitter)
    point = not np.any(pieces.half_x > 0.0)
    columns, rows = grid.axes()
    fx = _axis_fractions(x_edges, pieces.x[:, None] + columns[None, :], pieces.half_x, sigma, point)
    fy = _axis_fractions(y_edges, pieces.y[:, None] + rows[None, :], pieces.half_y, sigma, point)
    weight = (spread_weight[:, None] * pieces.weight[None, :])[..., None]  # (K, J, 1)
    terms = sigma.size * pieces.weight.size
    return grid.emitter.power * (fy * weight).reshape(terms, -1).T @ fx.reshape(terms, -1)


def point_irradiance(emitter: Emitter, dx: NDArray[np.float64], dy: NDArray[np.float64],
                     z: float) -> NDArray[np.float64]:
    """Irradiance [W/mm²] of one emitter at offsets (dx, dy) [mm] (arrays of one shape) from its centre, on a plane
    at height `z` [mm], from its separable terms. Not for point faces in contact (infinite)."""
    weights, sigma = spread(emitter, z)
    pieces = face_pieces(emitter)
    point = not np.any(pieces.half_x > 0.0)
    flat_x, flat_y = dx.ravel(), dy.ravel()
    out = np.zeros(flat_x.size)
    chunk = max(1, _MAX_CHUNK_ELEMENTS // (sigma.size * pieces.weight.size))
    k = (slice(None), None, None)
    j = (None, slice(None), None)
    for start in range(0, flat_x.size, chunk):
        ox = flat_x[None, None, start : start + chunk] - pieces.x[j]
        oy = flat_y[None, None, start : start + chunk] - pieces.y[j]
        terms = (_densities(ox, pieces.half_x[j], sigma[k], point) * _densities(oy, pieces.half_y[j], sigma[k], point))
        out[start : start + chunk] = np.einsum("k,j,kjn->n", weights, pieces.weight, terms)
    return emitter.power * out.reshape(dx.shape)
