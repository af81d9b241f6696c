"""Every dialog's shared machine fires on a conversation without attaching it
(dialogs.machines): nothing in it may call back into the model."""

from __future__ import annotations

import pytest
from transitions import Machine, MachineError

from dialogs.booking.machine import MACHINE as BOOKING
from dialogs.conversation import IDLE, Conversation
from dialogs.machines import fire, modelless
from dialogs.report.machine import MACHINE as REPORT
from dialogs.shop import MACHINE as SHOP


@pytest.mark.parametrize("machine", [REPORT, BOOKING, SHOP], ids=["report", "booking", "shop"])
def test_no_dialog_machine_calls_back_into_its_model(machine: Machine) -> None:
    assert modelless(machine)


def test_a_machine_with_a_model_callback_is_not_modelless() -> None:
    machine = Machine(model=None, states=["a", "b"], initial="a", auto_transitions=False)
    machine.add_transition("go", "a", "b", after="tell")
    assert not modelless(machine)


def test_fire_moves_the_state_and_leaves_the_conversation_bare() -> None:
    conv = Conversation(party_id=1, locale="zh_CN", dialog="report", state=IDLE)
    fire(REPORT, conv, "ask_plate")
    assert conv.state == "plate"
    assert not hasattr(conv, "ask_plate") and not hasattr(conv, "trigger")
    assert REPORT.models == []


def test_fire_refuses_a_trigger_its_state_does_not_allow() -> None:
    conv = Conversation(party_id=1, locale="zh_CN", dialog="shop", state=IDLE)
    with pytest.raises(MachineError):
        fire(SHOP, conv, "to_quote")  # only from the estimate
    assert conv.state == IDLE
