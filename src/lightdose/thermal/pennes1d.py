"""1-D Pennes bioheat equation in a layered stack, finite volumes + θ-scheme (Crank–Nicolson by default).

    ρc ∂T/∂t = ∂/∂z (k ∂T/∂z) + ω ρ_b c_b (T_a − T) + Q(z)          (Pennes 1948, J Appl Physiol 1:93)

z is the depth below the skin [mm]. Units throughout: mm, s, W, J, °C; ρc in J/(mm³·K), k in W/(mm·K),
ω ρ_b c_b in W/(mm³·K), Q in W/mm³, heat fluxes in W/mm², energies per unit skin area in J/mm².

Discretisation: vertex-centred finite volumes on a graded grid (spacing dz_surface at the skin, growing
linearly with depth up to dz_max) with a node on every layer interface, so each element is one tissue; the
heat capacity, perfusion and source of a node are lumped over its control volume. Time: the θ-scheme
(θ = ½, Crank–Nicolson), its symmetric tridiagonal matrix Cholesky-factorised once per run and reused at
every step. The first step is replaced by two backward-Euler half steps (Rannacher 1984, Numer Math 43:309)
so that a sudden change of surface condition does not make Crank–Nicolson oscillate.

Boundaries: at the skin (z = 0) a Robin condition, q_in = h_eff (T_env − T_s) + q_s (see
:class:`SkinBoundary`); at the bottom (z = depth) a fixed core temperature. A device lying on the skin (an LED pad,
a probe head) can be added as one more node above the skin (:class:`AppliedPart`): its heat capacity, its own heat,
its contact conductance to the skin and its loss to the room; the node joins the tridiagonal system, so the scheme
and its energy bookkeeping stay exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Annotated, Any

import numpy as np
import xarray as xr
from pydantic import Field, model_validator
from scipy.linalg import cho_solve_banded, cholesky_banded

from lightdose import __version__
from lightdose.anatomy import LayerStack
from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.parameters import ParameterSet
from lightdose.thermal.burn import T_MAX_C, T_MIN_C
from lightdose.thermal.properties import ThermalProperties, layer_properties
from lightdose.thermal.vasodilation import PerfusionResponse
from lightdose.units import Bounded, Irradiance, parse_quantity

BodyTemperature = Annotated[float, Bounded("temperature", ge=T_MIN_C, le=T_MAX_C)]


STEFAN_BOLTZMANN = 5.670374e-14
"""σ [W/(mm²·K⁴)] (5.670374e-8 W/(m²·K⁴))."""
SKIN_REFERENCE_C = 33.0
"""Skin temperature [°C] about which thermal radiation is linearised."""


class SkinBoundary(FrozenModel):
    """Heat exchange at the skin [W/mm², positive into the skin]:

        q_in = h_air (T_air − T_s) + h_rad (T_radiant − T_s) + h_contact (T_pad − T_s) + flux − evaporation

    `h_air` is convection (still air ≈ 3 W/(m²·K) for a seated person, ASHRAE Fundamentals 2017 ch. 9), or, with
    `emissivity` 0, convection and radiation lumped (the default 10 W/(m²·K)). Thermal radiation to surroundings
    at `t_radiant` (default `t_air`) is linearised about a 33 °C skin: h_rad = 4εσT_m³, T_m the mean of the two
    absolute temperatures (≈ 6 W/(m²·K) for skin, ε ≈ 0.98). `h_contact` couples a pad held at `t_pad`;
    `flux` is heat absorbed at the surface; `evaporation` the latent heat carried off by water leaving the skin.
    Together a Robin condition q_in = h_eff (T_env − T_s) + net_flux.
    """

    h_air: Annotated[float, Bounded("heat_transfer", ge=0.0)] = Field(
        default=1e-5, description="W/(mm²·K); default 10 W/(m²·K)")
    t_air: BodyTemperature = Field(default=25.0, description="°C")
    emissivity: float = Field(default=0.0, ge=0.0, le=1.0, description="skin emissivity for explicit radiation")
    t_radiant: BodyTemperature | None = Field(default=None, description="°C; mean radiant temperature (default t_air)")
    h_contact: Annotated[float, Bounded("heat_transfer", ge=0.0)] = Field(default=0.0, description="W/(mm²·K)")
    t_pad: BodyTemperature | None = Field(default=None, description="°C; needed when h_contact > 0")
    flux: Irradiance = Field(default=0.0, description="W/mm² absorbed at the surface, positive into the skin")
    evaporation: Annotated[float, Bounded("irradiance", ge=0.0)] = Field(
        default=0.0, description="W/mm² of latent heat leaving the skin")

    @model_validator(mode="after")
    def _pad_needs_temperature(self) -> SkinBoundary:
        if self.h_contact > 0 and self.t_pad is None:
            raise ValueError("t_pad is needed when h_contact > 0")
        return self

    @property
    def radiant_temperature(self) -> float:
        """Mean radiant temperature of the surroundings [°C]."""
        return self.t_air if self.t_radiant is None else self.t_radiant

    @property
    def h_rad(self) -> float:
        """Linearised radiative heat-transfer coefficient [W/(mm²·K)]."""
        mean_k = 0.5 * (SKIN_REFERENCE_C + self.radiant_temperature) + 273.15
        return 4.0 * self.emissivity * STEFAN_BOLTZMANN * mean_k**3

    @property
    def h_eff(self) -> float:
        """Total heat-transfer coefficient [W/(mm²·K)]."""
        return self.h_air + self.h_rad + self.h_contact

    @property
    def t_env(self) -> float:
        """Conductance-weighted environment temperature [°C]."""
        if self.h_eff == 0:
            return self.t_air
        pad = self.h_contact * self.t_pad if self.t_pad is not None else 0.0
        return (self.h_air * self.t_air + self.h_rad * self.radiant_temperature + pad) / self.h_eff

    @property
    def net_flux(self) -> float:
        """Absorbed surface flux minus evaporative loss [W/mm²]."""
        return self.flux - self.evaporation


class AppliedPart(FrozenModel):
    """A device part lying on the skin, lumped into one node per mm² of skin (energy balance, positive into the
    part):

        C dT_d/dt = heat − h_skin (T_d − T_s) − h_room (T_d − t_room)

    `heat_capacity` C [J/(mm²·K)], `h_skin` its contact conductance to the skin and `h_room` its conductance to the
    room [W/(mm²·K)], `t_room` [°C], `heat` the heat generated or absorbed in it [W/mm²], `t_start` its temperature
    when the run starts [°C] (default `t_room`: a device taken from the shelf).
    """

    heat_capacity: float = Field(gt=0.0, description="J/(mm²·K)")
    h_skin: float = Field(gt=0.0, description="W/(mm²·K)")
    h_room: float = Field(ge=0.0, description="W/(mm²·K)")
    t_room: BodyTemperature = Field(default=25.0, description="°C")
    heat: float = Field(default=0.0, ge=0.0, description="W/mm²")
    t_start: BodyTemperature | None = Field(default=None, description="°C; default t_room")

    @property
    def start(self) -> float:
        """Temperature of the part when the run starts [°C]."""
        return self.t_room if self.t_start is None else self.t_start


@dataclass(frozen=True)
class Grid:
    """Nodes z [mm] from the skin (z[0] = 0) to the fixed-temperature bottom, and per-element properties."""

    z: np.ndarray
    """Node depths [mm]."""
    heat_capacity: np.ndarray
    """ρc per element [J/(mm³·K)]."""
    conductivity: np.ndarray
    """k per element [W/(mm·K)]."""
    perfusion: np.ndarray
    """ω ρ_b c_b per element [W/(mm³·K)]."""
    layer: np.ndarray
    """Layer index per element."""
    layer_names: tuple[str, ...]

    @property
    def dz(self) -> np.ndarray:
        """Element widths [mm]."""
        return np.diff(self.z)

    def lumped(self, per_element: np.ndarray) -> np.ndarray:
        """Integral of a per-element density over each node's control volume (per mm² of skin)."""
        half = 0.5 * per_element * self.dz
        out = np.zeros(self.z.size)
        out[:-1] += half
        out[1:] += half
        return out

    @property
    def volume(self) -> np.ndarray:
        """Control-volume width of each node [mm], i.e. volume per mm² of skin."""
        return self.lumped(np.ones(self.dz.size))


def _stretch(z: np.ndarray | float, dz0: float, rate: float, dz_max: float) -> np.ndarray:
    """ξ(z) = ∫ dz / s(z) with the target spacing s(z) = min(dz_max, dz0 + rate·z)."""
    z = np.asarray(z, dtype=float)
    if rate == 0:
        return z / dz0
    z_star = (dz_max - dz0) / rate
    xi_star = math.log(dz_max / dz0) / rate
    return np.where(z <= z_star, np.log1p(rate * np.minimum(z, z_star) / dz0) / rate,
                    xi_star + (z - z_star) / dz_max)


def _unstretch(xi: np.ndarray, dz0: float, rate: float, dz_max: float) -> np.ndarray:
    if rate == 0:
        return xi * dz0
    z_star = (dz_max - dz0) / rate
    xi_star = math.log(dz_max / dz0) / rate
    return np.where(xi <= xi_star, dz0 * np.expm1(rate * np.minimum(xi, xi_star)) / rate,
                    z_star + (xi - xi_star) * dz_max)


def make_grid(
    stack: LayerStack,
    depth: Any = 40.0,
    dz_surface: Any = 0.01,
    dz_max: Any = 0.25,
    grading: float = 0.1,
    properties: list[ThermalProperties] | None = None,
    parameters: ParameterSet | None = None,
) -> Grid:
    """A graded grid over `stack` down to `depth` [mm], where the core temperature is fixed.

    The target spacing is min(`dz_max`, `dz_surface` + `grading`·z) (geometric growth by 1 + `grading` per
    element); each layer gets whole elements, so layer interfaces are nodes. Halving `dz_surface`, `dz_max`
    and `grading` halves every spacing. `properties` (one per layer) override the presets' thermal properties from
    `parameters` (default: the default set).
    """
    depth_mm = parse_quantity(depth, "length", "depth")
    dz0 = parse_quantity(dz_surface, "length", "dz_surface")
    dzm = parse_quantity(dz_max, "length", "dz_max")
    if depth_mm <= 0:
        raise InputError("depth", f"{depth!r} must be a positive depth")
    if dz0 <= 0 or dz0 > depth_mm:
        raise InputError("dz_surface", f"{dz_surface!r} must lie in (0, depth = {depth_mm:g} mm]")
    if dzm < dz0:
        raise InputError("dz_max", f"{dz_max!r} must be at least dz_surface ({dz0:g} mm)")
    if not 0 <= grading <= 0.5:
        raise InputError("grading", f"{grading!r} must lie within 0…0.5 (growth factor per element − 1)")
    if properties is None:
        props = layer_properties(stack, parameters)
    elif len(properties) != len(stack.layers):
        raise InputError("properties", f"give one set per layer ({len(stack.layers)}), got {len(properties)}")
    else:
        props = list(properties)

    edges = [e for e in stack.boundaries if e < depth_mm] + [depth_mm]
    nodes = [np.zeros(1)]
    layer_of_element = []
    for i in range(len(edges) - 1):
        xi = _stretch(np.array(edges[i:i + 2]), dz0, grading, dzm)
        n = max(1, math.ceil(xi[1] - xi[0] - 1e-9))
        inner = _unstretch(np.linspace(xi[0], xi[1], n + 1)[1:-1], dz0, grading, dzm)
        nodes += [inner, np.array([edges[i + 1]])]
        layer_of_element += [i] * n
    z = np.concatenate(nodes)
    layer = np.array(layer_of_element)
    return Grid(
        z=z,
        heat_capacity=np.array([props[i].heat_capacity for i in layer]),
        conductivity=np.array([props[i].conductivity_mm for i in layer]),
        perfusion=np.array([props[i].perfusion_coefficient for i in layer]),
        layer=layer,
        layer_names=tuple(stack.layers[i].name for i in range(len(edges) - 1)),
    )


def _temperature(value: Any, field: str) -> float:
    result = parse_quantity(value, "temperature", field)
    if not T_MIN_C <= result <= T_MAX_C:
        raise InputError(field, f"{value!r} is outside {T_MIN_C:g}…{T_MAX_C:g} °C")
    return result


def _per_node(grid: Grid, value: np.ndarray | float, field: str, unit: str) -> np.ndarray:
    """`value` as one finite number per node (a scalar is repeated)."""
    array = np.asarray(value, dtype=float)
    if array.ndim > 0 and array.shape != grid.z.shape or not np.all(np.isfinite(array)):
        raise InputError(field, f"need a finite number or one finite value [{unit}] at each of the {grid.z.size} "
                                f"grid nodes, got shape {array.shape}")
    return np.array(np.broadcast_to(array, grid.z.shape))


def _source(grid: Grid, source: np.ndarray | float | None) -> np.ndarray:
    return np.zeros(grid.z.size) if source is None else _per_node(grid, source, "source", "W/mm³")


@dataclass(frozen=True)
class _System:
    """M dT/dt = −A T + b over the free nodes (all but the bottom one, whose temperature is fixed)."""

    capacity: np.ndarray  # M [J/(mm²·K)]
    diag: np.ndarray  # diagonal of A [W/(mm²·K)]
    off: np.ndarray  # off-diagonal of A: minus the element conductances [W/(mm²·K)]
    b: np.ndarray  # [W/mm²]
    perfusion: np.ndarray  # lumped ω ρ_b c_b [W/(mm²·K)]
    sources: np.ndarray  # lumped Q [W/mm²]
    g_bottom: float  # conductance of the last element [W/(mm²·K)]
    offset: int = 0  # 1 when an applied part's node comes first, else 0

    def apply(self, T: np.ndarray) -> np.ndarray:
        """A·T."""
        out: np.ndarray = self.diag * T
        out[:-1] += self.off * T[1:]
        out[1:] += self.off * T[:-1]
        return out

    def factor(self, weight: float, storage: bool = True) -> np.ndarray:
        """Banded Cholesky factor of M + weight·A, or of weight·A without `storage` (symmetric positive definite)."""
        ab = np.zeros((2, self.diag.size))
        ab[0, 1:] = weight * self.off
        ab[1] = weight * self.diag + (self.capacity if storage else 0.0)
        return cholesky_banded(ab)


def _system(grid: Grid, boundary: SkinBoundary, q: np.ndarray, t_core: float, t_arterial: float) -> _System:
    g = grid.conductivity / grid.dz  # one per element; element e joins nodes e and e + 1
    perfusion = grid.lumped(grid.perfusion)[:-1]
    sources = (q * grid.volume)[:-1]
    diag = perfusion + g
    diag[1:] += g[:-1]
    diag[0] += boundary.h_eff
    b = perfusion * t_arterial + sources
    b[0] += boundary.h_eff * boundary.t_env + boundary.net_flux
    b[-1] += g[-1] * t_core
    return _System(grid.lumped(grid.heat_capacity)[:-1], diag, -g[:-1], b, perfusion, sources, float(g[-1]))


def _with_part(system: _System, part: AppliedPart | None) -> _System:
    """`system` with an applied part's node prepended (coupled to the skin node by `part.h_skin`)."""
    if part is None:
        return system
    diag = np.concatenate([[part.h_skin + part.h_room], system.diag])
    diag[1] += part.h_skin
    return _System(capacity=np.concatenate([[part.heat_capacity], system.capacity]), diag=diag,
                   off=np.concatenate([[-part.h_skin], system.off]),
                   b=np.concatenate([[part.h_room * part.t_room + part.heat], system.b]),
                   perfusion=np.concatenate([[0.0], system.perfusion]),
                   sources=np.concatenate([[0.0], system.sources]), g_bottom=system.g_bottom, offset=1)


def _with_perfusion(system: _System, perfusion: np.ndarray, t_arterial: float) -> _System:
    """`system` with the lumped perfusion replaced (diagonal and arterial inflow adjusted)."""
    change = perfusion - system.perfusion
    return replace(system, diag=system.diag + change, b=system.b + change * t_arterial, perfusion=perfusion)


def steady_state(
    grid: Grid,
    boundary: SkinBoundary | None = None,
    source: np.ndarray | float | None = None,
    t_core: Any = 37.0,
    t_arterial: Any = 37.0,
) -> np.ndarray:
    """Steady temperature [°C] at the grid nodes: A T = b (default boundary: still air at 25 °C, no source)."""
    core = _temperature(t_core, "t_core")
    system = _system(grid, boundary or SkinBoundary(), _source(grid, source), core,
                     _temperature(t_arterial, "t_arterial"))
    free = cho_solve_banded((system.factor(1.0, storage=False), False), system.b)
    return np.append(free, core)


def _run_times(duration: Any, dt: Any, theta: float) -> tuple[float, float]:
    """A run's duration and time step [s], checked, and its θ."""
    duration_s = parse_quantity(duration, "time", "duration")
    dt_s = parse_quantity(dt, "time", "dt")
    if duration_s <= 0:
        raise InputError("duration", f"{duration!r} must be a positive time")
    if dt_s <= 0:
        raise InputError("dt", f"{dt!r} must be a positive time step")
    if not 0.5 <= theta <= 1.0:
        raise InputError("theta", f"{theta!r} must lie within 0.5 (Crank–Nicolson) … 1 (backward Euler)")
    return duration_s, dt_s


def _start(grid: Grid, initial: np.ndarray | float | None, core: float, arterial: float) -> np.ndarray:
    """The starting temperatures [°C] at the nodes (default: the steady state in still air), the bottom at `core`."""
    if initial is None:
        return steady_state(grid, t_core=core, t_arterial=arterial)
    T0 = _per_node(grid, initial, "initial", "°C")
    if T0.min() < T_MIN_C or T0.max() > T_MAX_C:
        raise InputError("initial", f"temperatures must lie within {T_MIN_C:g}…{T_MAX_C:g} °C")
    T0[-1] = core
    return T0


def _relative(balance: float, *terms: float) -> float:
    """An energy balance's residual relative to the largest of its terms."""
    return balance / max(max(abs(t) for t in terms), 1e-300)


def solve_pennes(
    grid: Grid,
    duration: Any,
    dt: Any = 1.0,
    boundary: SkinBoundary | None = None,
    source: np.ndarray | float | None = None,
    t_core: Any = 37.0,
    t_arterial: Any = 37.0,
    initial: np.ndarray | float | None = None,
    theta: float = 0.5,
    perfusion_response: PerfusionResponse | None = None,
    applied_part: AppliedPart | None = None,
) -> xr.Dataset:
    """Temperature T(t, z) [°C] for `duration` [s] in equal steps of at most `dt` [s].

    `boundary` the skin condition (default still air at 25 °C); `source` Q [W/mm³] at the nodes (e.g. μa·φ),
    constant over the run; `t_core` [°C] fixed at the bottom node; `t_arterial` [°C] of the perfusing blood;
    `initial` the starting temperature [°C], a number or one per node (default: the steady state in still air
    at 25 °C without source); `theta` the implicitness (½ Crank–Nicolson, 1 backward Euler);
    `perfusion_response(temperatures, step)` maps the temperatures of the free nodes [°C] at the start of a step
    of `step` seconds to a multiplier of each node's resting perfusion for that step, ω = ω_rest·F (e.g. the
    vasodilation of :mod:`lightdose.thermal.vasodilation` applied to skin nodes, or a dynamic perfusion model
    that advances its own state over the step). It is called once per step, in order (lagged coupling), and the
    matrix is refactorised every step. `applied_part` a device part lying on the skin (:class:`AppliedPart`), solved
    with the tissue as one more node; `boundary` still applies to the skin beside it (give h_air = 0 for none).

    The result holds the energy bookkeeping per mm² of skin [J/mm²] over the run: stored heat, and the heat
    from the source, through the skin surface, through the bottom and from perfusion; with an applied part also its
    own heat (``energy_device_heat``), its exchange with the room (``energy_device_room``) and the change of heat
    stored in it (``energy_device_stored``), zero without one; ``applied_part_temperature`` then holds its
    temperature. The scheme conserves energy, so ``energy_residual`` — stored − the sum of the others, relative to
    the largest term, for the tissue and for the part, whichever is larger — is round-off.
    """
    duration_s, dt_s = _run_times(duration, dt, theta)
    boundary = boundary or SkinBoundary()
    core = _temperature(t_core, "t_core")
    arterial = _temperature(t_arterial, "t_arterial")
    q = _source(grid, source)
    T0 = _start(grid, initial, core, arterial)
    n_steps = max(1, math.ceil(duration_s / dt_s - 1e-9))
    step = duration_s / n_steps
    system = _with_part(_system(grid, boundary, q, core, arterial), applied_part)
    k = system.offset  # index of the skin node in the free vector

    # Step schedule: (step length, θ); the first step as two backward-Euler half steps (Rannacher start).
    plan = [(step / 2, 1.0), (step / 2, 1.0)] + [(step, theta)] * (n_steps - 1)
    factors: dict[tuple[float, float], np.ndarray] = {}
    T = np.empty((n_steps + 1, grid.z.size))
    T[0] = T0
    part_start = applied_part.start if applied_part is not None else math.nan
    part_temperature = np.full(n_steps + 1, part_start)
    free = np.concatenate([[part_start] if k else [], T0[:-1]])
    surface = bottom = perfused = to_skin = room = 0.0
    row = 0
    resting = system
    for index, (tau, th) in enumerate(plan):
        key = (tau, th)
        if perfusion_response is not None:
            factor = np.concatenate([[1.0] if k else [], perfusion_response(free[k:], tau)])
            system = _with_perfusion(resting, resting.perfusion * factor, arterial)
            factors = {key: system.factor(th * tau)}
        elif key not in factors:
            factors[key] = system.factor(th * tau)
        rhs = system.capacity * free - (1.0 - th) * tau * system.apply(free) + tau * system.b
        new = cho_solve_banded((factors[key], False), rhs)
        mean = th * new + (1.0 - th) * free
        surface += tau * (boundary.h_eff * (boundary.t_env - mean[k]) + boundary.net_flux)
        if applied_part is not None:
            to_skin += tau * applied_part.h_skin * (mean[0] - mean[k])
            room += tau * applied_part.h_room * (applied_part.t_room - mean[0])
        bottom += tau * system.g_bottom * (core - mean[-1])
        perfused += tau * float(np.sum(system.perfusion * (arterial - mean)))
        free = new
        if index >= 1:
            row += 1
            T[row, :-1] = free[k:]
            T[row, -1] = core
            if k:
                part_temperature[row] = free[0]
    surface += to_skin
    stored = float(np.sum(system.capacity[k:] * (T[-1, :-1] - T0[:-1])))
    sourced = duration_s * float(np.sum(system.sources))
    residual = _relative(stored - sourced - surface - bottom - perfused, stored, sourced, surface, bottom, perfused)
    device_heat = device_stored = 0.0
    if applied_part is not None:
        device_heat = duration_s * applied_part.heat
        device_stored = applied_part.heat_capacity * (part_temperature[-1] - part_start)
        residual = max(residual, _relative(device_stored - device_heat - room + to_skin, device_stored, device_heat,
                                           room, to_skin), key=abs)

    energy = {"units": "J/mm^2", "note": "per mm² of skin, over the whole run"}
    return xr.Dataset(
        {
            "temperature": (("t", "z"), T, {"units": "degC", "long_name": "tissue temperature"}),
            "surface_temperature": ("t", T[:, 0], {"units": "degC", "long_name": "skin surface temperature"}),
            "source": ("z", q, {"units": "W/mm^3", "long_name": "volumetric heat source Q"}),
            "energy_stored": ((), stored, {**energy, "long_name": "change of stored heat"}),
            "energy_source": ((), sourced, {**energy, "long_name": "heat from the source Q"}),
            "energy_surface": ((), surface, {**energy, "long_name": "heat in through the skin surface"}),
            "energy_bottom": ((), bottom, {**energy, "long_name": "heat in through the bottom (core) boundary"}),
            "energy_perfusion": ((), perfused, {**energy, "long_name": "heat from perfusion (negative: carried off)"}),
            "energy_device_heat": ((), device_heat, {**energy, "long_name": "heat generated in the applied part"}),
            "energy_device_room": ((), room, {**energy, "long_name": "heat into the applied part from the room"}),
            "energy_device_stored": ((), device_stored, {**energy,
                                                         "long_name": "change of heat stored in the applied part"}),
            "energy_residual": ((), residual, {"units": "1", "long_name": "stored − inputs, relative to the largest"}),
            **({"applied_part_temperature": ("t", part_temperature, {
                "units": "degC", "long_name": "temperature of the device part lying on the skin"})}
               if applied_part is not None else {}),
        },
        coords={
            "t": ("t", np.arange(n_steps + 1) * step, {"units": "s", "long_name": "time"}),
            "z": ("z", grid.z, {"units": "mm", "long_name": "depth below the skin surface"}),
        },
        attrs={
            "solver": "1-D Pennes, vertex-centred finite volumes, theta-scheme with Rannacher start",
            "theta": theta,
            "dt_s": step,
            "t_core_c": core,
            "t_arterial_c": arterial,
            "boundary_h_eff": boundary.h_eff,
            "boundary_t_env_c": boundary.t_env,
            "lightdose_version": __version__,
        },
    )
