"""The agreement rendered: a printable HTML page (jinja2) and a PDF (fpdf2).

Both draw the same ``AgreementView``. The PDF embeds a CJK font: ``CLAIMBOT_PDF_FONT``
if set, else the first of the usual system fonts found (Debian's ``fonts-noto-cjk``,
which ``.ci/run`` installs, first). Photos go into the PDF re-encoded from their pixels,
so no EXIF (capture place, camera) travels with a document handed to the other driver.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from fontTools.ttLib import TTCollection
from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from PIL import Image, ImageOps

from bot.agreement.view import AgreementView, Field

TEMPLATES = Path(__file__).parent / "templates"
# Searched in order when no font is configured.
SYSTEM_CJK_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
FONT = "cjk"
PHOTO_MAX_SIDE = 1000  # pixels: sharp enough on paper, small enough to send in chat
PHOTO_WIDTH_MM = 58
PHOTOS_PER_ROW = 3


class PdfFontMissing(RuntimeError):
    """No CJK font: install fonts-noto-cjk or set CLAIMBOT_PDF_FONT."""


def find_cjk_font(configured: Path | None) -> Path:
    if configured is not None:
        if not configured.is_file():
            raise PdfFontMissing(f"CLAIMBOT_PDF_FONT: no such file {configured}")
        return configured
    for candidate in SYSTEM_CJK_FONTS:
        if candidate.is_file():
            return candidate
    raise PdfFontMissing("no CJK font found: install fonts-noto-cjk or set CLAIMBOT_PDF_FONT")


def _collection_index(path: Path) -> int:
    """In a font collection, the Simplified Chinese face (Noto's "… CJK SC"), else the first."""
    if path.suffix.lower() != ".ttc":
        return 0
    collection = TTCollection(str(path), lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            name = font["name"].getDebugName(4) or ""
            if name.endswith(" SC"):
                return index
    finally:
        collection.close()
    return 0


class AgreementRenderer:
    """``font``: CLAIMBOT_PDF_FONT; looked for when the first PDF is drawn (the HTML page
    needs none), and PdfFontMissing from then on if there is none."""

    def __init__(self, font: Path | None = None) -> None:
        self._configured_font = font
        self._font: tuple[Path, int] | None = None
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def html(self, view: AgreementView, photo_urls: Mapping[int, str]) -> str:
        """The printable page; ``photo_urls`` maps media ids to (signed) links."""
        return self._env.get_template("agreement.html").render(
            view=view,
            photo_urls=photo_urls,
            html_lang="zh-CN" if view.locale == "zh_CN" else "en",
        )

    def pdf(self, view: AgreementView, photo_files: Mapping[int, Path]) -> bytes:
        """The PDF; ``photo_files`` maps media ids to stored files (others are captioned only)."""
        font, index = self._cjk_font()
        pdf = FPDF(format="A4")
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_font(FONT, fname=str(font), collection_font_number=index)
        pdf.set_title(view.title)
        pdf.set_creator("claimbot")
        pdf.add_page()
        pdf.set_font(FONT, size=16)
        pdf.cell(0, 10, view.title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=10)
        pdf.cell(0, 6, view.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        _fields(pdf, view.header)
        _heading(pdf, view.accident_heading)
        _fields(pdf, view.accident)
        _heading(pdf, view.liability_heading)
        _fields(pdf, view.liability)
        _heading(pdf, view.parties_heading)
        for party in view.parties:
            pdf.set_font(FONT, size=11)
            pdf.cell(0, 7, party.heading, new_x="LMARGIN", new_y="NEXT")
            _fields(pdf, party.fields)
        _heading(pdf, view.photos_heading)
        _photos(pdf, view, photo_files)
        _heading(pdf, view.confirmations_heading)
        pdf.set_font(FONT, size=10)
        for line in view.confirmations:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(0, 6, view.declaration, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

    def _cjk_font(self) -> tuple[Path, int]:
        if self._font is None:
            path = find_cjk_font(self._configured_font)
            self._font = (path, _collection_index(path))
        return self._font


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 8, text, border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _fields(pdf: FPDF, fields: tuple[Field, ...]) -> None:
    pdf.set_font(FONT, size=10)
    for field in fields:
        pdf.set_text_color(90, 90, 90)
        pdf.cell(32, 6, field.label)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(0, 6, field.value or "—", new_x="LMARGIN", new_y="NEXT")


def _photos(pdf: FPDF, view: AgreementView, files: Mapping[int, Path]) -> None:
    pdf.set_font(FONT, size=9)
    if not view.photos:
        pdf.cell(0, 6, view.no_photos, new_x="LMARGIN", new_y="NEXT")
        return
    gap = (pdf.epw - PHOTO_WIDTH_MM * PHOTOS_PER_ROW) / (PHOTOS_PER_ROW - 1)
    for start in range(0, len(view.photos), PHOTOS_PER_ROW):
        row = view.photos[start : start + PHOTOS_PER_ROW]
        images = [_clean_jpeg(files[p.media_id]) if p.media_id in files else None for p in row]
        height = max((PHOTO_WIDTH_MM * h / w for _, w, h in filter(None, images)), default=0)
        if pdf.will_page_break(height + 12):
            pdf.add_page()
        top = pdf.get_y()
        for column, (photo, image) in enumerate(zip(row, images, strict=True)):
            x = pdf.l_margin + column * (PHOTO_WIDTH_MM + gap)
            if image is not None:
                pdf.image(image[0], x=x, y=top, w=PHOTO_WIDTH_MM)
            pdf.set_xy(x, top + height + 1)
            pdf.multi_cell(PHOTO_WIDTH_MM, 4, photo.caption)
        pdf.set_xy(pdf.l_margin, top + height + 10)


def _clean_jpeg(path: Path) -> tuple[io.BytesIO, int, int]:
    """The photo upright, scaled down, as a fresh JPEG without metadata; (data, w, h)."""
    with Image.open(path) as source:
        source.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))  # JPEG: decoded at 1/2..1/8 scale
        image = ImageOps.exif_transpose(source).convert("RGB")
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    buffer.seek(0)
    return buffer, image.width, image.height
