"""Reading MCML .mci files and writing .mci/.mco files."""

import math

import pytest

from lightdose.errors import FileFormatError
from lightdose.transport.mc import Grid, read_mci, simulate, write_mco
from lightdose.transport.mc.mci import write_mci

GOOD = """\
####
# Two runs; lengths in cm, coefficients in 1/cm.
####
1.0                     # file version
2                       # number of runs

first.mco   A           # output file name
1000                    # photons
0.01 0.02               # dz dr
40 50 3                 # nz nr na

3                       # layers
1.0                     # n above
1.37 1 100 0.90 0.1     # layer 1
1.37 1 10  0    0.1     # layer 2
1.37 2 10  0.7  0.2     # layer 3
1.0                     # n below

second.mco  A
2000
0.01 0.01
10 10 5
1
1.0
1.5 10 90 0 inf         # semi-infinite
1.33
"""


def write(tmp_path, text, name="case.mci"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_all_runs_and_converts_to_mm(tmp_path):
    runs = read_mci(write(tmp_path, GOOD))
    assert len(runs) == 2
    first, second = runs
    assert first.output_name == "first.mco" and first.output_type == "A" and first.photons == 1000
    assert first.grid == Grid(dz_mm=0.1, dr_mm=0.2, nz=40, nr=50, na=3)
    layer = first.stack.layers[0]
    assert (layer.n, layer.mua, layer.mus, layer.g, layer.thickness_mm) == pytest.approx((1.37, 0.1, 10, 0.9, 1))
    assert first.stack.n_above == 1.0 and first.stack.n_below == 1.0
    assert math.isinf(second.stack.layers[0].thickness_mm) and second.stack.n_below == 1.33


def test_write_then_read_round_trips(tmp_path):
    runs = read_mci(write(tmp_path, GOOD))
    out = tmp_path / "again.mci"
    write_mci(out, runs)
    again = read_mci(out)
    assert [r.stack for r in again] == [r.stack for r in runs]
    assert [r.grid for r in again] == [r.grid for r in runs]


def _replace_line(text, old, new):
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("1.37 2 10  0.7  0.2     # layer 3\n", "", 16, "layer 3 of 3"),  # missing layer: 'n below' line read
        ("1.37 1 10  0    0.1     # layer 2", "1.37 1 10  0    -0.1", 15, "thickness"),
        ("1.37 1 100 0.90 0.1     # layer 1", "1.37 1 100 1.0 0.1", 14, "g = 1"),
        ("1.37 1 100 0.90 0.1     # layer 1", "1.37 1 100 -1.2 0.1", 14, "(-1, 1)"),
        ("1000                    # photons", "lots", 8, "not a number"),
    ],
)
def test_malformed_file_names_the_line(tmp_path, old, new, line, fragment):
    path = write(tmp_path, _replace_line(GOOD, old, new))
    with pytest.raises(FileFormatError) as info:
        read_mci(path)
    assert info.value.line == line
    assert f"line {line}" in str(info.value) and fragment in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("1.0                     # file version", "2.0", 4, "file version 2.0 is not supported"),
        ("1000                    # photons", "inf", 8, "'inf' is not an integer"),
        ("1000                    # photons", "2e12", 8, "number of photons = 2e+12 is outside the allowed range"),
        ("1.37 1 100 0.90 0.1     # layer 1", "1.37 1 2e8 0.90 0.1", 14, "mus = 2e+08 /cm is outside the allowed"),
        ("1.37 1 100 0.90 0.1     # layer 1", "1.37 nan 100 0.90 0.1", 14, "mua = nan /cm is outside"),
        ("40 50 3                 # nz nr na", "100000 100000 3", 10, "need 1.46 TiB of memory"),
    ],
)
def test_out_of_range_values_name_the_line(tmp_path, old, new, line, fragment):
    with pytest.raises(FileFormatError) as info:
        read_mci(write(tmp_path, _replace_line(GOOD, old, new)))
    assert info.value.line == line and fragment in str(info.value)


def test_binary_and_non_utf8_files_are_refused_with_the_line(tmp_path):
    path = tmp_path / "binary.mci"
    path.write_bytes(b"1.0\n\x89PNG\x00\x00")
    with pytest.raises(FileFormatError, match=r"binary.mci, line 2: binary data"):
        read_mci(path)
    path.write_bytes(GOOD.encode() + "# \u00b5a in 1/cm\n".encode("cp1252"))
    with pytest.raises(FileFormatError, match=r"line 27: byte 0xb5 is not UTF-8 text"):
        read_mci(path)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.mci"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert len(read_mci(path)) == 2


def test_truncated_file_is_reported(tmp_path):
    text = GOOD[: GOOD.index("1.0                     # n below")]
    with pytest.raises(FileFormatError, match="end of file"):
        read_mci(write(tmp_path, text))


def test_write_mco_has_mcml_sections_in_cm(tmp_path):
    run = read_mci(write(tmp_path, GOOD))[0]
    ds = simulate(run.stack, photons=2000, seed=1, grid=run.grid)
    out = tmp_path / "first.mco"
    write_mco(ds, out)
    text = out.read_text()
    for section in ("InParm", "RAT", "A_l", "A_z", "Rd_r", "Rd_a", "Tt_r", "Tt_a", "A_rz", "Rd_ra", "Tt_ra"):
        assert f"\n{section} " in text or f"\n{section}\n" in text, section
    lines = text.splitlines()
    rat = lines.index(next(x for x in lines if x.startswith("RAT")))
    assert float(lines[rat + 2].split()[0]) == pytest.approx(float(ds.rd), rel=1e-5)
    az = lines.index(next(x for x in lines if x.startswith("A_z")))
    assert float(lines[az + 1]) == pytest.approx(float(ds.a_z[0]) * 10, rel=1e-3)  # 1/mm -> 1/cm
    assert "1.37\t1\t100\t0.9\t0.1" in text  # layer line back in cm units
