"""Shared test set-up: markers, hypothesis profiles and the examples folder.

Markers:

- ``slow``: a test that takes more than ~5 s on a developer's machine (measured with ``pytest --durations=40``).
  ``make test-fast`` leaves them out; ``make test`` and CI run everything.
- ``fuzz``: a property-based test (every hypothesis ``@given`` test is marked automatically). ``make fuzz`` runs
  them with ``HYPOTHESIS_PROFILE=long``.
- ``browser``: needs a headless browser (Debian's chromium; skipped without it).

``slow`` and ``browser`` are given here, by node id (:data:`SLOW`, :data:`BROWSER`), so that the test modules
themselves stay as their owners wrote them; a test module may also mark its own tests with ``@pytest.mark.slow``.
An entry whose test has been renamed or removed is reported as a warning when its module is collected.

Hypothesis profiles, chosen by the environment variable ``HYPOTHESIS_PROFILE``: ``default`` (quick; what
``make test`` runs) and ``long`` (many examples, no deadline; ``make fuzz``). ``quick`` and ``fuzz`` are aliases,
the names tests/test_units_fuzz.py uses.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
"""The scenario files that the docs and tests run (examples/*.yaml)."""

# --------------------------------------------------------------------------------------------- hypothesis profiles

settings.register_profile("default", max_examples=100, deadline=None)
"""Quick: hypothesis' usual 100 examples, without a per-example deadline (a shared CI machine is not a timer)."""
settings.register_profile("long", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
"""Many examples for ``make fuzz``; tests that set their own ``max_examples`` keep it."""
settings.register_profile("quick", settings.get_profile("default"))
settings.register_profile("fuzz", settings.get_profile("long"))

_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
try:
    settings.load_profile(_PROFILE)
except Exception as exc:  # hypothesis' InvalidArgument: an unknown name
    raise pytest.UsageError(f"HYPOTHESIS_PROFILE={_PROFILE!r} is not a registered profile "
                            "(default, long, quick, fuzz)") from exc

# ---------------------------------------------------------------------------------------------------------- markers

SLOW: dict[str, float] = {
    # node id (without parameters: all of them) → seconds measured with --durations (warm numba cache, two CPU
    # cores shared with other work, December 2026; the whole suite took 224 s)
    "tests/test_perfusion_session.py::test_cli_compare_runs_the_example": 15.5,
    "tests/validation/test_ldf_fit_recovery.py::test_standard_errors_are_calibrated_per_parameter": 15.1,  # `draws`
    "tests/test_planning_report.py::test_demo_writes_every_example_report": 14.5,
    "tests/test_ldf_cli.py::test_fit_table_prints_the_autocorrelation_inflation_factor": 13.5,
    "tests/validation/test_beam_shape.py::test_monte_carlo_pencil_weighted_by_a_disc_matches_a_flat_top_run": 9.8,
    "tests/test_dose.py::test_mc_solver_agrees_with_fast_solver_for_a_probe": 8.7,
    "tests/test_mc_cli.py::test_ctrl_c_from_the_shell_exits_130_without_progress_output": 6.9,
    "tests/test_ldf_cli.py::test_fit_reports_time_constants_with_standard_errors": 5.8,
    # the module fixture `report` (5.5 s) serves these two only
    "tests/test_planning_report.py::test_report_is_self_contained": 5.6,
    "tests/test_planning_report.py::test_report_opens_in_headless_chromium_without_console_errors": 5.6,
    # the module fixture `sample_fit` (5.2 s) serves these two only
    "tests/test_ldf.py::test_fit_on_the_sample_recording_returns_positive_time_constants": 5.2,
    "tests/test_ldf.py::test_the_sample_fit_flags_the_interchangeable_axon_constants": 5.2,
}
"""Tests over ~5 s, marked ``slow``."""

BROWSER = {
    "tests/test_planning_report.py::test_report_opens_in_headless_chromium_without_console_errors",
}
"""Tests that open a headless browser, marked ``browser``."""

MARKERS = {
    "slow": "takes more than ~5 s; left out by `make test-fast`",
    "fuzz": "property-based (hypothesis); `make fuzz` runs these with HYPOTHESIS_PROFILE=long",
    "browser": "opens a headless browser (Debian's chromium); skipped without one",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")


def _matches(nodeid: str, entry: str) -> bool:
    return nodeid == entry or nodeid.startswith(entry + "[")


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    used: set[str] = set()
    for item in items:
        for marker, entries in (("slow", SLOW), ("browser", BROWSER)):
            for entry in entries:
                if _matches(item.nodeid, entry):
                    item.add_marker(marker)
                    used.add(entry)
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker("fuzz")
    collected = {item.nodeid.split("::", 1)[0] for item in items}
    stale = sorted(e for e in (*SLOW, *BROWSER) if e not in used and e.split("::", 1)[0] in collected)
    if stale and not any("::" in arg for arg in config.args):  # a whole module was asked for
        warnings.warn(f"tests/conftest.py names tests that were not collected (renamed or removed?): {stale}",
                      pytest.PytestWarning, stacklevel=1)


# --------------------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def examples() -> Path:
    """The examples folder (examples/*.yaml): scenario and comparison files that the docs and tests run."""
    return EXAMPLES


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root (README.md, docs/, examples/, tests/data/)."""
    return ROOT
