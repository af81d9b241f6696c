"""Firing a dialog's shared ``transitions`` Machine on a conversation.

Each dialog has one module-level Machine for every conversation. A trigger is fired on the
machine's own event with the conversation as the model, never by attaching it
(``add_model``/``remove_model`` set every trigger and state check on the object and scan
the machine's model list: about a tenth of a turn, for nothing here). That is sound
because the machines name no callbacks or conditions on their models, which
``modelless`` checks and the tests assert for every dialog's machine.
"""

from __future__ import annotations

from itertools import chain

from transitions import Machine

from dialogs.conversation import Conversation


def fire(machine: Machine, conv: Conversation, trigger: str) -> None:
    """Move ``conv.state`` by ``trigger``; MachineError when it cannot fire from there."""
    machine.events[trigger].trigger(conv)


def modelless(machine: Machine) -> bool:
    """True when nothing in ``machine`` calls back into its models, so a model need not be
    attached for a trigger to do exactly what it would do attached."""
    machine_wide = (
        machine.prepare_event,
        machine.before_state_change,
        machine.after_state_change,
        machine.finalize_event,
        machine.on_exception,
        machine.on_final,
    )
    states = ((state.on_enter, state.on_exit) for state in machine.states.values())
    transitions = (
        (t.prepare, t.before, t.after, t.conditions)
        for event in machine.events.values()
        for ts in event.transitions.values()
        for t in ts
    )
    return not any(chain(machine_wide, *states, *transitions))
