"""Skin perfusion during and after a treatment session, coupled two-way with the bioheat solver.

``perfusion_session(PerfusionRequest(placement="pad-890", site="foot-dorsum", exposure="30 min", after="1 h"))`` →
:class:`PerfusionResult`.

The heat session (:func:`lightdose.thermal.session.coupled_session`) steps lightdose's perfusion model
(:class:`lightdose.physiology.perfusion.LocalPerfusion`) at every dermis node (1-D) or cell (r–z) with the local
tissue temperature: the model's perfusion sets the dermal blood perfusion of the Pennes equation (ω = ω_rest·P/P_rest),
which changes the heat carried away, which changes the temperature that drives the model. After the session the
device is removed (bare skin in the room) and both keep evolving for `after`.

The perfusion reported is the mean over the dermis under the centre of the device — what a laser-Doppler probe
placed there right after the device is removed would read — in % of maximal cutaneous vascular conductance, and,
given the probe's resting reading, in perfusion units (PU ∝ CVC at constant arterial pressure).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from pydantic import Field

from lightdose.physiology.perfusion import LocalPerfusion, PerfusionModifiers, PerfusionParameters
from lightdose.provenance import Provenance
from lightdose.thermal.session import HeatRequest, HeatResult, coupled_session

ELEVATION_THRESHOLD = 0.2
"""Perfusion counts as elevated while it is more than 20 % above its pre-session baseline (baseline × 1.2)."""
PLATEAU_WINDOW_S = 300.0
"""The session's plateau is the mean perfusion over its last 5 min (or its last half, if shorter than 10 min)."""
CLAIMED_ELEVATION_S = 4 * 3600.0
"""The marketing claim that `lightdose perfusion` judges: perfusion "elevated for up to 4 hours" after a session
(docs/perfusion.md); no calibration source supports it (docs/references.md)."""


class PerfusionRequest(HeatRequest):
    """A perfusion session: the heat session's fields (placement, site, person, exposure, after, parameters, ...),
    `light_no` to switch on the optional (weak-evidence) light-driven NO term, and `baseline_pu`, the probe's
    resting laser-Doppler reading [PU], which adds the perfusion in PU."""

    light_no: bool = Field(default=False, description="include the optional light-driven NO term (weak evidence)")
    baseline_pu: float | None = Field(default=None, gt=0.0, le=1e5, description=(
        "the probe's resting reading [PU] (optional)"))


@dataclass(frozen=True)
class PerfusionResult:
    """Perfusion [% CVCmax] and skin temperature [°C] during the session and after it, with its summary figures.

    `dataset`: the heat session's variables plus ``perfusion_pct_max`` (and ``perfusion_pu`` with a baseline).
    `minutes_elevated_after_end`: time above baseline × 1.2 after removal [min], a lower bound when
    `elevated_at_end_of_run`.
    """

    request: PerfusionRequest
    heat: HeatResult
    dataset: xr.Dataset
    baseline_pct_max: float
    peak_pct_max: float
    plateau_pct_max: float
    end_pct_max: float
    minutes_elevated_after_end: float
    elevated_at_end_of_run: bool
    parameters: PerfusionParameters
    provenance: Provenance

    @property
    def verdict(self) -> str:
        """What this run says about the claim of perfusion elevated for hours after a session."""
        return elevation_verdict(self.minutes_elevated_after_end, self.elevated_at_end_of_run, self.request.after)


def minutes_elevated_after(t: np.ndarray, perfusion: np.ndarray, end_s: float, baseline: float) -> tuple[float, bool]:
    """Minutes from `end_s` [s] until perfusion last exceeds baseline × (1 + ELEVATION_THRESHOLD), and whether it is
    still above at the end of the record (then the value is a lower bound). 0 if it is not above after `end_s`."""
    after = t >= end_s
    above = perfusion[after] > baseline * (1.0 + ELEVATION_THRESHOLD)
    if not above.any():
        return 0.0, False
    last = t[after][np.flatnonzero(above)[-1]]
    return float((last - end_s) / 60.0), bool(above[-1])


def elevation_verdict(minutes_elevated: float, still_elevated: bool, after_s: float) -> str:
    """What a run says about the claim of perfusion elevated for :data:`CLAIMED_ELEVATION_S` after a session, from
    its minutes above baseline + 20 % after the session, whether it is still above at the end of the run, and the
    time followed `after_s` [s]."""
    claim = f"the 'elevated for hours' claim (up to {CLAIMED_ELEVATION_S / 3600:g} h)"
    if still_elevated and minutes_elevated * 60.0 < CLAIMED_ELEVATION_S:
        return (f"still elevated at the end of the {after_s / 60:g} min followed: the run is too short to judge "
                f"{claim}; follow it for {CLAIMED_ELEVATION_S / 3600:g} h")
    if minutes_elevated * 60.0 >= CLAIMED_ELEVATION_S:
        return f"elevated for {minutes_elevated / 60:.1f} h after the session: this run supports {claim}"
    return f"elevated for {minutes_elevated:.0f} min after the session: this run does not support {claim}"


def perfusion_session(request: PerfusionRequest) -> PerfusionResult:
    """Perfusion [% CVCmax] and skin temperature [°C] during a session and for `after` it, with summary figures."""
    parameters = PerfusionParameters.from_set(request.parameter_set())
    model = LocalPerfusion(parameters, PerfusionModifiers(neuropathy=request.person.neuropathy,
                                                          light_no=request.light_no))
    heat = coupled_session(request, model)
    ds = heat.dataset
    t = ds.t.values
    perfusion = ds.skin_perfusion_factor.values * parameters.resting_pct_max
    end_s = request.exposure
    during = t <= end_s
    window = during & (t >= end_s - min(PLATEAU_WINDOW_S, end_s / 2))
    baseline = float(perfusion[0])
    minutes, still_up = minutes_elevated_after(t, perfusion, end_s, baseline)
    ds = ds.assign(perfusion_pct_max=("t", perfusion, {
        "units": "%", "long_name": "skin perfusion, % of maximal cutaneous vascular conductance (dermis under the "
                                   "centre of the device)"}))
    if request.baseline_pu is not None:
        ds["perfusion_pu"] = ("t", perfusion / baseline * request.baseline_pu, {
            "units": "PU", "long_name": "laser-Doppler perfusion (PU ∝ CVC), from the resting reading"})
    ds.attrs["light_no_term"] = "on (weak evidence)" if request.light_no else "off"
    return PerfusionResult(
        request=request, heat=heat, dataset=ds, baseline_pct_max=baseline,
        peak_pct_max=float(perfusion[during].max()), plateau_pct_max=float(perfusion[window].mean()),
        end_pct_max=float(np.interp(end_s, t, perfusion)), minutes_elevated_after_end=minutes,
        elevated_at_end_of_run=still_up, parameters=parameters,
        provenance=Provenance.of(request, request.parameter_set().name))


__all__ = ["ELEVATION_THRESHOLD", "PerfusionRequest", "PerfusionResult", "elevation_verdict",
           "minutes_elevated_after", "perfusion_session"]
