"""Claims in chat: the adjuster's commands and cards (``adjuster``), the owner's answers
to a proposal and disputes (``owner``), their shared views (``views``) and the typed
slots of the dialogs that wait on a claim (``slots``); ``dialog`` is the registry's
entry. Documents, second approval and the accident record are dialogs of their own that
use these views."""
