import json

import pytest
from typer.testing import CliRunner

from lightdose.cli import app

runner = CliRunner()


def test_optics_json_single_wavelength():
    result = runner.invoke(app, ["optics", "dermis", "--wavelength", "810nm", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("mua_per_mm", "mus_per_mm", "musp_per_mm", "g", "n", "delta_mm"):
        assert key in data
    assert data["musp_per_mm"] == pytest.approx(data["mus_per_mm"] * (1 - data["g"]))


def test_optics_json_several_wavelengths_gives_one_object_each():
    result = runner.invoke(app, ["optics", "muscle", "-w", "630nm", "-w", "810nm", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["wavelength_nm"] for d in data] == [630.0, 810.0]


def test_optics_skin_type():
    result = runner.invoke(app, ["optics", "epidermis", "-w", "810nm", "--skin-type", "VI", "--json"])
    light = json.loads(runner.invoke(app, ["optics", "epidermis", "-w", "810nm", "--skin-type", "I", "--json"]).stdout)
    assert json.loads(result.stdout)["mua_per_mm"] > 5 * light["mua_per_mm"]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["optics", "water", "--wavelength", "1200nm"], "395–1109 nm"),
        (["optics", "dermis", "--wavelength", "810kg"], "[mass]"),
        (["optics", "dermus", "--wavelength", "810nm"], "unknown tissue"),
        (["optics", "dermis", "--wavelength", "810nm", "--skin-type", "IV"], "epidermis presets only"),
    ],
)
def test_bad_input_exits_nonzero_with_one_line(args, fragment):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_tissues_table_and_json():
    assert runner.invoke(app, ["tissues"]).exit_code == 0
    data = json.loads(runner.invoke(app, ["tissues", "--json"]).stdout)
    assert "muscle" in [t["name"] for t in data["tissues"]]
