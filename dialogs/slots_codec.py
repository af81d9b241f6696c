"""A dialog's slots (a dataclass) as the JSON object stored with its conversation.

One codec for every dialog: each field is stored under its name (or ``metadata["key"]``
where the name cannot be the stored key, ``for``), so the stored shape is the flat object
conversations have always had, and a conversation stored before its dialog's slots were
typed loads as they are. A key that is missing takes the field's default. Types the codec
does not know by their shape (the report draft, a point on the map) are given a pair of
converters in ``CONVERTERS`` (``register``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, TypeVar, Union

from domain.geo import CoordinateSystem, GeoPoint

T = TypeVar("T")

Converter = tuple[Callable[[Any], Any], Callable[[Any], Any]]  # (to JSON, from JSON)
CONVERTERS: dict[type, Converter] = {}  # filled below and by the dialogs (register)


def register(kind: type, to_json: Callable[[Any], Any], from_json: Callable[[Any], Any]) -> None:
    """How values of ``kind`` are stored (a type whose shape the codec does not follow)."""
    CONVERTERS[kind] = (to_json, from_json)


def point_to_json(point: GeoPoint | None) -> dict[str, Any] | None:
    if point is None:
        return None
    return {"lat": point.lat, "lon": point.lon, "system": point.system.value}


def point_from_json(data: dict[str, Any] | None) -> GeoPoint | None:
    if not data:
        return None
    return GeoPoint(data["lat"], data["lon"], CoordinateSystem(data["system"]))


register(GeoPoint, point_to_json, point_from_json)


def slots_to_json(slots: Any) -> dict[str, Any]:
    """A slots dataclass as a JSON object (every field, None included)."""
    return {key: encode(getattr(slots, name)) for name, key, encode, _ in _plan(type(slots))}


def slots_from_json(cls: type[T], data: Mapping[str, Any]) -> T:
    """The slots stored in ``data`` (other keys in it are not the dialog's and are left)."""
    given = {name: decode(data[key]) for name, key, _, decode in _plan(cls) if key in data}
    return cls(**given)


# Each slots class's fields with their converters, worked out from its type hints once.
Plan = tuple[tuple[str, str, Callable[[Any], Any], Callable[[Any], Any]], ...]
_PLANS: dict[Any, Plan] = {}


def _plan(cls: Any) -> Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls)
        plan = _PLANS[cls] = tuple(
            (f.name, str(f.metadata.get("key", f.name)), *_converter(hints[f.name]))
            for f in dataclasses.fields(cls)
        )
    return plan


def _same(value: Any) -> Any:
    return value


SAME: Converter = (_same, _same)


def _converter(hint: Any) -> Converter:
    """The pair for ``hint``; None is stored as null whatever the type."""
    encode, decode = _bare(_not_none(hint))
    if encode is _same and decode is _same:
        return SAME
    return (
        lambda value: None if value is None else encode(value),
        lambda value: None if value is None else decode(value),
    )


def _bare(hint: Any) -> Converter:
    if hint in CONVERTERS:
        return CONVERTERS[hint]
    origin = typing.get_origin(hint)
    if origin in (list, set, frozenset, tuple):
        each = _converter(typing.get_args(hint)[0])
        return (
            lambda value: [each[0](v) for v in value],
            lambda value: origin(each[1](v) for v in value),
        )
    if origin is dict:
        item = _converter(typing.get_args(hint)[1])
        return (
            lambda value: {str(k): item[0](v) for k, v in value.items()},
            lambda value: {k: item[1](v) for k, v in value.items()},
        )
    if isinstance(hint, type) and issubclass(hint, Enum):
        return (lambda value: value.value, hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return (slots_to_json, lambda value: slots_from_json(hint, value))
    return SAME


def _not_none(hint: Any) -> Any:
    """``X | None`` → ``X``."""
    if typing.get_origin(hint) in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0] if len(args) == 1 else Any
    return hint
