"""Axisymmetric (r–z) Pennes bioheat for finite beams and pads: cell-centred finite volumes, θ-scheme.

    ρc ∂T/∂t = (1/r) ∂/∂r (k r ∂T/∂r) + ∂/∂z (k ∂T/∂z) + ω ρ_b c_b (T_a − T) + Q(r, z)      (Pennes 1948)

Units as in :mod:`lightdose.thermal.pennes1d`: mm, s, W, J, °C. Layers are horizontal (k, ρc, ω depend on z
only); the cell faces follow the layer interfaces. Boundaries: at the skin (z = 0) a Robin condition per
radius, q_in(r) = h(r)·(T_env(r) − T_s) + q_s(r); at the bottom a fixed core temperature; at r_max either no
flux (default) or a fixed temperature. A device part lying on the skin (:class:`~lightdose.thermal.pennes1d.
AppliedPart`, one isothermal node: a pad or a probe head) can cover the rings inside its face; it is one more
unknown of the sparse system. The sparse matrix (C/Δt + θA) is LU-factorised once per run
(scipy.sparse.linalg.splu) and reused every step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import xarray as xr
from scipy.sparse.linalg import splu

from lightdose import __version__
from lightdose.anatomy import LayerStack
from lightdose.errors import InputError
from lightdose.thermal.pennes1d import AppliedPart, make_grid
from lightdose.thermal.properties import ThermalProperties
from lightdose.thermal.vasodilation import PerfusionResponse
from lightdose.units import parse_quantity


def graded_faces(length_mm: float, first_mm: float, growth: float, max_mm: float) -> np.ndarray:
    """Faces from 0 to `length_mm`: steps of `first_mm` growing by `growth` per cell, at most `max_mm`."""
    faces = [0.0]
    step = first_mm
    while faces[-1] + step < length_mm:
        faces.append(faces[-1] + step)
        step = min(step * growth, max_mm)
    if length_mm - faces[-1] < 0.3 * step and len(faces) > 1:
        faces[-1] = length_mm
    else:
        faces.append(length_mm)
    return np.asarray(faces)


@dataclass(frozen=True)
class GridRZ:
    """Cell faces in r and z [mm] and per-z-cell properties (ρc J/(mm³·K), k W/(mm·K), ωρ_bc_b W/(mm³·K))."""

    r_faces: np.ndarray
    z_faces: np.ndarray
    heat_capacity: np.ndarray
    conductivity: np.ndarray
    perfusion: np.ndarray

    @property
    def r(self) -> np.ndarray:
        """Cell-centre radii [mm]."""
        centres: np.ndarray = 0.5 * (self.r_faces[1:] + self.r_faces[:-1])
        return centres

    @property
    def z(self) -> np.ndarray:
        """Cell-centre depths [mm]."""
        centres: np.ndarray = 0.5 * (self.z_faces[1:] + self.z_faces[:-1])
        return centres

    @property
    def ring_area(self) -> np.ndarray:
        """Area of each radial ring [mm²]."""
        return math.pi * np.diff(self.r_faces**2)


def make_grid_rz(stack: LayerStack, radius: Any = 60.0, depth: Any = 40.0, dr_centre: Any = 0.1,
                 dz_surface: Any = 0.02, growth: float = 1.08, max_step: Any = 2.0,
                 properties: list[ThermalProperties] | None = None) -> GridRZ:
    """An r–z grid over `stack`: fine at the axis and the skin, faces on every layer interface."""
    r_max = parse_quantity(radius, "length", "radius")
    depth_mm = parse_quantity(depth, "length", "depth")
    dr0 = parse_quantity(dr_centre, "length", "dr_centre")
    dz0 = parse_quantity(dz_surface, "length", "dz_surface")
    step_max = parse_quantity(max_step, "length", "max_step")
    for name, value in (("radius", r_max), ("depth", depth_mm), ("dr_centre", dr0), ("dz_surface", dz0),
                        ("max_step", step_max)):
        if value <= 0:
            raise InputError(name, f"must be positive, got {value:g} mm")
    if not 1.0 <= growth <= 1.5:
        raise InputError("growth", f"{growth!r} must lie within 1…1.5")
    edges = [e for e in stack.boundaries if e < depth_mm] + [depth_mm]
    z_faces = [0.0]
    for top, bottom in zip(edges[:-1], edges[1:], strict=True):
        z_faces.extend(top + graded_faces(bottom - top, dz0, growth, step_max)[1:])
    z_faces_arr = np.asarray(z_faces)
    # per-cell properties from the 1-D grid's layer lookup (one property set per layer)
    one_d = make_grid(stack, depth=depth_mm, properties=properties)
    z_centres = 0.5 * (z_faces_arr[1:] + z_faces_arr[:-1])
    element = np.clip(np.searchsorted(one_d.z, z_centres) - 1, 0, one_d.dz.size - 1)
    return GridRZ(
        r_faces=graded_faces(r_max, dr0, growth, step_max),
        z_faces=z_faces_arr,
        heat_capacity=one_d.heat_capacity[element],
        conductivity=one_d.conductivity[element],
        perfusion=one_d.perfusion[element],
    )


def _per_radius(grid: GridRZ, value: Any, name: str) -> np.ndarray:
    array = np.broadcast_to(np.asarray(value, dtype=float), grid.r.shape).astype(float)
    if not np.all(np.isfinite(array)):
        raise InputError(name, "must be finite")
    return array


Exchange = tuple[np.ndarray, np.ndarray, np.ndarray | float, np.ndarray | float]
"""Heat exchanged with a fixed temperature, for the energy bookkeeping: the cells' indices, their conductances to
that temperature [W/K], the temperature [°C] and a fixed extra inflow [W]."""


@dataclass(frozen=True)
class _Part:
    """An applied part on the r–z grid: its node's totals and its coupling to the top cells."""

    part: AppliedPart
    cover: np.ndarray  # share of each ring's area under the part
    g_cells: np.ndarray  # conductance to each top cell (ring), half cell included [W/K]
    g_room: float  # [W/K]
    capacity: float  # [J/K]
    heat: float  # [W]


def _part_on_grid(grid: GridRZ, part: AppliedPart, cover: np.ndarray) -> _Part:
    """`part` (values per mm² of its face) over the rings it covers (`cover`: the share of each ring's area)."""
    face = float(np.sum(cover * grid.ring_area))
    half = 0.5 * np.diff(grid.z_faces)[0] / grid.conductivity[0]
    g_cells = cover * grid.ring_area * part.h_skin / (1.0 + part.h_skin * half)
    return _Part(part, cover, g_cells, part.h_room * face, part.heat_capacity * face, part.heat * face)


def _assemble(grid: GridRZ, h: np.ndarray, t_env: np.ndarray, q_surface: np.ndarray, source: np.ndarray,
              t_core: float, t_arterial: float, side_temperature: float | None,
              part: _Part | None = None) -> tuple[sp.csc_matrix, np.ndarray, np.ndarray, dict[str, Exchange]]:
    """Sparse A and b of C dT/dt = −A T + b (cell-centred; index = j·nr + i, j depth, i radius; an applied part's
    node, if any, last)."""
    nr, nz = grid.r.size, grid.z.size
    dr, dz = np.diff(grid.r_faces), np.diff(grid.z_faces)
    k = grid.conductivity
    area = grid.ring_area
    volume = area[None, :] * dz[:, None]  # (z, r)
    index = np.arange(nr * nz).reshape(nz, nr)
    rows, cols, vals = [], [], []
    diag = (grid.perfusion[:, None] * volume).ravel()
    b = (grid.perfusion[:, None] * volume * t_arterial + source.reshape(volume.shape) * volume).ravel()

    def couple(a: np.ndarray, c: np.ndarray, g: np.ndarray) -> None:
        rows.extend([a, c, a, c])
        cols.extend([c, a, a, c])
        vals.extend([-g, -g, g, g])

    # radial faces between rings i and i+1 (same layer: same k)
    r_face = grid.r_faces[1:-1]
    g_r = 2 * math.pi * r_face[None, :] * dz[:, None] * k[:, None] / (0.5 * (dr[:-1] + dr[1:]))[None, :]
    couple(index[:, :-1].ravel(), index[:, 1:].ravel(), g_r.ravel())
    # axial faces between cells j and j+1 (harmonic mean of k through two half cells)
    g_z = area[None, :] / (0.5 * dz[:-1] / k[:-1] + 0.5 * dz[1:] / k[1:])[:, None]
    couple(index[:-1, :].ravel(), index[1:, :].ravel(), g_z.ravel())
    matrix = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                           shape=(nr * nz, nr * nz)).tocsc()
    # skin: h in series with the half cell; core: fixed T through the half cell; side: fixed T or no flux
    g_top = area * h / (1.0 + h * 0.5 * dz[0] / k[0])
    diag[index[0]] += g_top
    b[index[0]] += g_top * t_env + q_surface * area
    g_bottom = area / (0.5 * dz[-1] / k[-1])
    diag[index[-1]] += g_bottom
    b[index[-1]] += g_bottom * t_core
    if side_temperature is not None:
        g_side = 2 * math.pi * grid.r_faces[-1] * dz * k / (0.5 * dr[-1])
        diag[index[:, -1]] += g_side
        b[index[:, -1]] += g_side * side_temperature
    if part is not None:  # one more unknown, coupled to the skin cells under the face
        node = nr * nz
        cells = index[0][part.g_cells > 0]
        g = part.g_cells[part.g_cells > 0]
        diag[cells] += g
        diag = np.append(diag, g.sum() + part.g_room)
        b = np.append(b, part.g_room * part.part.t_room + part.heat)
        coupling = sp.coo_matrix((np.concatenate([-g, -g]), (np.concatenate([cells, np.full(g.size, node)]),
                                                             np.concatenate([np.full(g.size, node), cells]))),
                                 shape=(node + 1, node + 1))
        matrix = sp.bmat([[matrix, None], [None, sp.csc_matrix((1, 1))]]).tocsc() + coupling
    matrix = matrix + sp.diags(diag)
    # per cell: conductance to a fixed temperature, for the energy bookkeeping (W/K, °C)
    exchange: dict[str, Exchange] = {
        "surface": (index[0], g_top, t_env, q_surface * area),
        "bottom": (index[-1], g_bottom, np.full(area.size, t_core), 0.0),
        "perfusion": (index.ravel(), (grid.perfusion[:, None] * volume).ravel(), t_arterial, 0.0),
    }
    if side_temperature is not None:
        exchange["side"] = (index[:, -1], g_side, side_temperature, 0.0)
    return matrix.tocsc(), b, volume, exchange


def surface_temperature(grid: GridRZ, cells: np.ndarray, h: np.ndarray, t_env: np.ndarray,
                        q_surface: np.ndarray) -> np.ndarray:
    """Skin temperature [°C] per radius from the first cell row and the boundary condition (flux continuity)."""
    g_half = 2.0 * grid.conductivity[0] / np.diff(grid.z_faces)[0]
    skin: np.ndarray = (h * t_env + q_surface + g_half * cells) / (h + g_half)
    return skin


def _relative(balance: float, *terms: float) -> float:
    """An energy balance's residual relative to the largest of its terms."""
    return balance / max(max(abs(t) for t in terms), 1e-300)


def _march(grid: GridRZ, system: tuple[sp.csc_matrix, np.ndarray, np.ndarray, dict[str, Exchange]], q: np.ndarray,
           state: np.ndarray, duration_s: float, n_steps: int, theta: float,
           perfusion_response: PerfusionResponse | None, refresh: int, t_arterial: float, on_grid: _Part | None,
           energy: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float], float]:
    """The θ-scheme from the cell temperatures `state` over `n_steps` equal steps; adds each exchange's heat to
    `energy` [J]. Returns the times [s], the fields (t, z, r), the applied part's temperatures (NaN without one), its
    energy terms [J] (``device_heat``, ``device_room``, ``device_stored`` and ``to_skin``; zero without one) and the
    change of heat stored in the tissue [J]."""
    matrix, b, volume, exchange = system
    shape = (grid.z.size, grid.r.size)
    n_cells = grid.z.size * grid.r.size
    step = duration_s / n_steps
    capacity = (grid.heat_capacity[:, None] * volume).ravel()
    if on_grid is not None:
        state = np.append(state, on_grid.part.start)
        capacity = np.append(capacity, on_grid.capacity)
    resting_perfusion = exchange["perfusion"][1]
    fields = np.empty((n_steps + 1, *shape))
    fields[0] = state[:n_cells].reshape(shape)
    part_temperature = np.full(n_steps + 1, math.nan if on_grid is None else on_grid.part.start)
    to_skin = room = 0.0
    for n in range(n_steps):
        if n == 0 or (perfusion_response is not None and n % refresh == 0):
            if perfusion_response is not None:
                interval = min(refresh, n_steps - n) * step
                perfusion = resting_perfusion * perfusion_response(state[:n_cells].reshape(shape), interval).ravel()
                change = np.zeros(state.size)
                change[:n_cells] = perfusion - exchange["perfusion"][1]
                matrix = matrix + sp.diags(change)
                b = b + change * t_arterial
                exchange["perfusion"] = (exchange["perfusion"][0], perfusion, t_arterial, 0.0)
            lhs = splu((sp.diags(capacity / step) + theta * matrix).tocsc())
            explicit = sp.diags(capacity / step) - (1.0 - theta) * matrix
        new = lhs.solve(explicit @ state + b)
        mean = theta * new + (1.0 - theta) * state
        for name, (cells, g, t_fixed, extra) in exchange.items():
            energy[name] += step * float(np.sum(g * (t_fixed - mean[cells])) + np.sum(extra))
        if on_grid is not None:
            to_skin += step * float(np.sum(on_grid.g_cells * (mean[-1] - mean[:grid.r.size])))
            room += step * on_grid.g_room * (on_grid.part.t_room - mean[-1])
            part_temperature[n + 1] = new[-1]
        state = new
        fields[n + 1] = state[:n_cells].reshape(shape)
    energy["source"] = duration_s * float(np.sum(q * volume))
    energy["surface"] += to_skin
    device = {"device_heat": 0.0, "device_room": 0.0, "device_stored": 0.0}
    if on_grid is not None:
        device = {"device_heat": on_grid.heat * duration_s, "device_room": float(room),
                  "device_stored": float(on_grid.capacity * (part_temperature[-1] - part_temperature[0])),
                  "to_skin": to_skin}
    stored = float(np.sum(capacity[:n_cells] * (fields[-1] - fields[0]).ravel()))
    return np.arange(n_steps + 1) * step, fields, part_temperature, device, stored


def _skin(grid: GridRZ, cells: np.ndarray, h: np.ndarray, t_env: np.ndarray, q_surface: np.ndarray,
          part: _Part | None, t_part: float) -> np.ndarray:
    """Skin temperature per radius [°C], with the applied part (at `t_part`) as one more exchange under its face."""
    if part is None:
        return surface_temperature(grid, cells, h, t_env, q_surface)
    h_skin = part.cover * part.part.h_skin
    h_total = h + h_skin
    env = np.where(h_total > 0, (h * t_env + h_skin * t_part) / np.where(h_total > 0, h_total, 1.0), t_env)
    return surface_temperature(grid, cells, h_total, env, q_surface)


def solve_rz(grid: GridRZ, duration: Any, dt: Any = 5.0, h: Any = 10e-6, t_env: Any = 25.0, q_surface: Any = 0.0,
             source: np.ndarray | float = 0.0, t_core: float = 37.0, t_arterial: float = 37.0,
             initial: float | np.ndarray | None = None, side_temperature: float | None = None,
             theta: float = 0.5, steady: bool = False,
             perfusion_response: PerfusionResponse | None = None,
             response_interval: Any = 60.0, applied_part: AppliedPart | None = None,
             cover: Any = 0.0) -> xr.Dataset:
    """Temperature T(t, z, r) [°C] (or the steady state if `steady`), with the skin temperature per radius.

    `h` [W/(mm²·K)], `t_env` [°C] and `q_surface` [W/mm²] may vary with radius (arrays over the cell radii);
    `source` Q [W/mm³] is an array (z, r) or a number. `initial` defaults to the steady state without source.
    A transient run records its energy budget [J] in attrs: stored heat, and heat from the source, through the
    skin, the bottom (and side) and from perfusion; ``energy_residual`` (relative) is round-off.
    `perfusion_response(temperatures, interval)` maps cell temperatures (z, r) [°C] to multipliers of the resting
    perfusion for the next `interval` seconds; it is called (and the matrix refactorised) every
    `response_interval` [s], with the interval's actual length — a lagged coupling, as perfusion responds over
    minutes.
    `applied_part` (values per mm² of its face) lies on the rings inside its face, `cover` being the share of each
    ring's area it covers; it is one isothermal node, starting at `applied_part.start`. `h`, `t_env` and `q_surface`
    then describe the skin beside it (scale them by 1 − `cover`). Its temperature is ``applied_part_temperature``,
    and its own heat, its exchange with the room and the change of its stored heat join the energy budget
    (``energy_device_heat_j``, ``energy_device_room_j``, ``energy_device_stored_j``; the heat it gives the skin is
    part of ``energy_surface_j``).
    """
    h_r = _per_radius(grid, h, "h")
    if np.any(h_r < 0):
        raise InputError("h", "heat-transfer coefficients must be ≥ 0")
    env_r = _per_radius(grid, t_env, "t_env")
    q_r = _per_radius(grid, q_surface, "q_surface")
    q = np.broadcast_to(np.asarray(source, dtype=float), (grid.z.size, grid.r.size))
    on_grid = None if applied_part is None else _part_on_grid(grid, applied_part, _per_radius(grid, cover, "cover"))
    matrix, b, volume, exchange = _assemble(grid, h_r, env_r, q_r, q, t_core, t_arterial, side_temperature, on_grid)
    energy = dict.fromkeys(exchange, 0.0)
    shape = (grid.z.size, grid.r.size)
    n_cells = grid.z.size * grid.r.size
    energy_attrs: dict[str, float] = {}
    part_temperature = np.array([math.nan])
    if steady:
        solution = splu(matrix).solve(b)
        cells = solution[:n_cells].reshape(shape)
        times = np.array([0.0])
        fields = cells[None]
        if on_grid is not None:
            part_temperature = solution[n_cells:]
    else:
        duration_s = parse_quantity(duration, "time", "duration")
        dt_s = parse_quantity(dt, "time", "dt")
        if duration_s <= 0 or dt_s <= 0:
            raise InputError("duration" if duration_s <= 0 else "dt", "must be a positive time")
        if initial is None:
            base, b0, _, _ = _assemble(grid, h_r, env_r, np.zeros_like(q_r), np.zeros(q.shape), t_core, t_arterial,
                                    side_temperature)
            state = splu(base).solve(b0)
        else:
            state = np.broadcast_to(np.asarray(initial, dtype=float), shape).ravel().copy()
        n_steps = max(1, math.ceil(duration_s / dt_s - 1e-9))
        refresh = max(1, round(parse_quantity(response_interval, "time", "response_interval") * n_steps / duration_s))
        times, fields, part_temperature, device, stored = _march(
            grid, (matrix, b, volume, exchange), q, state, duration_s, n_steps, theta, perfusion_response, refresh,
            t_arterial, on_grid, energy)
        supplied = sum(energy.values())
        residual = _relative(stored - supplied, stored, *energy.values())
        if on_grid is not None:
            to_skin = device.pop("to_skin")
            residual = max(residual, _relative(device["device_stored"] - device["device_heat"] - device["device_room"]
                                               + to_skin, *device.values(), to_skin), key=abs)
        energy_attrs = {f"energy_{name}_j": value for name, value in {**energy, **device}.items()}
        energy_attrs.update(energy_stored_j=stored, energy_residual=residual)
    skin = np.array([_skin(grid, f[0], h_r, env_r, q_r, on_grid, t_part) for f, t_part in
                     zip(fields, np.broadcast_to(part_temperature, (len(fields),)), strict=True)])
    return xr.Dataset(
        {
            "temperature": (("t", "z", "r"), fields, {"units": "degC", "long_name": "tissue temperature"}),
            "surface_temperature": (("t", "r"), skin, {"units": "degC", "long_name": "skin surface temperature"}),
            **({"applied_part_temperature": ("t", part_temperature, {
                "units": "degC", "long_name": "temperature of the device part lying on the skin"})}
               if on_grid is not None else {}),
        },
        coords={"t": ("t", times, {"units": "s"}), "z": ("z", grid.z, {"units": "mm"}),
                "r": ("r", grid.r, {"units": "mm"})},
        attrs={"solver": "Pennes r-z finite volumes, theta-scheme", "lightdose_version": __version__, **energy_attrs},
    )
