"""Laser-Doppler flowmetry (LDF) recordings: the standard analyses of a local-heating test, and the stage that
reads a recording, analyses its perfusion channels and optionally fits the perfusion model to it.

The stage: ``analyse_recording(LdfRequest(file="rec.txt", fit=True))`` → :class:`LdfResult` (the recording as a
Dataset, one :class:`LdfAnalysis` per perfusion channel, the fit, warnings, provenance). The parts: the import is
:func:`lightdose.physiology.ldf_import.read_ldf`, the fit :func:`lightdose.physiology.ldf_fit.fit_recording`, and
:func:`analyse` here is the analysis of one channel around a heating stimulus: baseline, peak, plateau, area under
the curve above baseline, % of the maximum (from a marked maximal-heating segment or given) and the time back to
baseline after the heat stops. The phases follow the local-heating protocol of Minson, Berry & Joyner 2001 (J Appl
Physiol 91:1619): baseline, heating to 42 °C (initial peak, nadir, plateau), heating to 43–44 °C for the maximum,
heat off and recovery.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any

import numpy as np
import xarray as xr
from pydantic import Field, model_validator

from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.physiology.ldf_fit import MAX_RELATIVE_SE, LdfFit, fit_recording
from lightdose.physiology.ldf_import import PERFUSION_UNITS, pick_channel, read_ldf
from lightdose.provenance import Provenance
from lightdose.units import Bounded, parse_quantity

_ON = re.compile(r"\b(heat(ing|er)?|stim(ulus|ulation)?|warm(ing)?)[\s_-]*(on|start|begin)\b|"
                 r"\b(start|begin)[\s_-]*(of[\s_-]*)?(heat(ing)?|stim(ulus|ulation)?)\b|^on$", re.IGNORECASE)
_OFF = re.compile(r"\b(heat(ing|er)?|stim(ulus|ulation)?|warm(ing)?)[\s_-]*(off|stop|end)\b|"
                  r"\b(stop|end)[\s_-]*(of[\s_-]*)?(heat(ing)?|stim(ulus|ulation)?)\b|^off$", re.IGNORECASE)
_MAX = re.compile(r"\bmax(imum|imal)?\b", re.IGNORECASE)


class LdfAnalysis(FrozenModel):
    """Standard analyses of one perfusion channel around a heating stimulus. Times are recording times [s] from
    the first sample unless named ``latency``/``time_to``; ``_pu`` values are in the channel's perfusion units."""

    channel: str
    units: str
    stimulus_on_s: float
    stimulus_off_s: float
    heating_end_s: float
    """End of the local-heating phase analysed for peak, plateau and AUC: the start of a maximal-heating segment
    inside the stimulus, else the stimulus end."""
    baseline_start_s: float
    baseline_end_s: float
    baseline_pu: float
    baseline_sd_pu: float
    peak_pu: float
    peak_time_s: float
    peak_latency_s: float
    nadir_pu: float
    nadir_time_s: float
    plateau_start_s: float
    plateau_end_s: float
    plateau_pu: float
    plateau_sd_pu: float
    auc_pu_s: float
    maximum_pu: float | None
    maximum_source: str
    maximum_start_s: float | None
    maximum_end_s: float | None
    baseline_pct_max: float | None
    peak_pct_max: float | None
    plateau_pct_max: float | None
    recovery_threshold_pu: float
    time_to_baseline_s: float | None
    smoothing_s: float
    recovery_k_sd: float
    missing_samples: int


def _time(value: Any, field: str) -> float:
    return parse_quantity(value, "time", field)


def _window(value: Any, field: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InputError(field, f"expected a (start, end) pair of times in s or with units, got {value!r}")
    start, end = _time(value[0], f"{field}[0]"), _time(value[1], f"{field}[1]")
    if end <= start:
        raise InputError(field, f"end {end:g} s must come after start {start:g} s")
    return start, end


def _events(ds: xr.Dataset) -> list[tuple[float, str]]:
    return sorted((float(e["time_s"]), str(e["label"])) for e in ds.attrs.get("events", []))


def _stimulus_from_markers(events: list[tuple[float, str]]) -> tuple[float, float]:
    on = next((t for t, label in events if _ON.search(label)), None)
    if on is None:
        raise InputError("stimulus", "the recording has no 'heat on' marker; give the stimulus window in s, "
                                     "e.g. stimulus=(600, 3300)")
    off = next((t for t, label in events if t > on and _OFF.search(label)), None)
    if off is None:
        raise InputError("stimulus", f"the recording has a 'heat on' marker at {on:g} s but no 'heat off' marker "
                                     "after it; give the stimulus window in s, e.g. stimulus=(600, 3300)")
    return on, off


def _segment(t: np.ndarray, x: np.ndarray, start: float, end: float, what: str, minimum: int = 1
             ) -> tuple[np.ndarray, np.ndarray]:
    """The samples in the half-open window [start, end)."""
    inside = (t >= start) & (t < end)
    if inside.sum() < minimum:
        raise InputError(what, f"the window {start:g}…{end:g} s holds {int(inside.sum())} valid samples, "
                               f"need at least {minimum} (recording spans {t[0]:g}…{t[-1]:g} s)")
    return t[inside], x[inside]


def smooth(t: np.ndarray, x: np.ndarray, width_s: float) -> np.ndarray:
    """Centred moving average of `x` over a time window of `width_s` [s] (samples with |tⱼ − tᵢ| ≤ width/2;
    the window shrinks at the ends). `width_s` = 0 returns `x` unchanged."""
    if width_s <= 0.0 or len(x) < 2:
        return np.asarray(x, dtype=float).copy()
    cumulative = np.concatenate([[0.0], np.cumsum(x)])
    lo = np.searchsorted(t, t - width_s / 2.0, side="left")
    hi = np.searchsorted(t, t + width_s / 2.0, side="right")
    return (cumulative[hi] - cumulative[lo]) / (hi - lo)


def _integrate(t: np.ndarray, x: np.ndarray, start: float, end: float) -> float:
    """∫ x dt over [start, end], x linear between samples (interpolated at the window's ends)."""
    inside = (t > start) & (t < end)
    tt = np.concatenate([[start], t[inside], [end]])
    xx = np.concatenate([[np.interp(start, t, x)], x[inside], [np.interp(end, t, x)]])
    return float(np.trapezoid(xx, tt))


def analyse(ds: xr.Dataset, channel: str | None = None, stimulus: Any = None, maximum: Any = None, *,
            baseline: Any = None, baseline_window_s: Any = 300.0, peak_window_s: Any = 600.0,
            plateau_window_s: Any = 300.0, maximum_window_s: Any = 120.0, smoothing_s: Any = 30.0,
            recovery_k_sd: float = 2.0) -> LdfAnalysis:
    """Baseline, peak, plateau, area under the curve, % of maximum and time back to baseline of one channel.

    Inputs (times in s, or strings with units such as ``"10 min"``):

    - `channel`: the variable to analyse (default: the first channel in PU/AU, i.e. the first perfusion channel).
    - `stimulus`: the heating window ``(on, off)``; default: the first ``heat on`` marker and the first
      ``heat off`` marker after it (also ``stimulus start``/``stop``, ``heating on``/``off`` …). Neither: InputError.
    - `maximum`: the maximal perfusion, as a value in the channel's units, or a window ``(start, end)`` whose
      last `maximum_window_s` are averaged. Default: the segment from a ``max`` marker to the next event (or the end
      of the recording), its last `maximum_window_s` averaged; with no such marker, no % of maximum (None).
    - `baseline`: the baseline window; default the last `baseline_window_s` before the stimulus.

    Rules (all on the channel's valid samples; missing values are skipped and counted in `missing_samples`;
    a window [start, end) holds the samples with start ≤ t < end):

    - baseline: mean and sample SD (ddof = 1) of the raw signal over the baseline window.
    - heating phase: stimulus on → the start of a ``max`` segment inside the stimulus, else → stimulus off.
      A 42 °C test followed by 44 °C for the maximum thus gives the 42 °C peak and plateau.
    - peak (the initial, axon-reflex peak): the highest value, within the first `peak_window_s` of the heating
      phase, of the signal smoothed by a centred moving average over `smoothing_s` (computed within the heating
      phase only), and its time; `peak_latency_s` counts from stimulus on. Give a `peak_window_s` as long as the
      stimulus for the highest value of the whole heating phase.
    - plateau: mean and SD of the raw signal over the last `plateau_window_s` of the heating phase.
    - nadir: the lowest smoothed value between the peak and the plateau window (the peak itself if there is
      nothing between them).
    - AUC: ∫ (signal − baseline) dt over the heating phase [PU·s], signal linear between samples; parts below
      baseline count negative.
    - % of maximum: 100 · value / maximum for baseline, peak and plateau (no biological-zero subtraction).
    - time to baseline: the first time after stimulus off at which the signal, smoothed over `smoothing_s`
      within the recovery segment only, is at or below baseline + `recovery_k_sd` · baseline SD, counted from
      stimulus off; None if it never gets there before the recording ends (or before a ``max`` segment that
      starts after the stimulus).

    Windows longer than their phase are shortened to it; the windows used are part of the result.
    """
    channel = pick_channel(ds, channel, "channel", PERFUSION_UNITS, "perfusion")
    units = str(ds[channel].attrs.get("units", "PU"))
    smoothing = _time(smoothing_s, "smoothing_s")
    if smoothing < 0.0:
        raise InputError("smoothing_s", f"must be ≥ 0 s, got {smoothing:g} s")
    if not (isinstance(recovery_k_sd, int | float) and math.isfinite(recovery_k_sd) and recovery_k_sd >= 0.0):
        raise InputError("recovery_k_sd", f"must be a finite number ≥ 0, got {recovery_k_sd!r}")
    windows = _positive_times(baseline_window_s=baseline_window_s, peak_window_s=peak_window_s,
                              plateau_window_s=plateau_window_s, maximum_window_s=maximum_window_s)

    x_all = np.asarray(ds[channel].values, dtype=float)
    valid = np.isfinite(x_all)
    t, x = np.asarray(ds["t"].values, dtype=float)[valid], x_all[valid]
    if t.size < 3:
        raise InputError("channel", f"{channel!r} has {t.size} valid samples; need at least 3")

    events = _events(ds)
    on, off = _window(stimulus, "stimulus") if stimulus is not None else _stimulus_from_markers(events)
    if on < t[0] or off > t[-1]:
        raise InputError("stimulus", f"window {on:g}…{off:g} s lies outside the recording ({t[0]:g}…{t[-1]:g} s)")

    max_marker = next((time for time, label in events if _MAX.search(label) and time > on), None)
    heating_end = max_marker if max_marker is not None and max_marker < off else off

    if baseline is not None:
        b_start, b_end = _window(baseline, "baseline")
    else:
        b_start, b_end = max(t[0], on - windows["baseline_window_s"]), on
    _, b_x = _segment(t, x, b_start, b_end, "baseline", minimum=2)
    base, base_sd = float(np.mean(b_x)), float(np.std(b_x, ddof=1))

    h_t, h_x = _segment(t, x, on, heating_end, "stimulus", minimum=2)
    h_smooth = smooth(h_t, h_x, smoothing)
    k = int(np.argmax(np.where(h_t < on + windows["peak_window_s"], h_smooth, -np.inf)))
    peak, peak_time = float(h_smooth[k]), float(h_t[k])

    p_start = max(on, heating_end - windows["plateau_window_s"])
    between = np.nonzero((h_t >= peak_time) & (h_t < p_start))[0]
    n = int(between[np.argmin(h_smooth[between])]) if between.size else k
    nadir, nadir_time = float(h_smooth[n]), float(h_t[n])
    _, p_x = _segment(t, x, p_start, heating_end, "plateau_window_s", minimum=1)
    plateau = float(np.mean(p_x))
    plateau_sd = float(np.std(p_x, ddof=1)) if p_x.size > 1 else 0.0

    auc = _integrate(t, x, on, heating_end) - base * (heating_end - on)
    source, max_value, m_start, m_end = _maximum(maximum, max_marker, events, t, x, windows["maximum_window_s"],
                                                 units)

    def pct(value: float) -> float | None:
        return None if max_value is None else 100.0 * value / max_value

    threshold = base + recovery_k_sd * base_sd
    recovery_end = max_marker if max_marker is not None and max_marker > off else math.inf
    result = LdfAnalysis(
        channel=channel, units=units, stimulus_on_s=on, stimulus_off_s=off, heating_end_s=heating_end,
        baseline_start_s=b_start, baseline_end_s=b_end, baseline_pu=base, baseline_sd_pu=base_sd,
        peak_pu=peak, peak_time_s=peak_time, peak_latency_s=peak_time - on, nadir_pu=nadir, nadir_time_s=nadir_time,
        plateau_start_s=p_start, plateau_end_s=heating_end, plateau_pu=plateau, plateau_sd_pu=plateau_sd,
        auc_pu_s=auc, maximum_pu=max_value, maximum_source=source, maximum_start_s=m_start, maximum_end_s=m_end,
        baseline_pct_max=pct(base), peak_pct_max=pct(peak), plateau_pct_max=pct(plateau),
        recovery_threshold_pu=threshold,
        time_to_baseline_s=_time_to_baseline(t, x, off, recovery_end, threshold, smoothing),
        smoothing_s=smoothing, recovery_k_sd=float(recovery_k_sd), missing_samples=int((~valid).sum()),
    )
    for key, value in result.model_dump().items():
        if isinstance(value, float) and not math.isfinite(value):  # a guard: no silent NaN leaves the analysis
            raise InputError(key, f"came out as {value}; check the channel's values and the windows")
    return result


def _positive_times(**values: Any) -> dict[str, float]:
    """Each window length [s] (a number in s or a string with a unit), which must be > 0."""
    windows = {}
    for field, value in values.items():
        windows[field] = _time(value, field)
        if windows[field] <= 0.0:
            raise InputError(field, f"must be > 0 s, got {windows[field]:g} s")
    return windows


def _maximum(maximum: Any, max_marker: float | None, events: list[tuple[float, str]], t: np.ndarray, x: np.ndarray,
             window_s: float, units: str) -> tuple[str, float | None, float | None, float | None]:
    """(source, maximum [units], window start [s], window end [s]) of the maximal perfusion: given as a value,
    the mean of the last `window_s` of a given window or of the segment from a ``max`` marker to the next event
    (or the end), or none."""
    if maximum is not None and not isinstance(maximum, list | tuple):
        if isinstance(maximum, bool) or not isinstance(maximum, int | float) or not math.isfinite(maximum) \
                or maximum <= 0:
            raise InputError("maximum", f"expected a positive value in {units} or a (start, end) window, "
                                        f"got {maximum!r}")
        return "given", float(maximum), None, None
    if maximum is not None:
        window, source = _window(maximum, "maximum"), "window"
    elif max_marker is not None:
        following = next((time for time, _ in events if time > max_marker), float(t[-1]))
        window, source = (max_marker, following), "marker"
    else:
        return "none", None, None, None
    m_end = window[1]
    m_start = max(window[0], m_end - window_s)
    _, m_x = _segment(t, x, m_start, m_end, "maximum", minimum=1)
    value = float(np.mean(m_x))
    if value <= 0.0:
        raise InputError("maximum", f"the mean over {m_start:g}…{m_end:g} s is {value:g} {units}; "
                                    "a maximum must be positive")
    return source, value, m_start, m_end


def _time_to_baseline(t: np.ndarray, x: np.ndarray, off: float, end: float, threshold: float, smoothing: float
                      ) -> float | None:
    """Time [s] from `off` to the first sample of [off, end) at which the signal, smoothed within that segment,
    is at or below `threshold`; None if it never is."""
    inside = (t >= off) & (t < end)
    if not inside.any():
        return None
    below = np.nonzero(smooth(t[inside], x[inside], smoothing) <= threshold)[0]
    return float(t[inside][below[0]] - off) if below.size else None


def analyse_all(ds: xr.Dataset, **options: Any) -> dict[str, LdfAnalysis]:
    """:func:`analyse` of every perfusion channel (units PU/AU/BPU) of a recording, by channel name, with the same
    `options` (stimulus, maximum, windows …)."""
    channels = [name for name, var in ds.data_vars.items()
                if var.dims == ("t",) and var.attrs.get("units") in PERFUSION_UNITS]
    if not channels:
        raise InputError("channel", f"no perfusion channel (units PU, AU or BPU) among {list(ds.data_vars)}")
    return {name: analyse(ds, name, **options) for name in channels}


# ------------------------------------------------------------------------------------------------- the stage

MAX_RECORDING_S = 7 * 86400.0
"""Latest stimulus time a request may give [s] (a week of recording)."""
StimulusTime = Annotated[float, Bounded("time", ge=0.0, le=MAX_RECORDING_S)]


class LdfRequest(FrozenModel):
    """A laser-Doppler recording to analyse: the file, which channel, the heating stimulus, whether to fit.

    Without `channel` every perfusion channel (PU/AU/BPU) is analysed and the first is fitted. The stimulus times are
    recording times (from the first sample; s, or strings with a unit such as "10 min"); give both or neither —
    without them the file's 'heat on'/'heat off' markers are used.
    """

    file: str = Field(min_length=1, description="delimited-text LDF export")
    channel: str | None = Field(default=None, description="the channel to analyse and fit (default: every PU one)")
    stimulus_on: StimulusTime | None = Field(default=None, description="stimulus start [s] (default: the marker)")
    stimulus_off: StimulusTime | None = Field(default=None, description="stimulus end [s] (default: the marker)")
    fit: bool = Field(default=False, description="also fit the perfusion model (needs a temperature channel)")

    @model_validator(mode="after")
    def _both_stimulus_times_or_neither(self) -> LdfRequest:
        if (self.stimulus_on is None) != (self.stimulus_off is None):
            raise InputError("stimulus", "give both its start and its end (stimulus_on and stimulus_off, or --on and "
                                         "--off), or neither: then the file's 'heat on' and 'heat off' markers count")
        if self.stimulus_on is not None and self.stimulus_off is not None and self.stimulus_off <= self.stimulus_on:
            raise InputError("stimulus", f"the end {self.stimulus_off:g} s must come after the start "
                                         f"{self.stimulus_on:g} s")
        return self


@dataclass(frozen=True)
class LdfResult:
    """What :func:`analyse_recording` returns."""

    request: LdfRequest
    dataset: xr.Dataset
    """The recording as read (:func:`~lightdose.physiology.ldf_import.read_ldf`): channels over ``t`` [s]."""
    channels: Mapping[str, LdfAnalysis]
    """The analysis of each perfusion channel, by channel name."""
    fit: LdfFit | None
    """The perfusion model fitted to the analysed (or first) channel, when asked for."""
    warnings: tuple[str, ...]
    provenance: Provenance


def analyse_recording(request: LdfRequest, *, progress: Callable[[int], None] | None = None) -> LdfResult:
    """Read the recording, analyse its perfusion channels and, if asked, fit the perfusion model.

    `progress`, if given, is called with the number of model evaluations so far while the fit runs (for a
    progress display; the fit of a long recording takes seconds to a minute).
    """
    ds = read_ldf(request.file)
    options = {} if request.stimulus_on is None else {"stimulus": (request.stimulus_on, request.stimulus_off)}
    channels = ({request.channel: analyse(ds, request.channel, **options)} if request.channel
                else analyse_all(ds, **options))
    fit = fit_recording(ds, flux_channel=next(iter(channels)), progress=progress) if request.fit else None
    return LdfResult(request=request, dataset=ds, channels=MappingProxyType(channels), fit=fit,
                     warnings=_warnings(channels, fit), provenance=Provenance.of(request))


def _warnings(channels: Mapping[str, LdfAnalysis], fit: LdfFit | None) -> tuple[str, ...]:
    notes = []
    for name, analysis in channels.items():
        if analysis.missing_samples:
            notes.append(f"{name}: {analysis.missing_samples} missing samples skipped")
        if analysis.time_to_baseline_s is None:
            notes.append(f"{name}: the perfusion did not come back to baseline + {analysis.recovery_k_sd:g} SD "
                         "before the recording (or its recovery segment) ends")
    if fit is not None:
        if not fit.success:
            notes.append(f"the model fit did not converge: {fit.message}")
        undetermined = [p.name for p in fit.fitted if not p.determined]
        if undetermined:
            notes.append(f"undetermined: the recording cannot pin down {', '.join(undetermined)} (no standard error, "
                         f"or a relative standard error above {MAX_RELATIVE_SE:g}); read those values as unknown")
    return tuple(notes)
