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
    hints = _hints(type(slots))
    return {
        _key(f): _encode(getattr(slots, f.name), hints[f.name]) for f in dataclasses.fields(slots)
    }


def slots_from_json(cls: type[T], data: Mapping[str, Any]) -> T:
    """The slots stored in ``data`` (other keys in it are not the dialog's and are left)."""
    hints = _hints(cls)
    given = {
        f.name: _decode(data[_key(f)], hints[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if _key(f) in data
    }
    return cls(**given)


_HINTS: dict[Any, dict[str, Any]] = {}


def _hints(cls: Any) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _key(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("key", f.name))


def _encode(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    hint = _not_none(hint)
    origin = typing.get_origin(hint)
    if hint in CONVERTERS:
        return CONVERTERS[hint][0](value)
    if origin in (list, set, frozenset, tuple):
        (item,) = typing.get_args(hint)[:1]
        return [_encode(v, item) for v in value]
    if origin is dict:
        _, item = typing.get_args(hint)
        return {str(k): _encode(v, item) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value):
        return slots_to_json(value)
    return value


def _decode(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    hint = _not_none(hint)
    origin = typing.get_origin(hint)
    if hint in CONVERTERS:
        return CONVERTERS[hint][1](value)
    if origin in (list, set, frozenset, tuple):
        (item,) = typing.get_args(hint)[:1]
        return origin(_decode(v, item) for v in value)
    if origin is dict:
        _, item = typing.get_args(hint)
        return {k: _decode(v, item) for k, v in value.items()}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return slots_from_json(hint, value)
    return value


def _not_none(hint: Any) -> Any:
    """``X | None`` → ``X`` (the codec stores None as null whatever the type)."""
    if typing.get_origin(hint) in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0] if len(args) == 1 else Any
    return hint
