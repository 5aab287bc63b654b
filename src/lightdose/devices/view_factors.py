"""Configuration (view) factors from a differential planar element to a parallel emitting face.

For a face of uniform Lambertian exitance M [W/mm²], the irradiance on a small element parallel to it is
E = M·F, with F the configuration factor from the element to the face (reciprocity: F is also the fraction of
a Lambertian point source's power, placed at the element, that lands on the face). Closed forms from
J. R. Howell, "A Catalog of Radiation Heat Transfer Configuration Factors" (thermalradiation.net; also
Siegel & Howell, Thermal Radiation Heat Transfer, McGraw-Hill), cases "plane element to parallel rectangle,
normal through a corner" and "plane element to parallel coaxial / offset disk".

Both functions broadcast over numpy arrays and are exact in the contact limit z → 0 (F → 1 over the face,
1/2 on its edge, 0 outside).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def corner_factor(u: NDArray[np.float64], v: NDArray[np.float64], z: float) -> NDArray[np.float64]:
    """F from an element at height z above one corner of a u × v rectangle, odd in u and in v.

    F = 1/(2π)·[u/√(u²+z²)·atan(v/√(u²+z²)) + v/√(v²+z²)·atan(u/√(v²+z²))] (Howell catalogue, element to
    parallel rectangle with the normal through a corner). Signed u, v allow superposition of corners.
    """
    ru = np.hypot(u, z)
    rv = np.hypot(v, z)
    cos_u = np.divide(u, ru, out=np.zeros_like(ru), where=ru > 0)
    cos_v = np.divide(v, rv, out=np.zeros_like(rv), where=rv > 0)
    factor: NDArray[np.float64] = (cos_u * np.arctan2(v, ru) + cos_v * np.arctan2(u, rv)) / (2.0 * np.pi)
    return factor


def rectangle_factor(x1: ArrayLike, x2: ArrayLike, y1: ArrayLike, y2: ArrayLike, z: float) -> NDArray[np.float64]:
    """F from an element at the origin to the parallel rectangle [x1, x2] × [y1, y2] at distance z [mm].

    Off-axis points by superposition of four corner rectangles (signed), valid inside and outside.
    """
    x1, x2, y1, y2 = (np.asarray(a, dtype=float) for a in (x1, x2, y1, y2))
    return corner_factor(x2, y2, z) - corner_factor(x1, y2, z) - corner_factor(x2, y1, z) + corner_factor(x1, y1, z)


def disk_factor(rho: ArrayLike, radius: float, z: float) -> NDArray[np.float64]:
    """F from an element to a parallel disk of `radius` [mm] at distance z, the element offset `rho` from its axis.

    F = ½·[1 − (z² + ρ² − a²)/√((z² + ρ² + a²)² − 4ρ²a²)] (Howell catalogue, element to parallel disk).
    """
    rho = np.asarray(rho, dtype=float)
    s = z * z + rho * rho
    a2 = radius * radius
    root = np.sqrt(np.maximum((s + a2) ** 2 - 4.0 * rho * rho * a2, 0.0))
    ratio = np.divide(s - a2, root, out=np.zeros_like(root), where=root > 0)
    factor: NDArray[np.float64] = 0.5 * (1.0 - ratio)
    return factor
