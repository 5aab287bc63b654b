"""`lightdose sweep` and `lightdose mc --workers` end to end: exports, Ctrl-C then --resume, and the one-line errors
for bad sweep files and clusters that cannot be reached (exit status 2, before any work)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lightdose.cli import app
from lightdose.sweep.run import DONE_FOLDER, done_chunks, open_result, run_sweep
from lightdose.sweep.spec import load_sweep

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

LONGER_SWEEP = """\
name: a longer dose sweep
base:
  dose: {placement: pad-890, site: ankle-medial, exposure: 30 min}
axes:
  exposure: [10 min, 20 min, 30 min, 40 min]
  person.skin_type: [I, II, III, IV, V]
  placement.distance: {from: 0 cm, to: 3 cm, steps: 10}
chunk_cells: 5
"""
"""200 cells in 40 chunks: a few seconds of work, long enough to be interrupted in the middle."""


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow  # 60 cells and three exports: ~8 s on two shared cores
def test_sweep_writes_store_netcdf_csv_and_png(dose_sweep, tmp_path):
    store, nc, csv, png = (tmp_path / name for name in ("s.zarr", "s.nc", "s.csv", "s.png"))
    result = runner.invoke(app, ["sweep", str(dose_sweep), "--store", str(store), "--netcdf", str(nc), "--csv",
                                 str(csv), "--png", str(png), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["cells"] == 60 and summary["chunks_computed"] == summary["chunks"] and not summary["partial"]
    assert png.read_bytes()[:4] == b"\x89PNG" and nc.stat().st_size > 0
    header = csv.read_text().splitlines()[0]
    assert header.startswith("exposure [s],person_skin_type,placement_distance [mm],failed,")
    assert "target_fluence [J/mm^2]" in header and len(csv.read_text().splitlines()) == 61
    import numpy as np
    import xarray as xr

    with xr.open_dataset(nc, engine="scipy") as from_nc:
        assert np.array_equal(from_nc["target_fluence"].values, open_result(store)["target_fluence"].values)
        assert from_nc["target_fluence"].attrs["units"] == "J/mm^2"
    again = runner.invoke(app, ["sweep", str(dose_sweep), "--store", str(store)])
    assert again.exit_code == 2 and "--resume continues it, --overwrite replaces it" in again.stderr


@pytest.mark.slow
def test_ctrl_c_then_resume_gives_the_uninterrupted_result_computing_only_missing_chunks(tmp_path):
    sweep_file = tmp_path / "longer.yaml"
    sweep_file.write_text(LONGER_SWEEP)
    store = tmp_path / "interrupted.zarr"
    code = "import sys; from lightdose.cli import app; sys.argv[0] = 'lightdose'; app()"
    proc = subprocess.Popen([sys.executable, "-c", code, "sweep", str(sweep_file), "--store", str(store),
                             "--workers", "1", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while len(done_chunks(store)) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)  # to the client only; its local cluster is closed on the way out
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, (stdout, stderr)
    assert "interrupted:" in stderr and "--resume" in stderr
    stored = done_chunks(store)
    assert 3 <= len(stored) < 40
    assert json.loads(stdout)["partial"] is True
    before = {c: os.stat(store / DONE_FOLDER / str(c)).st_mtime_ns for c in stored}

    resumed = runner.invoke(app, ["sweep", str(sweep_file), "--store", str(store), "--resume", "--json"])
    assert resumed.exit_code == 0, resumed.output
    summary = json.loads(resumed.stdout)
    assert summary["chunks_already_stored"] == len(stored)
    assert summary["chunks_computed"] == 40 - len(stored) and summary["partial"] is False
    assert {c: os.stat(store / DONE_FOLDER / str(c)).st_mtime_ns for c in stored} == before  # not recomputed

    uninterrupted = run_sweep(load_sweep(sweep_file), tmp_path / "whole.zarr")
    assert open_result(store).identical(open_result(uninterrupted.store))


@pytest.mark.slow
def test_mc_on_two_workers_prints_what_one_process_prints(tmp_path):
    mci = tmp_path / "slab.mci"
    mci.write_text("1.0\n1\nslab.mco A\n5000\n0.01 0.01\n20 10 5\n2\n1.0\n1.4 1 90 0.75 0.02\n1.4 0.5 50 0.9 0.05\n"
                   "1.0\n")
    here = runner.invoke(app, ["mc", str(mci), "--photons", "60000", "--seed", "3", "--json"])
    there = runner.invoke(app, ["mc", str(mci), "--photons", "60000", "--seed", "3", "--json", "--workers", "2"])
    assert here.exit_code == there.exit_code == 0, there.output
    (a,), (b,) = json.loads(here.stdout), json.loads(there.stdout)
    for timing in ("seconds", "photons_per_ms"):
        a.pop(timing), b.pop(timing)
    assert a == b


@pytest.mark.slow
def test_plan_with_its_population_on_a_cluster_prints_what_one_process_prints(tmp_path):
    scenario = tmp_path / "carpal.yaml"
    scenario.write_text((EXAMPLES / "carpal-tunnel-probe810.yaml").read_text().replace("people: 1000", "people: 150"))
    here = runner.invoke(app, ["plan", str(scenario), "--json"])
    there = runner.invoke(app, ["plan", str(scenario), "--json", "--workers", "2"])
    assert here.exit_code == there.exit_code == 0, there.output
    a, b = json.loads(here.stdout), json.loads(there.stdout)
    assert a["sites"][0]["coverage"]["people"] == 150
    assert a == b


BAD_FILES = {
    "unknown field": ("axes:\n  person.skin_colour: [I, II]\n", "person.skin_colour is not a field of the dose base"),
    "empty axis": ("axes:\n  exposure: []\n", "the axis is empty"),
    "a billion cells": ("axes:\n  exposure: {from: 1 min, to: 60 min, steps: 1000}\n"
                        "  placement.distance: {from: 0 cm, to: 2 cm, steps: 1000}\n"
                        "  person.fat_thickness: {from: 1 mm, to: 20 mm, steps: 1000}\n",
                        "1e+09 cells: more than 1e+06; this runs long and writes a large store: confirm with --yes"),
    "bad output": ("axes:\n  exposure: [10 min]\noutputs: [cem43]\n", "a dose sweep does not give cem43"),
    "value out of range": ("axes:\n  exposure: [10 min, 9 h]\n", "axes.exposure[1]"),
    "nothing varies": ("outputs: [target_fluence]\n", "nothing varies"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_sweep_file_is_one_line_and_exit_2_before_any_work(name, tmp_path):
    body, needle = BAD_FILES[name]
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nbase:\n  dose: {placement: pad-890, site: ankle-medial, exposure: 30 min}\n" + body)
    store = tmp_path / "bad.zarr"
    started = time.monotonic()
    result = runner.invoke(app, ["sweep", str(path), "--store", str(store)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert needle in result.stderr and "bad.yaml" in result.stderr
    assert not store.exists() and time.monotonic() - started < 30


@pytest.mark.parametrize(("args", "env", "needle"), [
    (["--scheduler", "tcp://127.0.0.1:{port}"], {}, "--scheduler: cannot reach the Dask scheduler at "
                                                    "tcp://127.0.0.1:{port}"),
    ([], {"LIGHTDOSE_SCHEDULER": "tcp://127.0.0.1:{port}"}, "cannot reach the Dask scheduler"),
    ([], {"LIGHTDOSE_SCHEDULER": "my-laptop"}, "LIGHTDOSE_SCHEDULER: 'my-laptop' is not a scheduler address"),
    (["--scheduler", "http://x:1"], {}, "write it as tcp://HOST:PORT"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:{port}"], {}, "not both"),
    (["--workers", "0"], {}, "--workers: 0 is outside the allowed range"),
])
@pytest.mark.parametrize("command", ["sweep", "mc", "plan"])
def test_an_unreachable_or_wrong_cluster_is_one_line_and_exit_2(command, args, env, needle, dose_sweep, tmp_path,
                                                               monkeypatch):
    port = _closed_port()
    for key, value in env.items():
        monkeypatch.setenv(key, value.format(port=port))
    store = tmp_path / "never.zarr"
    first = {"sweep": ["sweep", str(dose_sweep), "--store", str(store)],
             "mc": ["mc", "--case", "mcml-slab", "--photons", "1000"],
             "plan": ["plan", str(EXAMPLES / "carpal-tunnel-probe810.yaml")]}[command]
    result = runner.invoke(app, first + [a.format(port=port) for a in args])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert needle.format(port=port) in result.stderr
    assert not store.exists()
