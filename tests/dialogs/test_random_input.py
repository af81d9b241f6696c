"""Random inbound messages never crash a conversation and always get an answer."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.report.codec import draft_from_json
from domain.claim import Claim
from domain.staff import Adjuster
from messages.inbound import InboundKind, MediaItem
from tests.dialogs.driver import DialogDriver
from tests.domain.test_rules import complete_draft
from tests.fakes import SAMPLE_POLICY, FakeUnitOfWork

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
    # Claims: party 1 may be an adjuster; BA2026112400001 is another owner's claim.
    "/take BA2026112400001",
    "/survey BA2026112400001 remote",
    "/survey BA2026112400001 onsite 明天 10:00 张江路 88 号",
    "/assess BA2026112400001 追尾，后部受损",
    "/ask BA2026112400001 请补拍后保险杠",
    "/liability BA2026112400001 主责 对方变道",
    "/loss BA2026112400001 part 后保险杠 1200.00",
    "/loss BA2026112400001 paint 喷漆 -5",
    "/loss BA2026112400001 del 1",
    "/settle BA2026112400001 owner",
    "/paid BA2026112400001 1200.00 REF-1",
    "/reject BA2026112400001 不在保险责任范围",
    "/cases",
    "/case BA2026112400001",
    "/status",
    "/accept BA2026112500001",
    "/dispute BA2026112500001 价格太低",
    "/withdraw BA2026112500001 已私了",
    "/bind ABCD-EFGH-JKMN",
]
CLAIM_CHOICES = [
    "c:take:BA2026112400001",
    "c:take:BA2026112500001",
    "c:acc:BA2026112500001:1",
    "c:dis:BA2026112500001:1",
    "c:acc:BA2026112400001:1",
    "c:dis:nonsense",
    "d:cancel",
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
        return kind, draw(st.one_of(st.sampled_from(CLAIM_CHOICES), st.text(max_size=64)))
    if kind == "location":
        return kind, (draw(coordinates), draw(coordinates))
    if kind == "media":  # a small pool of ids: the same file is often sent again
        return kind, draw(st.lists(st.integers(min_value=1000, max_value=1009), max_size=4))
    if kind == "wait":
        return kind, draw(st.integers(min_value=0, max_value=96))
    return kind, draw(st.sampled_from(list(InboundKind)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["zh_CN", "en"]), st.booleans(), st.lists(actions(), min_size=1, max_size=40)
)
def test_random_messages_always_get_an_answer(
    locale: str, staff: bool, steps: list[tuple[str, object]]
) -> None:
    adjusters = [Adjuster(1, "ADJ-SH-01", "王建国", "上海", party_id=1 if staff else None)]
    d = DialogDriver(locale=locale, uow=FakeUnitOfWork(adjusters=adjusters))
    d.uow.claims.add(
        Claim.file("BA2026112400001", complete_draft(), SAMPLE_POLICY, 2, d.clock.now(), "party:2")
    )
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
            ids: list[int] = value  # type: ignore[assignment]
            # Content-addressed: one id is always the same file, so always the same kind.
            media = tuple(MediaItem(n, "video" if n % 4 == 0 else "photo") for n in ids)
            d.send(InboundKind.MEDIA, media=media)
        elif kind == "wait":
            d.clock.advance(timedelta(hours=int(value)))  # type: ignore[call-overload]
            continue
        else:
            d.send(value)  # type: ignore[arg-type]
        assert d.replies, f"no answer to {kind} {value!r}"
        assert all(text.strip() for text in d.texts)
        draft = draft_from_json(d.conv.slots.get("draft", {}))
        media_ids = [item.media_id for item in draft.evidence]
        assert len(media_ids) == len(set(media_ids)), "a file counted twice"
