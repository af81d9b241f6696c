"""Tables of the escalation feature (sqlmodel, same conventions as storage/tables/core.py).

``supervisor``: the supervisor list. A supervisor is an adjuster (``adjuster.code``) who
also receives the escalations of claims nobody took in time; the list is keyed by the
adjuster code so that a code can be put on it before its adjuster row exists (an invite
with ``--role supervisor`` that has not been used yet, or a directory entry).
"""

from sqlmodel import Field, SQLModel

from storage.tables.core import table_of


class SupervisorRow(SQLModel, table=True):
    __tablename__ = "supervisor"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)  # an adjuster code, e.g. SUP-SH-01


supervisor_t = table_of(SupervisorRow)
