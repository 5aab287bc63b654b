"""A person: skin type, subcutaneous fat, diabetic neuropathy — and how each changes a site's layer stack.

- Skin type (Fitzpatrick I–VI) selects the epidermis melanosome fraction (see the tissue library).
- Fat: a measured subcutaneous fat thickness replaces the site's value; otherwise a BMI scales it. The BMI
  rule is a lightdose assumption (fat thickness ∝ BMI − ``person.lean_bmi``, equal to the preset at
  ``person.reference_bmi``; both in the parameter set); give `fat_thickness` when it has been measured (e.g. by
  ultrasound). Plantar fat pads are not scaled by BMI.
- Diabetic neuropathy thins the forefoot plantar pad (5.7–7.8 mm without, 4.0–6.2 mm with neuropathy: the ratio of
  the mid-range values, parameter ``neuropathy.plantar_pad_ratio [1]``) and blunts skin perfusion, modelled here as
  low dermal blood content (the ``dermis-low-blood`` preset).
- `dermal_blood`, when given, sets the blood volume fraction of the dermis (Jacques 2013: 0.2–2 %, up to ~5 % in
  warm, vasodilated skin); it overrides the neuropathy default.
- `plantar_pad_scale` scales the plantar fat pads (heel, forefoot) for person-to-person variation: the published
  ranges (heel 15–20 mm, forefoot 5.7–7.8 mm; docs/references.md) are about ±15 % around their middles.
- Tissue optics from the parameter set: a preset layer whose scattering the parameter set gives (the dermis:
  ``optics.dermis.scattering``, in vivo by default; lightdose.tissues) gets that set's scattering when it differs from
  the library's, unless the layer already has its own.
Targets move with the tissue they lie in: depths are mapped layer by layer, proportionally inside a layer
whose thickness changes.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from lightdose import tissues
from lightdose.anatomy.stack import Layer, LayerStack
from lightdose.model_base import FrozenModel
from lightdose.parameters import ParameterSet, default_set
from lightdose.tissues import parse_skin_type
from lightdose.units import Bounded


class Person(FrozenModel):
    """The person being treated. Defaults: skin type III, the site's typical fat, no neuropathy."""

    skin_type: str = Field(default="III", description="Fitzpatrick skin type I–VI")
    fat_thickness: Annotated[float, Bounded("length", gt=0.0, le=100.0)] | None = Field(
        default=None, description="subcutaneous fat [mm]")
    bmi: float | None = Field(default=None, ge=15.0, le=60.0, description="body-mass index [kg/m²]")
    neuropathy: bool = Field(default=False, description="diabetic peripheral neuropathy")
    dermal_blood: Annotated[float, Bounded("dimensionless", ge=0.0, le=0.1)] | None = Field(
        default=None, description="dermal blood volume fraction")
    plantar_pad_scale: float = Field(default=1.0, ge=0.5, le=1.5,
                                     description="plantar fat pad thickness relative to the site preset")

    @field_validator("skin_type", mode="before")
    @classmethod
    def _roman(cls, value: object) -> str:
        return parse_skin_type(value)  # type: ignore[arg-type]

    @model_validator(mode="after")
    def _one_fat_measure(self) -> Person:
        if self.fat_thickness is not None and self.bmi is not None:
            raise ValueError("give fat_thickness or bmi, not both (a measured thickness overrides the BMI rule)")
        return self

    def _adjusted_layer(self, layer: Layer, first_fat: bool, params: ParameterSet) -> Layer:
        update: dict[str, object] = {}
        preset = layer.preset
        if preset is not None and preset.startswith("epidermis"):
            update["tissue"] = f"epidermis-{self.skin_type}"
        if preset == "dermis" and self.dermal_blood is not None:
            update["blood"] = self.dermal_blood
        elif preset == "dermis" and self.neuropathy:
            update["tissue"] = "dermis-low-blood"
        if preset == "subcutaneous-fat" and layer.thickness is not None:
            thickness = layer.thickness
            if layer.plantar_pad == "forefoot" and self.neuropathy:
                thickness *= params["neuropathy.plantar_pad_ratio [1]"]
            if layer.plantar_pad:
                thickness *= self.plantar_pad_scale
            if self.fat_thickness is not None and first_fat:
                thickness = self.fat_thickness
            elif self.bmi is not None and not layer.plantar_pad:
                lean, reference = params["person.lean_bmi [kg/m^2]"], params["person.reference_bmi [kg/m^2]"]
                thickness *= (self.bmi - lean) / (reference - lean)
            update["thickness"] = max(thickness, 0.05)
        if preset is not None and layer.scattering is None:
            update.update(_scattering_update(str(update.get("tissue", preset)), params))
        return layer.model_copy(update=update) if update else layer

    def apply(self, stack: LayerStack, parameters: ParameterSet | None = None) -> LayerStack:
        """The site's stack adjusted for this person (with the person-model and tissue-optics values of `parameters`,
        default the default set); targets below changed layers move with them."""
        params = parameters or default_set()
        fat_indices = [i for i, layer in enumerate(stack.layers) if layer.preset == "subcutaneous-fat"]
        layers = [self._adjusted_layer(layer, i == (fat_indices[0] if fat_indices else -1), params)
                  for i, layer in enumerate(stack.layers)]
        adjusted = stack.model_copy(update={"layers": layers})
        targets = [
            t.model_copy(update={"depth_min": map_depth(t.depth_min, stack, adjusted),
                                 "depth_max": map_depth(t.depth_max, stack, adjusted)})
            for t in stack.targets
        ]
        return adjusted.model_copy(update={"targets": targets})


def _scattering_update(preset: str, params: ParameterSet) -> dict[str, object]:
    """``{"scattering": …}`` when `params` give the preset's scattering (the dermis) and it differs from the
    library's, else nothing."""
    own = tissues.scattering(preset, params)
    return {"scattering": own} if own is not None and own != tissues.get(preset).scattering else {}


def map_depth(depth_mm: float, old: LayerStack, new: LayerStack) -> float:
    """Where tissue at `depth_mm` in `old` lies in `new` (same layers, other thicknesses) [mm].

    Inside a layer the position scales with the layer's thickness; in the semi-infinite last layer it keeps its
    distance from the layer's top.
    """
    i = old.layer_index_at(depth_mm)
    old_top, new_top = old.boundaries[i], new.boundaries[i]
    old_thickness, new_thickness = old.layers[i].thickness, new.layers[i].thickness
    if old_thickness is None or new_thickness is None:
        return new_top + (depth_mm - old_top)
    return new_top + (depth_mm - old_top) * new_thickness / old_thickness
