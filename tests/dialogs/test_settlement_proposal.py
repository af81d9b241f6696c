"""The proposal in chat is the settlement statement: one line per payer and cover, the
owner's own part on its own line (docs/settlement.md), in both locales."""

from __future__ import annotations

import pytest

from domain.report import OtherVehicle
from tests.booking_fakes import booking_uow
from tests.dialogs.driver import DialogDriver
from tests.dialogs.test_adjudication_dialogs import CHEN, NUMBER, WANG, claim_of, party
from tests.documents_support import complete_documents
from tests.fakes import FakeStaffRepository, FakeUnitOfWork


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = booking_uow()
    fake.staff = FakeStaffRepository([WANG, CHEN])
    return fake


@pytest.fixture
def owner(uow: FakeUnitOfWork) -> DialogDriver:
    driver = party(uow, 1)
    driver.fill_report()
    driver.choose("r:summary:confirm")
    return driver


@pytest.fixture
def wang(uow: FakeUnitOfWork, owner: DialogDriver) -> DialogDriver:
    return party(uow, 21, owner)


def _two_cars(uow: FakeUnitOfWork, wang: DialogDriver, grade: str, amount: str) -> None:
    claim_of(uow).report.other_vehicles = [OtherVehicle("沪B99999", "平安")]
    wang.text(f"/take {NUMBER}")
    wang.text(f"/survey {NUMBER} remote")
    wang.text(f"/liability {NUMBER} {grade}")
    wang.text(f"/loss {NUMBER} part 后保险杠 {amount}")
    complete_documents(wang.uow, NUMBER, "owner")
    wang.text(f"/settle {NUMBER} owner")


def test_the_sample_case_is_paid_by_the_owners_own_jiaoqiang(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    # 主责, 1,200.00, the other car at fault too: 互碰自赔, no deductible, no cross-claim
    _two_cars(uow, wang, "主责", "1200.00")
    zh = wang.texts[1]
    assert "交强险（本公司）财产损失：1,200.00 元（互碰自赔，不扣免赔）" in zh
    assert "您自行承担：0.00 元" in zh and "本公司赔付：1,200.00 元" in zh
    owner.conv.locale = "en"
    en = owner.render(wang.replies[1])
    assert "Compulsory insurance (ours), property: 1,200.00 yuan (each pays its own" in en


def test_above_2000_the_other_insurer_pays_its_share_and_the_owner_only_the_deductible(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    # 次责 30 %, 5,000.00: 平安's 交强险 2,000.00, then 70 % of 3,000.00 (2,100.00) by its
    # 三者险; the owner's 30 % (900.00) by 车损险 (the sample policy has no deductible)
    _two_cars(uow, wang, "次责", "5000.00")
    zh = wang.texts[1]
    assert "交强险（平安）财产损失：2,000.00 元" in zh
    assert "第三者责任险（平安）：2,100.00 元" in zh
    assert "车损险（本公司）：900.00 元" in zh
    assert "您自行承担：0.00 元" in zh and "本公司赔付：900.00 元" in zh


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_a_loss_above_the_sum_insured_is_refused_in_words_and_nothing_is_proposed(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork, locale: str
) -> None:
    wang.conv.locale = locale
    _two_cars(uow, wang, "全责", "190000.00")  # the sample car's sum insured is 180,000.00
    assert wang.keys == ["claims.refusal.settlement_invalid"]
    assert "180,000.00" in wang.texts[0] and "/loss" in wang.texts[0]
    assert not claim_of(uow).adjudication.settlements


def test_a_supplement_after_agreement_goes_to_the_owner_as_version_2(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    _two_cars(uow, wang, "主责", "1200.00")
    owner.text(f"/accept {NUMBER}")
    assert owner.keys[0] == "claims.owner.accepted"
    wang.text(f"/loss {NUMBER} del 1")
    assert wang.keys == ["claims.refusal.wrong_stage"]  # an agreed assessment only gains items
    wang.text(f"/loss {NUMBER} part 大灯支架 1500.00")
    assert wang.keys[0] == "claims.adjuster.loss"
    complete_documents(wang.uow, NUMBER, "owner")
    wang.text(f"/settle {NUMBER} owner")
    zh = wang.texts[1]
    assert "第 2 版" in zh and "交强险（平安）财产损失：2,000.00 元" in zh
    assert "第三者责任险（平安）：210.00 元" in zh and "车损险（本公司）：490.00 元" in zh
    owner.text(f"/accept {NUMBER}")
    assert owner.keys[0] == "claims.owner.accepted"


def test_an_adjuster_records_a_ratio_and_the_proposal_applies_it(
    owner: DialogDriver, wang: DialogDriver, uow: FakeUnitOfWork
) -> None:
    _two_cars(uow, wang, "60%", "5000.00")
    assert claim_of(uow).adjudication.liability is not None
    finding = claim_of(uow).adjudication.liability
    assert finding is not None and (finding.grade.value, finding.share) == ("major", 60)
    # 平安's 交强险 2,000.00, then 40 % of 3,000.00 (1,200.00) by its 三者险, 60 % ours
    zh = wang.texts[1]
    assert "第三者责任险（平安）：1,200.00 元" in zh and "车损险（本公司）：1,800.00 元" in zh
    wang.text(f"/liability {NUMBER} 120%")
    assert wang.keys == ["claims.usage.liability"]
    assert claim_of(uow).adjudication.liability == finding
