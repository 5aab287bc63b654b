"""Arrangements of identical emitters: rectangular grids (pads, panels) and single emitters (probes)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from lightdose.devices.emitters import Emitter
from lightdose.model_base import FrozenModel
from lightdose.units import Bounded, Length

MAX_EMITTERS = 100_000
"""Most emitters a device may hold (all its grids together): a map of that many costs seconds, and a plan maps a
device many times. Real pads and panels hold tens to hundreds."""


class EmitterGrid(FrozenModel):
    """`rows` × `columns` identical emitters at pitch (`pitch_x`, `pitch_y`) [mm], centred on (`offset_x`, `offset_y`).

    Positions are in the device's own frame: x along its width, y along its height, origin at its centre. A
    single probe is a 1 × 1 grid. Interleaved multi-wavelength panels are several grids with offsets.
    """

    emitter: Emitter
    rows: int = Field(default=1, ge=1, le=MAX_EMITTERS)
    columns: int = Field(default=1, ge=1, le=MAX_EMITTERS)
    pitch_x: Annotated[float, Bounded("length", ge=0.0)] = Field(
        default=0.0, description="centre-to-centre spacing along x [mm]")
    pitch_y: Annotated[float, Bounded("length", ge=0.0)] = Field(
        default=0.0, description="centre-to-centre spacing along y [mm]")
    offset_x: Length = Field(default=0.0, description="x of the grid's centre in the device frame [mm]")
    offset_y: Length = Field(default=0.0, description="y of the grid's centre in the device frame [mm]")

    @model_validator(mode="after")
    def _checked(self) -> EmitterGrid:
        if self.count > MAX_EMITTERS:
            raise ValueError(f"{self.rows} × {self.columns} = {self.count} emitters; allowed: at most {MAX_EMITTERS} "
                             "per device")
        if self.columns > 1 and self.pitch_x <= 0.0:
            raise ValueError(f"pitch_x must be > 0 for {self.columns} columns")
        if self.rows > 1 and self.pitch_y <= 0.0:
            raise ValueError(f"pitch_y must be > 0 for {self.rows} rows")
        return self

    @property
    def count(self) -> int:
        """Number of emitters."""
        return self.rows * self.columns

    @property
    def power(self) -> float:
        """Total radiant power of the grid [W]."""
        return self.count * self.emitter.power

    def axes(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """x of the columns and y of the rows [mm]: shapes (columns,) and (rows,)."""
        x = self.offset_x + (np.arange(self.columns, dtype=np.float64) - (self.columns - 1) / 2.0) * self.pitch_x
        y = self.offset_y + (np.arange(self.rows, dtype=np.float64) - (self.rows - 1) / 2.0) * self.pitch_y
        return x, y

    def positions(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Emitter centres (x, y) [mm], each of shape (count,)."""
        xx, yy = np.meshgrid(*self.axes())
        return xx.ravel(), yy.ravel()

    def reach(self) -> tuple[float, float]:
        """Largest |x| and |y| [mm] that the grid's emitting faces reach from the device's centre."""
        half_x, half_y = self.emitter.half_extent
        x, y = self.axes()
        return float(np.abs(x).max()) + half_x, float(np.abs(y).max()) + half_y
