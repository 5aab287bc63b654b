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
    assert (data["tissue"], data["skin_type"]) == ("dermis", None)


def test_optics_json_several_wavelengths_gives_one_object_each():
    result = runner.invoke(app, ["optics", "muscle", "-w", "630nm", "-w", "810nm", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["wavelength_nm"] for d in data] == [630.0, 810.0]


def test_optics_skin_type():
    result = runner.invoke(app, ["optics", "epidermis", "-w", "810nm", "--skin-type", "VI", "--json"])
    light = json.loads(runner.invoke(app, ["optics", "epidermis", "-w", "810nm", "--skin-type", "1", "--json"]).stdout)
    dark = json.loads(result.stdout)
    assert dark["mua_per_mm"] > 5 * light["mua_per_mm"]
    assert (dark["tissue"], dark["skin_type"], light["tissue"], light["skin_type"]) == (
        "epidermis-VI", "VI", "epidermis-I", "I")
    default = json.loads(runner.invoke(app, ["optics", "epidermis", "-w", "810", "--json"]).stdout)
    assert (default["tissue"], default["skin_type"]) == ("epidermis-III", "III")  # a bare wavelength is in nm


def test_optics_table_names_the_tissue_and_units():
    result = runner.invoke(app, ["optics", "epidermis", "-w", "８１０ｎｍ", "--skin-type", "IV"])
    assert result.exit_code == 0, result.output
    assert "Optical properties of epidermis-IV (skin type IV)" in result.stdout
    for header in ("λ [nm]", "μa [1/mm]", "μs′ [1/mm]", "μeff [1/mm]", "δ [mm]", "810"):
        assert header in result.stdout


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["optics", "water", "--wavelength", "1200nm"], "395–1109 nm"),
        (["optics", "dermis", "--wavelength", "810kg"], "[mass]"),
        (["optics", "dermus", "--wavelength", "810nm"], "unknown tissue"),
        (["optics", "dermis", "--wavelength", "810nm", "--skin-type", "IV"], "epidermis presets only"),
        (["optics", "dermis", "--wavelength", "9**9**9 nm"], "wavelengths[0]: cannot read '9**9**9 nm'"),
        (["optics", "dermis", "--wavelength", "1/0 nm"], "write e.g. '850 nm'"),
        (["optics", "dermis", "--wavelength", "810nm; rm -rf /"], "';' is not allowed"),
        (["optics", "dermis", "--wavelength", "(" * 3000 + "810 nm"], "at most 64 characters"),
    ],
)
def test_bad_input_exits_nonzero_with_one_line(args, fragment):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_tissues_table_explains_its_columns_and_json_lists_the_presets():
    table = runner.invoke(app, ["tissues"])
    assert table.exit_code == 0
    text = " ".join(table.stdout.split())
    for words in ("B blood", "W water", "F fat", "M melanosome", "Bl bloodless-skin baseline",
                  "S is the O₂ saturation of the blood", "μs′ = a·(λ/500 nm)^−b", "λ [nm]", "395–1109"):
        assert words in text, words
    water = next(line for line in table.stdout.splitlines() if line.startswith("│ water "))
    assert " – " in water  # no blood, so no saturation to show
    data = json.loads(runner.invoke(app, ["tissues", "--json"]).stdout)
    rows = {t["name"]: t for t in data["tissues"]}
    assert "muscle" in rows and rows["epidermis-V"]["skin_type"] == "V" and rows["muscle"]["skin_type"] is None
    assert rows["water"]["wavelength_range_nm"] == [395.0, 1109.0] and rows["muscle"]["f_rayleigh"] == 0.0
    assert data["aliases"]["epidermis"] == "epidermis-III"


def test_optics_parameters_choose_in_vivo_or_ex_vivo_dermal_scattering():
    # Default: living dermis, mus' 1.13 1/mm at 850 nm (Jonasson et al. 2018, J Biomed Opt 23:121608); the
    # ex-vivo-optics set: excised dermis, 45.3*(850/500)^-1.292 1/cm = 2.28 1/mm (Salomatina 2006 via Jacques 2013).
    in_vivo = json.loads(runner.invoke(app, ["optics", "dermis", "-w", "850nm", "--json"]).stdout)
    result = runner.invoke(app, ["optics", "dermis", "-w", "850nm", "--parameters", "ex-vivo-optics", "--json"])
    assert result.exit_code == 0, result.output
    ex_vivo = json.loads(result.stdout)
    assert in_vivo["musp_per_mm"] == pytest.approx(1.13, rel=0.01)
    assert ex_vivo["musp_per_mm"] == pytest.approx(2.282, rel=0.005)
    assert ex_vivo["mua_per_mm"] == in_vivo["mua_per_mm"] and ex_vivo["delta_mm"] < in_vivo["delta_mm"]
    muscle = [json.loads(runner.invoke(app, ["optics", "muscle", "-w", "850nm", "--parameters", name, "--json"]).stdout)
              for name in ("default", "ex-vivo-optics")]
    assert muscle[0] == muscle[1]  # only the dermis takes its scattering from the parameter set
    bad = runner.invoke(app, ["optics", "dermis", "-w", "850nm", "--parameters", "no-such-set"])
    assert bad.exit_code == 2 and "parameters" in bad.output and len(bad.output.strip().splitlines()) == 1
