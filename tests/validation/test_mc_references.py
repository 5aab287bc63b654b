"""Layered Monte Carlo against the references of the named cases (lightdose.transport.mc.cases).

Each case runs with its default photon count and a fixed seed. Every reference must lie within K combined standard
errors (our batch SE and, for a Monte Carlo reference, its own statistical error) of its interval (the rounding of its
printed digits); K comes from the false-alarm rate in _mc_report.py. The same runs also check conservation without
normalisation: the raw weight scored per launched packet must equal 1 - Rsp within K standard errors.
"""

import runpy
from pathlib import Path

import pytest

from lightdose.transport.mc import CASES, simulate

_report = runpy.run_path(str(Path(__file__).with_name("_mc_report.py")))
K, record, scored_weight_deviation = _report["K"], _report["record"], _report["scored_weight_deviation"]

SEEDS = {"mcml-slab": 11, "giovanelli": 12, "gardner": 13, "absorbing-slab": 14}


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if case.references])
def test_case_matches_its_references(name):
    case = CASES[name]
    ds = simulate(case.stack, photons=case.photons, seed=SEEDS[name], grid=case.grid)
    title = f"{case.name}: {case.title} ({case.photons:.0e} photons)"
    failures = []
    for ref in case.references:
        value, se = ref.measured(ds)
        deviation = ref.deviation(value, se, case.photons)
        record(title, ref.source, ref.quantity, ref.label(), value, se, deviation)
        if deviation > K:
            failures.append(f"{ref.quantity} {value:.5f} ± {se:.5f} vs {ref.label()} ({ref.source}): "
                            f"{deviation:.1f} SE > {K:.1f}")
    difference, deviation = scored_weight_deviation(ds)
    record(title, "conservation: raw weight scored per packet = 1 - Rsp", "scored weight - (1 - Rsp)", "0",
           difference, float(ds["scored_weight_se"]), deviation)
    if deviation > K:
        failures.append(f"scored weight off 1 - Rsp by {difference:.3g} ({deviation:.1f} SE)")
    assert not failures, "; ".join(failures)


def test_every_published_case_has_a_seed():
    assert {name for name, case in CASES.items() if case.references} == set(SEEDS)
