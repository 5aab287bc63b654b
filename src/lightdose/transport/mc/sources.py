"""Light sources at normal incidence on the top surface, and the scoring grid."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from lightdose.errors import InputError
from lightdose.transport.mc.kernel import SOURCE_FLAT_TOP, SOURCE_GAUSSIAN, SOURCE_PENCIL

CHUNKS_PER_BATCH = 16
"""Chunks of photons that run at once, each with its own copy of the tallies."""
MAX_TALLY_BYTES = 2 * 1024**3
"""Most memory [bytes] the tallies of one simulation may take (2 GiB): grids that need more are refused before
anything is allocated (the default grid needs ~20 MiB)."""


@dataclass(frozen=True)
class PencilBeam:
    """An infinitely thin collimated beam at r = 0. Outputs are per incident watt."""

    kind: Literal["pencil"] = "pencil"


@dataclass(frozen=True)
class UniformBeam:
    """An infinitely broad uniform collimated beam: outputs are 1-D depth profiles per unit irradiance.

    By translation invariance this is the pencil-beam response integrated over r (Wang, Jacques & Zheng
    1995, Comput. Methods Programs Biomed. 47:131, section on convolution), so it is simulated as a pencil
    beam and reported per W/mm^2 of incident irradiance.
    """

    kind: Literal["uniform"] = "uniform"


def _check_radius(radius_mm: float) -> None:
    if not (math.isfinite(radius_mm) and radius_mm > 0.0):
        raise InputError("radius_mm", f"{radius_mm!r} must be a finite number > 0 (mm)")


def _check_method(method: str) -> None:
    if method not in ("sample", "convolve"):
        raise InputError("method", f"{method!r} must be 'sample' or 'convolve'")


@dataclass(frozen=True)
class FlatTopBeam:
    """A collimated disk of uniform irradiance, radius `radius_mm` [mm]. Outputs per incident watt.

    method="sample" draws launch points uniformly on the disk; method="convolve" runs a pencil beam and
    convolves its A(r,z), Rd(r), Tt(r) with the beam profile (:mod:`lightdose.transport.mc.convolve`).
    """

    radius_mm: float
    method: Literal["sample", "convolve"] = "sample"
    kind: Literal["flat_top"] = "flat_top"

    def __post_init__(self) -> None:
        _check_radius(self.radius_mm)
        _check_method(self.method)


@dataclass(frozen=True)
class GaussianBeam:
    """A collimated Gaussian beam, irradiance ~ exp(-2 r^2 / w^2) with 1/e^2 radius w = `radius_mm` [mm].

    Outputs per incident watt; `method` as for :class:`FlatTopBeam`.
    """

    radius_mm: float
    method: Literal["sample", "convolve"] = "sample"
    kind: Literal["gaussian"] = "gaussian"

    def __post_init__(self) -> None:
        _check_radius(self.radius_mm)
        _check_method(self.method)


Source = PencilBeam | UniformBeam | FlatTopBeam | GaussianBeam


def kernel_source(source: Source) -> tuple[int, float]:
    """The kernel's (source kind code, radius [mm]) for launching packets of `source`."""
    if isinstance(source, FlatTopBeam) and source.method == "sample":
        return SOURCE_FLAT_TOP, source.radius_mm
    if isinstance(source, GaussianBeam) and source.method == "sample":
        return SOURCE_GAUSSIAN, source.radius_mm
    return SOURCE_PENCIL, 0.0


@dataclass(frozen=True)
class Grid:
    """Scoring grid: depth bins of `dz_mm`, radial bins of `dr_mm`, `na` exit-angle bins over 0..90 deg.

    Defaults follow MCML's usual grid (dz = dr = 0.01 cm; Wang et al. 1995).
    """

    dz_mm: float = 0.1
    dr_mm: float = 0.1
    nz: int = 200
    nr: int = 500
    na: int = 30

    def __post_init__(self) -> None:
        for name in ("dz_mm", "dr_mm"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0.0):
                raise InputError(name, f"{v!r} must be a finite number > 0 (mm)")
        for name in ("nz", "nr", "na"):
            v = getattr(self, name)
            if int(v) != v or not (1 <= v <= 100_000):
                raise InputError(name, f"{v!r} must be an integer in [1, 100000]")
        needed = self.tally_bytes()
        if needed > MAX_TALLY_BYTES:
            raise InputError("grid", f"nz = {self.nz}, nr = {self.nr}, na = {self.na} need {format_bytes(needed)} of "
                                     f"memory for the tallies, more than the {format_bytes(MAX_TALLY_BYTES)} allowed; "
                                     "use fewer bins")

    def tally_bytes(self) -> int:
        """Memory [bytes] that a simulation on this grid takes for its tallies and result arrays: a copy of A(r, z),
        Rd(r, angle) and Tt(r, angle) per running chunk, their sums and the Dataset's r-resolved variables."""
        rz = (self.nr + 1) * (self.nz + 1)
        ra = (self.nr + 1) * self.na
        return 8 * ((CHUNKS_PER_BATCH + 4) * rz + (2 * CHUNKS_PER_BATCH + 6) * ra)


def format_bytes(n: float) -> str:
    """`n` bytes in binary units: '512 B', '16.0 MiB', '1.16 TiB'."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.3g} {unit}" if unit != "B" else f"{n:.0f} B"
        n /= 1024
    return f"{n:.3g} TiB"
