"""A person: skin type, subcutaneous fat, diabetic neuropathy — and how each changes a site's layer stack.

- Skin type (Fitzpatrick I–VI) selects the epidermis melanosome fraction (see the tissue library).
- Fat: a measured subcutaneous fat thickness replaces the site's value; otherwise a BMI scales it. The BMI
  rule is a lightdose assumption (fat thickness ∝ BMI − 15 kg/m², equal to the preset at BMI 25); give
  `fat_thickness` when it has been measured (e.g. by ultrasound). Plantar fat pads are not scaled by BMI.
- Diabetic neuropathy thins the forefoot plantar pad from 5.7–7.8 mm to 4.0–6.2 mm (SCIENCE.md §8: ratio of
  the mid-range values, 5.1/6.75) and blunts skin perfusion, modelled here as low dermal blood content.
- `dermal_blood`, when given, sets the blood volume fraction of the dermis (Jacques 2013: 0.2–2 %, up to ~5 % in
  warm, vasodilated skin); it overrides the neuropathy default.
- `plantar_pad_scale` scales the plantar fat pads (heel, forefoot) for person-to-person variation: the ranges of
  SCIENCE.md §8 (heel 15–20 mm, forefoot 5.7–7.8 mm) are about ±15 % around their middles.
Targets move with the tissue they lie in: depths are mapped layer by layer, proportionally inside a layer
whose thickness changes.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from lightdose import tissues
from lightdose.anatomy.stack import Layer, LayerStack
from lightdose.model_base import FrozenModel
from lightdose.tissues import parse_skin_type
from lightdose.units import Bounded

REFERENCE_BMI = 25.0
"""BMI [kg/m²] at which the site presets' subcutaneous fat thickness applies (lightdose assumption)."""
LEAN_BMI = 15.0
"""BMI [kg/m²] at which the BMI rule extrapolates subcutaneous fat to zero thickness (lightdose assumption)."""
NEUROPATHY_PLANTAR_PAD_RATIO = 5.1 / 6.75
"""Forefoot plantar pad thickness with / without diabetic neuropathy (mid-ranges 4.0–6.2 vs 5.7–7.8 mm)."""


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

    def _adjusted_layer(self, layer: Layer, first_fat: bool) -> Layer:
        update: dict[str, object] = {}
        tissue = layer.tissue if isinstance(layer.tissue, str) else None
        if tissue is not None and tissue.startswith("epidermis"):
            update["tissue"] = f"epidermis-{self.skin_type}"
        if tissue == "dermis" and self.dermal_blood is not None:
            update["tissue"] = tissues.get("dermis").model_copy(
                update={"name": f"dermis (blood {self.dermal_blood:.2%})", "blood": self.dermal_blood}
            )
        elif tissue == "dermis" and self.neuropathy:
            update["tissue"] = "dermis-low-blood"
        if tissue == "subcutaneous-fat" and layer.thickness is not None:
            thickness = layer.thickness
            if layer.plantar_pad and self.neuropathy and "forefoot" in layer.label:
                thickness *= NEUROPATHY_PLANTAR_PAD_RATIO
            if layer.plantar_pad:
                thickness *= self.plantar_pad_scale
            if self.fat_thickness is not None and first_fat:
                thickness = self.fat_thickness
            elif self.bmi is not None and not layer.plantar_pad:
                thickness *= (self.bmi - LEAN_BMI) / (REFERENCE_BMI - LEAN_BMI)
            update["thickness"] = max(thickness, 0.05)
        return layer.model_copy(update=update) if update else layer

    def apply(self, stack: LayerStack) -> LayerStack:
        """The site's stack adjusted for this person; targets below changed layers move with them."""
        fat_indices = [i for i, layer in enumerate(stack.layers) if layer.tissue == "subcutaneous-fat"]
        layers = [self._adjusted_layer(layer, i == (fat_indices[0] if fat_indices else -1))
                  for i, layer in enumerate(stack.layers)]
        adjusted = stack.model_copy(update={"layers": layers})
        targets = [
            t.model_copy(update={"depth_min": map_depth(t.depth_min, stack, adjusted),
                                 "depth_max": map_depth(t.depth_max, stack, adjusted)})
            for t in stack.targets
        ]
        return adjusted.model_copy(update={"targets": targets})


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
