"""Per-chunk tallies, their reduction in a fixed order, and batch statistics.

Normalisation (why Rsp + Rd + A + Tt = 1 holds to rounding error)
-----------------------------------------------------------------
Every packet enters with weight ``1 - Rsp`` and all of its weight is scored as absorption (A), diffuse
reflection (Rd) or transmission (Tt) -- except that Russian roulette (Wang et al. 1995, Comput. Methods
Programs Biomed. 47:131) removes the weight of the packets it kills and adds weight to the survivors. Roulette
conserves weight only in expectation, so MCML's normalisation by the photon count leaves
``Rsp + Rd + A + Tt`` off 1 by a random amount of order 1e-4. We instead divide every raw tally by the total
weight actually scored, ``X = sum(Rd + A + Tt)`` (a ratio estimator; E[X] = N (1 - Rsp)), and multiply by
``1 - Rsp``. Every estimate is then ``(1 - Rsp) * Y / X`` and the four fractions sum to 1 exactly up to
floating-point rounding; the bias of the ratio estimator is O(1/N), far below the statistical error.

That normalisation makes ``Rsp + Rd + A + Tt = 1`` an identity that holds for any kernel, so it checks nothing.
The check that can fail is the *raw* weight scored per launched packet, ``X / N`` (:meth:`Accumulator.scored_weight`):
its expectation is exactly ``1 - Rsp`` for a kernel that conserves weight (roulette included), and its standard error
(:meth:`Accumulator.scored_weight_se`) is small, because only roulette makes it random. A kernel that loses or
creates weight anywhere (a tally that drops part of what it scores, a biased roulette) moves it by many standard
errors.

Standard errors come from the spread between chunks (each chunk is an independent batch), with the usual
variance of a ratio estimator: ``var(Y/X) = n/(n-1) * sum_c (y_c - R x_c)^2 / X^2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

#: Per-chunk quantities whose standard errors are kept (scalars and 1-D profiles).
WITH_SE = ("rd", "tt", "a", "a_layer", "a_z", "rd_r", "tt_r", "rd_a", "tt_a")
#: 2-D quantities that are only summed (A(r, z) is summed by the kernel itself, see ``set_total``).
WITHOUT_SE = ("a_rz", "rd_ra", "tt_ra")


def chunk_quantities(a_layer: np.ndarray, a_z: np.ndarray, rd_ra: np.ndarray,
                     tt_ra: np.ndarray) -> dict[str, np.ndarray]:
    """Derive per-chunk raw-weight quantities (leading axis = chunk) from the kernel's tally arrays.

    Overflow bins (the last r and z index) are kept in the totals and dropped from the resolved profiles.
    """
    return {
        "rd": rd_ra.sum(axis=(1, 2)),
        "tt": tt_ra.sum(axis=(1, 2)),
        "a": a_layer.sum(axis=1),
        "a_layer": a_layer[:, 1:-1],
        "a_z": a_z[:, :-1],
        "rd_r": rd_ra.sum(axis=2)[:, :-1],
        "tt_r": tt_ra.sum(axis=2)[:, :-1],
        "rd_a": rd_ra.sum(axis=1),
        "tt_a": tt_ra.sum(axis=1),
        "rd_ra": rd_ra[:, :-1, :],
        "tt_ra": tt_ra[:, :-1, :],
    }


@dataclass(frozen=True)
class GroupSums:
    """One group of chunks reduced to the sums :class:`Accumulator` keeps: computed where the chunks ran (a Dask
    worker sends these instead of every chunk's arrays), added to the running sums in chunk order."""

    x: np.ndarray
    """Raw weight scored by each chunk [-]."""
    photons: np.ndarray
    """Photons of each chunk (int64)."""
    sx: float
    sxx: float
    sy: dict[str, np.ndarray]
    syy: dict[str, np.ndarray]
    sxy: dict[str, np.ndarray]

    @classmethod
    def of(cls, quantities: dict[str, np.ndarray], photons: np.ndarray) -> GroupSums:
        """Sum the per-chunk `quantities` (leading axis = chunk, in index order) of a group with `photons` each."""
        x = quantities["rd"] + quantities["tt"] + quantities["a"]
        sy, syy, sxy = {}, {}, {}
        for name, y in quantities.items():
            sy[name] = y.sum(axis=0)
            if name in WITH_SE:
                syy[name] = (y * y).sum(axis=0)
                sxy[name] = (x.reshape((-1,) + (1,) * (y.ndim - 1)) * y).sum(axis=0)
        return cls(x=x, photons=np.asarray(photons, dtype=np.int64), sx=float(x.sum()), sxx=float((x * x).sum()),
                   sy=sy, syy=syy, sxy=sxy)


@dataclass
class Accumulator:
    """Running sums over chunks: sum y, and for `WITH_SE` also sum y^2 and sum x*y; sum x, sum x^2; and each
    chunk's scored weight x and photon count (for the un-normalised conservation check)."""

    n_chunks: int = 0
    photons: int = 0
    sx: float = 0.0
    sxx: float = 0.0
    chunk_x: list[float] = field(default_factory=list)
    chunk_photons: list[int] = field(default_factory=list)
    sy: dict[str, np.ndarray] = field(default_factory=dict)
    syy: dict[str, np.ndarray] = field(default_factory=dict)
    sxy: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, quantities: dict[str, np.ndarray], photons: np.ndarray) -> None:
        """Add one batch of per-chunk quantities (leading axis = chunk, summed in index order) and the number of
        photons of each chunk."""
        self.add_group(GroupSums.of(quantities, photons))

    def add_group(self, group: GroupSums) -> None:
        """Add the sums of the next group of chunks (groups must come in chunk order: the running sums are
        floating-point additions, so their order is part of the result)."""
        self.n_chunks += len(group.x)
        self.photons += int(np.sum(group.photons))
        self.sx += group.sx
        self.sxx += group.sxx
        self.chunk_x.extend(float(v) for v in group.x)
        self.chunk_photons.extend(int(v) for v in group.photons)
        for sums, into in ((group.sy, self.sy), (group.syy, self.syy), (group.sxy, self.sxy)):
            for name, total in sums.items():
                into[name] = total if name not in into else into[name] + total

    def set_total(self, name: str, total: np.ndarray) -> None:
        """Set the sum over all chunks of a quantity reduced elsewhere (no standard error)."""
        self.sy[name] = total

    def scored_weight(self) -> float:
        """Raw weight scored (absorbed, reflected or transmitted) per launched packet [-]; expected: 1 - Rsp."""
        return self.sx / self.photons

    def scored_weight_se(self) -> float:
        """Standard error of :meth:`scored_weight` from the chunk-to-chunk spread (ratio estimator over photons)."""
        n = self.n_chunks
        if n < 2:
            return math.nan
        x = np.array(self.chunk_x)
        deviation = x - self.scored_weight() * np.array(self.chunk_photons, dtype=float)
        return math.sqrt(n / (n - 1.0) * float(deviation @ deviation)) / self.photons

    def fraction(self, name: str, scale: float) -> np.ndarray:
        """Estimate ``scale * Y / X`` (fraction of incident power when ``scale = 1 - Rsp``)."""
        return scale * np.asarray(self.sy[name]) / self.sx

    def standard_error(self, name: str, scale: float) -> np.ndarray:
        """Standard error of :meth:`fraction` from the chunk-to-chunk spread (ratio estimator)."""
        n = self.n_chunks
        if n < 2:
            return np.full(np.shape(self.sy[name]), np.nan)
        r = np.asarray(self.sy[name]) / self.sx
        ss = self.syy[name] - 2.0 * r * self.sxy[name] + r * r * self.sxx
        var = n / (n - 1.0) * np.maximum(ss, 0.0) / self.sx**2
        return scale * np.sqrt(var)
