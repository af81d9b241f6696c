"""Staff: adjusters (from the directory or bound by invite), the supervisor list, and
one-time invites."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from domain.ports import StaffRepository
from domain.staff import Adjuster, Invite, StaffRole
from storage._sql import AnyRow, per_dialect, pick
from storage.tables.adjudication import staff_invite_t
from storage.tables.core import adjuster_t, party_t, policy_t
from storage.tables.escalation import supervisor_t

_a = adjuster_t.c
_ADJUSTERS = select(
    _a.id,
    _a.code,
    _a.name,
    _a.region,
    _a.party_id,
    _a.code.in_(select(supervisor_t.c.code)).label("supervisor"),
)
_BY_PARTY = _ADJUSTERS.where(_a.party_id == bindparam("party_id")).order_by(_a.id).limit(1)
_BY_ID = _ADJUSTERS.where(_a.id == bindparam("adjuster_id"))
_BY_CODE = _ADJUSTERS.where(_a.code == bindparam("code"))
_ALL = _ADJUSTERS.order_by(_a.id)
_SUPERVISORS = _ADJUSTERS.where(_a.code.in_(select(supervisor_t.c.code))).order_by(_a.id)
_ADD_SUPERVISOR = per_dialect(
    lambda ins: (
        ins(supervisor_t)
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(supervisor_t.c.id)
    )
)
_SET_PARTY = (
    update(adjuster_t)
    .where(_a.id == bindparam("adjuster_id"))
    .values(
        party_id=bindparam("v_party_id"), name=bindparam("v_name"), region=bindparam("v_region")
    )
)
_PARTY_KIND = (
    update(party_t)
    .where(party_t.c.id == bindparam("party_id"))
    .values(kind="adjuster", name=bindparam("v_name"))
)
_REGION = select(policy_t.c.region).where(policy_t.c.number == bindparam("number"))

_i = staff_invite_t.c
_INVITE = select(
    _i.code_hash,
    _i.role,
    _i.name,
    _i.staff_code,
    _i.region,
    _i.shop_code,
    _i.created_at,
    _i.expires_at,
    _i.used_at,
).where(_i.code_hash == bindparam("code_hash"))
_INVITE_FOR_UPDATE = _INVITE.with_for_update()
_USE_INVITE = (
    update(staff_invite_t)
    .where(_i.code_hash == bindparam("b_code_hash"), _i.used_at.is_(None))
    .values(used_at=bindparam("v_at", type_=_i.used_at.type), used_by_party_id=bindparam("v_party"))
)


def _adjuster(row: AnyRow) -> Adjuster:
    return Adjuster(
        id=row.id,
        code=row.code,
        name=row.name,
        region=row.region,
        party_id=row.party_id,
        supervisor=bool(row.supervisor),
    )


def _invite(row: AnyRow) -> Invite:
    return Invite(
        code_hash=row.code_hash,
        role=StaffRole(row.role),
        name=row.name,
        created_at=row.created_at,
        expires_at=row.expires_at,
        staff_code=row.staff_code,
        region=row.region,
        shop_code=row.shop_code,
        used_at=row.used_at,
    )


class SqlStaffRepository(StaffRepository):
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def adjuster_for_party(self, party_id: int) -> Adjuster | None:
        row = self._conn.execute(_BY_PARTY, {"party_id": party_id}).first()
        return None if row is None else _adjuster(row)

    def adjuster(self, adjuster_id: int) -> Adjuster | None:
        row = self._conn.execute(_BY_ID, {"adjuster_id": adjuster_id}).first()
        return None if row is None else _adjuster(row)

    def adjuster_by_code(self, code: str) -> Adjuster | None:
        row = self._conn.execute(_BY_CODE, {"code": code}).first()
        return None if row is None else _adjuster(row)

    def adjusters(self) -> list[Adjuster]:
        return [_adjuster(row) for row in self._conn.execute(_ALL)]

    def supervisors(self) -> list[Adjuster]:
        """The adjusters on the supervisor list (they receive escalations), bound or not."""
        return [_adjuster(row) for row in self._conn.execute(_SUPERVISORS)]

    def add_supervisor(self, code: str) -> bool:
        """Put an adjuster code on the supervisor list; False if it was on it already."""
        statement = pick(_ADD_SUPERVISOR, self._conn)
        return self._conn.execute(statement, {"code": code}).first() is not None

    def bind_adjuster(self, code: str, name: str, region: str | None, party_id: int) -> Adjuster:
        current = self.adjuster_by_code(code)
        if current is None:
            new_id = self._conn.execute(
                insert(adjuster_t).returning(_a.id),
                {"code": code, "name": name, "region": region, "party_id": party_id},
            ).scalar_one()
        else:
            new_id = current.id
            self._conn.execute(
                _SET_PARTY,
                {
                    "adjuster_id": current.id,
                    "v_party_id": party_id,
                    "v_name": name,
                    "v_region": region if region is not None else current.region,
                },
            )
        self._conn.execute(_PARTY_KIND, {"party_id": party_id, "v_name": name})
        bound = self.adjuster(int(new_id))
        assert bound is not None
        return bound

    def region_of_policy(self, policy_number: str) -> str | None:
        value = self._conn.execute(_REGION, {"number": policy_number}).scalar()
        return None if value is None else str(value)

    def add_invite(self, invite: Invite) -> None:
        self._conn.execute(
            insert(staff_invite_t),
            {
                "code_hash": invite.code_hash,
                "role": invite.role.value,
                "name": invite.name,
                "staff_code": invite.staff_code,
                "region": invite.region,
                "shop_code": invite.shop_code,
                "created_at": invite.created_at,
                "expires_at": invite.expires_at,
                "used_at": invite.used_at,
            },
        )

    def invite_for_update(self, code_hash: str) -> Invite | None:
        row = self._conn.execute(_INVITE_FOR_UPDATE, {"code_hash": code_hash}).first()
        return None if row is None else _invite(row)

    def use_invite(self, code_hash: str, party_id: int, at: datetime) -> None:
        self._conn.execute(_USE_INVITE, {"b_code_hash": code_hash, "v_at": at, "v_party": party_id})
