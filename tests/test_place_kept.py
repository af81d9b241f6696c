"""A typed address and a shared location are both kept: the address names the place, the
coordinates put it on the map (through the real engine, then the filed claim)."""

from __future__ import annotations

from bot.bootstrap import Container
from messages.inbound import InboundKind
from tests.engine_harness import Owner
from tests.media_samples import jpeg_bytes

ADDRESS = "上海市黄浦区人民大道200号"


def test_a_location_shared_after_a_typed_address_keeps_the_address(
    container: Container,
) -> None:
    owner = Owner(container)
    owner.text("/report")
    owner.text("沪A12345")
    owner.text("8001")
    owner.choose("r:time:now")
    owner.text(ADDRESS)
    saved = owner.send(InboundKind.LOCATION, payload={"lat": 31.2304, "lon": 121.4737})
    assert saved[0] == "report.location_saved"
    assert owner.rendered()[-len(saved)] == f"已记录事故地点：{ADDRESS}（31.2304, 121.4737）。"
    owner.text("等红灯时被追尾，后保险杠受损，没人受伤，车还能开，没有其他车辆")
    owner.choose("r:witnesses:skip")
    owner.photos([jpeg_bytes(seed=n) for n in range(3)])
    assert owner.choose("r:summary:confirm") == ["report.filed"]
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get("BA2026112500001")
    assert claim is not None
    assert claim.report.address == ADDRESS
    assert claim.report.location is not None
    assert (claim.report.location.lat, claim.report.location.lon) == (31.2304, 121.4737)


def test_without_a_typed_address_the_channels_label_names_the_place(
    container: Container,
) -> None:
    owner = Owner(container)
    owner.text("/report")
    owner.send(
        InboundKind.LOCATION,
        payload={"lat": 31.2304, "lon": 121.4737, "label": "人民广场", "system": "gcj02"},
    )
    assert "已记录事故地点：人民广场（31.2304, 121.4737）。" in owner.rendered()
    # shared again elsewhere, with no label: the old label does not stay
    owner.send(InboundKind.LOCATION, payload={"lat": 31.24, "lon": 121.48})
    assert owner.rendered()[-2].startswith("已记录事故地点：（31.24, 121.48）")
