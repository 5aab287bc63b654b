"""Layered photon-packet Monte Carlo (MCML physics, numba-compiled, multi-threaded).

Public API::

    from lightdose.transport.mc import Layer, LayerStackSpec, PencilBeam, simulate, save, load
    stack = LayerStackSpec((Layer(thickness_mm=0.2, mua=1.0, mus=9.0, g=0.75, n=1.0),))
    ds = simulate(stack, PencilBeam(), photons=100_000, seed=1)
"""

from lightdose.transport.layers import Layer, LayerStackSpec, specular_reflectance
from lightdose.transport.mc.mci import MciRun, read_mci, write_mco
from lightdose.transport.mc.result import load, save
from lightdose.transport.mc.runner import simulate
from lightdose.transport.mc.sources import FlatTopBeam, GaussianBeam, Grid, PencilBeam, UniformBeam

__all__ = [
    "FlatTopBeam",
    "GaussianBeam",
    "Grid",
    "Layer",
    "LayerStackSpec",
    "MciRun",
    "PencilBeam",
    "UniformBeam",
    "load",
    "read_mci",
    "save",
    "simulate",
    "specular_reflectance",
    "write_mco",
]
