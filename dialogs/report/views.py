"""What the report dialog shows: the questions, the edit menu and the summary."""

from __future__ import annotations

from typing import Any

from dialogs.report.machine import ALL_FINE, FIRST_STEP, MENU
from domain.evidence import (
    distinct,
    has_enough_photos,
    missing_photo_roles,
    photos,
    videos,
)
from domain.report import (
    ITEM_ORDER,
    OPTIONAL_ITEMS,
    ReportDraft,
)
from messages.choices import ReportChoice
from messages.outbound import Choice, Outbound


def choice_value(step: str, answer: str) -> str:
    return ReportChoice(step, answer).encode()


def _location_params(draft: ReportDraft) -> dict[str, Any]:
    point = draft.location
    return {
        "lat": round(point.lat, 6) if point else None,
        "lon": round(point.lon, 6) if point else None,
        "address": draft.address,
    }


def _summary(draft: ReportDraft) -> Outbound:
    return Outbound(
        "report.summary",
        summary_params(draft),
        (
            Choice(choice_value("summary", "confirm"), "choice.confirm"),
            Choice(choice_value("summary", "edit"), "choice.edit"),
            Choice(choice_value("summary", "cancel"), "choice.cancel_report"),
        ),
    )


def summary_params(draft: ReportDraft) -> dict[str, Any]:
    return {
        "policy_number": draft.policy_number,
        "plate": draft.plate,
        "accident_at": draft.accident_at.isoformat() if draft.accident_at else None,
        **_location_params(draft),
        "description": draft.description,
        "injuries": draft.injuries,
        "drivable": draft.drivable,
        "rescue": draft.rescue_requested,
        "others": [{"plate": v.plate, "insurer": v.insurer} for v in draft.other_vehicles or []],
        "witnesses": draft.witnesses,
        "police": draft.police_report_no,
        "photos": len(photos(distinct(draft.evidence))),
        "videos": len(videos(distinct(draft.evidence))),
        "urgent": draft.urgent,
    }


# --- asking -----------------------------------------------------------------------------

_YES_NO_LABELS: dict[str, tuple[str, str]] = {
    "injuries": ("choice.injuries_yes", "choice.injuries_no"),
    "drivable": ("choice.drivable_yes", "choice.drivable_no"),
    "rescue": ("choice.rescue_yes", "choice.rescue_no"),
    "more_other": ("choice.more_other_yes", "choice.more_other_no"),
}
_EXTRA_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "time": (("now", "choice.now"),),
    "has_other": (("none", "choice.other_none"), ("yes", "choice.other_yes")),
    "other_plate": (("unknown", "choice.other_unknown"),),
    "other_insurer": (("skip", "choice.skip"),),
    "witnesses": (("skip", "choice.skip"), ("police", "report.choice.add_police")),
    "police": (("skip", "choice.skip"),),
}


_WHERE_ASKED = ("time", "location")  # a location shared when asked the time: here, just now


def _ask(step: str, draft: ReportDraft) -> Outbound:
    if step == MENU:
        return _menu(draft)
    choices: list[Choice] = []
    params: dict[str, Any] = {}
    if step == "injuries":  # one card: injuries, and whether the car drives and others
        others = draft.other_vehicles is None and not draft.other_vehicle_said
        params = {"drivable": draft.drivable is None, "others": others}
        choices.append(Choice(choice_value(step, ALL_FINE), "report.choice.all_fine", params))
    if step in _YES_NO_LABELS:
        yes, no = _YES_NO_LABELS[step]
        choices += [Choice(choice_value(step, "yes"), yes), Choice(choice_value(step, "no"), no)]
    for answer, label in _EXTRA_CHOICES.get(step, ()):
        choices.append(Choice(choice_value(step, answer), label))
    if step == "evidence":
        params = {
            "missing": [role.value for role in missing_photo_roles(draft.evidence)],
            "photos": len(photos(distinct(draft.evidence))),
            "videos": len(videos(distinct(draft.evidence))),
        }
        if has_enough_photos(draft.evidence):
            choices.append(Choice(choice_value(step, "done"), "choice.evidence_done"))
    choices.append(Choice(choice_value(step, "menu"), "choice.menu"))
    return Outbound(
        f"report.ask.{step}", params, tuple(choices), request_location=step in _WHERE_ASKED
    )


def _menu(draft: ReportDraft) -> Outbound:
    choices = [
        Choice(
            choice_value(MENU, FIRST_STEP[item]),
            f"item.{item.value}",
            {"done": draft.is_answered(item)},  # a skipped optional item is answered
        )
        for item in ITEM_ORDER
    ]
    if draft.is_complete():
        choices.append(Choice(choice_value(MENU, "summary"), "choice.to_summary"))
    optional = sorted(item.value for item in OPTIONAL_ITEMS)
    return Outbound("report.ask.menu", {"optional": optional}, tuple(choices))
