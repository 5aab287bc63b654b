"""Population coverage: how one plan lands on many virtual people.

The plan fixes the exposure for the person it was made for. Each virtual person (:mod:`lightdose.anatomy.population`)
gets that exposure; their target dose comes from the fast δ-P1 solver in their own layer stack, at their own
target depth, under the device's :class:`~lightdose.transport.dose.SkinBeam` (its irradiance map is computed
once). A person counts as *unsafe* when the exposure breaks a limit for them (skin MPE, skin temperature, burn
dose); the others fall below, in or above the dose window. The four fractions add up to 1.

Thermal limits need a bioheat run per person (5 s steps; ~65 ms for a 40-min session, docs/benchmarks.md), so
they are found from as few runs as possible, assuming that a person's skin temperature and burn dose change
monotonically with each input that sets them at the site (skin type, dermal blood, BMI or plantar pad; the target's
position does not), separately for people with and without neuropathy:

1. every combination of the lowest and highest value of each input is run; if none of these people breaks a limit,
   nobody does;
2. otherwise the corners give each input's direction (the peak skin and basal temperatures rise, or fall, with it
   at every pair of corners that differ in it alone; if an input does both, every person is run);
3. a person at least as hot in every input as one who breaks a limit breaks it too, and one no hotter than one
   who does not, does not: people are run one at a time, each time the undecided person whose verdict settles the
   most others, until everyone is settled (:func:`_monotone_split`). Where half of 1000 people break a limit this
   takes ~80 runs instead of 1000, with the same verdict for everyone (benchmarks/bench_planner.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from lightdose.anatomy import LayerStack, Person
from lightdose.anatomy.population import VirtualPeople
from lightdose.devices.placement import Placement
from lightdose.parameters import ParameterChoice, ParameterSet
from lightdose.planning.safety import Limits, heat_within_range, skin_mpe_fraction, thermal_verdict
from lightdose.thermal.session import HeatRequest
from lightdose.tissues import ROMAN_SKIN_TYPES as SKIN_TYPES
from lightdose.transport.dose import fluence_rate_on_axis
from lightdose.transport.skin_beam import SkinBeam

SPLIT_SAMPLE = 1500
"""Most undecided people compared with each other to choose the next bioheat run (:func:`_monotone_split`)."""
SCREEN_STEP_S = 5.0
"""Time step of the population's bioheat runs [s] (the plan's own run uses 1 s; docs/planning.md gives the
difference)."""


@dataclass
class Coverage:
    """How the plan's exposure lands on `people` virtual people. Dose fractions are None for heat-only devices."""

    people: int
    unsafe: float
    below: float | None = None
    in_window: float | None = None
    above: float | None = None
    percentiles: dict[str, float] | None = None
    """5th, 50th and 95th percentile of the target dose [J/mm²] (keys p5, p50, p95)."""
    thermal_check: str = ""
    doses: NDArray[np.float64] | None = field(default=None, repr=False)
    """Each person's target dose [J/mm²]."""
    unsafe_people: NDArray[np.bool_] | None = field(default=None, repr=False)


def _thermal_inputs(people: VirtualPeople, stack: LayerStack) -> dict[str, NDArray[np.float64]]:
    """Per person, the inputs that can change the skin temperature at this site (skin type as its rank, I = 0);
    the target's position cannot."""
    order = {t: i for i, t in enumerate(SKIN_TYPES)}
    inputs = {"skin_type": np.array([order[s] for s in people.skin_type], dtype=float),
              "dermal_blood": people.dermal_blood}
    if any(layer.preset == "subcutaneous-fat" and not layer.plantar_pad for layer in stack.layers):
        inputs["bmi"] = people.bmi
    if any(layer.plantar_pad for layer in stack.layers):
        inputs["plantar_pad_scale"] = people.plantar_pad_scale
    return inputs


def _person(values: dict[str, float], neuropathy: bool) -> Person:
    """A person with these thermal inputs (the site ignores the others)."""
    return Person(skin_type=SKIN_TYPES[int(values["skin_type"])], bmi=values.get("bmi"), neuropathy=neuropathy,
                  dermal_blood=values["dermal_blood"], plantar_pad_scale=values.get("plantar_pad_scale", 1.0))


def _directions(corners: list[tuple[float, ...]], peaks: list[tuple[float, float]]) -> NDArray[np.float64] | None:
    """For each input, +1 if the corners' peak skin and basal temperatures never fall as it rises, −1 if they never
    rise, None if both happen for some input (not monotonic: no shortcut)."""
    peak_of = dict(zip(corners, peaks, strict=True))
    signs = []
    for j in range(len(corners[0])):
        levels = sorted({c[j] for c in corners})
        deltas = [np.subtract(peak_of[c[:j] + (levels[-1],) + c[j + 1:]], peak_of[c])
                  for c in corners if c[j] == levels[0]]
        rising, falling = all((d >= -1e-9).all() for d in deltas), all((d <= 1e-9).all() for d in deltas)
        if not (rising or falling):
            return None
        signs.append(1.0 if rising else -1.0)
    return np.array(signs)


def _monotone_split(x: NDArray[np.float64], known: list[tuple[NDArray[np.float64], bool]],
                    breaks: Callable[[int], bool]) -> tuple[NDArray[np.bool_], int]:
    """Who breaks a limit among people at `x` (one row each, oriented so that larger is hotter), given that breaking
    is monotonic: anyone at least as hot in every input as someone who breaks breaks too, and anyone no hotter than
    someone who does not, does not. `known` are (inputs, breaks) of people already run. The others are run one at a
    time, each time the undecided person whose verdict settles the most others either way (the smaller of the
    numbers at least as hot and no hotter; counted among at most :data:`SPLIT_SAMPLE` undecided people). Returns
    the flags and the number of runs."""
    n = len(x)
    unsafe, decided = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)

    def settle(point: NDArray[np.float64], broke: bool) -> None:
        bound = np.all(x >= point, axis=1) if broke else np.all(x <= point, axis=1)
        unsafe[bound & ~decided] = broke
        decided[bound] = True

    for point, broke in known:
        settle(point, broke)
    rng = np.random.default_rng(0)  # a fixed sample: the same people give the same runs
    runs = 0
    while not decided.all():
        undecided = np.flatnonzero(~decided)
        if undecided.size > SPLIT_SAMPLE:
            undecided = np.sort(rng.choice(undecided, SPLIT_SAMPLE, replace=False))
        hotter = np.all(x[undecided, None, :] >= x[None, undecided, :], axis=2)  # [i, j]: i at least as hot as j
        settles = np.minimum(hotter.sum(axis=0), hotter.sum(axis=1))
        k = int(undecided[np.argmax(settles)])
        runs += 1
        settle(x[k], breaks(k))
    return unsafe, runs


def _thermally_unsafe(people: VirtualPeople, stack: LayerStack, placement: Placement, exposure_s: float,
                      limits: Limits, parameters: ParameterChoice) -> tuple[NDArray[np.bool_], str]:
    """Who breaks a thermal limit within `exposure_s`, and how that was found (module docstring)."""
    dt = min(SCREEN_STEP_S, exposure_s / 4.0)

    def run(person: Person) -> tuple[bool, tuple[float, float]]:
        session = heat_within_range(HeatRequest(placement=placement, site=stack, person=person, exposure=exposure_s,
                                                dt=dt, parameters=parameters))
        ds = session.dataset
        peaks = (float(ds.surface_temperature.max()), float(ds.basal_epidermis_temperature.max()))
        return thermal_verdict(session, limits).time_s <= exposure_s, peaks

    inputs = _thermal_inputs(people, stack)
    names = list(inputs)
    unsafe = np.zeros(len(people), dtype=bool)
    extremes, runs, everyone = 0, 0, False
    for neuropathy in sorted(set(people.neuropathy.tolist())):
        members = np.flatnonzero(people.neuropathy == neuropathy)
        x = np.column_stack([inputs[name][members] for name in names])
        corners = list(itertools.product(*(sorted({column.min(), column.max()}) for column in x.T)))
        results = [run(_person(dict(zip(names, c, strict=True)), neuropathy)) for c in corners]
        extremes += len(corners)
        if not any(broke for broke, _ in results):
            continue
        signs = _directions(corners, [peaks for _, peaks in results])
        if signs is None:  # an input that is not monotonic: run everyone
            flags, count, everyone = np.array([run(people.person(int(i)))[0] for i in members]), members.size, True
        else:
            known = [(np.array(c) * signs, broke) for c, (broke, _) in zip(corners, results, strict=True)]

            def breaks(k: int, group: NDArray[np.intp] = members) -> bool:
                return run(people.person(int(group[k])))[0]

            flags, count = _monotone_split(x * signs, known, breaks)
        unsafe[members], runs = flags, runs + count
    if runs == 0 and not unsafe.any():
        return unsafe, (f"screened: none of the {extremes} people at the extremes of the population breaks a "
                        "thermal limit")
    if everyone:
        return unsafe, f"bioheat run for every person (an input is not monotonic at the {extremes} extremes)"
    return unsafe, (f"{runs} bioheat runs besides the {extremes} at the extremes; the other people follow by "
                    "monotonicity")


Progress = Callable[[int, int], None]
"""Called with (people done, people in all) while a coverage is computed (a progress display)."""
PROGRESS_BLOCK = 50
"""People between two progress reports when the doses are computed in this process."""


def target_doses(people: VirtualPeople, stack: LayerStack, beam: SkinBeam, exposure_s: float,
                 parameters: ParameterSet) -> NDArray[np.float64]:
    """Each person's target dose [J/mm²] after `exposure_s` [s] under `beam`: their own stack from the site's
    `stack` (one target), their own target depth, the fast δ-P1 solver. A person's dose depends on nobody else, so
    any split of the people into blocks, computed anywhere, gives the same array to the bit."""
    doses = np.empty(len(people))
    for i in range(len(people)):
        own = people.person(i).apply(stack, parameters)
        depth = people.target_depth(i, own.targets[0])
        rate, *_ = fluence_rate_on_axis(own, beam, np.array([depth]))
        doses[i] = rate.sum() * exposure_s
    return doses


PeopleDoses = Callable[[VirtualPeople, LayerStack, SkinBeam, float, ParameterSet, Progress | None],
                       NDArray[np.float64]]
"""Computes :func:`target_doses` for every person, reporting progress: :func:`doses_here` in this process, or
:func:`lightdose.sweep.coverage.dask_people_doses` on a Dask cluster."""


def doses_here(people: VirtualPeople, stack: LayerStack, beam: SkinBeam, exposure_s: float,
               parameters: ParameterSet, progress: Progress | None = None) -> NDArray[np.float64]:
    """:func:`target_doses` of everyone, in this process, in blocks of :data:`PROGRESS_BLOCK` people."""
    n = len(people)
    blocks = []
    for start in range(0, n, PROGRESS_BLOCK):
        if progress is not None:
            progress(start, n)
        blocks.append(target_doses(people.block(start, start + PROGRESS_BLOCK), stack, beam, exposure_s, parameters))
    if progress is not None:
        progress(n, n)
    return np.concatenate(blocks)


def light_coverage(people: VirtualPeople, stack: LayerStack, placement: Placement, beam: SkinBeam, exposure_s: float,
                   window: tuple[float, float], limits: Limits, parameters: ParameterChoice,
                   progress: Progress | None = None, doses_of: PeopleDoses = doses_here) -> Coverage:
    """Coverage of a light plan: target dose [J/mm²] per person for `exposure_s` under `beam` (the placement's),
    against `window` [J/mm²] and the `limits`. `stack` is the site's stack (not yet adjusted for a person) with one
    target. `doses_of` computes the doses (in this process by default; on a cluster, the same numbers)."""
    n = len(people)
    doses = doses_of(people, stack, beam, exposure_s, parameters.resolve(), progress)
    over_mpe = limits.skin_mpe and skin_mpe_fraction(beam.peak_irradiance, beam.wavelength_nm, exposure_s) > 1.0
    if over_mpe:
        unsafe, check = np.ones(n, dtype=bool), "the skin irradiance is above the MPE for everyone"
    else:
        unsafe, check = _thermally_unsafe(people, stack, placement, exposure_s, limits, parameters)
    low, high = window
    safe = ~unsafe
    p5, p50, p95 = np.percentile(doses, [5, 50, 95])
    return Coverage(people=n, unsafe=float(unsafe.mean()), below=float((safe & (doses < low)).mean()),
                    in_window=float((safe & (doses >= low) & (doses <= high)).mean()),
                    above=float((safe & (doses > high)).mean()),
                    percentiles={"p5": float(p5), "p50": float(p50), "p95": float(p95)},
                    thermal_check=check, doses=doses, unsafe_people=unsafe)


def heat_coverage(people: VirtualPeople, stack: LayerStack, placement: Placement, exposure_s: float,
                  limits: Limits, parameters: ParameterChoice) -> Coverage:
    """Coverage of a heat-only plan (heating pad): the share of people who break a thermal limit."""
    unsafe, check = _thermally_unsafe(people, stack, placement, exposure_s, limits, parameters)
    return Coverage(people=len(people), unsafe=float(unsafe.mean()), thermal_check=check, unsafe_people=unsafe)
