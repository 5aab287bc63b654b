"""Layered photon-packet Monte Carlo (MCML physics, numba-compiled, multi-threaded).

The stage (request in, result out)::

    from lightdose.transport.mc import McRequest, monte_carlo
    result = monte_carlo(McRequest(case="gardner", photons=100_000))
    run = result.runs[0]            # run.rd, run.rd_se, run.scored_weight, run.dataset, ...

The engine, for other stages and tests::

    from lightdose.transport.mc import Layer, LayerStackSpec, PencilBeam, simulate, save, load
    stack = LayerStackSpec((Layer(thickness_mm=0.2, mua=1.0, mus=9.0, g=0.75, n=1.0),))
    ds = simulate(stack, PencilBeam(), photons=100_000, seed=1)
"""

from lightdose.transport.layers import Layer, LayerStackSpec, specular_reflectance
from lightdose.transport.mc.cases import CASES, McCase, Reference, mc_case
from lightdose.transport.mc.mci import MciRun, read_mci, write_mci, write_mco
from lightdose.transport.mc.result import load, save
from lightdose.transport.mc.runner import ProgressCallback, simulate
from lightdose.transport.mc.sources import FlatTopBeam, GaussianBeam, Grid, PencilBeam, UniformBeam
from lightdose.transport.mc.stage import McRequest, McResult, McRun, monte_carlo

__all__ = [
    "CASES",
    "FlatTopBeam",
    "GaussianBeam",
    "Grid",
    "Layer",
    "LayerStackSpec",
    "McCase",
    "McRequest",
    "McResult",
    "McRun",
    "MciRun",
    "PencilBeam",
    "ProgressCallback",
    "Reference",
    "UniformBeam",
    "load",
    "mc_case",
    "monte_carlo",
    "read_mci",
    "save",
    "simulate",
    "specular_reflectance",
    "write_mci",
    "write_mco",
]
