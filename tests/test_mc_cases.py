"""The registry of named Monte Carlo cases: its MCML files, lookups and reference arithmetic."""

import math
from pathlib import Path

import pytest

from lightdose.errors import InputError
from lightdose.transport.mc import CASES, Reference, mc_case, read_mci
from lightdose.transport.mc.cases import absorbing_slab_closed_form

MCI_FILES = {"mcml-slab": "slab_case1.mci", "giovanelli": "semiinf_case2.mci", "gardner": "gardner_case3.mci",
             "skin7-600": "skin7_600nm.mci"}
CASES_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "cases"


@pytest.mark.parametrize("name", list(MCI_FILES))
def test_benchmark_mci_file_is_the_registered_case(name):
    (run,) = read_mci(CASES_DIR / MCI_FILES[name])
    case = CASES[name]
    for got, want in zip(run.stack.layers, case.stack.layers, strict=True):
        for field in ("thickness_mm", "mua", "mus", "g", "n"):
            assert getattr(got, field) == pytest.approx(getattr(want, field), rel=1e-12), (name, field)
    assert (run.stack.n_above, run.stack.n_below) == (case.stack.n_above, case.stack.n_below)
    assert run.grid == case.grid
    assert run.photons == case.photons


def test_unknown_case_lists_the_cases():
    with pytest.raises(InputError, match="gardner") as info:
        mc_case("gardnr")
    assert info.value.field == "case"


def test_every_reference_states_its_source_and_uncertainty():
    for case in CASES.values():
        assert case.source and case.photons > 0
        for ref in case.references:
            assert ref.source and ref.half_width >= 0.0
            assert (ref.photons is not None) == (ref.kind == "independent code" and case.name == "gardner")


def test_absorbing_slab_closed_form_conserves_energy_and_reduces_to_fresnel():
    r = 0.04  # ((1.5 - 1)/(1.5 + 1))^2
    rd, tt = absorbing_slab_closed_form(1.5, 0.0)  # no absorption: R + T = 1
    assert r + rd + tt == pytest.approx(1.0, abs=1e-15)
    assert tt == pytest.approx((1 - r) / (1 + r), rel=1e-15)  # the classic lossless plate
    rd, tt = absorbing_slab_closed_form(1.5, 50.0)
    assert rd < 1e-40 and tt < 1e-20


def test_deviation_counts_from_the_edge_of_the_reference_interval():
    ref = Reference("rd", 0.2375, 0.5e-4, "test", "independent code", photons=1_000_000)
    assert ref.deviation(0.23752, 0.001, 1_000_000) == 0.0  # inside the rounding interval
    # 1e6 photons each: the reference's own error equals ours, so the combined error is sqrt(2) times ours
    assert ref.deviation(0.2385, 0.0003, 1_000_000) == pytest.approx(0.00095 / (0.0003 * math.sqrt(2)))
    exact = Reference("rsp", 0.02437, 0.5e-5, "test", "closed form")
    assert exact.deviation(0.024372, 0.0, 1000) == 0.0 and exact.deviation(0.0245, 0.0, 1000) == math.inf
    assert exact.label() == "0.02437" and ref.label() == "0.2375 (1e+06 photons)"
