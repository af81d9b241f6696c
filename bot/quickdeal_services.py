"""What a 快处快赔 turn needs from outside the dialogs (``domain.ports.QuickDealServices``):
the invitation's QR code stored as a photo, and the agreement rendered (HTML and PDF),
kept with the claim and linked."""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import qrcode

from bot.agreement.files import LOCALE_LANG, AgreementFiles
from bot.agreement.render import AgreementRenderer, PdfFontMissing
from bot.agreement.view import agreement_view
from bot.signing import KEY_NAME, Signer
from domain.agreement import Agreement
from domain.ports import QuickDealServices
from domain.quick_deal import IssuedAgreement
from locales.catalog import Catalogs
from storage._sql import utcnow
from storage.media.store import MediaStore
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuickDealKit:
    """What outlives a turn; ``for_turn`` gives the port on a turn's unit of work."""

    media: MediaStore
    renderer: AgreementRenderer
    files: AgreementFiles
    catalogs: Catalogs
    invite_lifetime: timedelta
    insurer: str
    public_url: str
    secret_key: str | None  # CLAIMBOT_SECRET_KEY; unset: the key shared through the database

    def for_turn(self, uow: SqlUnitOfWork) -> QuickDealServices:
        return TurnQuickDealServices(self, uow)


class TurnQuickDealServices(QuickDealServices):
    def __init__(self, kit: QuickDealKit, uow: SqlUnitOfWork) -> None:
        self._kit = kit
        self._uow = uow
        self.invite_lifetime = kit.invite_lifetime
        self.insurer = kit.insurer
        self.public_url = kit.public_url
        configured = kit.secret_key
        # The shared key is read on the turn's own transaction (a second one would wait
        # for this one on SQLite).
        self._signer = Signer(
            (lambda: configured)
            if configured
            else lambda: uow.shared_secret(KEY_NAME, utcnow())
        )

    def invitation_qr(self, url: str) -> int:
        code = qrcode.QRCode(box_size=10, border=4)
        code.add_data(url)
        code.make(fit=True)
        image = code.make_image().get_image().convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        stored = self._kit.media.save(buffer.getvalue(), declared_kind="photo")
        return self._uow.media.add(stored)

    def locale_of(self, party_id: int) -> str:
        found = self._uow.recipients.of_party(party_id)
        return next((r.locale for r in found if r.locale), "")

    def issue(self, agreement: Agreement, locale: str, now: datetime) -> IssuedAgreement:
        view = agreement_view(agreement, locale, self._kit.catalogs)
        files: dict[int, Path] = {}
        embedded: dict[int, str] = {}
        for photo in agreement.photos:
            stored = self._uow.media.get(photo.media_id)
            if stored is None or stored.kind != "photo":
                continue
            files[photo.media_id] = self._kit.media.open(stored.relative_path)
            data, mime = self._kit.media.served_copy(stored.relative_path, stored.mime)
            embedded[photo.media_id] = f"data:{mime};base64,{base64.b64encode(data).decode()}"
        number = agreement.number
        files_kept = self._kit.files
        try:
            pdf = self._kit.renderer.pdf(view, files)
        except PdfFontMissing:  # the page still serves; the operator is told in the log
            log.error("agreement %s: no CJK font for the PDF (CLAIMBOT_PDF_FONT)", number)
            pdf = None
        lang = LOCALE_LANG.get(locale, "")
        pdf_url = files_kept.keep(number, "pdf", pdf, self._signer, lang) if pdf is not None else ""
        html = self._kit.renderer.html(view, embedded).encode()
        html_url = files_kept.keep(number, "html", html, self._signer, lang)
        return IssuedAgreement(html_url=html_url, pdf_url=pdf_url)
