"""Anatomy: layered tissue stacks, body-site presets, targets, and the person they belong to."""

from lightdose.anatomy.person import Person
from lightdose.anatomy.stack import Layer, LayerStack, Target

__all__ = ["Layer", "LayerStack", "Person", "Target"]
