"""A treatment session as a heat problem: light absorbed in the layers (μa·φ per band) or a heating pad on the skin,
solved with the 1-D Pennes model, with the skin temperature, burn dose and target temperatures that follow.

Heat sources and boundary (on the beam axis, under the centre of the device; 1-D for broad exposures, r–z for
beams narrower than :data:`NARROW_BEAM_RADIUS_MM`):
- light: Q(z) = Σ_bands μa,b(z)·φb(z) [W/mm³], φ from :func:`lightdose.transport.dose.depth_dose` (fast solver);
- a contact LED pad covers the skin: heat leaves through the pad to the room with :data:`H_UNDER_PAD`
  (lightdose estimate for a thin insulating pad), and the pad's own electrical waste heat enters the skin as
  `pad_heat_flux` (not published for the presets: default 0, give it when measured);
- a panel or probe at a distance leaves the skin bare: natural convection, thermal radiation and insensible
  evaporation to a 25 °C room;
- a heating pad holds its surface at its set temperature; the contact conductance :data:`H_HEATING_PAD_CONTACT`
  (lightdose estimate) couples it to the skin.
Resting metabolic heat of each tissue is a source too, and the session starts from resting skin in room air.
Dermal perfusion rises with local temperature (quasi-steady vasodilation, :mod:`lightdose.thermal.vasodilation`);
fat and muscle keep resting perfusion. Diabetic neuropathy halves the resting perfusion of the
skin layers (lightdose assumption standing for the blunted microvascular response, SCIENCE.md §7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from lightdose.anatomy import LayerStack, Person
from lightdose.anatomy import sites as site_library
from lightdose.errors import InputError
from lightdose.thermal.burn import arrhenius_omega, cem43, time_above
from lightdose.thermal.pennes1d import Grid, SkinBoundary, make_grid, solve_pennes, steady_state
from lightdose.thermal.pennes_rz import make_grid_rz, solve_rz
from lightdose.thermal.properties import ThermalProperties, thermal_properties
from lightdose.thermal.vasodilation import skin_perfusion_factor
from lightdose.units import parse_quantity

H_CONVECTION = 3.1e-6
"""Natural convection from bare skin in still air [W/(mm²·K)] (3.1 W/(m²·K), seated; ASHRAE Fundamentals 2017 ch. 9)."""
SKIN_EMISSIVITY = 0.98
"""Infrared emissivity of human skin (Steketee 1973, Phys Med Biol 18:686)."""
INSENSIBLE_EVAPORATION = 6e-6
"""Latent heat of water diffusing through dry, non-sweating skin [W/mm²] (≈ 6 W/m²: ~9 g/(m²·h) × 2.43 kJ/g;
order of magnitude of ASHRAE Fundamentals 2017 ch. 9's skin diffusion term, lightdose estimate)."""
H_BARE_SKIN = 10e-6
"""Convection + radiation from bare skin to a room at rest, lumped [W/(mm²·K)]: the skin's state before a session."""
H_UNDER_PAD = 5e-6
"""Heat loss through a thin contact pad to the room [W/(mm²·K)] (≈ 5 W/(m²·K), lightdose estimate)."""
H_HEATING_PAD_CONTACT = 100e-6
"""Contact conductance between a heating pad's surface and the skin [W/(mm²·K)] (≈ 100 W/(m²·K), estimate)."""
ROOM_TEMPERATURE_C = 25.0
NEUROPATHY_SKIN_PERFUSION_FACTOR = 0.5
"""Resting skin perfusion with diabetic neuropathy relative to healthy skin (lightdose assumption)."""
MW_CM2_TO_W_MM2 = 1e-5
NARROW_BEAM_RADIUS_MM = 25.0
"""Equivalent beam radius [mm] below which lateral heat flow matters: the session is solved in r–z."""
RZ_MIN_STEP_S = 5.0
"""Time step of r–z sessions [s] (halving it changes the skin temperature by ~0.002 °C; docs/benchmarks.md)."""


def _layer_properties(stack: LayerStack, neuropathy: bool) -> list[ThermalProperties]:
    props = []
    for layer in stack.layers:
        name = layer.tissue if isinstance(layer.tissue, str) else layer.tissue.name.split(" ")[0]
        p = thermal_properties(name)
        if neuropathy and name.startswith("dermis"):
            p = p.model_copy(update={"perfusion": p.perfusion * NEUROPATHY_SKIN_PERFUSION_FACTOR})
        props.append(p)
    return props


def _metabolic_heat(stack: LayerStack, props: list[ThermalProperties], z: np.ndarray) -> np.ndarray:
    """Resting metabolic heat [W/mm³] at depths `z` [mm] (the layer's value; interfaces take the deeper layer)."""
    return np.array([props[i].metabolic_power_density for i in stack.layer_indices(z)])


def _skin_layers(stack: LayerStack) -> list[int]:
    """Indices of the vascular skin (dermis) layers, whose perfusion follows the vasodilation factor."""
    return [i for i, layer in enumerate(stack.layers)
            if (layer.tissue if isinstance(layer.tissue, str) else layer.tissue.name).startswith("dermis")]


def _skin_response(grid: Grid, stack: LayerStack) -> Callable[[np.ndarray], np.ndarray]:
    """ω(T) multiplier per free node: the vasodilation factor in dermis nodes, 1 elsewhere."""
    is_skin = np.isin(grid.layer, _skin_layers(stack))  # node i lies at the top of element i

    def response(temperature: np.ndarray) -> np.ndarray:
        return np.where(is_skin, skin_perfusion_factor(temperature), 1.0)

    return response


def _light_source(device: Any, base: LayerStack, person: Person, distance: Any, z_nodes: np.ndarray,
                  stack: LayerStack) -> tuple[np.ndarray, dict[str, Any]]:
    """Absorbed power density [W/mm³] at the thermal grid nodes, and a summary of the light dose."""
    from lightdose.transport.dose import depth_dose

    dose = depth_dose(device, base, person, distance=distance, exposure=1.0, max_depth=float(z_nodes[-1]) + 1.0)
    z = dose.z.values
    q = np.zeros(z_nodes.size)
    for b in range(dose.sizes["band"]):
        wavelength = float(dose.wavelength_nm[b])
        mua = np.array([op.mua[0] for _, op in stack.optical_properties(wavelength)])
        phi = np.interp(z_nodes, z, dose.fluence_rate.values[b]) * MW_CM2_TO_W_MM2
        q += mua[stack.layer_indices(z_nodes)] * phi
    radius = float(dose.beam_radius.min())
    summary: dict[str, Any] = {"surface_irradiance_mw_cm2": float(dose.surface_irradiance.sum()),
                               "beam_radius_mm": radius}
    return q, summary


def _axisymmetric(stack: LayerStack, props: list[ThermalProperties], depth: Any, q_axis_z: np.ndarray,
                  z_nodes: np.ndarray, radius_mm: float, boundary: SkinBoundary, duration_s: float,
                  dt_s: float, vasodilation: bool) -> xr.Dataset:
    """r–z run for a narrow beam: Q(r, z) = Q_axis(z) inside the beam radius (the light's own lateral spread is
    neglected, which concentrates the deep heating a little); returns the beam-axis T(t, z) like the 1-D solver."""
    grid = make_grid_rz(stack, radius=max(60.0, 6 * radius_mm), depth=depth, dr_centre=min(0.5, radius_mm / 10),
                        properties=props)
    inside = np.clip((radius_mm**2 - grid.r_faces[:-1] ** 2) / np.diff(grid.r_faces**2), 0.0, 1.0)
    metabolic = _metabolic_heat(stack, props, grid.z)[:, None]
    source = np.interp(grid.z, z_nodes, q_axis_z)[:, None] * inside[None, :] + metabolic
    resting = solve_rz(grid, None, h=H_BARE_SKIN, t_env=ROOM_TEMPERATURE_C, source=metabolic * np.ones_like(source),
                       steady=True)  # skin in room air before the session
    is_skin = np.isin(stack.layer_indices(grid.z), _skin_layers(stack))[:, None]

    def response(temperature: np.ndarray) -> np.ndarray:
        return np.where(is_skin, skin_perfusion_factor(temperature), 1.0)

    rz = solve_rz(grid, duration_s, dt=max(dt_s, RZ_MIN_STEP_S), h=boundary.h_eff, t_env=boundary.t_env,
                  q_surface=boundary.net_flux * inside, source=source, initial=resting.temperature.values[0],
                  perfusion_response=response if vasodilation else None)
    return xr.Dataset(
        {"temperature": (("t", "z"), rz.temperature.values[:, :, 0], rz.temperature.attrs),
         "surface_temperature": ("t", rz.surface_temperature.values[:, 0], rz.surface_temperature.attrs)},
        coords={"t": rz.t, "z": rz.z},
        attrs={"solver": "Pennes r-z (beam axis)", "beam_radius_mm": radius_mm,
               **{k: v for k, v in rz.attrs.items() if k.startswith("energy_")}},
    )


def heat_session(
    device: Any,
    site: str | LayerStack,
    person: Person | None = None,
    time: Any = "30 min",
    distance: Any = 0.0,
    pad_heat_flux: Any = 0.0,
    dt: Any = 1.0,
    depth: Any = 40.0,
    vasodilation: bool = True,
) -> xr.Dataset:
    """Temperature T(t, z) [°C] during a session, with skin temperature, burn dose and target temperatures.

    `device`: a light device (name or model) or the ``heating-pad-42`` preset; `pad_heat_flux`: electrical waste
    heat of a contact LED pad entering the skin ("5 mW/cm^2"; default 0); `vasodilation`: dermal perfusion rises
    with local temperature (:mod:`lightdose.thermal.vasodilation`; in r–z sessions updated every minute).
    """
    from lightdose import devices
    from lightdose.devices.heat_sources import HeatingPad, InfraredSauna

    duration_s = parse_quantity(time, "time", "time")
    if duration_s <= 0:
        raise InputError("time", f"{time!r} must be a positive session length")
    person = person or Person()
    base = site_library.get(site) if isinstance(site, str) else site
    stack = person.apply(base)
    props = _layer_properties(stack, person.neuropathy)
    grid = make_grid(stack, depth=depth, properties=props)
    flux = parse_quantity(pad_heat_flux, "irradiance", "pad_heat_flux")
    if flux < 0:
        raise InputError("pad_heat_flux", f"{pad_heat_flux!r} must be ≥ 0")
    model = devices.get(device) if isinstance(device, str) else device
    source = np.zeros(grid.z.size)
    light: dict[str, Any] = {}
    if isinstance(model, InfraredSauna):
        raise InputError("device", "a sauna heats the whole body: use `lightdose sauna` (the whole-body model)")
    if isinstance(model, HeatingPad):
        boundary = SkinBoundary(h_air=0.0, h_contact=H_HEATING_PAD_CONTACT, t_pad=model.surface_temperature)
    else:
        distance_mm = parse_quantity(distance, "length", "distance")
        source, light = _light_source(model, base, person, distance_mm, grid.z, stack)
        if model.contact and distance_mm == 0:
            boundary = SkinBoundary(h_air=H_UNDER_PAD, t_air=ROOM_TEMPERATURE_C, flux=flux)
        else:
            boundary = SkinBoundary(h_air=H_CONVECTION, t_air=ROOM_TEMPERATURE_C, emissivity=SKIN_EMISSIVITY,
                                    evaporation=INSENSIBLE_EVAPORATION)
    if light.get("beam_radius_mm", np.inf) < NARROW_BEAM_RADIUS_MM:
        ds = _axisymmetric(stack, props, depth, source, grid.z, light["beam_radius_mm"], boundary, duration_s,
                           parse_quantity(dt, "time", "dt"), vasodilation)
    else:
        response = _skin_response(grid, stack) if vasodilation else None
        metabolic = _metabolic_heat(stack, props, grid.z)
        resting = steady_state(grid, SkinBoundary(h_air=H_BARE_SKIN, t_air=ROOM_TEMPERATURE_C), metabolic)
        ds = solve_pennes(grid, duration=duration_s, dt=dt, boundary=boundary, source=source + metabolic,
                          initial=resting, perfusion_response=response)
    t = ds.t.values
    z = ds.z.values
    skin = ds.surface_temperature.values
    basal_depth = next((b for b, layer in zip(stack.boundaries[1:], stack.layers, strict=False)
                        if "epidermis" in layer.name or "epidermis" in str(layer.tissue)), 0.1)
    basal = np.array([np.interp(basal_depth, z, row) for row in ds.temperature.values])
    targets = {
        tg.name: np.array([np.interp(tg.depth_mid, z, row) for row in ds.temperature.values])
        for tg in stack.targets
    }
    ds = ds.assign(
        basal_epidermis_temperature=("t", basal, {"units": "degC", "depth_mm": basal_depth}),
        **{f"target_temperature_{name}": ("t", values, {"units": "degC", "target": name})
           for name, values in targets.items()},
    )
    ds.attrs.update({
        "device": getattr(model, "name", str(device)),
        "site": stack.name,
        "person": person.model_dump_json(),
        "peak_skin_temp_c": float(skin.max()),
        "time_above_43c_s": float(time_above(t, skin, 43.0)),
        "time_to_43c_s": float(t[np.argmax(skin >= 43.0)]) if np.any(skin >= 43.0) else -1.0,
        "cem43_min": float(cem43(t, basal)),
        "omega": float(arrhenius_omega(t, basal)),
        "boundary": boundary.model_dump_json(),
        "solver": ds.attrs.get("solver", "Pennes 1-D"),
        "warnings": "",
        **light,
    })
    return ds


def summary(ds: xr.Dataset) -> dict[str, Any]:
    """The JSON of `lightdose heat`: skin temperature over time, peak, time above 43 °C, burn dose, targets."""
    step = max(1, ds.sizes["t"] // 600)  # at most ~600 points of the time series
    targets = [v for v in ds.data_vars if str(v).startswith("target_temperature_")]
    return {
        "device": ds.attrs["device"],
        "site": ds.attrs["site"],
        "t_s": ds.t.values[::step].round(3).tolist(),
        "skin_temp_c": ds.surface_temperature.values[::step].round(4).tolist(),
        "peak_skin_temp_c": ds.attrs["peak_skin_temp_c"],
        "time_above_43c_s": ds.attrs["time_above_43c_s"],
        "time_to_43c_s": ds.attrs["time_to_43c_s"] if ds.attrs["time_to_43c_s"] >= 0 else None,
        "cem43_min": ds.attrs["cem43_min"],
        "omega": ds.attrs["omega"],
        "solver": ds.attrs["solver"],
        "warnings": [w for w in ds.attrs["warnings"].split("\n") if w],
        "temp_at_targets_c": {ds[v].attrs["target"]: {"start": float(ds[v].values[0]), "end": float(ds[v].values[-1]),
                                                      "peak": float(ds[v].values.max())} for v in targets},
    }
