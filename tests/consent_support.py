"""Owners in tests have agreed to the privacy notice once, before they chat.

The notice and its agreement are tested in tests/test_consent_notice.py; every other test that
drives an owner starts from an owner who agreed, recorded as the agreement button does.
"""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs.consent import NOTICE_VERSION
from dialogs.language import locale_for
from storage.db import Database


def agree(
    database: Database, channel: str, external_id: str, language_hint: str | None = None
) -> int:
    """Record that the sender ``external_id`` on ``channel`` agreed; their party id. A
    party made here gets the locale its first message would have given it."""
    locale = locale_for(language_hint, "zh_CN") if language_hint else None
    with database.unit_of_work() as uow:
        party = uow.parties.resolve(channel, external_id, locale=locale)
        if uow.consents.agreed_version(party.id) != NOTICE_VERSION:
            uow.consents.record(party.id, NOTICE_VERSION, channel, datetime.now(UTC))
        uow.commit()
    return party.id
