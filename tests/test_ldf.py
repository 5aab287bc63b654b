"""Laser-Doppler import (formats, clock times, units, events, malformed lines) and the standard analyses against
closed forms; the sample exports in tests/data/ldf/ and the examples of docs/ldf.md."""

import json
import math
import re
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from pydantic import ValidationError

from lightdose.errors import FileFormatError, InputError
from lightdose.physiology.ldf_analysis import LdfRequest, analyse, analyse_all, analyse_recording, smooth
from lightdose.physiology.ldf_fit import DEFAULT_FIT, FittedParameter, fit_recording, fitted_flux
from lightdose.physiology.ldf_import import read_ldf
from lightdose.physiology.perfusion import PerfusionModifiers, default_parameters
from lightdose.provenance import Provenance
from lightdose.units import USER_INPUT

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "ldf"


def _write(tmp_path, text, name="recording.txt", encoding="utf-8"):
    """Write `text` (str, encoded with `encoding`, or bytes as they are) to a file; returns its path."""
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


# ------------------------------------------------------------------------------------------- sample files


def test_reads_the_semicolon_decimal_comma_clock_time_export():
    ds = read_ldf(DATA / "local_heating_semicolon.txt")
    assert list(ds.data_vars) == ["perfusion_1", "perfusion_2", "temp_1"]
    assert ds.t.attrs["units"] == "s"
    assert ds.sizes["t"] == 4080
    np.testing.assert_allclose(ds.t.values[[0, 1, 600, -1]], [0.0, 1.0, 600.0, 4079.0], atol=1e-9)
    # first data line of the file, line 12: 09:41:07,36;16,5;14,6;32,9;
    assert [float(ds[v][0]) for v in ds.data_vars] == [16.5, 14.6, 32.9]
    assert {v: ds[v].attrs["units"] for v in ds.data_vars} == {"perfusion_1": "PU", "perfusion_2": "PU",
                                                               "temp_1": "degC"}
    assert ds.perfusion_2.attrs["label"] == "Perfusion 2"
    assert ds.attrs["events"] == [{"time_s": 600.0, "label": "heat on"}, {"time_s": 2700.0, "label": "max"},
                                  {"time_s": 3180.0, "label": "heat off"}]
    assert ds.attrs["subject"] == "S01"
    assert ds.attrs["date"] == "2026-03-14"
    assert ds.attrs["sampling_rate"] == "1 Hz"
    assert ds.attrs["start_clock_time"] == "09:41:07,36"
    assert ds.attrs["comment"].startswith("LDF export")
    assert (ds.attrs["delimiter"], ds.attrs["decimal_separator"], ds.attrs["time_format"]) == \
        ("semicolon", ",", "clock")
    assert ds.attrs["encoding"] == "cp1252"  # the ° of the unit row is one Windows-1252 byte
    assert ds.attrs["header_line"] == 10
    assert ds.attrs["source_file"].endswith("local_heating_semicolon.txt")


def test_reads_the_tab_separated_elapsed_seconds_export_with_lost_samples():
    ds = read_ldf(DATA / "neuropathic_foot_tab.txt")
    assert list(ds.data_vars) == ["flux", "conc", "temp"]
    assert {v: ds[v].attrs["units"] for v in ds.data_vars} == {"flux": "PU", "conc": "AU", "temp": "degC"}
    assert ds.attrs["time_format"] == "elapsed"
    assert (ds.attrs["delimiter"], ds.attrs["decimal_separator"]) == ("tab", ".")
    assert ds.sizes["t"] == 2700 and float(ds.t[-1]) == 2699.0
    lost = np.nonzero(np.isnan(ds.flux.values))[0]
    assert list(ds.t.values[lost]) == [1500.0, 1501.0, 1502.0]  # empty cells are missing values
    assert ds.attrs["subject"].startswith("S02")
    assert [e["label"] for e in ds.attrs["events"]] == ["Heating start 42C", "Heating stop"]


def test_reads_the_comma_separated_export_passing_midnight():
    ds = read_ldf(DATA / "midnight_comma.csv")
    assert list(ds.data_vars) == ["ldf", "skin_temperature"]  # the byte-order mark does not stick to "Time"
    assert ds.ldf.attrs["units"] == "PU" and ds.skin_temperature.attrs["units"] == "degC"
    assert ds.attrs["start_clock_time"] == "23:55:30.250"
    np.testing.assert_allclose(np.diff(ds.t.values), 0.25, atol=1e-6)
    # 00:00:00.000 is 4 min 29.75 s after 23:55:30.250
    midnight = int(np.argmin(np.abs(ds.t.values - 269.75)))
    assert ds.t.values[midnight] == pytest.approx(269.75, abs=1e-6)
    assert float(ds.t[-1]) == pytest.approx(719.75, abs=1e-6)


def test_truncated_sample_names_its_last_line():
    with pytest.raises(FileFormatError) as caught:
        read_ldf(DATA / "truncated_semicolon.txt")
    assert caught.value.line == 45
    assert "line 45" in str(caught.value) and "truncated_semicolon.txt" in str(caught.value)
    assert "2 semicolon-separated fields, expected 4" in str(caught.value)


def test_sample_shapes_follow_the_local_heating_literature():
    """Minson, Berry & Joyner 2001: baseline ~10 % of max, initial peak ~75 % at 3–5 min, nadir, plateau ~87 %."""
    ds = read_ldf(DATA / "local_heating_semicolon.txt")
    for channel in ("perfusion_1", "perfusion_2"):
        a = analyse(ds, channel)
        assert a.maximum_source == "marker" and (a.maximum_start_s, a.maximum_end_s) == (3060.0, 3180.0)
        assert 5.0 < a.baseline_pct_max < 15.0
        assert 180.0 <= a.peak_latency_s <= 300.0
        assert 65.0 < a.peak_pct_max < 85.0
        assert a.nadir_pu < a.peak_pu < a.plateau_pu
        assert 80.0 < a.plateau_pct_max < 95.0
        assert a.time_to_baseline_s is not None and 120.0 < a.time_to_baseline_s < 1200.0


def test_every_perfusion_channel_analysed_at_once():
    ds = read_ldf(DATA / "local_heating_semicolon.txt")
    results = analyse_all(ds, smoothing_s=10)
    assert list(results) == ["perfusion_1", "perfusion_2"]
    assert results["perfusion_2"] == analyse(ds, "perfusion_2", smoothing_s=10)
    with pytest.raises(InputError, match="no perfusion channel"):
        analyse_all(ds[["temp_1"]])


def test_blunted_sample_does_not_return_to_baseline():
    a = analyse(read_ldf(DATA / "neuropathic_foot_tab.txt"))
    assert a.channel == "flux" and a.missing_samples == 3
    assert a.maximum_pu is None and a.plateau_pct_max is None
    assert a.time_to_baseline_s is None
    assert a.plateau_pu < 6.0 * a.baseline_pu


# --------------------------------------------------------------------------------------- format details


@pytest.mark.parametrize(("cells", "expected"), [
    (["10:00:00", "10:00:01", "10:00:03"], [0.0, 1.0, 3.0]),
    (["10:00:00.000", "10:00:00.250", "10:00:01.5"], [0.0, 0.25, 1.5]),
    (["10:00:00,00", "10:00:00,25", "10:00:00,50"], [0.0, 0.25, 0.5]),
    (["9:59:59,5", "10:00:00,0", "10:00:00,5"], [0.0, 0.5, 1.0]),
    (["23:59:58", "23:59:59", "00:00:00", "00:00:01"], [0.0, 1.0, 2.0, 3.0]),
    (["23:59:59.750", "00:00:00.250", "00:00:00.750"], [0.0, 0.5, 1.0]),
])
def test_clock_times_become_seconds_from_the_first_sample(tmp_path, cells, expected):
    body = "".join(f"{cell};{i + 1},5\n" for i, cell in enumerate(cells))
    ds = read_ldf(_write(tmp_path, "Time;Perfusion\n" + body))
    np.testing.assert_allclose(ds.t.values, expected, atol=1e-9)
    np.testing.assert_allclose(ds.perfusion.values, np.arange(len(cells)) + 1.5)
    assert ds.attrs["decimal_separator"] == ","


def test_recording_passing_midnight_twice(tmp_path):
    hours = ["22:00:00", "06:00:00", "20:00:00", "04:00:00"]  # each step 8 h or 14 h forward
    ds = read_ldf(_write(tmp_path, "Time\tFlux\n" + "".join(f"{h}\t1\n" for h in hours)))
    np.testing.assert_allclose(ds.t.values / 3600.0, [0.0, 8.0, 22.0, 30.0])


@pytest.mark.parametrize(("unit", "factor"), [("s", 1.0), ("ms", 1e-3), ("min", 60.0), ("h", 3600.0)])
def test_elapsed_time_units_from_the_unit_row_or_the_header(tmp_path, unit, factor):
    from_row = read_ldf(_write(tmp_path, f"Time\tPerfusion\n{unit}\tPU\n0\t1\n2\t2\n", "row.txt"))
    from_header = read_ldf(_write(tmp_path, f"Time [{unit}]\tPerfusion\n0\t1\n2\t2\n", "header.txt"))
    for ds in (from_row, from_header):
        np.testing.assert_allclose(ds.t.values, [0.0, 2.0 * factor])


def test_units_row_header_brackets_and_defaults(tmp_path):
    text = ("Time;Perfusion 1 [PU];Flux 2;Temp 1 (°C);Skin T;Pressure [mmHg];Speed;Mark\n"
            "s;;;;°C;;a.u.;\n"
            "0;10,5;11,5;33,0;32,5;80;1,5;\n"
            "1;12,5;13,5;33,1;32,6;81;1,6;heat on\n")
    ds = read_ldf(_write(tmp_path, text))
    units = {v: ds[v].attrs["units"] for v in ds.data_vars}
    assert units == {"perfusion_1": "PU", "flux_2": "PU", "temp_1": "degC", "skin_t": "degC",
                     "pressure": "mmHg", "speed": "AU"}
    assert ds.perfusion_1.attrs["label"] == "Perfusion 1" and ds.temp_1.attrs["label"] == "Temp 1"
    assert ds.attrs["events"] == [{"time_s": 1.0, "label": "heat on"}]


def test_unit_row_takes_precedence_over_name_defaults_and_units_stay_attributes(tmp_path):
    ds = read_ldf(_write(tmp_path, "Time,Perfusion,Temperature\nhh:mm:ss,AU,degC\n10:00:00,1.5,33\n"
                                   "10:00:01,2.5,34\n"))
    assert ds.perfusion.attrs["units"] == "AU" and ds.temperature.attrs["units"] == "degC"
    assert ds.attrs["time_format"] == "clock"


def test_decimal_comma_in_a_tab_file_and_missing_value_spellings(tmp_path):
    text = "Zeit\tPerfusion\tTemp\n0,0\t1,25\t33,5\n0,5\t\t33,5\n1,0\tNaN\t33,6\n1,5\tn/a\t33,6\n2,0\t-2,5e1\tNA\n"
    ds = read_ldf(_write(tmp_path, text))
    np.testing.assert_allclose(ds.t.values, [0.0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_array_equal(np.isnan(ds.perfusion.values), [False, True, True, True, False])
    assert ds.perfusion.values[0] == 1.25 and ds.perfusion.values[4] == -25.0
    assert math.isnan(ds.temp.values[4])


def test_time_column_found_by_name_and_other_columns(tmp_path):
    text = ("Date;Sample;Time;Perfusion;Perfusion;Event\n"
            "2026-03-14;1;10:00:00;1,0;2,0;\n"
            "2026-03-14;2;10:00:01;1,5;2,5;\"heat on; 42 °C\"\n")
    ds = read_ldf(_write(tmp_path, text))
    assert list(ds.data_vars) == ["sample", "perfusion", "perfusion_2"]  # duplicates get a suffix
    assert ds.attrs["date"] == "2026-03-14"
    assert ds.attrs["events"] == [{"time_s": 1.0, "label": "heat on; 42 °C"}]  # a quoted field keeps its ';'


def test_metadata_forms(tmp_path):
    text = ("Export from LDF software\nSubject: S07\nOperator = AB\nSampling rate;32;Hz\nProbe:;457\n\n"
            "Time;Perfusion\n0;1\n1;2\n")
    ds = read_ldf(_write(tmp_path, text))
    assert ds.attrs["subject"] == "S07" and ds.attrs["operator"] == "AB"
    assert ds.attrs["sampling_rate"] == "32 Hz" and ds.attrs["probe"] == "457"
    assert ds.attrs["comment"] == "Export from LDF software"
    assert ds.attrs["header_line"] == 7


def test_trailing_delimiters_crlf_utf16_and_explicit_separators(tmp_path):
    text = "Time;Perfusion;\r\n0;1,5;\r\n1;2,5;\r\n"
    for encoding in ("utf-8", "utf-16"):
        ds = read_ldf(_write(tmp_path, text, f"{encoding}.txt", encoding))
        assert list(ds.data_vars) == ["perfusion"]
        np.testing.assert_allclose(ds.perfusion.values, [1.5, 2.5])
    ds = read_ldf(_write(tmp_path, "Time;Perfusion\n0;1.5\n1;2.5\n"), delimiter=";", decimal=".")
    np.testing.assert_allclose(ds.perfusion.values, [1.5, 2.5])
    with pytest.raises(InputError, match="decimal"):
        read_ldf(_write(tmp_path, "Time,Perfusion\n0,1\n"), decimal=",")
    with pytest.raises(InputError, match="delimiter"):
        read_ldf(_write(tmp_path, "Time|Perfusion\n0|1\n"), delimiter="|")


MALFORMED = [
    pytest.param("Time;Perfusion;Temp\n0;1,0;33,0\n1;1,1\n2;1,2;33,0\n", 3, "2 semicolon-separated fields, expected 3",
                 id="too-few-fields"),
    pytest.param("Time\tPerfusion\n0\t1.0\n1\t1.1\textra\n", 3, "3 tab-separated fields, expected 2",
                 id="too-many-fields"),
    pytest.param("Subject: S1\nTime;Perfusion\nhh:mm:ss;PU\n10:00:00;1,0\n10:00:01;abc\n", 5,
                 "cannot read 'abc' in column 'Perfusion' as a number", id="non-numeric"),
    pytest.param("Time;Perfusion\n0;1,0\n1;2,0\n2;1.5\n", 4, "with ',' as the decimal separator",
                 id="point-in-decimal-comma-file"),
    pytest.param("Time\tPerfusion\n0\t1,0\n1\t2,5\n2\t3.5\n", 4, "with ',' as the decimal separator",
                 id="mixed-decimal-separators"),
    pytest.param("Time\tPerfusion\n0\t1\n1\tinf\n", 3, "cannot read 'inf'", id="infinite"),
    pytest.param("Time;Perfusion\n0;1\n1;1\n\n0,5;1\n", 5, "does not come after the previous sample",
                 id="elapsed-time-backwards"),
    pytest.param("Time;Perfusion\n0;1\n1;1\n1;1\n", 4, "does not come after", id="repeated-time"),
    pytest.param("Time;Perfusion\n10:00:05;1\n10:00:06;1\n10:00:01;1\n", 4, "does not come after",
                 id="clock-time-backwards"),
    pytest.param("Time;Perfusion\n10:00:05;1\n10:61:00;1\n", 3, "cannot read the time '10:61:00'",
                 id="minute-61"),
    pytest.param("Time;Perfusion\n10:00:05;1\n24:00:00;1\n", 3, "hours 0–23", id="hour-24"),
    pytest.param("Time;Perfusion\n10:00:05;1\n10-00-06;1\n", 3, "expected a clock time", id="clock-format"),
    pytest.param("Time;Perfusion\n0;1\n;1\n", 3, "cannot read the time ''", id="missing-time"),
    pytest.param("Time;Perfusion\n0;1\nabc;1\n", 3, "cannot read the time 'abc'", id="text-time"),
    pytest.param("Subject: S1\n0;1,0\n1;1,2\n", 2, "before any column header", id="no-header"),
    pytest.param("Subject: S1\nTime;Perfusion\nhh:mm:ss;PU\n", 2, "no data lines follow the header 'Time;Perf",
                 id="no-data"),
    pytest.param("Time;Perfusion\n2026-03-14 10:00:00;1\n", 1, "found '2026-03-14 10:00:00;1'", id="date-time"),
    pytest.param("Time;Perfusion;Mark\ns;PU\n0;1;\n", 2, "unit row has 2 fields, expected 3", id="short-unit-row"),
    pytest.param("Time;Perfusion\nPU;PU\n0;1\n", 2, "has unit 'PU'; expected s, ms, min, h", id="time-unit"),
    pytest.param("Time;Mark\n0;heat on\n1;\n", 1, "no numeric channel", id="no-channel"),
    pytest.param("Perfusion values\n1\n2\n3\n", 4, "no tab-, semicolon- or comma-separated columns",
                 id="one-column"),
    pytest.param("Time;Perfusion\r0;1\r1;abc\r", 3, "cannot read 'abc'", id="cr-line-ends"),
    pytest.param("Time;Perfusion\r\n0;1\n1;2\r2;x\n", 4, "cannot read 'x'", id="mixed-line-ends"),
    pytest.param(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(24) + b"\x3e\x00\x03\x00", 1,
                 "not a delimited text export (binary data", id="xls-header"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 2, "binary data", id="png-image"),
    pytest.param(bytes(range(256)) * 4, 1, "binary data", id="all-byte-values"),
    pytest.param("Time;Perfusion\n0;1\n1;\x002\n", 3, "binary data: control character '\\x00'",
                 id="nul-in-a-data-line"),
    pytest.param("Time;Perfusion\n0;" + "1" * 200_000 + "\n", 2, "line of 200002 characters", id="huge-line"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_malformed_files_name_the_line(tmp_path, text, line, message):
    path = _write(tmp_path, text)
    with pytest.raises(FileFormatError) as caught:
        read_ldf(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}, line {line}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize("text", ["Time;Perfusion\r0;1\r1;2\r2;3\r", "Time;Perfusion\n0;1\n1;2\r2;3\n",
                                  "Time;Perfusion\r\n0;1\r1;2\n\r2;3"], ids=["cr", "lf-and-cr", "crlf-cr-lf"])
def test_cr_and_mixed_line_ends_read_like_lf(tmp_path, text):
    ds = read_ldf(_write(tmp_path, text))
    np.testing.assert_array_equal(ds.t.values, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(ds.perfusion.values, [1.0, 2.0, 3.0])


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(FileFormatError, match="empty"):
        read_ldf(_write(tmp_path, "\n \n"))
    with pytest.raises(FileFormatError, match="cannot read the file"):
        read_ldf(tmp_path / "nothing-here.txt")


# ----------------------------------------------------------------------------------------------- analyses

# A piecewise-constant local-heating recording sampled at 1 Hz (levels start at the sample where they change):
# baseline alternating 19/21 PU (mean 20, SD known), heat on at 600 s: initial peak 150 PU until 800 s, nadir
# 100 PU until 1200 s, plateau 160 PU until 2400 s, "max" 200 PU until heat off at 2700 s, then 60 PU for 300 s
# and back to 20 PU.
ON, MAX_AT, OFF, END = 600, 2400, 2700, 3600
LEVELS = [(0, None), (ON, 150.0), (800, 100.0), (1200, 160.0), (MAX_AT, 200.0), (OFF, 60.0), (3000, 20.0)]


def _step_recording(with_markers=True):
    t = np.arange(0.0, END)
    x = np.where(np.arange(t.size) % 2 == 0, 19.0, 21.0)
    for start, level in LEVELS[1:]:
        x[t >= start] = level
    events = [{"time_s": float(ON), "label": "heat on"}, {"time_s": float(MAX_AT), "label": "max"},
              {"time_s": float(OFF), "label": "heat off"}] if with_markers else []
    return xr.Dataset({"perfusion_1": ("t", x, {"units": "PU", "label": "Perfusion 1"}),
                       "temp_1": ("t", np.full(t.size, 33.0), {"units": "degC", "label": "Temp 1"})},
                      coords={"t": ("t", t, {"units": "s"})}, attrs={"events": events})


def test_step_recording_without_smoothing_matches_the_closed_form():
    a = analyse(_step_recording(), smoothing_s=0)
    assert a.channel == "perfusion_1" and a.units == "PU"
    assert (a.stimulus_on_s, a.stimulus_off_s, a.heating_end_s) == (600.0, 2700.0, 2400.0)
    assert (a.baseline_start_s, a.baseline_end_s) == (300.0, 600.0)
    assert a.baseline_pu == 20.0
    assert a.baseline_sd_pu == pytest.approx(math.sqrt(300 / 299), rel=1e-12)  # 300 values ±1 about 20, ddof 1
    assert (a.peak_pu, a.peak_time_s, a.peak_latency_s) == (150.0, 600.0, 0.0)
    assert (a.nadir_pu, a.nadir_time_s) == (100.0, 800.0)
    assert (a.plateau_start_s, a.plateau_end_s, a.plateau_pu, a.plateau_sd_pu) == (2100.0, 2400.0, 160.0, 0.0)
    # trapezoid rule on levels sampled at whole seconds: Σ (level − baseline)·duration + (x(2400) − x(600))/2
    assert a.auc_pu_s == pytest.approx(130.0 * 200 + 80.0 * 400 + 140.0 * 1200 + (200.0 - 150.0) / 2, rel=1e-12)
    assert (a.maximum_pu, a.maximum_source, a.maximum_start_s, a.maximum_end_s) == (200.0, "marker", 2580.0, 2700.0)
    assert (a.baseline_pct_max, a.peak_pct_max, a.plateau_pct_max) == pytest.approx((10.0, 75.0, 80.0))
    assert a.recovery_threshold_pu == pytest.approx(20.0 + 2.0 * math.sqrt(300 / 299))
    assert a.time_to_baseline_s == 300.0  # first sample back at 20 PU: 3000 s
    assert a.missing_samples == 0


def test_step_recording_with_smoothing():
    a = analyse(_step_recording(), smoothing_s=30)
    # the centred 31-sample mean is computed within each phase, so flat levels keep their value
    assert (a.peak_pu, a.peak_time_s) == (150.0, 600.0)
    assert a.nadir_pu == pytest.approx(100.0) and a.plateau_pu == 160.0
    # recovery (smoothed from 2700 s on): at 2999 + m s the window [t − 15, t + 15] holds 16 − m samples at 60 PU
    # and 15 + m at 20 PU, so its mean 20 + 40·(16 − m)/31 first falls below 20 + 2·SD = 22.003 PU at m = 15
    assert 20.0 + 40.0 * 2 / 31 > a.recovery_threshold_pu > 20.0 + 40.0 * 1 / 31
    assert a.time_to_baseline_s == 314.0


def test_linear_ramp_area_with_a_window_between_samples():
    """x = 10 PU until 100 s, then 10 + 2·(t − 100): ∫ (x − 10) dt from 150.5 s to 400.25 s = 300.25² − 50.5²."""
    t = np.arange(0.0, 600.0)
    x = np.where(t < 100.0, 10.0, 10.0 + 2.0 * (t - 100.0))
    ds = xr.Dataset({"flux": ("t", x, {"units": "PU"})}, coords={"t": t})
    a = analyse(ds, stimulus=(150.5, 400.25), baseline=(0, 100), smoothing_s=0, plateau_window_s=60)
    assert a.auc_pu_s == pytest.approx(300.25**2 - 50.5**2, rel=1e-12)
    assert a.baseline_pu == 10.0 and a.baseline_sd_pu == 0.0
    assert (a.peak_pu, a.peak_time_s) == (610.0, 400.0)
    assert a.plateau_pu == pytest.approx(10.0 + 2.0 * (370.5 - 100.0))  # mean of samples 341…400


def test_stimulus_and_maximum_given_explicitly():
    ds = _step_recording(with_markers=False)
    with pytest.raises(InputError, match="stimulus.*no 'heat on' marker"):
        analyse(ds)
    a = analyse(ds, stimulus=("10 min", "40 min"), smoothing_s=0)
    assert (a.stimulus_on_s, a.heating_end_s, a.stimulus_off_s) == (600.0, 2400.0, 2400.0)
    assert a.maximum_pu is None and a.peak_pct_max is None and a.maximum_source == "none"
    assert analyse(ds, stimulus=(600, 2400), maximum=300.0).plateau_pct_max == pytest.approx(160.0 / 3.0)
    windowed = analyse(ds, stimulus=(600, 2400), maximum=(2400, 2700), maximum_window_s="1 min")
    assert (windowed.maximum_pu, windowed.maximum_source, windowed.maximum_start_s) == (200.0, "window", 2640.0)


def test_heat_on_without_heat_off_and_other_bad_input():
    ds = _step_recording()
    ds.attrs["events"] = [{"time_s": 600.0, "label": "Heat ON"}]
    with pytest.raises(InputError, match="no 'heat off' marker"):
        analyse(ds)
    good = _step_recording()
    for kwargs, field in [({"channel": "perfusion_9"}, "channel"), ({"channel": "temp_1"}, "channel"),
                          ({"stimulus": (2000, 1000)}, "stimulus"), ({"stimulus": (600, 9000)}, "stimulus"),
                          ({"stimulus": "600"}, "stimulus"), ({"maximum": -5.0}, "maximum"),
                          ({"smoothing_s": -1}, "smoothing_s"), ({"plateau_window_s": 0}, "plateau_window_s"),
                          ({"baseline": (0, 0.5)}, "baseline"), ({"recovery_k_sd": math.nan}, "recovery_k_sd"),
                          ({"smoothing_s": "5 kg"}, "smoothing_s")]:
        with pytest.raises(InputError) as caught:
            analyse(good, **kwargs)
        assert caught.value.field == field, kwargs


def test_missing_values_are_skipped_and_counted_never_propagated():
    ds = _step_recording()
    x = ds.perfusion_1.values.copy()
    x[[400, 401, 1000, 3100]] = np.nan  # two baseline samples (one 19, one 21), one nadir, one recovery
    ds["perfusion_1"] = ("t", x, ds.perfusion_1.attrs)
    a = analyse(ds, smoothing_s=0)
    assert a.missing_samples == 4
    assert a.baseline_pu == 20.0 and a.nadir_pu == 100.0
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in a.model_dump().values())
    x[300:600] = np.nan
    ds["perfusion_1"] = ("t", x, ds.perfusion_1.attrs)
    with pytest.raises(InputError, match="baseline"):
        analyse(ds)


def test_peak_window_and_no_return_to_baseline():
    ds = _step_recording()
    whole = analyse(ds, smoothing_s=0, peak_window_s="30 min")
    assert (whole.peak_pu, whole.peak_time_s) == (160.0, 1200.0)
    x = ds.perfusion_1.values.copy()
    x[ds.t.values >= 3000] = 30.0
    ds["perfusion_1"] = ("t", x, ds.perfusion_1.attrs)
    assert analyse(ds).time_to_baseline_s is None


def test_the_same_recording_written_as_an_export_gives_the_same_analysis(tmp_path):
    ds = _step_recording()
    marks = {600.0: "heat on", 2400.0: "max", 2700.0: "heat off"}
    lines = ["Subject: synthetic", "Time;Perfusion 1;Temp 1;Mark", "hh:mm:ss,ff;PU;°C;"]
    for t, x in zip(ds.t.values, ds.perfusion_1.values, strict=True):
        h, rest = divmod(int(t) + 8 * 3600, 3600)
        lines.append(f"{h:02d}:{rest // 60:02d}:{rest % 60:02d},00;{x:.1f}".replace(".", ",") + f";33,0;"
                     f"{marks.get(float(t), '')}")
    read = read_ldf(_write(tmp_path, "\r\n".join(lines), encoding="cp1252"))
    assert analyse(read, smoothing_s=0) == analyse(ds, smoothing_s=0)


def test_result_is_a_frozen_model_with_units_in_its_keys():
    a = analyse(_step_recording())
    data = json.loads(a.model_dump_json())
    for key in ("baseline_pu", "peak_time_s", "auc_pu_s", "time_to_baseline_s", "plateau_pct_max"):
        assert key in data
    for key, value in data.items():
        if isinstance(value, float):
            assert re.search(r"_(pu|s|pu_s|pct_max|sd)$", key), key
    with pytest.raises(ValidationError):
        a.baseline_pu = 0.0


def test_smooth_is_a_centred_moving_average():
    t = np.arange(10.0)
    x = np.arange(10.0) ** 2
    s = smooth(t, x, 2.0)  # |tj − ti| ≤ 1: three samples inside, two at the ends
    assert s[0] == pytest.approx((0 + 1) / 2) and s[5] == pytest.approx((16 + 25 + 36) / 3)
    np.testing.assert_array_equal(smooth(t, x, 0.0), x)


# ---------------------------------------------------------------------------------------------------- fit


@pytest.fixture(scope="module")
def sample_fit():
    return fit_recording(read_ldf(DATA / "local_heating_semicolon.txt"), "perfusion_1", "temp_1")


def test_fit_on_the_sample_recording_returns_positive_time_constants(sample_fit):
    fit = sample_fit
    assert fit.success and (fit.flux_channel, fit.temperature_channel) == ("perfusion_1", "temp_1")
    assert [p.name for p in fit.fitted] == ["baseline_pu", *DEFAULT_FIT]
    for p in fit.fitted:
        assert math.isfinite(p.value) and p.value > 0.0, p.name
        if p.name.endswith("_s"):
            assert p.units == "s"
    assert fit.value("tau_axon_rise_s") <= fit.value("tau_axon_adapt_s")
    assert fit.standard_error("tau_no_s") is not None
    assert fit.r_squared > 0.9 and fit.n_samples == 4080
    assert fit.value("baseline_pu") == pytest.approx(analyse(read_ldf(DATA / "local_heating_semicolon.txt"))
                                                     .baseline_pu, rel=0.15)
    # the recording's noise is autocorrelated (vasomotion), and the fit says so
    assert fit.residual_lag1_autocorrelation > 0.5 and fit.se_inflation_ar1 > 1.5
    json.loads(fit.model_dump_json())


def test_fit_options_and_bad_input():
    ds = read_ldf(DATA / "neuropathic_foot_tab.txt")
    fit = fit_recording(ds, parameters=["tau_no_s", "plateau_amplitude_pct_max"], baseline_pu=9.2,
                        modifiers=PerfusionModifiers(neuropathy=True), window=("0 min", "40 min"))
    assert [p.name for p in fit.fitted] == ["tau_no_s", "plateau_amplitude_pct_max"]
    assert fit.baseline_pu == 9.2 and fit.modifiers.neuropathy and fit.window_end_s == 2400.0
    assert fit.n_samples == 2401 - 3  # the three lost samples are skipped
    curve = fitted_flux(ds, fit)
    assert curve.sizes["t"] == 2401 and np.all(np.isfinite(curve.values))
    for kwargs, field in [({"parameters": ["tau_nope_s"]}, "parameters"),
                          ({"parameters": ["resting_pct_max"]}, "parameters"),
                          ({"parameters": ["tau_no_s", "tau_no_s"]}, "parameters"),
                          ({"flux_channel": "temp"}, "flux_channel"),
                          ({"temperature_channel": "flux"}, "temperature_channel"),
                          ({"window": (600, 300)}, "window"), ({"baseline_pu": -1.0}, "baseline_pu"),
                          ({"initial": default_parameters().model_copy(update={"axon_gain_pct_max_per_k": 0.0})},
                           "initial")]:
        with pytest.raises(InputError) as caught:
            fit_recording(ds, **kwargs)
        assert caught.value.field == field, kwargs
    with pytest.raises(InputError, match="was not fitted"):
        fit.value("tau_axon_rise_s")


# --------------------------------------------------------------------------------------------------- docs

DOC = ROOT / "docs" / "ldf.md"


@pytest.mark.parametrize("code", re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL))
def test_ldf_guide_example_runs(code, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    exec(compile(code, str(DOC), "exec"), {})
    assert capsys.readouterr().out


# ------------------------------------------------------------------ short exports: the delimiter from the header


def _sample_head(tmp_path, lines, name):
    """The first `lines` lines of the semicolon sample (metadata with commas, header, unit row, samples)."""
    raw = (DATA / "local_heating_semicolon.txt").read_bytes().split(b"\r\n")[:lines]
    return _write(tmp_path, b"\r\n".join(raw) + b"\r\n", name)


@pytest.mark.parametrize(("lines", "samples"), [(12, 1), (13, 2), (20, 9)])
def test_short_semicolon_exports_are_read_as_semicolon_files(tmp_path, lines, samples):
    """Metadata lines with commas ('Probe 2: ventral forearm, 5 cm proximal, heating probe') outvoted the header of
    a one- or two-sample file before (rows l5, l6 of the hostile-input review)."""
    ds = read_ldf(_sample_head(tmp_path, lines, f"head{lines}.txt"))
    assert ds.attrs["delimiter"] == "semicolon" and ds.attrs["decimal_separator"] == ","
    assert ds.sizes["t"] == samples and list(ds.data_vars) == ["perfusion_1", "perfusion_2", "temp_1"]
    assert float(ds.perfusion_1[0]) == 16.5


@pytest.mark.parametrize("lines", [10, 11], ids=["header-only", "header-and-unit-row"])
def test_header_only_semicolon_export_names_its_header(tmp_path, lines):
    """Row l4: the error names the semicolon header, not 'no separated columns found'."""
    path = _sample_head(tmp_path, lines, "header_only.txt")
    with pytest.raises(FileFormatError) as caught:
        read_ldf(path)
    assert caught.value.line == 10
    assert "no data lines follow the header 'Time;Perfusion 1;Perfusion 2;Temp 1;Mark'" in str(caught.value)


def test_metadata_with_other_separators_does_not_pick_the_delimiter(tmp_path):
    text = ("Note: probe A, probe B, probe C, probe D\nSite: forearm, left, ventral\n"
            "Time\tFlux\n0\t1,5\n1\t2,5\n")
    ds = read_ldf(_write(tmp_path, text))
    assert ds.attrs["delimiter"] == "tab" and list(ds.flux.values) == [1.5, 2.5]


# ---------------------------------------------------------------------------------------- hostile unit cells


def test_unit_row_cells_are_units_never_expressions(tmp_path):
    """Units in header brackets and unit rows are read by the unit grammar: '9**9**9' is no unit (pint would evaluate
    it for ever), so the channel gets the default unit and a row holding it is no unit row."""
    ds = read_ldf(_write(tmp_path, "Time;Flux;Other [9**9**9]\n0;1;2\n1;2;3\n"))
    assert ds.flux.attrs["units"] == "PU" and ds.other.attrs["units"] == "AU"
    ds = read_ldf(_write(tmp_path, "Subject: x\nTime;Flux;Other\ns;PU;9**9**9\n0;1;2\n1;2;3\n"))
    assert ds.attrs["header_line"] == 3


# ---------------------------------------------------------------------------------------- undetermined values


def _parameter(value, standard_error):
    return FittedParameter(name="tau_no_s", value=value, standard_error=standard_error, units="s", initial=100.0,
                           log_scale=True)


def test_a_value_is_undetermined_without_a_standard_error_or_with_one_larger_than_itself():
    assert not _parameter(152.9, 7.01e4).determined  # the README's sample fit before: '152.9 ± 7.01e+04'
    assert not _parameter(152.9, None).determined
    assert _parameter(10.0, 10.0).determined and not _parameter(10.0, 10.01).determined
    assert _parameter(-2.0, 1.0).determined and not _parameter(0.0, 1.0).determined
    assert _parameter(152.9, 7.01e4).model_dump()["determined"] is False  # the JSON says it too


def test_the_sample_fit_flags_the_interchangeable_axon_constants(sample_fit):
    determined = {p.name: p.determined for p in sample_fit.fitted}
    assert not determined["tau_axon_rise_s"] and not determined["tau_axon_adapt_s"]
    assert determined["baseline_pu"] and determined["tau_no_s"] and determined["plateau_amplitude_pct_max"]


# --------------------------------------------------------------------------------------------------- the stage


def test_the_stage_reads_analyses_and_reports():
    request = LdfRequest(file=str(DATA / "neuropathic_foot_tab.txt"), stimulus_on="10 min", stimulus_off="40 min")
    result = analyse_recording(request)
    ds = read_ldf(DATA / "neuropathic_foot_tab.txt")
    assert dict(result.channels) == analyse_all(ds, stimulus=(600.0, 2400.0))
    assert result.fit is None and result.dataset.sizes["t"] == ds.sizes["t"]
    assert "flux: 3 missing samples skipped" in result.warnings
    assert any("did not come back to baseline" in w for w in result.warnings)
    assert result.provenance.request_hash == Provenance.of(request).request_hash
    with pytest.raises(FrozenInstanceError):
        result.fit = None  # type: ignore[misc]


def test_the_request_checks_its_stimulus_times():
    with pytest.raises(ValidationError, match="give both its start and its end"):
        LdfRequest(file="rec.txt", stimulus_on="10 min")
    with pytest.raises(ValidationError, match="must come after the start"):
        LdfRequest(file="rec.txt", stimulus_on="10 min", stimulus_off="5 min")
    with pytest.raises(ValidationError, match="outside the allowed range"):
        LdfRequest(file="rec.txt", stimulus_on="10 years", stimulus_off="11 years")
    with pytest.raises(ValidationError, match="stimulus_on\n.*10 has no unit; write it with its unit, e.g. '10 min'"):
        LdfRequest.model_validate({"file": "rec.txt", "stimulus_on": 10, "stimulus_off": "20 min"}, context=USER_INPUT)
    assert LdfRequest(file="rec.txt", stimulus_on=600, stimulus_off=1200).stimulus_on == 600.0  # Python: seconds


def test_the_fit_reports_progress_and_flags_what_the_recording_cannot_determine(tmp_path):
    """A heating step with no recovery: the fit runs (a time constant may approach 0 without dividing by zero),
    calls `progress` with the running count of model evaluations, and warns about what it cannot determine."""
    lines = ["Time;Perfusion;Temp;Mark"]
    for t in range(600):
        heated = t >= 120
        lines.append(f"{t};{(100 if heated else 20) + t % 2};{42 if heated else 33};{'heat on' if t == 120 else ''}"
                     f"{'heat off' if t == 540 else ''}")
    path = _write(tmp_path, "\n".join(lines))
    counts = []
    result = analyse_recording(LdfRequest(file=str(path), fit=True), progress=counts.append)
    assert counts[:3] == [1, 2, 3] and counts[-1] >= result.fit.n_evaluations
    undetermined = [p.name for p in result.fit.fitted if not p.determined]
    assert undetermined and any(w.startswith("undetermined: the recording cannot pin down") for w in result.warnings)
