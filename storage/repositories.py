"""The repositories, one module each; imported from here for convenience."""

from storage.claims import SqlClaimRepository
from storage.conversations import ConversationNotFound, ConversationRepository
from storage.inbound import InboundLog
from storage.media_repository import MediaRepository
from storage.outbox import Outbox
from storage.parties import PartyRepository
from storage.policies import SqlPolicyRepository

__all__ = [
    "ConversationNotFound",
    "ConversationRepository",
    "InboundLog",
    "MediaRepository",
    "Outbox",
    "PartyRepository",
    "SqlClaimRepository",
    "SqlPolicyRepository",
]
