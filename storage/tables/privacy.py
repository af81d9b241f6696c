"""Tables of personal-data handling (sqlmodel, same conventions as storage/tables/core.py).

- ``privacy_consent``: each agreement of a party to the privacy notice, with the notice's
  version, the channel it was given on and when; a new notice version asks again.
- ``personal_data_view``: the audit trail of full (unmasked) personal data shown on a
  claim page: who saw which claim's data, when.
- ``claim_purge``: claims whose media and personal fields the retention purge removed
  (the claim row stays, with the figures analytics need).
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.tables.core import table_of


class ConsentRow(SQLModel, table=True):
    __tablename__ = "privacy_consent"

    id: int | None = Field(default=None, primary_key=True)
    party_id: int = Field(foreign_key="party.id", ondelete="CASCADE", index=True)
    version: str = Field(max_length=20)
    channel: str = Field(max_length=20)
    agreed_at: datetime


class PersonalDataViewRow(SQLModel, table=True):
    __tablename__ = "personal_data_view"

    id: int | None = Field(default=None, primary_key=True)
    claim_number: str = Field(max_length=20, index=True)
    viewer: str = Field(max_length=100)  # e.g. "token:3 (理赔中心)"
    at: datetime


class ClaimPurgeRow(SQLModel, table=True):
    __tablename__ = "claim_purge"

    claim_id: int = Field(foreign_key="claim.id", ondelete="CASCADE", primary_key=True)
    purged_at: datetime


consent_t = table_of(ConsentRow)
personal_data_view_t = table_of(PersonalDataViewRow)
claim_purge_t = table_of(ClaimPurgeRow)
