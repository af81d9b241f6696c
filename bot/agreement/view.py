"""What the agreement shows, in one locale's words: the one source of the HTML and the PDF.

Every sentence comes from the catalogs (``fastlane.agreement.*`` in locales/*/fastlane.yaml);
phone numbers are masked (138****5678) as on any document handed to the other party.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.agreement import Agreement, AgreementParty
from domain.masking import mask_phone
from locales.catalog import Catalogs


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class PartyView:
    heading: str  # 甲方 / Party A
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class PhotoView:
    media_id: int
    caption: str


@dataclass(frozen=True)
class AgreementView:
    locale: str
    title: str
    subtitle: str
    header: tuple[Field, ...]  # number, issued at
    accident_heading: str
    accident: tuple[Field, ...]
    liability_heading: str
    liability: tuple[Field, ...]  # one per party: 甲方 全责（100%）
    parties_heading: str
    parties: tuple[PartyView, ...]
    photos_heading: str
    photos: tuple[PhotoView, ...]
    no_photos: str
    confirmations_heading: str
    confirmations: tuple[str, ...]
    declaration: str


def agreement_view(agreement: Agreement, locale: str, catalogs: Catalogs) -> AgreementView:
    def t(key: str, **params: object) -> str:
        return catalogs.render(locale, f"fastlane.{key}", params)

    def when(value: datetime) -> str:
        return catalogs.format_time(locale, value)

    situation = agreement.liability.situation.value
    return AgreementView(
        locale=locale,
        title=t("agreement.title"),
        subtitle=t("agreement.subtitle"),
        header=(
            Field(t("agreement.number"), agreement.number),
            Field(t("agreement.issued_at"), when(agreement.issued_at)),
        ),
        accident_heading=t("agreement.accident"),
        accident=(
            Field(t("agreement.accident_at"), when(agreement.accident_at)),
            Field(t("agreement.place"), agreement.place),
            Field(
                t("agreement.situation"),
                f"{t('situation.' + situation)}（{t('situation_rule.' + situation)}）"
                if locale == "zh_CN"
                else f"{t('situation.' + situation)} ({t('situation_rule.' + situation)})",
            ),
            Field(t("agreement.description"), agreement.description),
        ),
        liability_heading=t("agreement.liability"),
        liability=tuple(
            Field(
                t(f"party.{share.party.value}"),
                f"{catalogs.render(locale, 'claims.liability.' + share.grade.value)}"
                f" {share.share}%",
            )
            for share in agreement.liability.parties
        ),
        parties_heading=t("agreement.party"),
        parties=tuple(_party(party, t) for party in agreement.parties),
        photos_heading=t("agreement.photos"),
        photos=tuple(
            PhotoView(
                photo.media_id,
                t("agreement.photo_by", by=photo.by.value)
                + (f" · {when(photo.taken_at)}" if photo.taken_at else ""),
            )
            for photo in agreement.photos
        ),
        no_photos=t("agreement.no_photos"),
        confirmations_heading=t("agreement.confirmations"),
        confirmations=tuple(
            t(
                "agreement.confirmed",
                role=party.role.value,
                at=when(party.confirmation.at),
                channel=party.confirmation.channel,
            )
            if party.confirmation
            else t("agreement.not_confirmed", role=party.role.value)
            for party in agreement.parties
        ),
        declaration=t("agreement.declaration"),
    )


def _party(party: AgreementParty, t: Callable[..., str]) -> PartyView:
    fields = [
        Field(t("agreement.name"), party.name),
        Field(t("agreement.phone"), mask_phone(party.phone)),
        Field(t("agreement.plate"), party.plate),
        Field(t("agreement.vehicle"), party.vehicle),
        Field(t("agreement.insurer"), party.insurer),
    ]
    if party.policy_number:
        fields.append(Field(t("agreement.policy"), party.policy_number))
    return PartyView(t(f"party.{party.role.value}"), tuple(fields))
