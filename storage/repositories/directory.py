"""Import of reference data (policies, adjusters, shops and their staff) from YAML.

The format is the one of ``examples/directory.yaml``: money in yuan strings with two
decimals, dates, shop hours kept as given (checked with ``domain.shop.parse_hours``), a
shop's ``closed`` list of local dates (holidays; the list replaces the shop's closed
days), staff optionally pre-bound to a Telegram id or a WeChat openid. ``supervisors``
are adjusters (same fields) who are also put on the supervisor list (escalations). Records are
matched by their natural keys (policy number, adjuster code, shop code, staff name within
a shop) and created or updated; nothing is deleted.
Importing the same data twice changes nothing and reports everything unchanged.
A ``price_list`` section (the repair price list) is imported by ``storage.repositories.price_list``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Table, and_, exists, insert, select, update

from domain.money import Money
from domain.policy import normalize_plate
from domain.shop import InvalidHours, parse_hours
from storage._sql import utcnow
from storage.records import ImportSummary, Outcome
from storage.repositories.shops import sync_closed_days
from storage.tables.core import (
    adjuster_t,
    identity_t,
    party_t,
    policy_t,
    shop_staff_t,
    shop_t,
    vehicle_t,
)

if TYPE_CHECKING:  # the unit of work holds the price list, which reads these entries
    from storage.uow import SqlUnitOfWork

DEFAULT_TIMEZONE = "Asia/Shanghai"
# Keys of a staff entry that pre-bind a person to a channel identity.
IDENTITY_KEYS: tuple[tuple[str, str], ...] = (
    ("telegram_id", "telegram"),
    ("wechat_openid", "wechat"),
)


class DirectoryError(ValueError):
    """The reference data is malformed; the message says where."""


def is_empty(uow: SqlUnitOfWork) -> bool:
    """True while no policy has been imported."""
    return not uow.connection.execute(select(exists().select_from(policy_t))).scalar()


def import_directory(uow: SqlUnitOfWork, data: Mapping[str, Any]) -> ImportSummary:
    """Create or update the reference data in ``data``; the caller commits."""
    conn = uow.connection
    summary = ImportSummary()
    timezone = _timezone(data.get("timezone") or DEFAULT_TIMEZONE, "timezone")
    for where, entry in _entries(data, "policies"):
        with _context(where):
            summary.count("policies", _import_policy(conn, entry))
    for where, entry in _entries(data, "adjusters"):
        with _context(where):
            _import_adjuster(conn, entry, summary)
    for where, entry in _entries(data, "supervisors"):
        with _context(where):
            outcome = _import_adjuster(conn, entry, summary, None)
            if uow.staff.add_supervisor(_text(entry, "code")) and outcome == "unchanged":
                outcome = "updated"  # an adjuster put on the supervisor list
            summary.count("supervisors", outcome)
    for where, entry in _entries(data, "shops"):
        with _context(where):
            _import_shop(conn, entry, timezone, summary, where)
    if data.get("price_list") is not None:
        from storage.repositories.price_list import (
            import_price_list,  # it builds on this module's helpers
        )

        import_price_list(conn, data["price_list"], summary)
    return summary


# -- sections -----------------------------------------------------------------------


def _import_policy(conn: Connection, entry: Mapping[str, Any]) -> Outcome:
    vehicle = _mapping(entry, "vehicle")
    valid = _mapping(entry, "valid")
    policy_id, outcome = _upsert(
        conn,
        policy_t,
        {"number": _text(entry, "number").upper()},
        {
            "plate": normalize_plate(_text(entry, "plate")),
            "holder": _text(entry, "holder"),
            "phone": _text(entry, "phone"),
            "valid_from": _date(valid, "from"),
            "valid_to": _date(valid, "to"),
            "region": _optional_text(entry, "region"),  # whose adjusters are paged
            **_coverage(entry),
        },
    )
    _, vehicle_outcome = _upsert(
        conn,
        vehicle_t,
        {"policy_id": policy_id},
        {
            "make": _text(vehicle, "make"),
            "model": _text(vehicle, "model"),
            "year": int(vehicle["year"]),
            "vin": _text(vehicle, "vin").upper(),
        },
    )
    if outcome == "unchanged" and vehicle_outcome != "unchanged":
        return "updated"
    return outcome


def _coverage(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The policy's covers; no ``coverage`` block means 交强险 only, and a cover left out
    of the block was not bought."""
    cover = _mapping(entry, "coverage") if entry.get("coverage") is not None else {}
    seats = _mapping(cover, "seats") if cover.get("seats") is not None else None
    per_seat = seats.get("per_seat") if seats is not None else None
    rate = cover.get("deductible_rate", 0)
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= 100:
        raise ValueError("deductible_rate: a percent from 0 to 100 is expected")
    if rate and _fen(cover, "deductible", default="0"):
        raise ValueError("deductible: an amount or deductible_rate, not both")
    jiaoqiang = cover.get("jiaoqiang", True)
    if not isinstance(jiaoqiang, bool):
        raise ValueError("jiaoqiang: true or false is expected")
    values = {
        "own_damage_fen": _optional_fen(cover, "own_damage"),
        "third_party_fen": _optional_fen(cover, "third_party"),
        "deductible_fen": _fen(cover, "deductible", default="0"),
        "deductible_rate": rate,
        "seat_driver_fen": None if seats is None else _fen(seats, "driver", default=per_seat),
        "seat_passenger_fen": None if seats is None else _fen(seats, "passenger", per_seat),
        "jiaoqiang": jiaoqiang,
        "insurer": _optional_text(cover, "insurer"),
    }
    if any(isinstance(v, int) and not isinstance(v, bool) and v < 0 for v in values.values()):
        raise ValueError("coverage: amounts are never negative")
    return values


def _import_adjuster(
    conn: Connection,
    entry: Mapping[str, Any],
    summary: ImportSummary,
    section: str | None = "adjusters",
) -> Outcome:
    """Create or update the adjuster; counted under ``section`` (None: the caller counts)."""
    name = _text(entry, "name")
    values: dict[str, Any] = {"name": name, "region": _optional_text(entry, "region")}
    party_id = _bind_party(conn, entry, "adjuster", name, summary)
    if party_id is not None:  # without a pre-binding, keep what /bind recorded
        values["party_id"] = party_id
    _, outcome = _upsert(conn, adjuster_t, {"code": _text(entry, "code")}, values)
    if section is not None:
        summary.count(section, outcome)
    return outcome


def _import_shop(
    conn: Connection,
    entry: Mapping[str, Any],
    default_timezone: str,
    summary: ImportSummary,
    where: str,
) -> None:
    location = _mapping(entry, "location")
    hours = entry.get("hours") or {}
    if not isinstance(hours, Mapping):
        raise DirectoryError(f"{where}.hours: a mapping is expected")
    try:
        parse_hours(hours)
    except InvalidHours as exc:
        raise DirectoryError(f"{where}.hours: {exc}") from exc
    timezone = entry.get("timezone")
    shop_id, outcome = _upsert(
        conn,
        shop_t,
        {"code": _text(entry, "code")},
        {
            "name": _text(entry, "name"),
            "address": _text(entry, "address"),
            "lat": float(location["lat"]),
            "lon": float(location["lon"]),
            "makes": _strings(entry, "makes"),
            "services": _strings(entry, "services"),
            "rating": None if entry.get("rating") is None else float(entry["rating"]),
            "bays": int(entry["bays"]),
            "slot_minutes": int(entry["slot_minutes"]),
            "hours": {str(key): value for key, value in hours.items()},
            "timezone": default_timezone
            if timezone is None
            else _timezone(timezone, f"{where}.timezone"),
        },
    )
    closed = frozenset(_date({"day": day}, "day") for day in _list(entry, "closed"))
    if sync_closed_days(conn, shop_id, closed) and outcome == "unchanged":
        outcome = "updated"
    summary.count("shops", outcome)
    for index, staff in enumerate(_list(entry, "staff")):
        with _context(f"{where}.staff[{index}]"):
            if not isinstance(staff, Mapping):
                raise DirectoryError("a mapping is expected")
            name = _text(staff, "name")
            values: dict[str, Any] = {}
            party_id = _bind_party(conn, staff, "shop_staff", name, summary)
            if party_id is not None:
                values["party_id"] = party_id
            _, staff_outcome = _upsert(
                conn, shop_staff_t, {"shop_id": shop_id, "name": name}, values
            )
            summary.count("staff", staff_outcome)


def _bind_party(
    conn: Connection,
    entry: Mapping[str, Any],
    kind: str,
    name: str,
    summary: ImportSummary,
) -> int | None:
    """The party of a pre-bound person (created with its identities if new), or None."""
    identities = [
        (channel, str(entry[key]).strip())
        for key, channel in IDENTITY_KEYS
        if entry.get(key) is not None and str(entry[key]).strip()
    ]
    if not identities:
        return None
    owners = {
        channel_id: conn.execute(
            select(identity_t.c.party_id).where(
                identity_t.c.channel == channel_id[0],
                identity_t.c.external_id == channel_id[1],
            )
        ).scalar()
        for channel_id in identities
    }
    known = {party for party in owners.values() if party is not None}
    if len(known) > 1:
        raise DirectoryError(f"identities {identities} belong to different parties")
    if known:
        party_id = known.pop()
        _, outcome = _upsert(conn, party_t, {"id": party_id}, {"kind": kind, "name": name})
    else:
        party_id = conn.execute(
            insert(party_t).returning(party_t.c.id),
            {"kind": kind, "name": name, "locale": None, "created_at": utcnow()},
        ).scalar_one()
        outcome = "created"
    missing = [key for key, owner in owners.items() if owner is None]
    for channel, external_id in missing:
        conn.execute(
            insert(identity_t),
            {"channel": channel, "external_id": external_id, "party_id": party_id},
        )
    if missing and outcome == "unchanged":
        outcome = "updated"
    summary.count("parties", outcome)
    return int(party_id)


# -- storage helper -----------------------------------------------------------------


def _upsert(
    conn: Connection, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[int, Outcome]:
    """Find the row by ``key``; insert it, update the columns that differ, or leave it."""
    condition = and_(*(table.c[name] == value for name, value in key.items()))
    columns = [table.c.id, *(table.c[name] for name in values)]
    row = conn.execute(select(*columns).where(condition)).first()
    if row is None:
        new_id = conn.execute(insert(table).returning(table.c.id), {**key, **values}).scalar_one()
        return int(new_id), "created"
    current = row._mapping
    changed = {name: value for name, value in values.items() if current[name] != value}
    if not changed:
        return int(row.id), "unchanged"
    conn.execute(update(table).where(table.c.id == row.id).values(**changed))
    return int(row.id), "updated"


# -- parsing helpers ----------------------------------------------------------------


@contextmanager
def _context(where: str) -> Iterator[None]:
    """Say where: errors raised while reading one entry name the entry."""
    try:
        yield
    except DirectoryError:
        raise
    except KeyError as exc:
        raise DirectoryError(f"{where}: missing {exc.args[0]!r}") from exc
    except (ValueError, TypeError, AttributeError) as exc:
        raise DirectoryError(f"{where}: {exc}") from exc


def _entries(data: Mapping[str, Any], section: str) -> list[tuple[str, Mapping[str, Any]]]:
    items = _list(data, section)
    result = []
    for index, entry in enumerate(items):
        if not isinstance(entry, Mapping):
            raise DirectoryError(f"{section}[{index}]: a mapping is expected")
        result.append((f"{section}[{index}]", entry))
    return result


def _list(data: Mapping[str, Any], key: str) -> Sequence[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise DirectoryError(f"{key}: a list is expected")
    return value


def _mapping(entry: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = entry[key]
    if not isinstance(value, Mapping):
        raise ValueError(f"{key}: a mapping is expected")
    return value


def _text(entry: Mapping[str, Any], key: str) -> str:
    value = entry[key]
    if value is None or not str(value).strip():
        raise ValueError(f"{key}: a value is expected")
    return str(value).strip()


def _optional_text(entry: Mapping[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return None if value is None or not str(value).strip() else str(value).strip()


def _strings(entry: Mapping[str, Any], key: str) -> list[str]:
    value = entry.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f"{key}: a list is expected")
    return [str(item) for item in value]


def _fen(entry: Mapping[str, Any], key: str, default: str | None = None) -> int:
    value = entry.get(key, default)
    if value is None:
        raise KeyError(key)
    return Money.from_yuan(str(value)).fen


def _optional_fen(entry: Mapping[str, Any], key: str) -> int | None:
    return None if entry.get(key) is None else _fen(entry, key)


def _date(entry: Mapping[str, Any], key: str) -> date:
    value = entry[key]
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _timezone(value: Any, where: str) -> str:
    name = str(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DirectoryError(f"{where}: unknown time zone {name!r}") from exc
    return name
