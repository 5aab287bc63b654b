"""Named Monte Carlo cases (after pmcx's ``bench``): the layer stack, scoring grid, default photon count and the
reference values each one is checked against, with their source and stated uncertainty.

The validation tests, ``benchmarks/bench_mc.py``, ``lightdose mc --case NAME`` and the docs all read these
definitions; ``benchmarks/cases/*.mci`` hold the same cases as MCML input files (a test keeps them equal).

A reference value stands for the interval ``value ± half_width``: the rounding of its printed digits (a published
number with d decimals stands for ± 0.5·10^-d), or 0 for a closed form. A reference that is itself a Monte Carlo
result also carries its photon count: its own statistical error is then estimated from ours, scaled by the square
root of the ratio of photon counts (same physics, same kind of estimator). :meth:`Reference.deviation` gives the
distance of a result from the interval in combined standard errors; the validation tests bound it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import xarray as xr

from lightdose.errors import InputError
from lightdose.transport.layers import Layer, LayerStackSpec
from lightdose.transport.mc.sources import Grid

CM = 10.0  # mm per cm

Quantity = Literal["rsp", "rd", "tt", "rsp + rd"]
"""What a reference gives: specular reflectance, diffuse reflectance, total transmittance, or the total reflectance
Rsp + Rd (specular included)."""
ReferenceKind = Literal["published", "independent code", "closed form"]


@dataclass(frozen=True)
class Reference:
    """One reference value for one quantity of a case."""

    quantity: Quantity
    value: float
    half_width: float
    """The reference stands for [value - half_width, value + half_width] (rounding of its printed digits) [-]."""
    source: str
    kind: ReferenceKind
    photons: int | None = None
    """For a Monte Carlo reference: its photon count (its statistical error is estimated from ours)."""
    note: str = ""

    def measured(self, ds: xr.Dataset) -> tuple[float, float]:
        """The quantity and its standard error in a result Dataset of :func:`~lightdose.transport.mc.simulate`."""
        if self.quantity == "rsp":
            return float(ds["rsp"]), 0.0
        if self.quantity == "rsp + rd":
            return float(ds["rsp"] + ds["rd"]), float(ds["rd_se"])
        return float(ds[self.quantity]), float(ds[f"{self.quantity}_se"])

    def reference_se(self, se: float, photons: int) -> float:
        """Statistical standard error of a Monte Carlo reference, from ours (`se` with `photons`); 0 otherwise."""
        return se * math.sqrt(photons / self.photons) if self.photons else 0.0

    def deviation(self, value: float, se: float, photons: int) -> float:
        """Distance of `value` (standard error `se`, from `photons` packets) from the reference interval, in combined
        standard errors (0 inside the interval)."""
        gap = max(abs(value - self.value) - self.half_width, 0.0)
        combined = math.hypot(se, self.reference_se(se, photons))
        if combined == 0.0:
            return 0.0 if gap == 0.0 else math.inf
        return gap / combined

    def label(self) -> str:
        """The value as the reference states it, e.g. '0.2600' or '0.2381 (1e+05 photons)'."""
        digits = max(0, round(-math.log10(2.0 * self.half_width))) if self.half_width > 0 else 5
        text = f"{self.value:.{digits}f}"
        return f"{text} ({self.photons:.0e} photons)" if self.photons else text


@dataclass(frozen=True)
class McCase:
    """A named layer stack with its scoring grid, default photon count and references (pencil beam, normal
    incidence, seed chosen by the caller)."""

    name: str
    title: str
    stack: LayerStackSpec
    grid: Grid
    photons: int
    source: str
    """Where the case's layer stack comes from."""
    references: tuple[Reference, ...] = ()


def _cm(n: float, mua_cm: float, mus_cm: float, g: float, d_cm: float) -> Layer:
    """A layer from MCML-style numbers (1/cm, cm)."""
    return Layer(thickness_mm=d_cm * CM, mua=mua_cm / CM, mus=mus_cm / CM, g=g, n=n)


def absorbing_slab_closed_form(n: float, mua_d: float) -> tuple[float, float]:
    """Diffuse reflectance Rd and transmittance Tt of a non-scattering slab of refractive index `n` and optical
    thickness `mua_d` [-] in air, lit at normal incidence (Rsp = r not included).

    The light stays on the normal and bounces between the faces, each reflecting r = ((n - 1)/(n + 1))^2; with
    t = exp(-mua_d) the geometric series of round trips gives Tt = (1 - r)^2 t / (1 - r^2 t^2) and
    Rd = (1 - r)^2 r t^2 / (1 - r^2 t^2)."""
    r = ((n - 1.0) / (n + 1.0)) ** 2
    t = math.exp(-mua_d)
    series = (1.0 - r) ** 2 / (1.0 - r * r * t * t)
    return series * r * t * t, series * t


MCML_GRID = Grid(dz_mm=0.1, dr_mm=0.1, nz=200, nr=500, na=30)
"""MCML's usual scoring grid: dz = dr = 0.01 cm, 200 depth bins, 500 radial bins, 30 exit-angle bins."""

_MCML_MANUAL = "Wang & Jacques 1992, MCML manual (Univ. Texas M. D. Anderson Cancer Center), chapter 6"
_GARDNER = "Gardner & Welch 1992 (SPIE 1646), as compared in the MCML manual, table 6.7"
_VAN_DE_HULST = ("van de Hulst 1980, Multiple Light Scattering, vol. II (tables, 5 decimals), as quoted in the MCML "
                 "manual, table 6.1")
_ABSORBING_RD, _ABSORBING_TT = absorbing_slab_closed_form(1.5, 0.5)

CASES: dict[str, McCase] = {
    case.name: case
    for case in (
        McCase(
            name="mcml-slab",
            title="matched slab (van de Hulst)",
            stack=LayerStackSpec((_cm(1.0, 10.0, 90.0, 0.75, 0.02),)),
            grid=MCML_GRID,
            photons=1_000_000,
            source=f"{_MCML_MANUAL}, table 6.1: n = 1, mua = 10 /cm, mus = 90 /cm, g = 0.75, d = 0.02 cm",
            references=(
                Reference("rd", 0.09739, 0.5e-5, _VAN_DE_HULST, "published"),
                Reference("tt", 0.66096, 0.5e-5, _VAN_DE_HULST, "published"),
            ),
        ),
        McCase(
            name="giovanelli",
            title="semi-infinite medium, n = 1.5 (Giovanelli)",
            stack=LayerStackSpec((_cm(1.5, 10.0, 90.0, 0.0, math.inf),)),
            grid=MCML_GRID,
            photons=2_000_000,
            source=f"{_MCML_MANUAL}, table 6.2: n = 1.5, mua = 10 /cm, mus = 90 /cm, g = 0, semi-infinite",
            references=(
                Reference("rsp + rd", 0.2600, 0.5e-4, "Giovanelli 1955, Opt. Acta 2:153 (4 decimals), as quoted in "
                          "the MCML manual, table 6.2", "published",
                          note="the total reflectance, specular part (0.04) included; often misread as Rd"),
            ),
        ),
        McCase(
            name="gardner",
            title="three layers (Gardner & Welch)",
            stack=LayerStackSpec((_cm(1.37, 1.0, 100.0, 0.9, 0.1), _cm(1.37, 1.0, 10.0, 0.0, 0.1),
                                  _cm(1.37, 2.0, 10.0, 0.7, 0.2))),
            grid=MCML_GRID,
            photons=1_000_000,
            source=f"{_MCML_MANUAL}, table 6.6: three layers, all n = 1.37, air above and below",
            references=(
                Reference("rsp", 0.02437, 0.5e-5, "Fresnel at normal incidence, ((1.37 - 1)/(1.37 + 1))^2, as printed "
                          "in the MCML manual (5 decimals)", "closed form"),
                Reference("rd", 0.2381, 0.5e-4, _GARDNER, "independent code", photons=100_000,
                          note="an independent Monte Carlo of 1e5 photons; no error stated"),
                Reference("rd", 0.2375, 0.5e-4, f"MCML 1.0, {_MCML_MANUAL}, table 6.7", "independent code",
                          photons=1_000_000, note="MCML with 1e6 photons; no error stated"),
                Reference("tt", 0.0974, 0.5e-4, _GARDNER, "independent code", photons=100_000,
                          note="an independent Monte Carlo of 1e5 photons; no error stated"),
                Reference("tt", 0.0965, 0.5e-4, f"MCML 1.0, {_MCML_MANUAL}, table 6.7", "independent code",
                          photons=1_000_000, note="MCML with 1e6 photons; no error stated"),
            ),
        ),
        McCase(
            name="skin7-600",
            title="seven-layer skin at 600 nm",
            stack=LayerStackSpec(
                (_cm(1.53, 0.2, 1000.0, 0.9, 0.002), _cm(1.34, 0.15, 400.0, 0.85, 0.008),
                 _cm(1.4, 0.7, 300.0, 0.8, 0.015), _cm(1.39, 1.0, 350.0, 0.9, 0.008),
                 _cm(1.4, 0.7, 200.0, 0.76, 0.14), _cm(1.39, 1.0, 350.0, 0.95, 0.012),
                 _cm(1.44, 0.3, 150.0, 0.8, 0.6)),
                names=("stratum corneum", "living epidermis", "papillary dermis", "upper blood net dermis",
                       "reticular dermis", "deep blood net dermis", "subcutaneous fat")),
            grid=MCML_GRID,
            photons=50_000,
            source="Meglinsky & Matcher 2001, Med. Biol. Eng. Comput. 39:44 (table 2: Caucasian skin at 600 nm); "
                   "thicknesses from Meglinski & Matcher 2002, Physiol. Meas. 23:741. A speed case: no reference",
        ),
        McCase(
            name="absorbing-slab",
            title="non-scattering absorbing slab, n = 1.5 (closed form)",
            stack=LayerStackSpec((Layer(thickness_mm=1.0, mua=0.5, mus=0.0, g=0.0, n=1.5),)),
            grid=MCML_GRID,
            photons=1_000_000,
            source="a slab without scattering: light stays on the normal, so Fresnel reflection at normal incidence "
                   "and Beer-Lambert absorption give Rd and Tt in closed form",
            references=(
                Reference("rd", _ABSORBING_RD, 0.0, "closed form: round trips between the faces, each reflecting "
                          "((n - 1)/(n + 1))^2 (absorbing_slab_closed_form)", "closed form"),
                Reference("tt", _ABSORBING_TT, 0.0, "closed form: round trips between the faces, each reflecting "
                          "((n - 1)/(n + 1))^2 (absorbing_slab_closed_form)", "closed form"),
            ),
        ),
    )
}


def mc_case(name: str) -> McCase:
    """The case called `name`; an :class:`InputError` naming the cases there are otherwise."""
    try:
        return CASES[name]
    except KeyError:
        raise InputError("case", f"{name!r} is not a Monte Carlo case; choose from {', '.join(CASES)}") from None
