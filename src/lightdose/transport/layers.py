"""Layer stacks shared by the light-transport solvers (Monte Carlo and δ-P1), in canonical units (mm, 1/mm)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lightdose.errors import InputError


def _check(field_name: str, value: float, low: float, high: float, *, low_open: bool = False,
           high_open: bool = False, allow_inf: bool = False) -> float:
    """Return `value` as float, or raise :class:`InputError` naming the field and the allowed range."""
    v = float(value)
    lo_ok = v > low if low_open else v >= low
    hi_ok = v < high if high_open else v <= high
    if not ((math.isfinite(v) or (allow_inf and v == math.inf)) and lo_ok and hi_ok):
        lb = "(" if low_open else "["
        hb = ")" if high_open else "]"
        raise InputError(field_name, f"{value!r} is outside the allowed range {lb}{low:g}, {high:g}{hb}")
    return v


N_MIN, N_MAX = 1.0, 3.0
"""Allowed refractive indices [-] of layers and ambient media."""
MUA_MAX = 1e6
"""Largest absorption coefficient [1/mm] a layer may have."""
MUS_MAX = 1e7
"""Largest scattering coefficient [1/mm] a layer may have."""


@dataclass(frozen=True)
class Layer:
    """One homogeneous planar layer.

    thickness_mm: layer thickness [mm], > 0 (may be ``math.inf`` for the last layer: semi-infinite).
    mua, mus: absorption and scattering coefficients [1/mm], in [0, MUA_MAX] and [0, MUS_MAX].
    g: Henyey-Greenstein anisotropy [-], in (-1, 1).
    n: refractive index [-], in [N_MIN, N_MAX] = [1, 3].
    """

    thickness_mm: float
    mua: float
    mus: float
    g: float = 0.0
    n: float = 1.0

    def __post_init__(self) -> None:
        _check("thickness_mm", self.thickness_mm, 0.0, math.inf, low_open=True, allow_inf=True)
        _check("mua", self.mua, 0.0, MUA_MAX)
        _check("mus", self.mus, 0.0, MUS_MAX)
        _check("g", self.g, -1.0, 1.0, low_open=True, high_open=True)
        _check("n", self.n, N_MIN, N_MAX)


@dataclass(frozen=True)
class LayerStackSpec:
    """Layers from the surface down, with the refractive indices of the ambient media above and below."""

    layers: tuple[Layer, ...]
    n_above: float = 1.0
    n_below: float = 1.0
    names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        if len(self.layers) == 0:
            raise InputError("layers", "at least one layer is required")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise InputError(f"layers[{i}]", f"expected a Layer, got {type(layer).__name__}")
            if math.isinf(layer.thickness_mm) and i != len(self.layers) - 1:
                raise InputError(f"layers[{i}].thickness_mm", "only the last layer may be semi-infinite")
        _check("n_above", self.n_above, N_MIN, N_MAX)
        _check("n_below", self.n_below, N_MIN, N_MAX)
        if self.names and len(self.names) != len(self.layers):
            raise InputError("names", f"{len(self.names)} names for {len(self.layers)} layers")

    @property
    def boundaries_mm(self) -> list[float]:
        """Depths of the layer interfaces [mm], from 0 (surface) to the bottom."""
        z = [0.0]
        for layer in self.layers:
            z.append(z[-1] + layer.thickness_mm)
        return z

    def layer_names(self) -> list[str]:
        """Layer names (given, or 'layer 1', 'layer 2', ...)."""
        return list(self.names) if self.names else [f"layer {i + 1}" for i in range(len(self.layers))]


def _fresnel_normal(n1: float, n2: float) -> float:
    """Fresnel reflectance at normal incidence, ((n1 - n2) / (n1 + n2))^2 (Born & Wolf)."""
    return ((n1 - n2) / (n1 + n2)) ** 2


def specular_reflectance(stack: LayerStackSpec) -> tuple[float, int]:
    """Specular reflectance Rsp of a collimated normal beam, and the layer (1-based) where packets start.

    As in MCML (Wang, Jacques & Zheng 1995, Comput. Methods Programs Biomed. 47:131, eqs. 3.1-3.3): if the
    first layer is clear (mua = mus = 0) and more layers follow, the multiple reflections inside it are
    summed, Rsp = r1 + (1 - r1)^2 r2 / (1 - r1 r2), and packets start at the top of layer 2.
    """
    first = stack.layers[0]
    r1 = _fresnel_normal(stack.n_above, first.n)
    if first.mua == 0.0 and first.mus == 0.0 and len(stack.layers) > 1:
        r2 = _fresnel_normal(first.n, stack.layers[1].n)
        return r1 + (1.0 - r1) ** 2 * r2 / (1.0 - r1 * r2), 2
    return r1, 1
