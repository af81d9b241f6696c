"""Random inbound messages never crash a conversation and always get an answer."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.messages import InboundKind, MediaItem
from dialogs.report_codec import draft_from_json
from tests.dialogs.driver import DialogDriver

USEFUL_TEXTS = [
    "/report",
    "/cancel",
    "/back",
    "/help",
    "/lang en",
    "/lang zh",
    "/start",
    "/x",
    "报案",
    "沪A12345",
    "8001",
    "PDAA20260001",
    "14:30",
    "昨天 20:15",
    "刚刚",
    "是",
    "否",
    "没有",
    "跳过",
    "完成",
    "确认",
    "继续",
    "1",
    "2",
    "3",
    "9",
    "沪C54321",
    "某路口",
]

texts = st.one_of(st.sampled_from(USEFUL_TEXTS), st.text(max_size=300))
coordinates = st.floats(allow_nan=True, allow_infinity=True, width=32)


@st.composite
def actions(draw: st.DrawFn) -> tuple[str, object]:
    kind = draw(
        st.sampled_from(["text", "offered", "choice", "location", "media", "other", "wait"])
    )
    if kind == "text":
        return kind, draw(texts)
    if kind == "offered":
        return kind, draw(st.integers(min_value=0, max_value=20))
    if kind == "choice":
        return kind, draw(st.text(max_size=64))
    if kind == "location":
        return kind, (draw(coordinates), draw(coordinates))
    if kind == "media":
        return kind, draw(st.lists(st.sampled_from(["photo", "video"]), max_size=4))
    if kind == "wait":
        return kind, draw(st.integers(min_value=0, max_value=96))
    return kind, draw(st.sampled_from(list(InboundKind)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["zh_CN", "en"]), st.lists(actions(), min_size=1, max_size=40))
def test_random_messages_always_get_an_answer(locale: str, steps: list[tuple[str, object]]) -> None:
    d = DialogDriver(locale=locale)
    next_media = 1000
    for kind, value in steps:
        if kind == "text":
            d.text(str(value))
        elif kind == "offered":
            offered = d.offered
            if not offered:
                continue
            d.choose(offered[int(value) % len(offered)])  # type: ignore[call-overload]
        elif kind == "choice":
            d.choose(str(value))
        elif kind == "location":
            lat, lon = value  # type: ignore[misc]
            d.location(lat, lon)
        elif kind == "media":
            media = tuple(MediaItem(next_media + i, k) for i, k in enumerate(value))  # type: ignore[arg-type]
            next_media += 10
            d.send(InboundKind.MEDIA, media=media)
        elif kind == "wait":
            d.clock.advance(timedelta(hours=int(value)))  # type: ignore[call-overload]
            continue
        else:
            d.send(value)  # type: ignore[arg-type]
        assert d.replies, f"no answer to {kind} {value!r}"
        assert all(text.strip() for text in d.texts)
        draft_from_json(d.conv.slots.get("draft", {}))
