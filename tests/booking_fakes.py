"""Hand-written fakes of the booking ports (shops, bookings, their timers) and sample shops,
for domain and dialog tests that need no database."""

from __future__ import annotations

from collections.abc import Sequence

from domain.geo import GeoPoint
from domain.shop import Shop, ShopStaff, parse_hours
from tests.fakes import FakeShopRepository, FakeUnitOfWork

PUDONG = Shop(
    id=1,
    code="SHOP-PD-01",
    name="浦东安心汽修",
    address="上海市浦东新区张江路 88 号",
    location=GeoPoint(31.2040, 121.5900),
    makes=("Volkswagen", "Audi", "Skoda"),
    services=("collision", "paint", "maintenance"),
    bays=3,
    slot_minutes=60,
    hours=parse_hours({"mon-fri": "08:30-18:00", "sat": "09:00-15:00"}),
    directory_rating=4.7,
)
XUHUI = Shop(
    id=2,
    code="SHOP-XH-02",
    name="徐汇诚信车服",
    address="上海市徐汇区漕溪北路 200 号",
    location=GeoPoint(31.1880, 121.4370),
    makes=("Toyota", "Honda", "Volkswagen"),
    services=("collision", "maintenance"),
    bays=2,
    slot_minutes=90,
    hours=parse_hours({"mon-sat": "09:00-19:00"}),
    directory_rating=4.4,
)
PUDONG_STAFF = ShopStaff(id=1, shop_id=1, name="周师傅", party_id=2)
XUHUI_STAFF = ShopStaff(id=2, shop_id=2, name="刘经理", party_id=3)


def booking_uow(
    shops: Sequence[Shop] = (PUDONG, XUHUI),
    staff: Sequence[ShopStaff] = (PUDONG_STAFF, XUHUI_STAFF),
) -> FakeUnitOfWork:
    """The fake unit of work with sample shops and their staff."""
    uow = FakeUnitOfWork()
    uow.shops = FakeShopRepository(shops, staff)
    return uow
