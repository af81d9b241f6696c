"""Facts an owner already stated in the accident description ("没人受伤，车还能开",
"被沪B67890追尾"), taken into the report and confirmed in one line instead of asked again."""

from __future__ import annotations

import re
from typing import Any

from dialogs.answers import stated
from dialogs.lexicon import Lexicon
from domain.policy import find_plates
from domain.report import OtherVehicle, ReportDraft, ReportItem
from messages.outbound import Choice, Outbound

_PHONE = re.compile(r"1\d{10}")
_POLICE_WORDS = re.compile(r"认字|认定|回执|第\S*号")
_POLICE_CODE = re.compile(r"[A-Za-z0-9\-/]{4,40}")
FACTS_WRONG = "facts_wrong"  # the answer part of the confirmation's "不对，修改" button
_QUESTIONS = {
    ReportItem.INJURIES: "injuries",
    ReportItem.DRIVABLE: "drivable",
    ReportItem.OTHER_VEHICLES: "has_other",
}


def take_stated_facts(draft: ReportDraft, text: str, lexicon: Lexicon) -> list[str]:
    """Fill the unanswered facts the text states; return the names of those taken."""
    taken: list[str] = []
    if draft.injuries is None and (value := stated(text, "injuries", lexicon)) is not None:
        draft.injuries = value
        taken.append("injuries")
    if draft.drivable is None and stated(text, "drivable", lexicon) is True:
        draft.drivable = True  # a car that cannot be driven is asked about rescue
        draft.rescue_requested = None
        taken.append("drivable")
    if draft.other_vehicles is None:
        others = [plate for plate in find_plates(text) if plate != draft.plate]
        if others:
            draft.other_vehicles = [OtherVehicle(plate) for plate in others[:1]]
            taken.append("other_vehicles")
        elif (said := stated(text, "has_other", lexicon)) is False:
            draft.other_vehicles = []
            taken.append("other_vehicles")
        elif said is True and not draft.other_vehicle_said:
            draft.other_vehicle_said = True
            taken.append("other_vehicle_said")
    return taken


def forget_facts(draft: ReportDraft, taken: list[str]) -> None:
    """Undo `take_stated_facts`: the owner said the reading was wrong."""
    if "injuries" in taken:
        draft.injuries = None
    if "drivable" in taken:
        draft.drivable = None
    if "other_vehicles" in taken:
        draft.other_vehicles = None
    if "other_vehicle_said" in taken:
        draft.other_vehicle_said = False


def understood(draft: ReportDraft, taken: list[str]) -> Outbound:
    """ "我理解为：无人受伤、车辆可行驶，对吗？" with a button to correct it."""
    params: dict[str, Any] = {
        "injuries": draft.injuries if "injuries" in taken else None,
        "drivable": draft.drivable if "drivable" in taken else None,
        "others": (
            [v.plate for v in draft.other_vehicles or []] if "other_vehicles" in taken else None
        ),
        "other_said": "other_vehicle_said" in taken,
    }
    return Outbound(
        "report.facts_understood",
        params,
        (Choice(f"r:facts:{FACTS_WRONG}", "report.choice.facts_wrong"),),
    )


def looks_like_police_number(text: str) -> bool:
    """A police report or receipt number ("沪公交认字[2026]第00123号", "JT-2026-0042"),
    rather than a witness's name and phone."""
    cleaned = text.strip()
    if _PHONE.search(cleaned) or not any(ch.isdigit() for ch in cleaned):
        return False
    return bool(_POLICE_CODE.fullmatch(cleaned) or _POLICE_WORDS.search(cleaned))
