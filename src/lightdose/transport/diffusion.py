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
from numba import njit
from numpy.typing import NDArray
from scipy.linalg import solve_banded

from lightdose.optics.penetration import effective_attenuation_coefficient
from lightdose.transport.layers import LayerStackSpec

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


TAIL_MARGIN_E_FOLDINGS = 8.0
"""A semi-infinite last layer is solved this many e-folding lengths 1/μeff below the deepest depth asked for (at least
:data:`TAIL_MARGIN_MIN_MM`, at most :data:`TAIL_MARGIN_MAX_MM`): the truncated boundary then changes φ there by about
e⁻¹⁶ ≈ 10⁻⁷ (tests/validation/test_deep_tail.py)."""
TAIL_MARGIN_MIN_MM = 20.0
TAIL_MARGIN_MAX_MM = 400.0


def solve_depth(stack: LayerStackSpec, deepest_mm: float) -> float:
    """How deep [mm] to solve `stack` for its profile to be right down to `deepest_mm`: the finite layers, or
    `deepest_mm` plus :data:`TAIL_MARGIN_E_FOLDINGS` e-folding lengths of the semi-infinite last layer."""
    if math.isfinite(stack.layers[-1].thickness_mm):
        return float(sum(layer.thickness_mm for layer in stack.layers))
    last = stack.layers[-1]
    rate = math.sqrt(3.0 * last.mua * (last.mua + last.mus * (1.0 - last.g)))
    margin = TAIL_MARGIN_E_FOLDINGS / rate if rate > 0 else TAIL_MARGIN_MAX_MM
    return deepest_mm + min(max(margin, TAIL_MARGIN_MIN_MM), TAIL_MARGIN_MAX_MM)


def log_interp(depth_mm: float | NDArray[np.float64], z_mm: NDArray[np.float64],
               fluence: NDArray[np.float64]) -> NDArray[np.float64]:
    """Interpolate a positive depth profile linearly in log(φ): exact for exponential decay between grid points."""
    return np.exp(np.interp(depth_mm, z_mm, np.log(np.maximum(fluence, 1e-300))))


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
        return log_interp(depth_mm, self.z_mm, self.fluence)


def _graded_grid(stack: LayerStackSpec, depth_mm: float, surface_step_mm: float, growth: float,
                 max_step_mm: float) -> NDArray[np.float64]:
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
        grown = 0.0
        while 2 * grown + h < length:
            steps.append(h)
            grown += h
            h = min(h * growth, max_step_mm)
        remaining = length - 2 * grown
        n_mid = max(1, math.ceil(remaining / max(h, 1e-12)))
        sequence = steps + [remaining / n_mid] * n_mid + steps[::-1]
        for s in sequence:
            faces.append(faces[-1] + s)
        faces[-1] = bottom
    return np.asarray(faces, dtype=np.float64)


@dataclass(frozen=True)
class _System:
    """The discretised δ-P1 problem: a tridiagonal system in u = φd/n² plus what is needed to rebuild φ."""

    z: NDArray[np.float64]
    n2: NDArray[np.float64]
    lower: NDArray[np.float64]
    diag: NDArray[np.float64]
    upper: NDArray[np.float64]
    rhs: NDArray[np.float64]
    lateral: NDArray[np.float64]  # D·h·n²: the diagonal term multiplied by k² for a finite beam (Hankel space)
    collimated: NDArray[np.float64]
    rsp: float
    c_top: float
    d_top: float


def _default_depth(stack: LayerStackSpec) -> float:
    layers = stack.layers
    finite_bottom = sum(layer.thickness_mm for layer in layers if math.isfinite(layer.thickness_mm))
    if math.isfinite(layers[-1].thickness_mm):
        return finite_bottom
    last = layers[-1]
    mueff = float(effective_attenuation_coefficient(last.mua, last.mus * (1 - last.g))) if last.mua > 0 else 0.01
    return max(60.0, finite_bottom + 15.0 / mueff)


def _assemble(stack: LayerStackSpec, depth_mm: float | None, surface_step_mm: float, growth: float,
              max_step_mm: float) -> _System:
    layers = stack.layers
    semi_infinite = not math.isfinite(layers[-1].thickness_mm)
    depth_mm = _default_depth(stack) if depth_mm is None else depth_mm
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
    interface_t[1:] = 1.0 - ((n_layers[:-1] - n_layers[1:]) / (n_layers[:-1] + n_layers[1:])) ** 2
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
    # Partial-current boundaries, F = ∓φ/(2A): eliminating the face value gives F_top = c_top·u1 + d_top.
    beta_top = 1.0 / (2.0 * _a_factor(layers[0].n, stack.n_above))
    beta_bottom = 1.0 / (2.0 * _a_factor(layers[-1].n, layers[-1].n if semi_infinite else stack.n_below))
    a1 = 2.0 * diffusion[0] / h[0]
    c_top = -(a1 * n[0] ** 2) / (a1 / beta_top + 1.0)
    d_top = s[0] / (a1 / beta_top + 1.0)
    a_n = 2.0 * diffusion[-1] / h[-1]
    c_bottom = (a_n * n[-1] ** 2) / (a_n / beta_bottom + 1.0)
    d_bottom = s[-1] / (a_n / beta_bottom + 1.0)

    # Cell balance: F_{i+1/2} − F_{i−1/2} + μa·h·φ_i = q0·h
    diag = mua * h * n**2
    diag[:-1] += k_face
    diag[1:] += k_face
    diag[0] -= c_top
    diag[-1] += c_bottom
    rhs = q0 * h
    rhs[:-1] -= s_face
    rhs[1:] += s_face
    rhs[0] += d_top
    rhs[-1] -= d_bottom
    return _System(z=z, n2=n**2, lower=-k_face, diag=diag, upper=-k_face, rhs=rhs, lateral=diffusion * h * n**2,
                   collimated=e_centre, rsp=float(rsp), c_top=float(c_top), d_top=float(d_top))


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
    system = _assemble(stack, depth_mm, surface_step_mm, growth, max_step_mm)
    banded = np.vstack([np.r_[0.0, system.upper], system.diag, np.r_[system.lower, 0.0]])
    u = solve_banded((1, 1), banded, system.rhs)
    fluence = u * system.n2 + system.collimated
    rd = -(system.c_top * u[0] + system.d_top)
    return DiffusionResult(z_mm=system.z, fluence=fluence, collimated=system.collimated, rsp=system.rsp,
                           rd=float(rd), reliable=system.z >= RELIABLE_DEPTH_MM)


@njit(cache=True)
def _hankel_on_axis(lower: NDArray[np.float64], diag: NDArray[np.float64], upper: NDArray[np.float64],
                    lateral: NDArray[np.float64], rhs: NDArray[np.float64], k2: NDArray[np.float64],
                    weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Σ_j weights[j]·u_j: the tridiagonal systems (diag + lateral·k2[j]) u_j = rhs, one per spatial frequency
    (Thomas algorithm), summed with the quadrature weights of the inverse Hankel transform on the axis.

    `lower`/`upper` are (n−1,), `diag`, `lateral` and `rhs` (n,), `k2` and `weights` (systems,). Compiled with
    numba: the planner's population coverage runs it for every virtual person.
    """
    n, m = diag.size, k2.size
    c = np.empty((n, m))
    d = np.empty((n, m))
    for j in range(m):
        pivot = diag[0] + lateral[0] * k2[j]
        c[0, j] = upper[0] / pivot
        d[0, j] = rhs[0] / pivot
    for i in range(1, n):
        for j in range(m):
            pivot = diag[i] + lateral[i] * k2[j] - lower[i - 1] * c[i - 1, j]
            if i < n - 1:
                c[i, j] = upper[i] / pivot
            d[i, j] = (rhs[i] - lower[i - 1] * d[i - 1, j]) / pivot
    total = np.zeros(n)
    for j in range(m):
        total[n - 1] += weights[j] * d[n - 1, j]
    for i in range(n - 2, -1, -1):
        for j in range(m):
            d[i, j] -= c[i, j] * d[i + 1, j]
            total[i] += weights[j] * d[i, j]
    return total


K_POINTS = 160
"""Spatial frequencies of the Hankel-space quadrature from 1e-3 to 30 /mm (plus k = 0), geometrically spaced."""


def hankel_k_grid(smallest_radius_mm: float) -> NDArray[np.float64]:
    """Spatial frequencies [1/mm] for beams whose finest lateral feature is a disc of `smallest_radius_mm`.

    Φ_k varies with k on the scale of 1/(transport length), so the grid runs up to where the diffuse response
    has vanished, k_max = 30 /mm, or to 8/a for a disc of radius a < 0.27 mm (whose transform reaches further).
    Beyond 30 /mm the grid keeps its spacing (K_POINTS per 4.5 decades), so that a smaller disc does not thin
    out the grid where Φ_k changes fastest.
    """
    k_max = max(30.0, 8.0 / smallest_radius_mm)
    points = math.ceil(K_POINTS * math.log(k_max / 1e-3) / math.log(30.0 / 1e-3))
    return np.concatenate([[0.0], np.geomspace(1e-3, k_max, points)])


def disc_weights(k: NDArray[np.float64], radii_mm: NDArray[np.float64]) -> NDArray[np.float64]:
    """Quadrature weights, shape (radii, k), of the on-axis inverse Hankel transform for flat-top discs of unit
    irradiance and radius `radii_mm`: Σ_i w_i·Φ_k_i ≈ ∫ a·J1(ka)·Φ_k dk.

    (1/2π)·b̂(k)·k = a·J1(ka) is integrated exactly on each interval of the piecewise-linear Φ_k (J0(k_i a) −
    J0(k_{i+1} a), shared by the interval's two ends), and the tail beyond k_max adds J0(k_max a)·Φ_k_max. The
    weights are linear in the beam profile, so a profile written as Σ c_j·disc(a_j) has weights Σ c_j·w(a_j).
    """
    from scipy.special import j0

    bessel: NDArray[np.float64] = j0(np.outer(np.atleast_1d(radii_mm), k))
    interval = bessel[:, :-1] - bessel[:, 1:]  # ∫ a·J1(ka) dk over each interval
    weights = np.zeros_like(bessel)
    weights[:, :-1] += 0.5 * interval
    weights[:, 1:] += 0.5 * interval
    weights[:, -1] += bessel[:, -1]  # the tail beyond k_max
    return weights


def ring_coefficients(ring_irradiance: NDArray[np.float64]) -> NDArray[np.float64]:
    """Disc coefficients c_j of a staircase profile: ring j (between edges r_{j−1} and r_j) has the mean
    irradiance b_j, so b = Σ_j c_j·disc(r_j) with c_j = b_j − b_{j+1} (b_{N+1} = 0). Signed where b rises."""
    b = np.asarray(ring_irradiance, dtype=np.float64)
    coefficients: NDArray[np.float64] = b - np.r_[b[1:], 0.0]
    return coefficients


@lru_cache(maxsize=64)
def _ring_quadrature(edges: bytes, values: bytes) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(k, weights) for a staircase profile, cached: the planner solves one beam for many people."""
    radii = np.frombuffer(edges)
    coefficients = ring_coefficients(np.frombuffer(values))
    matters = np.abs(coefficients) > 1e-6 * np.max(np.abs(coefficients))  # the smallest disc that counts
    k = hankel_k_grid(float(radii[matters].min()))
    return k, coefficients @ disc_weights(k, radii)


@dataclass(frozen=True)
class FiniteBeamResult:
    """On-axis fluence rate of a finite normally incident beam, per unit irradiance at the beam centre."""

    z_mm: NDArray[np.float64]
    fluence: NDArray[np.float64]  # φ(r = 0, z)/E0, dimensionless
    reliable: NDArray[np.bool_]

    def at(self, depth_mm: float | NDArray[np.float64]) -> NDArray[np.float64]:
        """φ/E0 on the axis, interpolated (log-linearly) at `depth_mm`."""
        return log_interp(depth_mm, self.z_mm, self.fluence)


def _solve_on_axis(stack: LayerStackSpec, k: NDArray[np.float64], weights: NDArray[np.float64],
                   depth_mm: float | None) -> FiniteBeamResult:
    """φ(0, z)/E0 for a beam whose profile (b(0) = 1) enters only through the quadrature `weights` on `k`.

    Each spatial frequency k adds D·k² to the absorption of the diffusion operator (the collimated beam keeps its
    profile), and φ(0, z) = (1/2π)∫ b̂(k)·Φ_k(z)·k dk + b(0)·E_c(z).
    """
    system = _assemble(stack, depth_mm, 0.005, 1.08, 0.1)
    on_axis = _hankel_on_axis(system.lower, system.diag, system.upper, system.lateral, system.rhs, k**2,
                              weights) * system.n2
    fluence = on_axis + system.collimated
    return FiniteBeamResult(z_mm=system.z, fluence=fluence, reliable=system.z >= RELIABLE_DEPTH_MM)


def solve_finite_beam(
    stack: LayerStackSpec,
    radius_mm: float,
    profile: str = "flat-top",
    depth_mm: float | None = None,
) -> FiniteBeamResult:
    """δ-P1 on-axis fluence rate of a finite beam: flat-top of radius `radius_mm`, or Gaussian of 1/e² radius.

    The layered problem is solved in Hankel space (:func:`_solve_on_axis`), with b̂ the Hankel transform of the
    beam profile: for a flat-top beam the weights of :func:`disc_weights`; for a Gaussian beam
    (1/2π)·b̂(k)·k = (w²/4)·exp(−k²w²/8)·k, by the trapezoidal rule up to k_max = 8/w.
    """
    if not (math.isfinite(radius_mm) and radius_mm > 0):
        raise ValueError(f"radius_mm must be a positive finite number, got {radius_mm!r}")
    if profile not in ("flat-top", "gaussian"):
        raise ValueError(f"profile must be 'flat-top' or 'gaussian', got {profile!r}")
    if profile == "flat-top":
        k = hankel_k_grid(radius_mm)
        weights = disc_weights(k, np.array([radius_mm]))[0]
    else:
        k = np.concatenate([[0.0], np.geomspace(1e-3, 8.0 / radius_mm, K_POINTS)])
        weights = radius_mm**2 / 4.0 * np.exp(-(k**2) * radius_mm**2 / 8.0) * k
        weights *= 0.5 * (np.r_[np.diff(k), 0.0] + np.r_[0.0, np.diff(k)])  # trapezoidal rule in k
    return _solve_on_axis(stack, k, weights, depth_mm)


def solve_ring_beam(
    stack: LayerStackSpec,
    ring_radius_mm: NDArray[np.float64],
    ring_irradiance: NDArray[np.float64],
    depth_mm: float | None = None,
) -> FiniteBeamResult:
    """δ-P1 on-axis fluence rate of a beam with a tabulated axisymmetric profile, per unit centre irradiance.

    The profile is a staircase of rings: ring j lies between `ring_radius_mm[j−1]` and `ring_radius_mm[j]` (the
    first from the axis) with mean irradiance `ring_irradiance[j]` relative to the centre (signed steps are
    fine: between a panel's LEDs the irradiance may rise away from the centre). On the axis only the azimuthal
    mean of an irradiance map matters (the stack is laterally uniform), so this is exact for any map whose
    azimuthal mean is the staircase. Written as discs (:func:`ring_coefficients`), its quadrature weights are
    Σ c_j·:func:`disc_weights` (r_j): one set of linear solves, as for a single flat-top. The unscattered light
    on the axis is the centre irradiance's (b(0) = 1).
    """
    edges = np.ascontiguousarray(ring_radius_mm, dtype=float)
    values = np.ascontiguousarray(ring_irradiance, dtype=float)
    if edges.ndim != 1 or edges.shape != values.shape or edges.size == 0:
        raise ValueError("ring_radius_mm and ring_irradiance must be 1-D arrays of the same, non-zero length")
    if not (np.all(np.isfinite(edges)) and edges[0] > 0 and np.all(np.diff(edges) > 0)):
        raise ValueError("ring_radius_mm must be positive, finite and increasing")
    if not (np.all(np.isfinite(values)) and np.any(values != 0)):
        raise ValueError("ring_irradiance must be finite and not all zero")
    k, weights = _ring_quadrature(edges.tobytes(), values.tobytes())
    return _solve_on_axis(stack, k, weights, depth_mm)


def _a_factor(n_inside: float, n_outside: float) -> float:
    r_eff = effective_reflection_coefficient(n_inside, n_outside)
    return (1.0 + r_eff) / (1.0 - r_eff)
