"""The plan builder's form, generated from the scenario's JSON Schema (what `lightdose schema` prints), so that the
form and the YAML files cannot drift apart: every property is a field, every object a fieldset, every list of
objects a list of fieldsets with one blank item to add another.

Field names carry the path of the value (``sites[0].target``) and how to read the text typed into it: ``t:`` text
as typed, ``y:`` a YAML value (a number, a quantity such as ``15 cm``, a list or a mapping; anchors and aliases
refused), ``m:`` one of several checkboxes of a list. A field left empty is left out of the scenario (its default
applies). Errors from the scenario's validation are shown next to the field whose path they name (or its nearest
fieldset), with the CLI's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from lightdose.model_base import path_parts
from lightdose.web.user_errors import FieldError

MAX_FIELD_CHARS = 20_000
"""Longest text of one form field."""
SCALARS = {"string", "number", "integer", "boolean", "null"}


@dataclass
class FormField:
    """One field or fieldset of the form."""

    path: str
    label: str
    kind: str
    """text, yaml, yaml-block, select, multi, group or list."""
    help: str = ""
    value: str = ""
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    children: list[FormField] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    required: bool = False
    open: bool = False

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.path)

    @property
    def name(self) -> str:
        prefix = {"text": "t:", "select": "t:", "multi": "m:"}.get(self.kind, "y:")
        return prefix + self.path


def _resolve(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """`node` with a ``$ref`` replaced by its definition (the node's own description and default kept)."""
    if "$ref" in node:
        target = dict(definitions[node["$ref"].rsplit("/", 1)[-1]])
        target.update({k: v for k, v in node.items() if k != "$ref"})
        return target
    return node


def _types(node: dict[str, Any], definitions: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of `node` (its anyOf/oneOf, resolved), without null."""
    options = node.get("anyOf") or node.get("oneOf")
    if not options:
        return [node]
    return [_resolve(o, definitions) for o in options if o.get("type") != "null"]


def _is_object(node: dict[str, Any]) -> bool:
    return node.get("type") == "object" or "properties" in node or "oneOf" in node or "anyOf" in node


def _text(value: Any) -> str:
    """A value as it is typed in a field: plain for a string or number, YAML flow style for the rest."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000).strip()


def _help(node: dict[str, Any]) -> str:
    text = str(node.get("description", "")).split("\n")[0]
    if "default" in node and node["default"] not in (None, "", [], {}):
        text += f" (default: {_text(node['default'])})"
    return text.strip()


class _Builder:
    def __init__(self, schema: dict[str, Any]):
        self.definitions = schema.get("$defs", {})
        self.schema = schema

    def node(self, schema: dict[str, Any], path: str, name: str, value: Any, required: bool) -> FormField:
        schema = _resolve(schema, self.definitions)
        label = str(schema.get("title") or name.replace("_", " ").capitalize())
        options = _types(schema, self.definitions)
        base = FormField(path=path, label=label, kind="text", help=_help(schema), required=required)
        if len(options) == 1 and options[0] is not schema:
            merged = {**options[0], **{k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}}
            return self.node(merged, path, name, value, required)
        if len(options) > 1:
            if all(o.get("type") in SCALARS for o in options):
                base.kind = "text" if all(o.get("type") == "string" for o in options) else "yaml"
            else:
                base.kind = "yaml-block"
            base.value = _text(value)
            return base
        kind = schema.get("type")
        if "enum" in schema:
            base.kind, base.options, base.value = "select", [str(o) for o in schema["enum"]], _text(value)
        elif kind == "boolean":
            base.kind, base.options, base.value = "select-bool", ["true", "false"], _text(value)
        elif kind == "object" and "properties" in schema:
            return self.group(schema, base, value if isinstance(value, dict) else {})
        elif kind == "array":
            return self.array(schema, base, value)
        elif kind in ("number", "integer"):
            base.kind, base.value = "yaml", _text(value)
        elif kind == "string":
            base.value = _text(value)
        else:  # a mapping of free keys, or anything else
            base.kind, base.value = "yaml-block", _text(value)
        return base

    def group(self, schema: dict[str, Any], base: FormField, value: dict[str, Any]) -> FormField:
        base.kind = "group"
        required = set(schema.get("required", []))
        prefix = f"{base.path}." if base.path else ""
        base.children = [self.node(child, prefix + name, name, value.get(name), name in required)
                         for name, child in schema["properties"].items()]
        base.open = bool(value)
        return base

    def array(self, schema: dict[str, Any], base: FormField, value: Any) -> FormField:
        items = _resolve(schema.get("items", {}), self.definitions)
        if "enum" in items:
            base.kind, base.options = "multi", [str(o) for o in items["enum"]]
            base.selected = [str(v) for v in value] if isinstance(value, list) else []
            return base
        if items.get("type") == "object" and "properties" in items:
            base.kind = "list"
            entries = value if isinstance(value, list) else []
            singular = base.label.rstrip("s").lower() or "item"
            for i, entry in enumerate([*entries, {}]):
                item = self.group(items, FormField(path=f"{base.path}[{i}]", label=f"{singular} {i + 1}", kind="group"),
                                  entry if isinstance(entry, dict) else {})
                if i == len(entries):
                    item.label = f"add a {singular}"
                base.children.append(item)
            base.open = True
            return base
        base.kind, base.value = "yaml", _text(value)
        return base


def build_form(schema: dict[str, Any], data: dict[str, Any], errors: list[FieldError]) -> tuple[FormField, list[str]]:
    """The form for `schema` filled with `data` (a scenario as parsed from YAML), and the messages of `errors`
    that name no field of the form (shown above it)."""
    root = _Builder(schema).group(schema, FormField(path="", label="scenario", kind="group"), data)
    root.open = True
    by_path: dict[str, FormField] = {}

    def index(node: FormField) -> None:
        by_path[node.path] = node
        for child in node.children:
            index(child)

    index(root)
    unplaced = []
    for error in errors:
        node = _nearest(error["field"], by_path)
        text = f"{error['field']}: {error['message']}" if error["field"] else error["message"]
        if node is None or node is root:
            unplaced.append(text)
        else:
            node.errors.append(text)
    _open_errors(root)
    return root, unplaced


def _nearest(path: str, by_path: dict[str, FormField]) -> FormField | None:
    """The field at `path`, or the fieldset nearest to it (``sites[0].target.depth`` → ``sites[0]``)."""
    while path:
        if path in by_path:
            return by_path[path]
        shorter = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
        if shorter == path:
            return None
        path = shorter
    return None


def _open_errors(node: FormField) -> bool:
    """Open every fieldset on the way to an error."""
    inner = [_open_errors(child) for child in node.children]
    if any(inner) or node.errors:
        node.open = True
        return True
    return False


def _yaml_value(text: str) -> Any:
    """A YAML value typed in a field, refusing anchors and aliases (which could make a small text enormous)."""
    for token in yaml.scan(text):
        if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
            raise ValueError("anchors and aliases (& and *) are not allowed in a form field")
    return yaml.safe_load(text)


def _put(data: dict[Any, Any], parts: tuple[int | str, ...], value: Any) -> None:
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _lists(node: Any) -> Any:
    """Mappings keyed by list indices (from ``sites[0]``) as lists, in index order."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        return [_lists(node[k]) for k in sorted(node)]
    return {k: _lists(v) for k, v in node.items()}


def parse_form(items: list[tuple[str, str]]) -> tuple[dict[str, Any], list[FieldError]]:
    """The scenario data of the submitted form fields (`items`: name, text), and the fields whose text could not be
    read (not YAML, too long)."""
    data: dict[Any, Any] = {}
    errors: list[FieldError] = []
    multi: dict[str, list[str]] = {}
    for name, raw in items:
        how, _, path = name.partition(":")
        text = raw.strip()
        if how not in ("t", "y", "m") or not path or not text:
            continue
        if len(text) > MAX_FIELD_CHARS:
            errors.append({"field": path, "message": f"longer than {MAX_FIELD_CHARS} characters"})
            continue
        if how == "m":
            multi.setdefault(path, []).append(text)
            continue
        try:
            value = text if how == "t" else _yaml_value(text)
        except (yaml.YAMLError, ValueError) as exc:
            problem = str(exc).splitlines()[0] if isinstance(exc, ValueError) else "not a valid YAML value"
            errors.append({"field": path, "message": problem})
            continue
        if value is not None:
            _put(data, path_parts(path), value)
    for path, values in multi.items():
        _put(data, path_parts(path), values)
    result: dict[str, Any] = _lists(data)
    return result, errors


def scenario_yaml(data: dict[str, Any]) -> str:
    """The scenario data as a YAML file."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


__all__ = ["FormField", "build_form", "parse_form", "scenario_yaml"]
