"""The `lightdose mc` command: tables, JSON, cases, hostile files, progress and Ctrl-C."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from lightdose.cli import app
from lightdose.cli import mc as cli_mc

runner = CliRunner()

MCI = """\
1.0
1
slab.mco A
5000
0.01 0.01
20 10 5
2
1.0
1.4 1 90 0.75 0.02
1.4 0.5 50 0.9 0.05
1.0
"""


def test_mc_json(tmp_path):
    path = tmp_path / "slab.mci"
    path.write_text(MCI)
    result = runner.invoke(app, ["mc", str(path), "--photons", "3000", "--seed", "4", "--json",
                                 "--mco-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (run,) = json.loads(result.stdout)
    for key in ("run", "rsp", "rd", "a", "tt", "rd_se", "a_se", "tt_se", "a_layers", "photons", "seconds",
                "photons_per_ms", "partial", "z_mm", "fluence_z", "scored_weight", "scored_weight_se", "provenance"):
        assert key in run
    assert run["photons"] == 3000 and run["partial"] is False
    assert run["rsp"] + run["rd"] + run["a"] + run["tt"] == pytest.approx(1.0, abs=1e-9)
    assert run["scored_weight"] == pytest.approx(1.0 - run["rsp"], abs=5 * run["scored_weight_se"] + 1e-12)
    assert len(run["a_layers"]) == 2 and sum(run["a_layers"]) == pytest.approx(run["a"])
    assert len(run["z_mm"]) == len(run["fluence_z"]) == 20
    assert (tmp_path / "slab.mco").is_file()


def test_mc_table(tmp_path):
    path = tmp_path / "slab.mci"
    path.write_text(MCI)
    result = runner.invoke(app, ["mc", str(path), "--photons", "2000"])
    assert result.exit_code == 0, result.output
    assert "Rsp" in result.stdout and "photons per ms" in result.stdout and "A in layer 2" in result.stdout


def test_mc_case_shows_its_references():
    result = runner.invoke(app, ["mc", "--case", "gardner", "--photons", "2000", "--json"])
    assert result.exit_code == 0, result.output
    (run,) = json.loads(result.stdout)
    assert run["run"] == "gardner" and run["photons"] == 2000
    assert {ref["quantity"] for ref in run["references"]} == {"rsp", "rd", "tt"}
    table = runner.invoke(app, ["mc", "--case", "gardner", "--photons", "2000"])
    assert "Gardner & Welch 1992" in table.stdout and "deviation" in table.stdout


@pytest.mark.parametrize(
    ("arguments", "needle"),
    [
        (["--case", "gardnr"], "case: 'gardnr' is not a Monte Carlo case; choose from"),
        ([], "case: give an .mci file or a case"),
    ],
)
def test_mc_without_a_valid_source_gives_one_line(arguments, needle):
    result = runner.invoke(app, ["mc", *arguments])
    assert result.exit_code == 2
    assert needle in result.output and len(result.output.strip().splitlines()) == 1, result.output


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("1.4 0.5 50 0.9 0.05\n", "", "line 10: expected layer 2 of 2"),  # missing layer
        ("1.4 1 90 0.75 0.02", "1.4 1 90 0.75 -0.02", "line 9"),  # negative thickness
        ("1.4 0.5 50 0.9 0.05", "1.4 0.5 50 1.5 0.05", "line 10"),  # g outside (-1, 1)
        ("1.4 1 90 0.75 0.02", "1.4 1 1e9 0.75 0.02", "line 9: layer 1: mus = 1e+09 /cm is outside"),  # mc35
        ("1.0\n1\n", "2.0\n1\n", "line 1: file version 2.0 is not supported"),  # mc17
        ("20 10 5", "100000 100000 30", "line 6: grid: nz = 100000, nr = 100000, na = 30 need 1.46 TiB"),  # mc33
        ("5000", "nan", "line 4: number of photons: 'nan' is not an integer"),
    ],
)
def test_malformed_mci_gives_one_line_and_exit_2(tmp_path, old, new, needle):
    path = tmp_path / "bad.mci"
    path.write_text(MCI.replace(old, new))
    result = runner.invoke(app, ["mc", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    message = result.output.strip()
    assert needle in message and "bad.mci" in message
    assert len(message.splitlines()) == 1, message


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\x80\x81\x00\x00binary", "line 1: binary data (a NUL byte)"),  # mc19
        (MCI.encode() + "# caf\u00e9\n".encode("latin-1"), "line 12: byte 0xe9 is not UTF-8 text"),
    ],
)
def test_binary_or_non_utf8_mci_gives_one_line(tmp_path, content, needle):
    path = tmp_path / "bad.mci"
    path.write_bytes(content)
    result = runner.invoke(app, ["mc", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and needle in result.output and "bad.mci" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_thick_layer_without_absorption_ends_with_one_line(tmp_path):
    """mc36: a 1e6 cm layer with mua = 0 and g = 0.99 used to run for ever."""
    path = tmp_path / "thick.mci"
    path.write_text(MCI.replace("1.4 1 90 0.75 0.02", "1.4 0 90 0.99 1e6"))
    result = runner.invoke(app, ["mc", str(path), "-n", "2000"])
    assert result.exit_code == 2
    assert "thick.mci, line 3: run slab.mco: layers: a photon packet was still inside" in result.output
    assert "layer 1 scatters without absorbing" in result.output


def test_progress_goes_to_the_shared_status_line_unless_json(monkeypatch):
    """`lightdose mc` reports photons done through cli.progress.status_line (shown on a terminal after 2 s, never
    when piped); with --json it asks for none."""
    shown, asked = [], []

    @contextlib.contextmanager
    def recording(show, terminal):
        asked.append(show)
        yield (lambda text, done=None: shown.append((text, done))) if show else None

    monkeypatch.setattr(cli_mc, "status_line", recording)
    assert runner.invoke(app, ["mc", "--case", "gardner", "-n", "40000"]).exit_code == 0
    assert asked == [True] and shown[-1] == ("Monte Carlo: 40,000 of 40,000 photons", 1.0)
    assert runner.invoke(app, ["mc", "--case", "gardner", "-n", "4000", "--json"]).exit_code == 0
    assert asked == [True, False]


@contextlib.contextmanager
def _interrupt_after_first_batch(show, terminal):
    """Stands in for the status line: sends Ctrl-C once a batch of 16 × 20 000 of 10^9 photons has finished."""
    sent = []

    def line(text, done=None):
        if done is not None and done > 16 * 20_000 / 10**9 and not sent:
            sent.append(done)
            os.kill(os.getpid(), signal.SIGINT)

    yield line


@pytest.mark.parametrize("json_output", [True, False])
def test_ctrl_c_prints_a_labelled_partial_result_and_exits_130(monkeypatch, json_output):
    monkeypatch.setattr(cli_mc, "status_line", _interrupt_after_first_batch)
    result = runner.invoke(app, ["mc", "--case", "absorbing-slab", "--photons", str(10**9),
                                 *(["--json"] if json_output else [])])
    assert result.exit_code == 130, result.output
    assert result.stderr.strip() == "interrupted: the result above is partial (fewer photons than asked)"
    if json_output:
        (run,) = json.loads(result.stdout)
        assert run["partial"] is True and 0 < run["photons"] < run["photons_requested"] == 10**9
    else:
        assert "interrupted: partial result (" in result.stdout and f"of {10**9} photons" in result.stdout


def test_ctrl_c_before_the_first_batch_says_there_is_no_result(monkeypatch):
    def interrupted(request, progress=None):
        raise KeyboardInterrupt

    monkeypatch.setattr("lightdose.transport.mc.monte_carlo", interrupted)
    result = runner.invoke(app, ["mc", "--case", "gardner"])
    assert result.exit_code == 130
    assert "interrupted before the first batch of photons had finished: no result" in result.stderr


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")
def test_ctrl_c_from_the_shell_exits_130_without_progress_output():
    """End to end: SIGINT a few seconds into a run that would take hours. Piped: nothing on stderr but the note."""
    code = "import sys; from lightdose.cli import app; sys.argv[0] = 'lightdose'; app()"
    proc = subprocess.Popen([sys.executable, "-c", code, "mc", "--case", "absorbing-slab", "--photons", str(10**11),
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(6.0)  # start-up (imports, numba cache) and some batches of 320 000 photons
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    if stderr.strip() == "interrupted before the first batch of photons had finished: no result":
        assert stdout == ""  # a machine so loaded that no batch finished within the 6 s: nothing to report
        return
    assert stderr.strip() == "interrupted: the result above is partial (fewer photons than asked)"
    (run,) = json.loads(stdout)
    assert run["partial"] is True and 0 < run["photons"] < 10**11
