"""A treatment session as a heat problem: light absorbed in the layers (μa·φ per band) or a heating pad on the skin,
solved with the Pennes model, with the skin temperature, burn dose and target temperatures that follow.

``heat_session(HeatRequest(placement="pad-890", site="foot-dorsum", exposure="30 min"))`` → :class:`HeatResult`.

Heat sources and boundary (on the beam axis, under the centre of the device; 1-D for broad exposures, r–z for
beams narrower than :data:`NARROW_BEAM_RADIUS_MM`):

- light: Q(z) = Σ_bands μa,b(z)·φb(z) [W/mm³], φ from the fast transport solver
  (:func:`lightdose.transport.dose.fluence_rate_on_axis`). In 1-D the skin is taken to see the mean irradiance over
  the disc of one thermal spreading length around the centre (√(k/(ω·ρ_b·c_b)) of the dermis, ~7 mm with the
  default parameters), not the value at the centre point: a panel held close to the skin has its centre between
  LEDs, yet the skin there is warmed by the LEDs around it. The beam's ring profile is flattened to that mean
  inside the disc (power conserved), so the dose deeper down is unchanged;
- a light device touching the skin (an LED pad, a probe) covers it with its applied part. A device with a thermal
  description (:class:`lightdose.devices.DeviceHeat`) is one lumped node on the skin under its face
  (:class:`~lightdose.thermal.pennes1d.AppliedPart`): its electrical losses P_el − P_opt and the share α of the
  light the skin remits onto its face that it absorbs heat it; it gives that heat to the skin through its contact
  conductance and to the room through its outer surface; it starts at room temperature. A device without one, or a
  placement with `pad_heat` > 0 (a measured waste heat, which replaces the device's model), covers the skin with a
  fixed loss to the room (``boundary.under_contact_pad``) and a fixed flux `pad_heat` [W/mm²] into the skin. In
  r–z the device covers the disc of its face's area; the skin beside it is bare;
- a panel or probe at a distance leaves the skin bare: natural convection, thermal radiation and insensible
  evaporation to the room;
- a heating pad holds its surface at its set temperature, coupled to the skin by ``boundary.heating_pad_contact``.

Resting metabolic heat of each tissue is a source too, and the session starts from resting skin in room air; after
the session (`after`) the device is removed and the skin is bare in the room, without light. Dermal perfusion rises
with local temperature (quasi-steady vasodilation, :mod:`lightdose.thermal.vasodilation`, or a dynamic model passed
to :func:`coupled_session`, such as the laser-Doppler perfusion model of :mod:`lightdose.physiology`); fat and
muscle keep resting perfusion. Diabetic neuropathy scales the resting perfusion of the dermis by
``neuropathy.skin_perfusion_factor`` (lightdose assumption standing for the blunted microvascular response).
Every value named here comes from the request's parameter set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import xarray as xr
from pydantic import Field

from lightdose.anatomy import LayerStack
from lightdose.devices import HeatingPad, InfraredSauna, LightDevice
from lightdose.errors import InputError, OutOfRangeError
from lightdose.limits import CONTACT_SKIN_LIMIT_C
from lightdose.parameters import ParameterSet
from lightdose.provenance import Provenance
from lightdose.thermal.burn import T_MAX_C, arrhenius_omega, cem43, time_above
from lightdose.thermal.pennes1d import AppliedPart, Grid, SkinBoundary, make_grid, solve_pennes, steady_state
from lightdose.thermal.pennes_rz import GridRZ, make_grid_rz, solve_rz
from lightdose.thermal.properties import ThermalProperties, layer_properties, thermal_properties
from lightdose.thermal.vasodilation import DynamicVasodilation, skin_perfusion_factor
from lightdose.transport.diffusion import solve_broad_beam
from lightdose.transport.dose import DEPTH_STEP_MM, fluence_rate_on_axis
from lightdose.transport.request import After, SessionRequest
from lightdose.transport.skin_beam import SkinBeam, hottest_spot, skin_beam
from lightdose.transport.stack_spec import stack_spec
from lightdose.units import Bounded, mw_cm2

NARROW_BEAM_RADIUS_MM = 25.0
"""Equivalent beam radius [mm] below which lateral heat flow matters: the session is solved in r–z."""
UNEVEN_RADIUS_MM = 10.0
"""Beam radius [mm] that sizes the r–z domain (6 × it, at least 60 mm) of a session under an uneven beam's hottest
spot: light farther than ~60 mm from the spot does not warm it (the spreading length is ~7 mm)."""
RZ_MIN_STEP_S = 5.0
"""Time step of r–z sessions [s] (halving it changes the skin temperature by ~0.002 °C; docs/benchmarks.md); a stretch
shorter than :data:`RZ_MIN_STEPS` such steps takes that many steps instead."""
RZ_MIN_STEPS = 20
"""Fewest time steps of an r–z stretch (a 10 s exposure takes 0.5 s steps: its skin rise within 0.5 % of 0.25 s
steps, where 5 s steps fall 8 % short)."""
DEFAULT_DOMAIN_DEPTH_MM = 40.0
"""Depth of the thermal domain [mm], where the core temperature is held."""

_W_PER_M2 = 1e-6  # W/m² → W/mm²


class HeatRequest(SessionRequest):
    """A heat session: the session (placement, site, person, exposure, parameters), the time followed `after` the
    device is removed [s], the time step `dt` [s], the depth of the thermal domain [mm] and the skin perfusion
    response ("quasi-steady" vasodilation F(T), or "off": resting perfusion)."""

    after: After = Field(default=0.0, description="time followed after the device is removed [s]")
    dt: Annotated[float, Bounded("time", gt=0.0, le=60.0)] = Field(default=1.0, description="time step [s]")
    domain_depth: Annotated[float, Bounded("length", ge=10.0, le=100.0)] = Field(
        default=DEFAULT_DOMAIN_DEPTH_MM, description="depth of the thermal domain, where 37 °C is held [mm]")
    vasodilation: Literal["quasi-steady", "off"] = Field(default="quasi-steady", description=(
        "dermal perfusion follows the local temperature (quasi-steady F(T)) or stays at rest"))

    def device(self) -> LightDevice | HeatingPad:
        """The device: a light device or a heating pad (a sauna is the whole-body model's)."""
        model = self.placement.model()
        if isinstance(model, InfraredSauna):
            raise InputError("placement.device", "a sauna heats the whole body: use `lightdose sauna` (the "
                                                 "whole-body model)")
        return model


@dataclass(frozen=True)
class TargetTemperature:
    """A target's temperature [°C] at its mid-depth: at the start, at the end of the run and its peak."""

    name: str
    start_c: float
    end_c: float
    peak_c: float


@dataclass(frozen=True)
class HeatResult:
    """Temperature T(t, z) and the session's skin temperature, burn dose and target temperatures.

    `dataset`: ``temperature`` (t, z), ``surface_temperature``, ``basal_epidermis_temperature``,
    ``skin_perfusion_factor`` (dermal perfusion / rest under the centre of the device) and ``target_temperature``
    (t, target), all over ``t`` [s]; ``applied_part_temperature`` (the device part lying on the skin, NaN once it is
    removed) when the device has one. Summary fields in °C, s, min; `time_to_43c_s` is None when the skin never
    reaches 43 °C.
    """

    request: HeatRequest
    dataset: xr.Dataset
    solver: str
    peak_skin_temp_c: float
    time_above_43c_s: float
    time_to_43c_s: float | None
    cem43_min: float
    omega: float
    targets: tuple[TargetTemperature, ...]
    surface_irradiance: float | None
    """Irradiance the skin sees (all bands), averaged over a thermal spreading length [W/mm²]; None for a heating
    pad."""
    spot_mm: tuple[float, float]
    """Where on the skin the temperature is computed (x, y) [mm]: the centre of the treated area (0, 0), or the
    hottest spot when the irradiance near a device is uneven."""
    beam_radius_mm: float | None
    """Equivalent flat-top radius of the narrowest band [mm]; None for a heating pad."""
    basal_depth_mm: float
    """Depth of the basal epidermis [mm], where the burn dose is taken."""
    warnings: tuple[str, ...]
    provenance: Provenance
    device_heat: float | None = None
    """Heat the device's applied part generates and absorbs, per mm² of its face [W/mm²] (its electrical losses and
    the remitted light its face absorbs); None when the device adds no heat of its own (no thermal description, not
    in contact, `pad_heat` given, a heating pad)."""
    peak_device_temp_c: float | None = None
    """Highest temperature of the applied part [°C]; None without one."""

    @property
    def session_end_s(self) -> float:
        """When the device is removed [s]."""
        return self.request.exposure


class SkinResponse:
    """The perfusion response of a session's grid: dermis nodes/cells follow the vasodilation (quasi-steady F(T),
    or a :class:`DynamicVasodilation` model), everything else keeps its resting perfusion.

    It records, for every solver step, the start time [s] and the mean multiplier ω/ω_rest over the `probe`
    (the dermis under the centre of the device, where a laser-Doppler probe would look); `irradiance` [W/mm²]
    drives a dynamic model's optional light term and is set to 0 when the device is removed.
    """

    def __init__(self, is_skin: np.ndarray, probe: np.ndarray, model: DynamicVasodilation | None,
                 parameters: ParameterSet):
        self.is_skin = is_skin
        self.probe = probe[is_skin]
        self.model = model
        self.parameters = parameters
        self.irradiance = 0.0
        self.times: list[float] = []
        self.probe_factor: list[float] = []
        self._clock = 0.0

    def __call__(self, temperature: np.ndarray, step: float) -> np.ndarray:
        skin = temperature[self.is_skin]
        if self.model is None:
            factor = skin_perfusion_factor(skin, self.parameters)
        else:
            factor = self.model(skin, self.irradiance, step)
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


@dataclass(frozen=True)
class Phase:
    """One stretch of a session: `duration_s` [s] with this skin `boundary`, light `source` [W/mm³ per node of the
    1-D grid] and skin irradiance [W/mm², for a dynamic perfusion model's light term]. A device touching the skin
    covers the disc of radius `face_radius_mm` (r–z; the whole skin in 1-D) with `boundary` and, if it has one, its
    `applied_part`; the skin beside it is `beside` (bare skin)."""

    duration_s: float
    boundary: SkinBoundary
    source: np.ndarray
    irradiance: float
    applied_part: AppliedPart | None = None
    face_radius_mm: float | None = None
    beside: SkinBoundary | None = None


def bare_skin(params: ParameterSet) -> SkinBoundary:
    """Bare skin in the room: natural convection, linearised thermal radiation and insensible evaporation."""
    return SkinBoundary(h_air=params["boundary.natural_convection [W/(m^2*K)]"] * _W_PER_M2,
                        t_air=params["boundary.room_temperature [degC]"],
                        emissivity=params["boundary.skin_emissivity [1]"],
                        evaporation=params["boundary.insensible_evaporation [W/m^2]"] * _W_PER_M2)


def resting_skin(params: ParameterSet) -> SkinBoundary:
    """The skin's state before a session: convection and radiation to the room lumped."""
    return SkinBoundary(h_air=params["boundary.bare_skin_lumped [W/(m^2*K)]"] * _W_PER_M2,
                        t_air=params["boundary.room_temperature [degC]"])


def remitted_fraction(stack: LayerStack, device: LightDevice) -> float:
    """Share of a broad beam of the device's light that the skin sends back out (specular and diffuse, δ-P1
    broad-beam solution of :mod:`lightdose.transport.diffusion`), the bands weighted by their power."""
    share = 0.0
    for band in device.bands():
        remitted = solve_broad_beam(stack_spec(stack, band.wavelength_nm))
        share += band.power_fraction * (remitted.rsp + remitted.rd)
    return float(np.clip(share, 0.0, 1.0))


def applied_part(device: LightDevice, stack: LayerStack, params: ParameterSet) -> AppliedPart | None:
    """The lumped node of a contact device's applied part, per mm² of its face (None: the device has no thermal
    description). Heat: electrical losses P_el − P_opt plus the remitted light its face absorbs, α·R·P_opt."""
    heat = device.thermal
    if heat is None:
        return None
    face = device.area
    optical = device.total_power
    absorbed = heat.face_absorptance * remitted_fraction(stack, device) * optical
    outer = face if heat.outer_area is None else heat.outer_area
    return AppliedPart(heat_capacity=heat.heat_capacity / face, h_skin=heat.contact_conductance,
                       h_room=heat.outer_conductance * outer / face,
                       t_room=params["boundary.room_temperature [degC]"],
                       heat=(heat.electrical_power - optical + absorbed) / face)


def spreading_length(params: ParameterSet) -> float:
    """The thermal spreading length of resting dermis, √(k/(ω·ρ_b·c_b)) [mm]: over about this distance the skin
    averages the heat it receives."""
    skin = thermal_properties("dermis", params)
    return math.sqrt(skin.conductivity_mm / skin.perfusion_coefficient)


def _light_source(beam: SkinBeam, stack: LayerStack, z_nodes: np.ndarray) -> np.ndarray:
    """Absorbed power density [W/mm³] at the thermal grid nodes under `beam`."""
    z = (np.arange(int(round((z_nodes[-1] + 1.0) / DEPTH_STEP_MM))) + 0.5) * DEPTH_STEP_MM
    rate, *_ = fluence_rate_on_axis(stack, beam, z)
    layer = stack.layer_indices(z_nodes)
    q = np.zeros(z_nodes.size)
    for b, wavelength in enumerate(beam.wavelength_nm):
        mua = np.array([op.mua[0] for _, op in stack.optical_properties(float(wavelength))])
        q += mua[layer] * np.interp(z_nodes, z, rate[b])
    return q


def _layer_properties(stack: LayerStack, neuropathy: bool, params: ParameterSet) -> list[ThermalProperties]:
    props = layer_properties(stack, params)
    if neuropathy:
        factor = params["neuropathy.skin_perfusion_factor [1]"]
        props = [p.model_copy(update={"perfusion": p.perfusion * factor}) if p.role == "dermis" else p for p in props]
    return props


def _metabolic_heat(stack: LayerStack, props: list[ThermalProperties], z: np.ndarray) -> np.ndarray:
    """Resting metabolic heat [W/mm³] at depths `z` [mm] (the layer's value; interfaces take the deeper layer)."""
    return np.array([props[i].metabolic_power_density for i in stack.layer_indices(z)])


def _join(parts: list[xr.Dataset]) -> xr.Dataset:
    """Consecutive runs as one: times continue, energy terms add up, the residual is the largest of the runs'."""
    offset, times, temperature, skin, device = 0.0, [], [], [], []
    for i, part in enumerate(parts):
        keep = slice(0 if i == 0 else 1, None)  # a run starts where the previous one ended
        times.append(part.t.values[keep] + offset)
        temperature.append(part.temperature.values[keep])
        skin.append(part.surface_temperature.values[keep])
        device.append(part.applied_part_temperature.values[keep] if "applied_part_temperature" in part
                      else np.full(part.t.values[keep].size, np.nan))
        offset += float(part.t.values[-1])
    first = parts[0]
    with_device = [p for p in parts if "applied_part_temperature" in p]
    devices = {"applied_part_temperature": ("t", np.concatenate(device), with_device[0].applied_part_temperature.attrs)
               } if with_device else {}
    ds = xr.Dataset(
        {"temperature": (("t", "z"), np.concatenate(temperature), first.temperature.attrs),
         "surface_temperature": ("t", np.concatenate(skin), first.surface_temperature.attrs), **devices},
        coords={"t": ("t", np.concatenate(times), {"units": "s", "long_name": "time"}), "z": first.z},
        attrs={k: v for k, v in first.attrs.items() if not k.startswith(("energy_", "boundary_"))},
    )

    def combine(name: str, values: list[float]) -> float:
        return max(values, key=abs) if name == "energy_residual" else float(sum(values))

    for name in [str(v) for v in first.data_vars if str(v).startswith("energy_")]:
        ds[name] = ((), combine(name, [float(p[name]) for p in parts]), first[name].attrs)
    for key in [k for k in first.attrs if k.startswith("energy_")]:
        ds.attrs[key] = combine(key, [float(p.attrs.get(key, 0.0)) for p in parts])
    return ds


def _layered(grid: Grid, stack: LayerStack, props: list[ThermalProperties], phases: list[Phase], dt: float,
             response: SkinResponse | None, params: ParameterSet) -> xr.Dataset:
    """1-D runs of the phases in turn, from resting skin in room air."""
    metabolic = _metabolic_heat(stack, props, grid.z)
    state = steady_state(grid, resting_skin(params), metabolic)
    parts = []
    for phase in phases:
        if response is not None:
            response.irradiance = phase.irradiance
        part = solve_pennes(grid, duration=phase.duration_s, dt=dt, boundary=phase.boundary,
                            source=phase.source + metabolic, initial=state, perfusion_response=response,
                            applied_part=phase.applied_part)
        state = part.temperature.values[-1]
        parts.append(part)
    return _join(parts)


def _rz_grid(stack: LayerStack, props: list[ThermalProperties], depth: float, radius_mm: float) -> GridRZ:
    """The r–z grid of a narrow-beam session: wide enough for the heat to spread, fine at the axis."""
    return make_grid_rz(stack, radius=max(60.0, 6 * radius_mm), depth=depth, dr_centre=min(0.5, radius_mm / 10),
                        properties=props)


def _flat_top(grid: GridRZ, radius_mm: float) -> np.ndarray:
    """The share of each ring cell of `grid` inside a disc of `radius_mm` (a flat-top beam)."""
    return np.clip((radius_mm**2 - grid.r_faces[:-1] ** 2) / np.diff(grid.r_faces**2), 0.0, 1.0)


def _ring_profile(grid: GridRZ, beam: SkinBeam) -> np.ndarray:
    """The beam's azimuthal-mean irradiance relative to its value on the axis, averaged over each ring cell of `grid`
    (the bands weighted by their irradiance on the axis): for heat conduction in laterally uniform tissue the
    temperature on the axis depends on the source only through this azimuthal mean."""
    weights = beam.centre_irradiance / beam.centre_irradiance.sum()
    profile = weights @ beam.profile  # relative to the total on the axis
    edges = np.concatenate([[0.0], beam.profile_radius_mm])
    cumulative = np.concatenate([[0.0], np.cumsum(profile * np.diff(edges**2))])  # ∝ power inside each edge
    inside = np.interp(grid.r_faces**2, edges**2, cumulative)  # power ∝ area is linear in ρ² within a ring
    return np.diff(inside) / np.diff(grid.r_faces**2)


def _axisymmetric(grid: GridRZ, stack: LayerStack, props: list[ThermalProperties], phases: list[Phase],
                  z_nodes: np.ndarray, lateral: np.ndarray, dt_s: float, response: SkinResponse | None,
                  params: ParameterSet) -> xr.Dataset:
    """r–z runs of the phases for a beam that is narrow or uneven: Q(r, z) = Q_axis(z)·`lateral`(r), `lateral` the
    irradiance of each ring cell relative to the axis (the light's own lateral spread in the tissue is neglected,
    which concentrates the deep heating a little); returns the beam-axis T(t, z) like the 1-D solver."""
    inside = lateral
    metabolic = _metabolic_heat(stack, props, grid.z)[:, None] * np.ones((1, grid.r.size))
    rest = resting_skin(params)
    resting = solve_rz(grid, None, h=rest.h_eff, t_env=rest.t_env, source=metabolic, steady=True)
    state = resting.temperature.values[0]
    parts = []
    for phase in phases:
        if response is not None:
            response.irradiance = phase.irradiance
        light = np.interp(grid.z, z_nodes, phase.source)[:, None] * inside[None, :]
        h: float | np.ndarray = phase.boundary.h_eff
        t_env: float | np.ndarray = phase.boundary.t_env
        q = phase.boundary.net_flux * inside
        cover = np.zeros(grid.r.size)
        if phase.face_radius_mm is not None and phase.beside is not None:  # the device covers its face's disc
            cover = _flat_top(grid, phase.face_radius_mm)
            beside = phase.beside
            h = phase.boundary.h_eff * cover + beside.h_eff * (1.0 - cover)
            t_env = np.where(h > 0, (phase.boundary.h_eff * phase.boundary.t_env * cover
                                     + beside.h_eff * beside.t_env * (1.0 - cover)) / np.where(h > 0, h, 1.0),
                             beside.t_env)
            q = phase.boundary.net_flux * cover + beside.net_flux * (1.0 - cover)
        step = max(dt_s, min(RZ_MIN_STEP_S, phase.duration_s / RZ_MIN_STEPS))
        rz = solve_rz(grid, phase.duration_s, dt=step, h=h, t_env=t_env, q_surface=q,
                      source=light + metabolic, initial=state,
                      perfusion_response=response, applied_part=phase.applied_part, cover=cover)
        state = rz.temperature.values[-1]
        device = ({"applied_part_temperature": ("t", rz.applied_part_temperature.values,
                                                rz.applied_part_temperature.attrs)}
                  if "applied_part_temperature" in rz else {})
        parts.append(xr.Dataset(
            {"temperature": (("t", "z"), rz.temperature.values[:, :, 0], rz.temperature.attrs),
             "surface_temperature": ("t", rz.surface_temperature.values[:, 0], rz.surface_temperature.attrs),
             **device},
            coords={"t": rz.t, "z": rz.z},
            attrs={"solver": "Pennes r-z (beam axis)",
                   **{k: float(v) for k, v in rz.attrs.items() if k.startswith("energy_")}},
        ))
    return _join(parts)


def heat_session(request: HeatRequest) -> HeatResult:
    """Temperature T(t, z) [°C] during a session, with skin temperature, burn dose and target temperatures."""
    return coupled_session(request, None)


def coupled_session(request: HeatRequest, model: DynamicVasodilation | None) -> HeatResult:
    """:func:`heat_session` with the dermal perfusion stepped by a dynamic `model` (the laser-Doppler perfusion model
    of :mod:`lightdose.physiology`; in r–z sessions updated every minute) instead of the request's vasodilation
    choice; `model` None is the plain heat session."""
    params = request.parameter_set()
    device = request.device()
    stack = request.stack()
    props = _layer_properties(stack, request.person.neuropathy, params)
    grid = make_grid(stack, depth=request.domain_depth, properties=props)
    source = np.zeros(grid.z.size)
    irradiance: float | None = None
    radius: float | None = None
    spot = (0.0, 0.0)
    part: AppliedPart | None = None
    face_radius: float | None = None
    if isinstance(device, HeatingPad):
        boundary = SkinBoundary(h_air=0.0, h_contact=params["boundary.heating_pad_contact [W/(m^2*K)]"] * _W_PER_M2,
                                t_pad=device.surface_temperature)
    else:
        beam = skin_beam(request.placement)
        radius = float(beam.radius_mm.min())
        if radius >= NARROW_BEAM_RADIUS_MM:  # broad: is the centre the hottest spot, or is the light uneven?
            spot = hottest_spot(request.placement, spreading_length(params))
            if spot != (0.0, 0.0):
                beam = skin_beam(request.placement, spot)
        source = _light_source(beam, stack, grid.z)
        irradiance = float(beam.centre_irradiance.sum())
        if device.contact and request.placement.distance == 0:
            part = None if request.placement.pad_heat > 0 else applied_part(device, stack, params)
            room = params["boundary.room_temperature [degC]"]
            if part is None:  # a fixed loss through the device and its measured waste heat, if given
                boundary = SkinBoundary(h_air=params["boundary.under_contact_pad [W/(m^2*K)]"] * _W_PER_M2,
                                        t_air=room, flux=request.placement.pad_heat)
            else:  # the applied part is the skin's only exchange under the face
                boundary = SkinBoundary(h_air=0.0, t_air=room)
            face_radius = math.sqrt(device.area / math.pi)
        else:
            boundary = bare_skin(params)
    phases = [Phase(request.exposure, boundary, source, irradiance or 0.0, part, face_radius,
                    bare_skin(params) if face_radius is not None else None)]
    if request.after > 0:
        phases.append(Phase(request.after, bare_skin(params), np.zeros(grid.z.size), 0.0))
    quasi_steady = model is None and request.vasodilation == "quasi-steady"
    dermis = [i for i, p in enumerate(props) if p.role == "dermis"]
    if radius is not None and (radius < NARROW_BEAM_RADIUS_MM or spot != (0.0, 0.0)):
        grid_rz = _rz_grid(stack, props, request.domain_depth, radius if spot == (0.0, 0.0) else UNEVEN_RADIUS_MM)
        lateral = _flat_top(grid_rz, radius) if spot == (0.0, 0.0) else _ring_profile(grid_rz, beam)
        is_skin = np.isin(stack.layer_indices(grid_rz.z), dermis)[:, None] & np.ones(grid_rz.r.size, dtype=bool)
        probe = np.zeros(is_skin.shape, dtype=bool)
        probe[:, 0] = True  # the dermis on the axis
        response = SkinResponse(is_skin, probe, model, params) if model is not None or quasi_steady else None
        ds = _axisymmetric(grid_rz, stack, props, phases, grid.z, lateral, request.dt, response, params)
    else:
        is_skin = np.isin(grid.layer, dermis)  # node i lies at the top of element i
        response = SkinResponse(is_skin, is_skin, model, params) if model is not None or quasi_steady else None
        ds = _layered(grid, stack, props, phases, request.dt, response, params)
    return _result(request, stack, ds, response, irradiance, radius, spot, params, part)


class TooHotForTheModel(OutOfRangeError):
    """A session whose tissue would pass :data:`~lightdose.thermal.burn.T_MAX_C` (100 °C), the end of the models'
    range; it names the input that drives it (``placement.pad_heat`` or ``exposure``)."""


def _result(request: HeatRequest, stack: LayerStack, ds: xr.Dataset, response: SkinResponse | None,
            irradiance: float | None, radius: float | None, spot: tuple[float, float],
            params: ParameterSet, part: AppliedPart | None = None) -> HeatResult:
    t = ds.t.values
    z = ds.z.values
    skin = ds.surface_temperature.values
    if not np.all(np.isfinite(ds.temperature.values)) or ds.temperature.values.max() > T_MAX_C:
        field = "placement.pad_heat" if request.placement.pad_heat > 0 else "exposure"
        minute = t[int(np.argmax(ds.temperature.values.max(axis=1) > T_MAX_C))] / 60.0
        raise TooHotForTheModel(field, f"the tissue would pass {T_MAX_C:g} °C (the end of the bioheat and burn models' "
                                f"range) after {minute:.2g} min: far beyond any safe use; allowed: a lower heat "
                                "input or a shorter exposure that keeps the skin below it")
    roles = [p.role for p in layer_properties(stack, params)]
    basal_depth = next((stack.boundaries[i + 1] for i in reversed(range(len(roles))) if roles[i] == "epidermis"), 0.1)
    basal = np.array([np.interp(basal_depth, z, row) for row in ds.temperature.values])
    names = [tg.name for tg in stack.targets]
    targets = np.array([[np.interp(tg.depth_mid, z, row) for tg in stack.targets] for row in ds.temperature.values])
    targets = targets.reshape(t.size, len(names))
    kind = "off" if response is None else "quasi-steady F(T)" if response.model is None else "dynamic"
    provenance = Provenance.of(request, params.name)
    ds = ds.assign(
        basal_epidermis_temperature=("t", basal, {"units": "degC", "depth_mm": basal_depth}),
        skin_perfusion_factor=("t", np.ones(t.size) if response is None else response.on(t), {
            "units": "1", "long_name": "dermal perfusion relative to rest, under the centre of the device",
            "vasodilation": kind}),
        target_temperature=(("t", "target"), targets, {"units": "degC", "long_name": "temperature at mid-depth"}),
    ).assign_coords(target=("target", np.array(names, dtype=str)))
    hot = skin >= CONTACT_SKIN_LIMIT_C
    solver = str(ds.attrs.get("solver", "Pennes 1-D"))
    ds.attrs.update({"device": request.placement.name, "site": stack.name, "solver": solver,
                     "session_end_s": request.exposure, "after_s": request.after, **provenance.attrs()})
    warnings = []
    if spot != (0.0, 0.0):
        warnings.append(f"the irradiance on the skin is uneven this close to the device: the temperature is computed "
                        f"under its hottest spot, {np.hypot(*spot):.3g} mm from the centre of the treated area, where "
                        f"the skin receives {mw_cm2(irradiance or 0.0):.3g} mW/cm² averaged over a thermal spreading "
                        "length")
    if skin.max() > CONTACT_SKIN_LIMIT_C:
        warnings.append(f"the skin reaches {skin.max():.1f} °C, above the {CONTACT_SKIN_LIMIT_C:g} °C limit for "
                        f"applied parts in prolonged skin contact (IEC 60601-1), after {t[np.argmax(hot)] / 60:.3g} "
                        "min")
    return HeatResult(
        request=request, dataset=ds, solver=solver, peak_skin_temp_c=float(skin.max()),
        time_above_43c_s=float(time_above(t, skin, CONTACT_SKIN_LIMIT_C)),
        time_to_43c_s=float(t[np.argmax(hot)]) if hot.any() else None,
        cem43_min=float(cem43(t, basal)), omega=float(arrhenius_omega(t, basal, params)),
        targets=tuple(TargetTemperature(name, float(targets[0, i]), float(targets[-1, i]), float(targets[:, i].max()))
                      for i, name in enumerate(names)),
        surface_irradiance=irradiance, spot_mm=spot, beam_radius_mm=radius, basal_depth_mm=float(basal_depth),
        warnings=tuple(warnings), provenance=provenance, device_heat=None if part is None else part.heat,
        peak_device_temp_c=(float(np.nanmax(ds.applied_part_temperature.values))
                            if "applied_part_temperature" in ds else None))


__all__ = ["HeatRequest", "HeatResult", "TargetTemperature", "applied_part", "bare_skin", "coupled_session",
           "heat_session", "remitted_fraction", "spreading_length"]
