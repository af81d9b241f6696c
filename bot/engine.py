"""The conversation engine as the product runs it: on the SQL unit of work.

The engine itself lives in ``dialogs/turn.py`` and speaks only to the domain's ports; the
composition root (``bot/bootstrap.py``) builds it on the database.
"""

from typing import TypeAlias

from dialogs.turn import ConversationEngine, TurnDelivery, TurnOutcome
from storage.uow import SqlUnitOfWork

SqlEngine: TypeAlias = ConversationEngine[SqlUnitOfWork]

__all__ = ["ConversationEngine", "SqlEngine", "TurnDelivery", "TurnOutcome"]
