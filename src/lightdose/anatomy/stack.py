"""Layered tissue: a stack of (tissue, thickness) with named targets at a depth range.

Depths are measured from the skin surface, in mm. The last layer may be semi-infinite (``thickness: null``).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from lightdose import tissues
from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.optics.tissue import OpticalProperties, Scattering, Tissue
from lightdose.units import Bounded

TargetKind = Literal["nerve", "muscle", "joint-capsule", "tendon", "other"]


class Layer(FrozenModel):
    """One homogeneous layer: a preset tissue name (or a full :class:`Tissue`) and its thickness [mm]."""

    tissue: str | Tissue
    thickness: Annotated[float, Bounded("length", gt=0.0)] | None = Field(
        default=None, description="mm; None = semi-infinite (last layer)")
    label: str = ""
    plantar_pad: Literal["forefoot", "heel"] | None = Field(default=None, description=(
        "a plantar fat pad (forefoot or heel): not scaled by BMI; neuropathy thins the forefoot pad"))
    blood: Annotated[float, Bounded("dimensionless", ge=0.0, le=0.1)] | None = Field(
        default=None, description="blood volume fraction replacing the tissue's own (a person's dermal blood)")
    scattering: Scattering | None = Field(default=None, description=(
        "scattering power law replacing the tissue's own (the parameter set's, set by Person.apply)"))

    @field_validator("tissue")
    @classmethod
    def _known_tissue(cls, value: str | Tissue) -> str | Tissue:
        if isinstance(value, str):
            tissues.get(value)  # raises InputError listing the known names
        return value

    @property
    def preset(self) -> str | None:
        """The name of the preset tissue this layer is made of (None for a tissue defined in full)."""
        return tissues.aliases().get(self.tissue, self.tissue) if isinstance(self.tissue, str) else None

    @property
    def resolved_tissue(self) -> Tissue:
        """The :class:`Tissue` of this layer (a preset is looked up by name), with its blood content and scattering
        replaced when :attr:`blood` and :attr:`scattering` are given."""
        tissue = tissues.get(self.tissue) if isinstance(self.tissue, str) else self.tissue
        if self.scattering is not None:
            tissue = tissue.model_copy(update={"scattering": self.scattering})
        if self.blood is None:
            return tissue
        return tissue.model_copy(update={"name": f"{tissue.name} (blood {self.blood:.2%})", "blood": self.blood})

    @property
    def name(self) -> str:
        """A display name: the label, else the tissue name."""
        return self.label or self.resolved_tissue.name


class Target(FrozenModel):
    """A structure to be treated (nerve, muscle, joint capsule) lying between two depths below the skin [mm]."""

    name: str
    kind: TargetKind = "nerve"
    depth_min: Annotated[float, Bounded("length", ge=0.0)] = Field(description="mm below the skin surface")
    depth_max: Annotated[float, Bounded("length", gt=0.0)] = Field(description="mm below the skin surface")
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Target:
        if self.depth_max < self.depth_min:
            raise ValueError(f"depth_max ({self.depth_max:g} mm) is shallower than depth_min ({self.depth_min:g} mm)")
        return self

    @property
    def depth_mid(self) -> float:
        """Middle of the depth range [mm]."""
        return 0.5 * (self.depth_min + self.depth_max)


class LayerStack(FrozenModel):
    """Layers from the skin surface down, with the targets that lie in them."""

    name: str = "custom"
    description: str = ""
    layers: list[Layer] = Field(min_length=1)
    targets: list[Target] = Field(default_factory=list)
    reference: str = ""

    @model_validator(mode="after")
    def _only_last_layer_semi_infinite(self) -> LayerStack:
        for i, layer in enumerate(self.layers[:-1]):
            if layer.thickness is None:
                raise ValueError(f"layers[{i}] has no thickness; only the last layer may be semi-infinite")
        return self

    @property
    def boundaries(self) -> list[float]:
        """Depths of the layer interfaces [mm], from 0 to the bottom (inf if the last layer is semi-infinite)."""
        z = [0.0]
        for layer in self.layers:
            z.append(z[-1] + (layer.thickness if layer.thickness is not None else math.inf))
        return z

    def layer_indices(self, depths_mm: np.ndarray) -> np.ndarray:
        """Index of the layer containing each depth [mm] (the deeper layer at an interface; clipped to the stack)."""
        edges = np.asarray(self.boundaries)
        return np.clip(np.searchsorted(edges, depths_mm, side="right") - 1, 0, len(self.layers) - 1)

    def layer_index_at(self, depth_mm: float) -> int:
        """Index of the layer containing `depth_mm` (the deeper layer at an interface)."""
        edges = self.boundaries
        if depth_mm < 0 or depth_mm > edges[-1]:
            raise ValueError(f"depth {depth_mm:g} mm is outside the stack (0–{edges[-1]:g} mm)")
        return int(self.layer_indices(np.asarray(depth_mm)))

    def target(self, name: str) -> Target:
        """The target called `name`."""
        for t in self.targets:
            if t.name == name:
                return t
        raise InputError("target", f"unknown target {name!r} at {self.name}; targets: {[t.name for t in self.targets]}")

    def optical_properties(self, wavelength_nm: float) -> list[tuple[float, OpticalProperties]]:
        """(thickness [mm], optical properties at `wavelength_nm`) per layer; inf thickness if semi-infinite."""
        return [
            (layer.thickness if layer.thickness is not None else math.inf,
             layer.resolved_tissue.optical_properties(wavelength_nm))
            for layer in self.layers
        ]
