"""The repair price list: its import (``price_list`` in a ``claimbot import`` file) and loading.

Format (``examples/price_list.yaml``)::

    price_list:
      classes:
        - {code: economy, default: true, makes: [Volkswagen, 大众, Toyota, 丰田]}
        - {code: premium, makes: [BMW, 宝马]}
      parts:
        - code: rear_bumper
          name: {zh_CN: 后保险杠, en: Rear bumper}
          prices:
            economy: {part: "680.00", labour: "150.00", paint: "420.00"}

Money in yuan strings with at most two decimals (stored in fen). Classes and parts are
matched by code and created or updated; a listed part's prices are exactly those given
(a class left out of a part loses that part's price); classes and parts left out of the
file are kept. At most one class is the default (for makes no class names); marking one
clears the mark elsewhere. Importing the same file twice changes nothing.

Every import bumps ``price_list_version``; a process keeps the list it loaded, per
database, and reads it again only when the version has changed (a filing asks for the
list: three queries and the objects, against one small read).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, delete, insert, select, update

from domain.money import Money
from domain.price_list import CarClass, PartPrice, PricedPart, PriceList
from storage.records import ImportSummary
from storage.repositories.directory import (
    DirectoryError,
    _context,
    _entries,
    _fen,
    _mapping,
    _strings,
    _text,
    _upsert,
)
from storage.tables.fastlane import (
    price_list_version_t,
    repair_car_class_t,
    repair_part_t,
    repair_price_t,
)

SECTION = "price_list"
COMPONENTS = ("part", "labour", "paint")
LOCALES = ("zh_CN", "en")
MAX_PRICE_FEN = 100_000_000  # one million yuan for one component of one part: a typo

_VERSION = select(price_list_version_t.c.version).where(price_list_version_t.c.id == 1)
_BUMP = (
    update(price_list_version_t)
    .where(price_list_version_t.c.id == 1)
    .values(version=price_list_version_t.c.version + 1)
)
# The list each database's engine last loaded, with its version (per process).
_LOADED: WeakKeyDictionary[Engine, tuple[int, PriceList]] = WeakKeyDictionary()
_LOADED_LOCK = threading.Lock()


def import_price_list(conn: Connection, section: Mapping[str, Any], summary: ImportSummary) -> None:
    """Create or update the price list in ``section``; the caller commits (or rolls back)."""
    if not isinstance(section, Mapping):
        raise DirectoryError(f"{SECTION}: a mapping with classes and parts is expected")
    class_ids = _import_classes(conn, section, summary)
    for position, (where, entry) in enumerate(_entries(section, "parts")):
        with _context(f"{SECTION}.{where}"):
            _import_part(conn, entry, position, class_ids, summary)
    if not conn.execute(_BUMP).rowcount:  # the row is the migration's; made here if not
        conn.execute(insert(price_list_version_t).values(id=1, version=1))


def _import_classes(
    conn: Connection, section: Mapping[str, Any], summary: ImportSummary
) -> dict[str, int]:
    entries = _entries(section, "classes")
    defaults = [entry for _, entry in entries if entry.get("default")]
    if len(defaults) > 1:
        raise DirectoryError(f"{SECTION}.classes: at most one class is the default")
    for position, (where, entry) in enumerate(entries):
        with _context(f"{SECTION}.{where}"):
            _, outcome = _upsert(
                conn,
                repair_car_class_t,
                {"code": _text(entry, "code")},
                {
                    "makes": _strings(entry, "makes"),
                    "is_default": bool(entry.get("default")),
                    "position": position,
                },
            )
            summary.count("car_classes", outcome)
    if defaults:
        conn.execute(
            update(repair_car_class_t)
            .where(repair_car_class_t.c.code != _text(defaults[0], "code"))
            .values(is_default=False)
        )
    rows = conn.execute(select(repair_car_class_t.c.code, repair_car_class_t.c.id))
    return {row.code: int(row.id) for row in rows}


def _import_part(
    conn: Connection,
    entry: Mapping[str, Any],
    position: int,
    class_ids: Mapping[str, int],
    summary: ImportSummary,
) -> None:
    names = _names(_mapping(entry, "name"))
    prices = _mapping(entry, "prices")
    if not prices:
        raise ValueError("prices: at least one car class is expected")
    part_id, outcome = _upsert(
        conn,
        repair_part_t,
        {"code": _text(entry, "code")},
        {"names": names, "position": position},
    )
    kept: list[int] = []
    for class_code, components in prices.items():
        class_id = class_ids.get(str(class_code))
        if class_id is None:
            raise ValueError(f"prices.{class_code}: no such car class in classes")
        if not isinstance(components, Mapping):
            raise ValueError(f"prices.{class_code}: part, labour and paint are expected")
        values = {f"{name}_fen": _component(components, name, class_code) for name in COMPONENTS}
        _, price_outcome = _upsert(
            conn, repair_price_t, {"part_id": part_id, "car_class_id": class_id}, values
        )
        summary.count("prices", price_outcome)
        kept.append(class_id)
    removed = conn.execute(
        delete(repair_price_t).where(
            repair_price_t.c.part_id == part_id, repair_price_t.c.car_class_id.not_in(kept)
        )
    ).rowcount
    if removed and outcome == "unchanged":
        outcome = "updated"
    summary.count("parts", outcome)


def _names(value: Mapping[str, Any]) -> dict[str, str]:
    names = {str(k): str(v).strip() for k, v in value.items() if v is not None and str(v).strip()}
    if "zh_CN" not in names:
        raise ValueError("name: a zh_CN name is expected")
    unknown = set(names) - set(LOCALES)
    if unknown:
        raise ValueError(f"name: unknown locales {sorted(unknown)}")
    return names


def _component(components: Mapping[str, Any], name: str, class_code: object) -> int:
    if components.get(name) is None:
        raise ValueError(f"prices.{class_code}: {name} is missing")
    fen = _fen(components, name)
    if not 0 <= fen <= MAX_PRICE_FEN:
        raise ValueError(f"prices.{class_code}.{name}: {Money(fen).yuan()} is out of range")
    return fen


class PriceListRepository:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def load(self) -> PriceList:
        """The price list as this transaction sees it."""
        version = self._conn.execute(_VERSION).scalar()
        if version is None:  # a database without the version row: read it every time
            return self._read()
        engine = self._conn.engine
        with _LOADED_LOCK:
            kept = _LOADED.get(engine)
        if kept is not None and kept[0] == version:
            return kept[1]
        loaded = self._read()
        with _LOADED_LOCK:
            _LOADED[engine] = (int(version), loaded)
        return loaded

    def _read(self) -> PriceList:
        classes = self._conn.execute(
            select(
                repair_car_class_t.c.id,
                repair_car_class_t.c.code,
                repair_car_class_t.c.makes,
                repair_car_class_t.c.is_default,
            ).order_by(repair_car_class_t.c.position, repair_car_class_t.c.id)
        ).all()
        class_codes = {int(row.id): row.code for row in classes}
        prices: dict[int, dict[str, PartPrice]] = {}
        for row in self._conn.execute(select(repair_price_t)):
            prices.setdefault(int(row.part_id), {})[class_codes[int(row.car_class_id)]] = PartPrice(
                Money(row.part_fen), Money(row.labour_fen), Money(row.paint_fen)
            )
        parts = self._conn.execute(
            select(repair_part_t).order_by(repair_part_t.c.position, repair_part_t.c.id)
        ).all()
        return PriceList(
            classes=tuple(
                CarClass(row.code, frozenset(row.makes or ()), bool(row.is_default))
                for row in classes
            ),
            parts={
                row.code: PricedPart(row.code, dict(row.names), prices.get(int(row.id), {}))
                for row in parts
            },
        )
