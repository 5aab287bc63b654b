"""Fast layered solver for broad beams: the δ-P1 (δ-Eddington + diffusion) approximation in 1-D.

The incident collimated beam is split by δ-Eddington scaling (f = g², μs* = μs(1 − g²), g* = g/(1 + g)) into
an unscattered part E_c(z) = E0(1 − Rsp)·Π T_interface·exp(−∫μt* dz) and a diffuse part obeying the P1 equations
(z downward, F the net diffuse flux):

    dF/dz + μa φd = μs*·E_c,        F = D·(3 g* μs* E_c − dφd/dz),        D = 1/(3(μa + μs(1 − g)))

(Carp, Prahl & Venugopalan 2004, J Biomed Opt 9:632; Venugopalan, You & Tromberg 1998, Phys Rev E 58:2395).
Boundaries: partial-current conditions with the effective reflection coefficient of the index mismatch
(Haskell et al. 1994, J Opt Soc Am A 11:2727); internal interfaces conserve flux and keep the radiance φ/n²
continuous. The total fluence rate is φ = φd + E_c. Solved by finite volumes on a graded grid (one tridiagonal
system, a few ms).

Accuracy: diffusion theory is an asymptotic theory. It is reliable deeper than a few transport mean free paths
(1/μs′ ≈ 0.3–1 mm in tissue), in layers where μa ≪ μs′. Shallower than :data:`RELIABLE_DEPTH_MM` the result is
flagged, and the Monte Carlo solver should be used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import solve_banded

from lightdose.transport.mc.layers import LayerStackSpec

RELIABLE_DEPTH_MM = 1.0
"""Depth [mm] above which the δ-P1 solution is not trusted for planning (near-surface, thin absorbing layers)."""


def fresnel_reflectance(n_inside: float, n_outside: float, cos_inside: NDArray[np.float64]) -> NDArray[np.float64]:
    """Unpolarised Fresnel reflectance for light hitting the interface from inside at angle cosines `cos_inside`."""
    ratio = n_inside / n_outside
    sin_t2 = ratio**2 * (1.0 - cos_inside**2)
    reflect = np.ones_like(cos_inside)
    ok = sin_t2 < 1.0
    ci = cos_inside[ok]
    ct = np.sqrt(1.0 - sin_t2[ok])
    rs = (n_inside * ci - n_outside * ct) / (n_inside * ci + n_outside * ct)
    rp = (n_inside * ct - n_outside * ci) / (n_inside * ct + n_outside * ci)
    reflect[ok] = 0.5 * (rs**2 + rp**2)
    return reflect


_GAUSS_MU, _GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(400)
_GAUSS_MU = 0.5 * (_GAUSS_MU + 1.0)  # cosθ on (0, 1)
_GAUSS_WEIGHTS = 0.5 * _GAUSS_WEIGHTS


@lru_cache(maxsize=256)
def effective_reflection_coefficient(n_inside: float, n_outside: float) -> float:
    """R_eff = (Rφ + Rj)/(2 − Rφ + Rj) for diffuse light leaving a medium of index `n_inside` (Haskell 1994).

    Rφ = ∫ 2 sinθ cosθ R(θ) dθ and Rj = ∫ 3 sinθ cos²θ R(θ) dθ over the hemisphere, R the Fresnel reflectance.
    """
    if n_inside == n_outside:
        return 0.0
    mu, weights = _GAUSS_MU, _GAUSS_WEIGHTS
    reflect = fresnel_reflectance(n_inside, n_outside, mu)
    r_phi = np.sum(weights * 2.0 * mu * reflect)
    r_j = np.sum(weights * 3.0 * mu**2 * reflect)
    return float((r_phi + r_j) / (2.0 - r_phi + r_j))


@dataclass(frozen=True)
class DiffusionResult:
    """Broad-beam depth profile per unit incident irradiance (dimensionless fluence rate φ/E0)."""

    z_mm: NDArray[np.float64]
    fluence: NDArray[np.float64]
    collimated: NDArray[np.float64]
    rsp: float
    rd: float
    reliable: NDArray[np.bool_]

    def at(self, depth_mm: float | NDArray[np.float64]) -> NDArray[np.float64]:
        """φ/E0 interpolated (log-linearly) at `depth_mm`."""
        return np.exp(np.interp(depth_mm, self.z_mm, np.log(np.maximum(self.fluence, 1e-300))))


def _graded_grid(stack: LayerStackSpec, depth_mm: float, surface_step_mm: float, growth: float, max_step_mm: float):
    """Cell faces [mm]: fine at the surface and at each interface, growing geometrically in between."""
    edges = [0.0]
    for layer in stack.layers:
        edges.append(min(edges[-1] + layer.thickness_mm, depth_mm))
        if edges[-1] >= depth_mm:
            break
    if edges[-1] < depth_mm:
        edges.append(depth_mm)
    faces = [0.0]
    for top, bottom in zip(edges[:-1], edges[1:], strict=True):
        # grow from both ends of the segment towards its middle
        steps = []
        h = surface_step_mm
        length = bottom - top
        while 2 * sum(steps) + h < length:
            steps.append(h)
            h = min(h * growth, max_step_mm)
        remaining = length - 2 * sum(steps)
        n_mid = max(1, math.ceil(remaining / max(h, 1e-12)))
        sequence = steps + [remaining / n_mid] * n_mid + steps[::-1]
        for s in sequence:
            faces.append(faces[-1] + s)
        faces[-1] = bottom
    return np.asarray(faces)


def solve_broad_beam(
    stack: LayerStackSpec,
    depth_mm: float | None = None,
    surface_step_mm: float = 0.005,
    growth: float = 1.08,
    max_step_mm: float = 0.1,
) -> DiffusionResult:
    """δ-P1 fluence rate per unit incident irradiance for a broad, normally incident collimated beam.

    `depth_mm`: how deep to solve; a semi-infinite last layer is truncated there (default: the stack's finite
    layers plus 15 diffusion lengths of the last layer, at least 60 mm).
    """
    layers = stack.layers
    finite_bottom = sum(layer.thickness_mm for layer in layers if math.isfinite(layer.thickness_mm))
    semi_infinite = not math.isfinite(layers[-1].thickness_mm)
    if depth_mm is None:
        last = layers[-1]
        mueff = math.sqrt(3 * last.mua * (last.mua + last.mus * (1 - last.g))) if last.mua > 0 else 0.01
        depth_mm = max(60.0, finite_bottom + 15.0 / mueff) if semi_infinite else finite_bottom
    faces = _graded_grid(stack, depth_mm, surface_step_mm, growth, max_step_mm)
    h = np.diff(faces)
    z = 0.5 * (faces[:-1] + faces[1:])

    tops = np.cumsum([0.0] + [layer.thickness_mm for layer in layers])[:-1]
    index = np.clip(np.searchsorted(tops, z, side="right") - 1, 0, len(layers) - 1)
    mua = np.array([layer.mua for layer in layers])[index]
    mus = np.array([layer.mus for layer in layers])[index]
    g = np.array([layer.g for layer in layers])[index]
    n = np.array([layer.n for layer in layers])[index]
    mus_star = mus * (1.0 - g**2)
    g_star = g / (1.0 + g)
    mut_star = mua + mus_star
    diffusion = 1.0 / (3.0 * (mua + mus * (1.0 - g)))

    # Collimated beam: Fresnel transmission at the surface and at every internal interface, δ-Eddington decay.
    n_layers = np.array([layer.n for layer in layers])
    rsp = ((stack.n_above - n_layers[0]) / (stack.n_above + n_layers[0])) ** 2
    interface_t = np.ones(len(layers))
    for k in range(1, len(layers)):
        interface_t[k] = 1.0 - ((n_layers[k - 1] - n_layers[k]) / (n_layers[k - 1] + n_layers[k])) ** 2
    transmission = (1.0 - rsp) * np.cumprod(interface_t)[index]
    optical_depth_top = np.concatenate([[0.0], np.cumsum(mut_star * h)])[:-1]
    e_top = transmission * np.exp(-optical_depth_top)
    # cell averages of E_c (exact for exponential decay within a cell) and cell-centre values
    x = mut_star * h
    e_avg = e_top * np.where(x > 1e-8, -np.expm1(-x) / np.where(x > 1e-8, x, 1.0), 1.0 - 0.5 * x)
    e_centre = e_top * np.exp(-0.5 * x)
    q0 = mus_star * e_avg
    s = 3.0 * diffusion * g_star * mus_star * e_centre  # the anisotropic source enters the flux: F = D(3Q1) − Dφ′

    # Finite volumes in u = φd/n² (continuous across index steps); flux F_face = K(u_i − u_j) + S_face.
    p = 2.0 * diffusion / h * n**2
    k_face = p[:-1] * p[1:] / (p[:-1] + p[1:])
    s_face = (p[:-1] * s[1:] + p[1:] * s[:-1]) / (p[:-1] + p[1:])
    size = z.size
    a_top = 1.0 / (2.0 * _a_factor(layers[0].n, stack.n_above))
    n_bottom_out = stack.n_below if not semi_infinite else layers[-1].n
    a_bottom = 1.0 / (2.0 * _a_factor(layers[-1].n, n_bottom_out))
    # Boundary fluxes: top F = −(p1 u1 − s1)/(2A p1/n² + 1) · ... written as c_top·u1 + d_top (downward positive)
    a1 = 2.0 * diffusion[0] / h[0]
    c_top = -(a1 * n[0] ** 2) / (a1 / a_top + 1.0)
    d_top = s[0] / (a1 / a_top + 1.0)
    aN = 2.0 * diffusion[-1] / h[-1]
    c_bot = (aN * n[-1] ** 2) / (aN / a_bottom + 1.0)
    d_bot = s[-1] / (aN / a_bottom + 1.0)

    # Cell balance: F_{i+1/2} − F_{i−1/2} + μa h φ_i = q0 h
    diag = mua * h * n**2
    upper = np.zeros(size)
    lower = np.zeros(size)
    rhs = q0 * h
    diag[:-1] += k_face
    upper[1:] = -k_face
    rhs[:-1] -= s_face
    diag[1:] += k_face
    lower[:-1] = -k_face
    rhs[1:] += s_face
    diag[0] -= c_top
    rhs[0] += d_top
    diag[-1] += c_bot
    rhs[-1] -= d_bot
    banded = np.vstack([upper, diag, lower])
    u = solve_banded((1, 1), banded, rhs)
    phi_d = u * n**2
    fluence = phi_d + e_centre
    rd = -(c_top * u[0] + d_top)
    return DiffusionResult(
        z_mm=z, fluence=fluence, collimated=e_centre, rsp=float(rsp), rd=float(rd), reliable=z >= RELIABLE_DEPTH_MM
    )


def _a_factor(n_inside: float, n_outside: float) -> float:
    r_eff = effective_reflection_coefficient(n_inside, n_outside)
    return (1.0 + r_eff) / (1.0 - r_eff)
