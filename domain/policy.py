"""Policies, vehicles and how an owner proves a policy is theirs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from domain.money import Money

# Province abbreviation (one CJK character), issuing-office letter, 5 (fuel) or 6 (new energy)
# letters/digits.
_PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")
_PLATE_NOISE = re.compile(r"[\s\u00b7\u2022\u30fb\-.]")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_IN_TEXT = re.compile(
    rf"[{_PROVINCES}]\s*[A-Za-zＡ-Ｚａ-ｚ](?:[\s\u00b7\u2022\-.]?[A-Za-z0-9Ａ-Ｚａ-ｚ０-９]){{5,6}}(?![A-Za-z0-9])"
)
PHONE_TAIL_DIGITS = 4


def normalize_plate(text: str) -> str:
    """One spelling of a plate: full-width letters and digits made ASCII, separators and
    spaces dropped, letters upper case ("沪a 123·45" → "沪A12345")."""
    return _PLATE_NOISE.sub("", unicodedata.normalize("NFKC", text)).upper()


def find_plates(text: str) -> list[str]:
    """The plates written inside a longer text ("被沪B 67890追尾"), normalised."""
    found = (normalize_plate(match.group(0)) for match in _PLATE_IN_TEXT.finditer(text))
    return [plate for plate in found if _PLATE.match(plate)]


def looks_like_plate(text: str) -> bool:
    return bool(_PLATE.match(normalize_plate(text)))


@dataclass(frozen=True)
class Vehicle:
    make: str
    model: str
    year: int
    vin: str


@dataclass(frozen=True)
class SeatLimits:
    """车上人员责任险: the limit per person, for the driver's seat and each passenger seat."""

    driver: Money
    passenger: Money


@dataclass(frozen=True)
class Coverage:
    """What the policy covers: 交强险 always (unless ``jiaoqiang`` is false) and the 商业险
    bought; a cover left ``None`` was not bought (a policy with none is "交强险 only")."""

    own_damage: Money | None = None  # 车损险 sum insured (the car's actual value)
    third_party: Money | None = None  # 第三者责任险 limit
    deductible: Money = field(default_factory=Money.zero)  # 车损险 绝对免赔额, an amount ...
    deductible_rate: int = 0  # ... or a percent of what 车损险 pays
    seats: SeatLimits | None = None  # 车上人员责任险
    jiaoqiang: bool = True
    insurer: str = ""  # the insurer's short name (人保), shown on statement lines


@dataclass(frozen=True)
class Policy:
    number: str
    plate: str
    holder: str
    phone: str
    vehicle: Vehicle
    coverage: Coverage
    valid_from: date
    valid_to: date

    def is_in_force(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def accepts_check(self, check: str) -> bool:
        """The owner's proof: the policy number, or the last four digits of the holder's phone."""
        answer = check.strip().upper().replace(" ", "")
        if not answer:
            return False
        if answer == self.number.upper():
            return True
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return len(answer) == PHONE_TAIL_DIGITS and answer.isdigit() and digits.endswith(answer)
