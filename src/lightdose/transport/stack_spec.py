"""From anatomy to transport: a site's layer stack at one wavelength as the solvers' plain layer spec."""

from __future__ import annotations

from lightdose.anatomy.stack import LayerStack
from lightdose.transport.layers import Layer, LayerStackSpec


def stack_spec(stack: LayerStack, wavelength_nm: float, n_above: float = 1.0) -> LayerStackSpec:
    """Optical layers of `stack` at `wavelength_nm` [nm], in air above (or `n_above`), mm and 1/mm units."""
    layers = tuple(
        Layer(thickness_mm=thickness, mua=float(op.mua[0]), mus=float(op.mus[0]), g=float(op.g[0]), n=float(op.n[0]))
        for thickness, op in stack.optical_properties(wavelength_nm)
    )
    names = tuple(layer.name for layer in stack.layers)
    return LayerStackSpec(layers, n_above=n_above, n_below=layers[-1].n, names=names)
