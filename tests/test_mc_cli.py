"""The `lightdose mc` command."""

import json

import pytest
from typer.testing import CliRunner

from lightdose.cli import app

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
    for key in ("rsp", "rd", "a", "tt", "a_layers", "photons", "seconds", "photons_per_ms", "z_mm", "fluence_z"):
        assert key in run
    assert run["photons"] == 3000
    assert run["rsp"] + run["rd"] + run["a"] + run["tt"] == pytest.approx(1.0, abs=1e-9)
    assert len(run["a_layers"]) == 2 and sum(run["a_layers"]) == pytest.approx(run["a"])
    assert len(run["z_mm"]) == len(run["fluence_z"]) == 20
    assert (tmp_path / "slab.mco").is_file()


def test_mc_table(tmp_path):
    path = tmp_path / "slab.mci"
    path.write_text(MCI)
    result = runner.invoke(app, ["mc", str(path), "--photons", "2000"])
    assert result.exit_code == 0, result.output
    assert "Rsp" in result.stdout and "photons per ms" in result.stdout and "A in layer 2" in result.stdout


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("1.4 0.5 50 0.9 0.05\n", "", "line 10: expected layer 2 of 2"),  # missing layer
        ("1.4 1 90 0.75 0.02", "1.4 1 90 0.75 -0.02", "line 9"),  # negative thickness
        ("1.4 0.5 50 0.9 0.05", "1.4 0.5 50 1.5 0.05", "line 10"),  # g outside (-1, 1)
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
