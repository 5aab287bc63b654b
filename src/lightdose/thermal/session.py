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
Resting metabolic heat of each tissue is a source too, and the session starts from resting skin in room air; after
the session (`after`) the device is removed and the skin is bare in the room, without light.
Dermal perfusion rises with local temperature (quasi-steady vasodilation, :mod:`lightdose.thermal.vasodilation`,
or a dynamic model passed in, such as the laser-Doppler perfusion model of :mod:`lightdose.physiology`);
fat and muscle keep resting perfusion. Diabetic neuropathy halves the resting perfusion of the
skin layers (lightdose assumption standing for the blunted microvascular response, SCIENCE.md §7).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from lightdose.anatomy import LayerStack, Person
from lightdose.anatomy import sites as site_library
from lightdose.errors import InputError
from lightdose.thermal.burn import arrhenius_omega, cem43, time_above
from lightdose.thermal.pennes1d import Grid, SkinBoundary, make_grid, solve_pennes, steady_state
from lightdose.thermal.pennes_rz import make_grid_rz, solve_rz
from lightdose.thermal.properties import ThermalProperties, thermal_properties
from lightdose.thermal.vasodilation import DynamicVasodilation, skin_perfusion_factor
from lightdose.units import parse_quantity

if TYPE_CHECKING:
    from lightdose.devices.heat_sources import HeatingPad

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
MAX_SESSION_S = 4 * 3600.0
"""Longest session [s]: 4 h, the planner's longest allowed exposure (`limits.max_session`), beyond treatment
protocols (minutes to ~1 h) and far beyond the perfusion model's calibration (local heating for ≤ 90 min,
Minson, Berry & Joyner 2001; the die-away assumption, Roustit & Cracowski 2012)."""
MAX_AFTER_S = 24 * 3600.0
"""Longest time followed after a session [s]: one day, the spacing of daily sessions; skin temperature and perfusion
are back at rest within ~1 h (docs/perfusion.md), so longer runs only cost time and memory."""


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


class SkinResponse:
    """The perfusion response of a session's grid: dermis nodes/cells follow the vasodilation (quasi-steady F(T),
    or a :class:`DynamicVasodilation` model), everything else keeps its resting perfusion.

    It records, for every solver step, the start time [s] and the mean multiplier ω/ω_rest over the `probe`
    (the dermis under the centre of the device, where a laser-Doppler probe would look); `irradiance_mw_cm2`
    drives a dynamic model's optional light term and is set to 0 when the device is removed.
    """

    def __init__(self, is_skin: np.ndarray, probe: np.ndarray, model: DynamicVasodilation | None,
                 irradiance_mw_cm2: float):
        self.is_skin = is_skin
        self.probe = probe[is_skin]
        self.model = model
        self.irradiance_mw_cm2 = irradiance_mw_cm2
        self.times: list[float] = []
        self.probe_factor: list[float] = []
        self._clock = 0.0

    def __call__(self, temperature: np.ndarray, step: float) -> np.ndarray:
        skin = temperature[self.is_skin]
        if self.model is None:
            factor = skin_perfusion_factor(skin)
        else:
            factor = self.model(skin, self.irradiance_mw_cm2, step)
        self.times.append(self._clock)
        self.probe_factor.append(float(factor[self.probe].mean()))
        self._clock += step
        out = np.ones(temperature.shape)
        out[self.is_skin] = factor
        return out

    def on(self, t: np.ndarray) -> np.ndarray:
        """The probe's multiplier at times `t` [s] (the value of the step under way at each time)."""
        index = np.searchsorted(np.asarray(self.times), t, side="right") - 1
        return np.asarray(self.probe_factor)[np.clip(index, 0, len(self.times) - 1)]


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


@dataclass(frozen=True)
class Phase:
    """One stretch of a session: `duration_s` [s] with this skin `boundary`, light `source` [W/mm³ per node of the
    1-D grid] and skin irradiance [mW/cm², for a dynamic perfusion model's light term]."""

    duration_s: float
    boundary: SkinBoundary
    source: np.ndarray
    irradiance_mw_cm2: float


def _join(parts: list[xr.Dataset]) -> xr.Dataset:
    """Consecutive runs as one: times continue, energy terms add up, the residual is the largest of the runs'."""
    offset, times, temperature, skin = 0.0, [], [], []
    for i, part in enumerate(parts):
        keep = slice(0 if i == 0 else 1, None)  # a run starts where the previous one ended
        times.append(part.t.values[keep] + offset)
        temperature.append(part.temperature.values[keep])
        skin.append(part.surface_temperature.values[keep])
        offset += float(part.t.values[-1])
    first = parts[0]
    ds = xr.Dataset(
        {"temperature": (("t", "z"), np.concatenate(temperature), first.temperature.attrs),
         "surface_temperature": ("t", np.concatenate(skin), first.surface_temperature.attrs)},
        coords={"t": ("t", np.concatenate(times), {"units": "s", "long_name": "time"}), "z": first.z},
        attrs={k: v for k, v in first.attrs.items() if not k.startswith("energy_")},
    )

    def combine(name: str, values: list[float]) -> float:
        return max(values, key=abs) if name == "energy_residual" else float(sum(values))

    for name in [str(v) for v in first.data_vars if str(v).startswith("energy_")]:
        ds[name] = ((), combine(name, [float(p[name]) for p in parts]), first[name].attrs)
    for key in [k for k in first.attrs if k.startswith("energy_")]:
        ds.attrs[key] = combine(key, [float(p.attrs[key]) for p in parts])
    return ds


def _layered(grid: Grid, stack: LayerStack, props: list[ThermalProperties], phases: list[Phase], dt: Any,
             response: SkinResponse | None) -> xr.Dataset:
    """1-D runs of the phases in turn, from resting skin in room air."""
    metabolic = _metabolic_heat(stack, props, grid.z)
    state = steady_state(grid, SkinBoundary(h_air=H_BARE_SKIN, t_air=ROOM_TEMPERATURE_C), metabolic)
    parts = []
    for phase in phases:
        if response is not None:
            response.irradiance_mw_cm2 = phase.irradiance_mw_cm2
        part = solve_pennes(grid, duration=phase.duration_s, dt=dt, boundary=phase.boundary,
                            source=phase.source + metabolic, initial=state, perfusion_response=response)
        state = part.temperature.values[-1]
        parts.append(part)
    return _join(parts)


def _axisymmetric(stack: LayerStack, props: list[ThermalProperties], depth: Any, phases: list[Phase],
                  z_nodes: np.ndarray, radius_mm: float, dt_s: float,
                  skin_model: bool | DynamicVasodilation) -> tuple[xr.Dataset, SkinResponse | None]:
    """r–z runs of the phases for a narrow beam: Q(r, z) = Q_axis(z) inside the beam radius (the light's own
    lateral spread is neglected, which concentrates the deep heating a little); returns the beam-axis T(t, z) like
    the 1-D solver, and the skin response (its probe is the dermis on the axis)."""
    grid = make_grid_rz(stack, radius=max(60.0, 6 * radius_mm), depth=depth, dr_centre=min(0.5, radius_mm / 10),
                        properties=props)
    inside = np.clip((radius_mm**2 - grid.r_faces[:-1] ** 2) / np.diff(grid.r_faces**2), 0.0, 1.0)
    metabolic = _metabolic_heat(stack, props, grid.z)[:, None] * np.ones((1, grid.r.size))
    resting = solve_rz(grid, None, h=H_BARE_SKIN, t_env=ROOM_TEMPERATURE_C, source=metabolic,
                       steady=True)  # skin in room air before the session
    is_skin = np.isin(stack.layer_indices(grid.z), _skin_layers(stack))[:, None] & np.ones(grid.r.size, dtype=bool)
    on_axis = np.zeros(is_skin.shape, dtype=bool)
    on_axis[:, 0] = True
    response = _response(is_skin, on_axis, skin_model)
    state = resting.temperature.values[0]
    parts = []
    for phase in phases:
        if response is not None:
            response.irradiance_mw_cm2 = phase.irradiance_mw_cm2
        light = np.interp(grid.z, z_nodes, phase.source)[:, None] * inside[None, :]
        rz = solve_rz(grid, phase.duration_s, dt=max(dt_s, RZ_MIN_STEP_S), h=phase.boundary.h_eff,
                      t_env=phase.boundary.t_env, q_surface=phase.boundary.net_flux * inside,
                      source=light + metabolic, initial=state, perfusion_response=response)
        state = rz.temperature.values[-1]
        parts.append(xr.Dataset(
            {"temperature": (("t", "z"), rz.temperature.values[:, :, 0], rz.temperature.attrs),
             "surface_temperature": ("t", rz.surface_temperature.values[:, 0], rz.surface_temperature.attrs)},
            coords={"t": rz.t, "z": rz.z},
            attrs={"solver": "Pennes r-z (beam axis)", "beam_radius_mm": radius_mm,
                   **{k: v for k, v in rz.attrs.items() if k.startswith("energy_")}},
        ))
    return _join(parts), response


def _response(is_skin: np.ndarray, probe: np.ndarray,
              skin_model: bool | DynamicVasodilation) -> SkinResponse | None:
    """The session's perfusion response: none (`False`), quasi-steady F(T) (`True`) or a dynamic model."""
    if skin_model is False:
        return None
    return SkinResponse(is_skin, probe, None if skin_model is True else skin_model, 0.0)


def bare_skin() -> SkinBoundary:
    """Bare skin in a 25 °C room: natural convection, linearised thermal radiation and insensible evaporation."""
    return SkinBoundary(h_air=H_CONVECTION, t_air=ROOM_TEMPERATURE_C, emissivity=SKIN_EMISSIVITY,
                        evaporation=INSENSIBLE_EVAPORATION)


def duration_text(seconds: float) -> str:
    """A duration [s] for people: in h from 1 h on, else in min ("4 h", "1.5 h", "30 min")."""
    return f"{seconds / 3600:g} h" if abs(seconds) >= 3600 else f"{seconds / 60:g} min"


def session_time_s(time: Any, field: str = "time") -> float:
    """A session length (s or a pint string such as "30 min") in s, checked: 0 < time ≤ :data:`MAX_SESSION_S`."""
    seconds = parse_quantity(time, "time", field)
    if not 0.0 < seconds <= MAX_SESSION_S:
        raise InputError(field, f"{duration_text(seconds)}; allowed: a session of more than 0 s and at most "
                                f"{duration_text(MAX_SESSION_S)}")
    return seconds


def time_after_s(after: Any, field: str = "after") -> float:
    """Time followed after a session (s or a pint string) in s, checked: 0 ≤ after ≤ :data:`MAX_AFTER_S`."""
    seconds = parse_quantity(after, "time", field)
    if not 0.0 <= seconds <= MAX_AFTER_S:
        raise InputError(field, f"{duration_text(seconds)}; allowed: 0 s to {duration_text(MAX_AFTER_S)} followed "
                                "after the device is removed")
    return seconds


def heating_pad_distance(pad: HeatingPad, distance: Any, field: str = "distance") -> float:
    """A heating pad's gap to the skin [mm]: it heats by contact (its surface held at its set temperature against
    the skin, :data:`H_HEATING_PAD_CONTACT`), so only 0 is allowed."""
    gap = parse_quantity(distance, "length", field)
    if gap != 0.0:
        raise InputError(field, f"{gap:g} mm: '{pad.name}' is a heating pad, which heats the skin by contact (surface "
                                f"{pad.surface_temperature:g} °C); allowed: 0 mm (in contact)")
    return gap


def heat_session(
    device: Any,
    site: str | LayerStack,
    person: Person | None = None,
    time: Any = "30 min",
    distance: Any = 0.0,
    pad_heat_flux: Any = 0.0,
    dt: Any = 1.0,
    depth: Any = 40.0,
    vasodilation: bool | DynamicVasodilation = True,
    after: Any = 0.0,
) -> xr.Dataset:
    """Temperature T(t, z) [°C] during a session, with skin temperature, burn dose and target temperatures.

    `device`: a light device (name or model) or the ``heating-pad-42`` preset; `pad_heat_flux`: electrical waste
    heat of a contact LED pad entering the skin ("5 mW/cm^2"; default 0); `vasodilation`: dermal perfusion rises
    with local temperature — ``True`` the quasi-steady F(T) of :mod:`lightdose.thermal.vasodilation`, ``False``
    resting perfusion, or a :class:`~lightdose.thermal.vasodilation.DynamicVasodilation` model (e.g. lightdose's
    laser-Doppler perfusion model) stepped with the solver (in r–z sessions updated every minute); `after`: time
    [s or a pint string] simulated after the device is removed (bare skin in room air, no light). `time` may be up
    to :data:`MAX_SESSION_S` (4 h), `after` up to :data:`MAX_AFTER_S` (24 h); a heating pad works only in contact
    (`distance` 0). The result's ``skin_perfusion_factor`` is the dermal perfusion relative to rest under the
    centre of the device.
    """
    from lightdose import devices
    from lightdose.devices.heat_sources import HeatingPad, InfraredSauna

    duration_s = session_time_s(time)
    after_s = time_after_s(after)
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
        heating_pad_distance(model, distance)
        boundary = SkinBoundary(h_air=0.0, h_contact=H_HEATING_PAD_CONTACT, t_pad=model.surface_temperature)
    else:
        distance_mm = parse_quantity(distance, "length", "distance")
        source, light = _light_source(model, base, person, distance_mm, grid.z, stack)
        if model.contact and distance_mm == 0:
            boundary = SkinBoundary(h_air=H_UNDER_PAD, t_air=ROOM_TEMPERATURE_C, flux=flux)
        else:
            boundary = bare_skin()
    phases = [Phase(duration_s, boundary, source, light.get("surface_irradiance_mw_cm2", 0.0))]
    if after_s > 0:
        phases.append(Phase(after_s, bare_skin(), np.zeros(grid.z.size), 0.0))
    if light.get("beam_radius_mm", np.inf) < NARROW_BEAM_RADIUS_MM:
        ds, response = _axisymmetric(stack, props, depth, phases, grid.z, light["beam_radius_mm"],
                                     parse_quantity(dt, "time", "dt"), vasodilation)
    else:
        is_skin = np.isin(grid.layer, _skin_layers(stack))  # node i lies at the top of element i
        response = _response(is_skin, is_skin, vasodilation)
        ds = _layered(grid, stack, props, phases, dt, response)
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
    perfusion_kind = "off" if response is None else "quasi-steady F(T)" if response.model is None else "dynamic"
    ds = ds.assign(
        basal_epidermis_temperature=("t", basal, {"units": "degC", "depth_mm": basal_depth}),
        skin_perfusion_factor=("t", np.ones(t.size) if response is None else response.on(t), {
            "units": "1", "long_name": "dermal perfusion relative to rest, under the centre of the device",
            "vasodilation": perfusion_kind}),
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
        "session_end_s": duration_s,
        "after_s": after_s,
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
