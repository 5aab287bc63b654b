"""The irradiance stage (IrradianceRequest → irradiance → IrradianceResult), the Placement every stage shares, and
hostile device definitions (issue 13): each gets an answer or a one-line error naming the field and the range."""

import json
import time

import numpy as np
import pytest
from pydantic import ValidationError

from lightdose import devices
from lightdose.devices import IrradianceRequest, IrradianceResult, LightDevice, Placement
from lightdose.model_base import describe_validation_error
from lightdose.units import USER_INPUT, mw_cm2


def error_of(model, data: dict) -> str:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data, context=USER_INPUT)
    message = describe_validation_error(info.value)
    assert "\n" not in message
    return message


# --- Placement -------------------------------------------------------------------------------------------------


def test_placement_of_a_preset_and_its_shorthand():
    placement = Placement(device="panel-660-850", distance="15 cm")
    assert placement.distance == 150.0 and placement.name == "panel-660-850"
    assert isinstance(placement.model(), LightDevice)
    touching = Placement(device="panel-660-850", distance=0.0)  # stated: a panel's lenses may touch the skin
    assert Placement.model_validate_json(touching.model_dump_json()) == touching
    request = IrradianceRequest(placement="pad-890")  # a name alone: in contact
    assert request.placement == Placement(device="pad-890")
    assert IrradianceRequest.model_validate_json(request.model_dump_json()) == request


def test_placement_of_an_own_definition_round_trips():
    definition = json.loads(devices.get("probe-810").model_dump_json(context=USER_INPUT)) | {"name": "my-probe"}
    placement = Placement.model_validate({"device": definition, "distance": "2 cm"}, context=USER_INPUT)
    assert placement.name == "my-probe" and placement.light_device().total_power == pytest.approx(0.2)
    assert Placement.model_validate_json(placement.model_dump_json()) == placement


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"device": "pad-98"}, "device: unknown device 'pad-98'. Did you mean 'pad-890'"),
        ({"device": "panel-630"}, "distance: 'panel-630' is a panel used at a distance from the skin; give the"),
        ({"device": {"kind": "toaster"}}, "device.definition: Input tag 'toaster'"),
        ({"device": {"kind": "panel", "width": "10 cm"}}, "device.definition.panel.height: Field required"),
        ({"device": "pad-890", "distance": "-1 cm"}, "distance: -1 cm is outside the allowed range 0–3000 mm"),
        ({"device": "pad-890", "distance": "4 m"}, "distance: 4 m is outside the allowed range 0–3000 mm"),
        ({"device": "pad-890", "distance": 15}, "distance: 15 has no unit; write it with its unit, e.g. '15 cm'"),
        ({"device": "heating-pad-42", "distance": "1 cm"}, "distance: 10 mm: 'heating-pad-42' is a heating pad"),
        ({"device": "sauna-infrared-60", "distance": "1 m"}, "distance: 1000 mm: 'sauna-infrared-60' is a sauna"),
        ({"device": "panel-630", "distance": "15 cm", "pad_heat": "5 mW/cm^2"}, "pad_heat: applies to a contact"),
        ({"device": "pad-890", "pad_heat": "5 W/cm^2"}, "pad_heat: 5 W/cm^2 is outside the allowed range"),
    ],
)
def test_placement_errors_name_the_field(data, fragment):
    assert fragment in error_of(Placement, data)


def test_point_emitters_cannot_touch_the_skin():
    point = {"kind": "panel", "width": "1 cm", "height": "1 cm",
             "grids": [{"emitter": {"wavelength": "850 nm", "power": "0.1 W"}}]}
    assert "distance: 0 mm: 'custom' (panel) has point emitters" in error_of(Placement, {"device": point,
                                                                                      "distance": "0 cm"})
    assert Placement.model_validate({"device": point, "distance": "1 mm"}, context=USER_INPUT).distance == 1.0


# --- the stage ---------------------------------------------------------------------------------------------------


def test_stage_result_of_a_model():
    result = devices.irradiance(IrradianceRequest(placement={"device": "panel-660-850", "distance": "15 cm"},
                                                  points=21))
    assert isinstance(result, IrradianceResult) and not result.measured
    assert result.wavelength_nm.tolist() == [660.0, 850.0]
    assert mw_cm2(result.centre_irradiance.sum()) == pytest.approx(51.6, rel=2e-3)
    assert (result.mean_irradiance < result.centre_irradiance).all()
    assert (result.max_irradiance >= result.centre_irradiance).all()
    assert result.dataset.irradiance.attrs["units"] == "W/mm^2" and result.dataset.sizes["x"] == 21
    assert isinstance(result.warnings, tuple) and any("eye limit" in w for w in result.warnings)
    assert result.provenance.request_hash and result.dataset.attrs["request_hash"] == result.provenance.request_hash
    assert all(isinstance(v, str | int | float) for v in result.dataset.attrs.values())  # NetCDF-safe attrs


def test_stage_result_of_a_measurement():
    request = IrradianceRequest.model_validate(
        {"placement": {"device": "panel-940", "distance": "15 cm"}, "measured": "120 mW/cm^2", "meter": "solar"},
        context=USER_INPUT)
    result = devices.irradiance(request)
    assert result.measured and mw_cm2(result.centre_irradiance.sum()) == pytest.approx(120.0)
    assert any("unreliable" in w for w in result.warnings) and any("eye limit" in w for w in result.warnings)
    unknown = devices.irradiance(IrradianceRequest(placement="pad-890", measured="8 mW/cm^2"))
    assert any("meter type unknown" in w for w in unknown.warnings)


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"placement": "heating-pad-42"}, "placement.device: 'heating-pad-42' is a heat-only source"),
        ({"placement": "pad-890", "points": 2}, "points: 2 is outside the allowed range 3–1001 cells per axis"),
        ({"placement": "pad-890", "meter": "solar"}, "meter: says what measured a `measured` irradiance"),
        ({"placement": "pad-890", "measured": "5000 W/cm^2"}, "measured: 5000 W/cm² is outside the allowed range"),
        ({"placement": "pad-890", "measured": "32 mW"}, "measured: '32 mW' has dimension"),
        ({"placement": "pad-890", "measured": "32 mW/cm^2", "meter": "lux"}, "meter: Input should be 'thermopile'"),
    ],
)
def test_request_errors_name_the_field(data, fragment):
    assert fragment in error_of(IrradianceRequest, data)


# --- hostile device definitions (review rows dev:*) ------------------------------------------------------------


def panel(**grid) -> dict:
    """panel-660-850's outline with one grid of 9 mm cos^m LEDs, changed by `grid`."""
    emitter = {"wavelength": "850 nm", "power": "0.4 W", "face": "square", "size": "9 mm", "beam": "cosine-power",
               "half_angle": "30 deg"}
    return {"kind": "panel", "width": "30 cm", "height": "20 cm",
            "grids": [{"emitter": emitter, "rows": 8, "columns": 12, "pitch_x": "25 mm", "pitch_y": "25 mm"} | grid]}


def test_a_huge_emitter_grid_is_refused_by_validation_at_once():
    start = time.perf_counter()
    message = error_of(LightDevice, panel(rows=10_000, columns=10_000, pitch_x="0.01 mm", pitch_y="0.01 mm"))
    assert time.perf_counter() - start < 1.0  # refused while validating, before any map is computed
    assert "100000000 emitters; allowed: at most 100000 per device" in message
    two = panel() | {"grids": panel(rows=300, columns=300, pitch_x="0.5 mm", pitch_y="0.5 mm")["grids"] * 2}
    assert "grids: 180000 emitters; allowed: at most 100000 per device" in error_of(LightDevice, two)


@pytest.mark.parametrize(
    "device, fragment",
    [
        (panel(offset_x="10 m"), "grids[0]: its emitters reach |x| = 10142 mm"),
        (panel() | {"width": "1e-9 mm"}, "beyond the 1e-09 × 200 mm emitting face"),
        (panel(pitch_x="30 mm"), "allowed: emitters within |x| ≤ 150 mm"),
    ],
)
def test_emitters_off_the_emitting_face_are_refused(device, fragment):
    assert fragment in error_of(LightDevice, device)


def test_extreme_half_angles_are_bounded_not_overflowing():
    narrow = panel()
    narrow["grids"][0]["emitter"]["half_angle"] = "0.0001 deg"
    assert "half_angle: 0.0001 deg is outside the allowed range 1–89 deg" in error_of(LightDevice, narrow)
    for half_angle in ("1 deg", "89 deg"):  # the ends of the range give finite maps that hold the power
        edge = panel()
        edge["grids"][0]["emitter"]["half_angle"] = half_angle
        device = LightDevice.model_validate(edge, context=USER_INPUT)
        ds = device.irradiance_map("15 cm", devices.Grid(half_width_x=4000, half_width_y=4000, points_x=101,
                                                          points_y=101))
        assert np.isfinite(ds.irradiance.values).all() and ds.attrs["centre_total"] > 0
        on_map = float(ds.irradiance_total.sum()) * float(ds.x[1] - ds.x[0]) * float(ds.y[1] - ds.y[0])
        assert on_map == pytest.approx(device.total_power, rel=0.02)  # θ½ = 89°: ~1 % beyond 4 m (tail ~ (z/R)^1.2)


def test_a_band_wider_than_100_nm_is_refused():
    wide = panel()
    wide["grids"][0]["emitter"]["fwhm"] = "1000 nm"
    assert "fwhm: 1000 nm is outside the allowed range 0–100 nm" in error_of(LightDevice, wide)
