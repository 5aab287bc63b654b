"""Unit tests of lightdose.devices: models, validation, catalog, bands, measured irradiance."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lightdose import devices
from lightdose.devices import Emitter, EmitterGrid, LightDevice, in_mw_cm2, measured_irradiance, result_warnings
from lightdose.devices.view_factors import rectangle_factor
from lightdose.errors import InputError

PRESETS = ["heating-pad-42", "pad-890", "panel-630", "panel-660-850", "panel-940", "probe-810", "sauna-infrared-60"]


def test_catalog_has_exactly_the_presets_each_with_a_source():
    assert devices.names() == PRESETS
    for name in PRESETS:
        device = devices.get(name)
        assert device.name == name
        assert len(device.source) > 80, name


def test_unknown_device_lists_valid_names_and_close_matches():
    with pytest.raises(InputError) as info:
        devices.get("panel-850")
    message = str(info.value)
    assert message.startswith("device: unknown device 'panel-850'")
    assert "Did you mean 'panel-660-850'" in message or "'panel-940'" in message
    for name in PRESETS:
        assert name in message


def test_heat_only_sources_have_no_irradiance_map():
    with pytest.raises(InputError, match="heat-only source \\(kind 'infrared-sauna'\\)"):
        devices.get_light_device("sauna-infrared-60")
    pad = devices.get("heating-pad-42")
    assert pad.surface_temperature == 42.0 and pad.kind == "heating-pad"
    sauna = devices.get("sauna-infrared-60")
    assert sauna.air_temperature == 60.0 and sauna.session_duration == 900.0
    assert sauna.emitter_peak_wavelength_um == pytest.approx(2897.77 / (93 + 273.15))  # far infrared, ~7.9 µm


def test_pad_890_numbers_of_the_literature():
    pad = devices.get("pad-890")
    assert pad.emitter_count == 60
    assert pad.total_power == pytest.approx(0.72)
    assert pad.area == pytest.approx(2250.0)  # 22.5 cm²
    ds = pad.irradiance_map("0 cm")
    # contact: each diode's light over its own cell: the pad average, 32 mW/cm², everywhere on the pad
    assert in_mw_cm2(ds.attrs["mean_total"]) == pytest.approx(32.0, rel=1e-12)
    assert in_mw_cm2(ds.attrs["centre_total"]) == pytest.approx(32.0, rel=1e-12)
    assert any("292 Hz" in w for w in result_warnings(ds))


@pytest.mark.parametrize("name", ["pad-890", "panel-630", "panel-660-850", "panel-940", "probe-810"])
def test_presets_reproduce_their_stated_reference_irradiance(name):
    device = devices.get(name)
    ds = device.irradiance_map(device.reference.distance)
    assert ds.attrs["centre_total"] == pytest.approx(device.reference.centre, rel=2e-3)  # stated to 3 digits


def test_multi_wavelength_panel_is_split_into_bands():
    panel = devices.get("panel-660-850")
    assert [(b.wavelength_nm, b.power_fraction) for b in panel.bands()] == [(660.0, 0.5), (850.0, 0.5)]
    ds = panel.irradiance_map("15 cm")
    assert ds.irradiance.dims == ("band", "y", "x")
    assert list(ds.wavelength_nm.values) == [660.0, 850.0]
    np.testing.assert_allclose(ds.irradiance.sum("band"), ds.irradiance_total, rtol=1e-12)
    assert ds.irradiance.attrs["units"] == "W/mm^2" and ds.x.attrs["units"] == "mm"
    # alternate columns: both bands have the same centre value by symmetry
    assert ds.centre_irradiance[0].item() == pytest.approx(ds.centre_irradiance[1].item(), rel=1e-12)


def test_map_is_symmetric_and_its_centre_cell_is_the_mean_around_the_centre():
    """Each cell holds the mean over it: the centre cell differs from the centre value by the midpoint-rule term
    (h²/24)·∇²E, a few 1e-6 here (cells 0.48 × 0.26 mm; E varies over ~z = 12 mm)."""
    ds = devices.get("pad-890").irradiance_map("12 mm")
    e = ds.irradiance_total.values
    np.testing.assert_allclose(e, e[::-1, :], rtol=1e-10)
    np.testing.assert_allclose(e, e[:, ::-1], rtol=1e-10)
    assert ds.irradiance_total.sel(x=0, y=0).item() == pytest.approx(ds.attrs["centre_total"], rel=2e-5)


def test_panel_does_not_follow_the_inverse_square_law():
    """A 30 × 20 cm panel: from 15 to 30 cm the centre irradiance falls by less than the point-source 4×."""
    panel = devices.get("panel-660-850")
    near, far = (panel.irradiance_map(d).attrs["centre_total"] for d in ("15 cm", "30 cm"))
    assert 1.0 < near / far < 4.0


def test_distance_validation_names_the_field():
    pad = devices.get("pad-890")
    for bad, fragment in (("-3 cm", "-3 cm is outside the allowed range 0–3000 mm"), ("4 m", "4 m is outside"),
                          ("5 kg", "[mass]"), ("far", "cannot read")):
        with pytest.raises(InputError) as info:
            pad.irradiance_map(bad)
        assert info.value.field == "distance" and fragment in str(info.value)
    point = LightDevice(kind="panel", width=10, height=10, grids=[EmitterGrid(emitter=Emitter(wavelength=850,
                                                                                            power=0.1))])
    with pytest.raises(InputError, match="point emitters, whose irradiance is infinite in contact"):
        point.irradiance_map(0)
    assert devices.get("panel-630").irradiance_map(0).attrs["mean_total"] > 0  # LED lenses of finite size


@pytest.mark.parametrize(
    "fields, fragment",
    [
        ({"power": "-1 W"}, "greater than 0"),
        ({"wavelength": "850 kg"}, "[mass]"),
        ({"beam": "cosine-power"}, "half_angle"),
        ({"beam": "cosine-power", "half_angle": "95 deg"}, "95 deg is outside the allowed range 1–89 deg"),
        ({"beam": "cosine-power", "half_angle": 0.0001}, "0.0001 deg is outside the allowed range 1–89 deg"),
        ({"face": "disk", "size": 3, "beam": "cosine-power", "half_angle": 30}, "point, square or rectangle face"),
        ({"face": "square"}, "size of at least 0.01 mm"),
        ({"face": "point", "size": 2}, "face 'point' has no size"),
        ({"fwhm": "1000 nm"}, "1000 nm is outside the allowed range 0–100 nm"),
        ({"beam": "collimated"}, "extended face"),
        ({"face": "square", "size": 5, "beam": "collimated", "profile": "gaussian"}, "collimated disk"),
    ],
)
def test_emitter_validation(fields, fragment):
    with pytest.raises(ValidationError) as info:
        Emitter(**{"wavelength": 850, "power": 0.01, **fields})
    assert fragment in str(info.value)


def test_emitter_accepts_units_and_half_angle_sets_exponent():
    e = Emitter(wavelength="0.85 um", power="400 mW", beam="cosine-power", half_angle="0.5236 rad")
    assert e.wavelength == pytest.approx(850.0)
    assert e.power == pytest.approx(0.4)
    assert e.exponent == pytest.approx(-math.log(2) / math.log(math.cos(math.radians(30))), rel=1e-4)


def test_grid_positions_and_pitch_validation():
    g = EmitterGrid(emitter=Emitter(wavelength=850, power=0.1), rows=2, columns=3, pitch_x=10, pitch_y=4)
    x, y = g.positions()
    assert sorted(set(x)) == [-10.0, 0.0, 10.0] and sorted(set(y)) == [-2.0, 2.0]
    with pytest.raises(ValidationError, match="pitch_x must be > 0"):
        EmitterGrid(emitter=Emitter(wavelength=850, power=0.1), columns=3)


def test_measured_irradiance_warns_for_solar_meter_on_nir():
    panel = devices.get("panel-660-850")
    solar = measured_irradiance("100 mW/cm^2", "solar", panel, "15 cm")
    assert any("solar" in w and "unreliable" in w for w in result_warnings(solar))
    assert any("up to 50 mW/cm²" in w and "eye limit" in w for w in result_warnings(solar))  # the 850 nm half
    assert in_mw_cm2(solar.centre_irradiance.values).tolist() == pytest.approx([50.0, 50.0])
    assert solar.attrs["distance_mm"] == 150.0
    thermopile = measured_irradiance("8 mW/cm^2", "thermopile", devices.get("pad-890"))
    assert result_warnings(thermopile) == ["pulsed source (292 Hz (Leonard 2004), duty cycle not reported): "
                                           "irradiance is the time average"]
    assert in_mw_cm2(thermopile.attrs["centre_total"]) == pytest.approx(8.0)
    with pytest.raises(InputError, match="meter"):
        measured_irradiance("32 mW/cm^2", "lux-meter")
    with pytest.raises(InputError, match="irradiance"):
        measured_irradiance("32 mW", "thermopile")
    with pytest.raises(InputError, match="5000 W/cm² is outside the allowed range: more than 0 and at most 10000"):
        measured_irradiance("5000 W/cm^2", "thermopile")


def test_contact_pad_has_hot_spots_only_in_the_diode_model_not_the_cell_model():
    """Same pad, diodes as points 3 mm behind a window vs cells: same power, cells are smoother at 3 mm."""
    cells = devices.get("pad-890").irradiance_map("3 mm").irradiance_total
    point = Emitter(wavelength=890, fwhm=40, power=0.012)
    diodes = (
        LightDevice(
            kind="contact-pad",
            width=75,
            height=30,
            grids=[EmitterGrid(emitter=point, rows=4, columns=15, pitch_x=5, pitch_y=7.5)],
        )
        .irradiance_map("3 mm")
        .irradiance_total
    )
    inside = (abs(cells.x) < 30) & (abs(cells.y) < 10)
    assert float(diodes.where(inside).max() / diodes.where(inside).min()) > float(
        cells.where(inside).max() / cells.where(inside).min()
    )


def test_dataset_round_trips_to_netcdf(tmp_path):
    ds = devices.get("panel-660-850").irradiance_map(
        "20 cm", devices.Grid(half_width_x=50, half_width_y=50, points_x=5, points_y=5)
    )
    path = tmp_path / "map.nc"
    try:
        ds.to_netcdf(path)
    except ValueError as exc:  # no netCDF engine installed in this environment
        pytest.skip(str(exc))
    import xarray as xr

    back = xr.open_dataset(path)
    np.testing.assert_allclose(back.irradiance_total, ds.irradiance_total)
    assert result_warnings(back) == result_warnings(ds) != []


coordinate = st.floats(min_value=-200.0, max_value=200.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(x1=coordinate, x2=coordinate, xs=coordinate, y1=coordinate, y2=coordinate, z=st.floats(0.01, 500.0))
def test_rectangle_factor_is_additive_and_bounded(x1, x2, xs, y1, y2, z):
    """Splitting a rectangle at xs splits its configuration factor; 0 ≤ F ≤ 1 (a fraction of the hemisphere)."""
    lo, hi = sorted((x1, x2))
    ylo, yhi = sorted((y1, y2))
    split = min(max(xs, lo), hi)
    whole = float(rectangle_factor(lo, hi, ylo, yhi, z))
    parts = float(rectangle_factor(lo, split, ylo, yhi, z) + rectangle_factor(split, hi, ylo, yhi, z))
    assert whole == pytest.approx(parts, abs=1e-12)
    assert -1e-15 <= whole <= 1.0 + 1e-15


def test_device_round_trips_through_json():
    panel = devices.get("panel-660-850")
    again = devices.load(json.loads(panel.model_dump_json()))
    assert again == panel


def test_lambertian_disk_face_from_contact_to_far_field():
    """A Lambertian disk: exitance P/A on its face in contact; the point-source P/(π z²) far away."""
    disk = Emitter(wavelength=850, power=0.1, face="disk", size=10)
    device = LightDevice(kind="contact-pad", width=10, height=10, contact=True, grids=[EmitterGrid(emitter=disk)])
    assert device.irradiance_map(0).attrs["centre_total"] == pytest.approx(0.1 / (math.pi * 25), rel=1e-12)
    z = 1000.0  # (a/z)² = 2.5e-5: the on-axis disk factor a²/(z² + a²) differs from a²/z² by that much
    far = device.irradiance_map(z).attrs["centre_total"]
    assert far == pytest.approx(0.1 / (math.pi * z * z), rel=3e-5)


def test_centre_and_footprint_mean_do_not_depend_on_the_map():
    """The centre value and the mean over the footprint are computed in closed form, not from the map's cells."""
    pad = devices.get("pad-890")
    coarse = pad.irradiance_map("1 cm", devices.Grid(half_width_x=200, half_width_y=200, points_x=4, points_y=4))
    fine = pad.irradiance_map("1 cm", devices.Grid(half_width_x=40, half_width_y=20, points_x=201, points_y=101))
    for key in ("centre_total", "mean_total"):
        assert coarse.attrs[key] == pytest.approx(fine.attrs[key], rel=1e-14)
    assert coarse.attrs["mean_total"] == pytest.approx(devices.area_mean_irradiance(pad, "1 cm").sum(), rel=1e-14)


def test_contact_light_presets_describe_their_own_heat():
    """Every light device made for contact carries its applied part's thermal description, with its source, and draws
    more electrical power than it emits as light."""
    for name in ("pad-890", "probe-810"):
        device = devices.get(name)
        assert device.contact and device.thermal is not None
        assert len(device.thermal.source) > 200, name
        assert 0.0 < device.wall_plug_efficiency < 1.0
    assert devices.get("pad-890").wall_plug_efficiency == pytest.approx(0.72)
    assert devices.get("panel-630").thermal is None and devices.get("panel-630").wall_plug_efficiency is None


def test_device_heat_reads_units():
    from lightdose.devices import DeviceHeat
    from lightdose.units import USER_INPUT

    heat = DeviceHeat.model_validate({"electrical_power": "1.2 W", "heat_capacity": "0.03 kJ/K",
                                      "contact_conductance": "100 W/m^2/K", "outer_conductance": "8 W/m^2/K",
                                      "outer_area": "60 cm^2", "face_absorptance": "50 %"}, context=USER_INPUT)
    assert heat.electrical_power == 1.2 and heat.heat_capacity == pytest.approx(30.0)
    assert heat.contact_conductance == pytest.approx(1e-4) and heat.outer_area == pytest.approx(6000.0)
    assert heat.face_absorptance == 0.5


@pytest.mark.parametrize("change, message", [
    ({"heat_capacity": "30 J"}, "heat_capacity"),
    ({"heat_capacity": 30}, "has no unit"),
    ({"heat_capacity": "-3 J/K"}, "outside the allowed range"),
    ({"outer_area": "60 cm"}, "outer_area"),
    ({"contact_conductance": "100 W/m^2"}, "contact_conductance"),
])
def test_device_heat_bad_input_names_the_field(change, message):
    from lightdose.devices import DeviceHeat
    from lightdose.model_base import describe_validation_error
    from lightdose.units import USER_INPUT

    data = {"electrical_power": "1 W", "heat_capacity": "30 J/K", "contact_conductance": "100 W/m^2/K",
            "outer_conductance": "8 W/m^2/K", **change}
    with pytest.raises(ValidationError) as info:
        DeviceHeat.model_validate(data, context=USER_INPUT)
    assert message in describe_validation_error(info.value)


def test_electrical_power_below_the_light_is_refused():
    from lightdose.model_base import describe_validation_error

    pad = devices.get("pad-890").model_dump()
    pad["thermal"]["electrical_power"] = 0.5  # W, less than the 0.72 W of light
    with pytest.raises(ValidationError) as info:
        devices.load(pad)
    text = describe_validation_error(info.value)
    assert "thermal.electrical_power" in text and "0.72 W" in text
