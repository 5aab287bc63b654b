"""Skin perfusion during and after a treatment session, coupled two-way with the bioheat solver.

The heat session (:func:`lightdose.thermal.session.heat_session`) steps lightdose's perfusion model
(:class:`lightdose.physiology.perfusion.LocalPerfusion`) at every dermis node (1-D) or cell (r–z) with the local
tissue temperature: the model's perfusion sets the dermal blood perfusion of the Pennes equation (ω = ω_rest·P/P_rest),
which changes the heat carried away, which changes the temperature that drives the model. After the session the
device is removed (bare skin in a 25 °C room) and both keep evolving for `after`.

The perfusion reported is the mean over the dermis under the centre of the device — what a laser-Doppler probe
placed there right after the device is removed would read — in % of maximal cutaneous vascular conductance, and,
given the probe's resting reading, in perfusion units (PU ∝ CVC at constant arterial pressure).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from lightdose.anatomy import LayerStack, Person
from lightdose.errors import InputError
from lightdose.physiology.perfusion import LocalPerfusion, PerfusionModifiers, PerfusionParameters
from lightdose.thermal.session import heat_session

ELEVATION_THRESHOLD = 0.2
"""Perfusion counts as elevated while it is more than 20 % above its pre-session baseline (baseline × 1.2)."""
PLATEAU_WINDOW_S = 300.0
"""The session's plateau is the mean perfusion over its last 5 min (or its last half, if shorter than 10 min)."""
CLAIMED_ELEVATION_S = 4 * 3600.0
"""The marketing claim that `lightdose perfusion` judges: perfusion "elevated for up to 4 hours" after a session
(docs/perfusion.md); no calibration source supports it (SCIENCE.md §1, §7)."""


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


def perfusion_session(
    device: Any,
    site: str | LayerStack,
    person: Person | None = None,
    time: Any = "30 min",
    distance: Any = 0.0,
    after: Any = "0 min",
    neuropathy: bool | None = None,
    light_no: bool = False,
    parameters: PerfusionParameters | None = None,
    baseline_pu: float | None = None,
    dt: Any = 1.0,
) -> xr.Dataset:
    """Perfusion [% CVCmax] and skin temperature [°C] during a session and for `after` it, with summary figures.

    `device`, `site`, `person`, `time`, `distance` as for the heat session; `neuropathy` overrides the person's;
    `light_no` switches on the optional (weak-evidence) light-driven NO term; `baseline_pu` the probe's resting
    reading, which adds `perfusion_pu`. Attributes: `baseline_pct_max` (before the session), `peak_pct_max`
    (during it), `plateau_pct_max` (its last 5 min), `end_pct_max` (when the device is removed),
    `minutes_elevated_after_end` (time above baseline + 20 % after removal) and `elevated_at_end_of_run`.
    """
    person = person or Person()
    if neuropathy is not None:
        person = person.model_copy(update={"neuropathy": neuropathy})
    if baseline_pu is not None and not baseline_pu > 0:
        raise InputError("baseline_pu", f"{baseline_pu!r} must be a positive laser-Doppler reading [PU]")
    model = LocalPerfusion(parameters, PerfusionModifiers(neuropathy=person.neuropathy, light_no=light_no))
    ds = heat_session(device, site, person, time=time, distance=distance, vasodilation=model, after=after, dt=dt)
    t = ds.t.values
    perfusion = ds.skin_perfusion_factor.values * model.parameters.resting_pct_max
    end_s = float(ds.attrs["session_end_s"])
    during = t <= end_s
    window = during & (t >= end_s - min(PLATEAU_WINDOW_S, end_s / 2))
    baseline = float(perfusion[0])
    minutes, still_up = minutes_elevated_after(t, perfusion, end_s, baseline)
    ds["perfusion_pct_max"] = ("t", perfusion, {
        "units": "%", "long_name": "skin perfusion, % of maximal cutaneous vascular conductance (dermis under the "
                                   "centre of the device)"})
    if baseline_pu is not None:
        ds["perfusion_pu"] = ("t", perfusion / baseline * baseline_pu, {
            "units": "PU", "long_name": "laser-Doppler perfusion (PU ∝ CVC), from the resting reading"})
    ds.attrs.update({
        "perfusion_model": "lightdose local skin perfusion, coupled two-way with bioheat",
        "light_no_term": "on (weak evidence)" if light_no else "off",
        "perfusion_parameters": model.parameters.model_dump_json(),
        "baseline_pct_max": baseline,
        "peak_pct_max": float(perfusion[during].max()),
        "plateau_pct_max": float(perfusion[window].mean()),
        "end_pct_max": float(np.interp(end_s, t, perfusion)),
        "minutes_elevated_after_end": minutes,
        "elevated_at_end_of_run": int(still_up),
        "elevation_threshold": ELEVATION_THRESHOLD,
    })
    return ds


def summary(ds: xr.Dataset, max_points: int = 600) -> dict[str, Any]:
    """The JSON of `lightdose perfusion`: the time series (thinned to ≤ `max_points`) and the summary figures."""
    step = max(1, int(np.ceil(ds.sizes["t"] / max_points)))
    return {
        "device": ds.attrs["device"],
        "site": ds.attrs["site"],
        "session_s": float(ds.attrs["session_end_s"]),
        "after_s": float(ds.attrs["after_s"]),
        "t_s": ds.t.values[::step].round(3).tolist(),
        "perfusion_pct_max": ds.perfusion_pct_max.values[::step].round(3).tolist(),
        "skin_temp_c": ds.surface_temperature.values[::step].round(3).tolist(),
        "baseline_pct_max": ds.attrs["baseline_pct_max"],
        "peak_pct_max": ds.attrs["peak_pct_max"],
        "plateau_pct_max": ds.attrs["plateau_pct_max"],
        "end_pct_max": ds.attrs["end_pct_max"],
        "minutes_elevated_after_end": ds.attrs["minutes_elevated_after_end"],
        "elevated_at_end_of_run": bool(ds.attrs["elevated_at_end_of_run"]),
        "peak_skin_temp_c": ds.attrs["peak_skin_temp_c"],
        "light_no_term": ds.attrs["light_no_term"],
        "solver": ds.attrs["solver"],
    }

