"""The contract as a PDF: each item in the worker's language, then in the destination's, with the verification code,
the content hash and a QR code to the public verification page.

Fonts are the vendored Noto fonts (corridor/contracts/fonts, SIL OFL 1.1): Noto Sans for Latin, Greek and Cyrillic,
with Arabic, Devanagari and Bengali as fallbacks, so that a name or a sentence in any of these scripts prints even in
a contract whose languages are written in another. Text is shaped by HarfBuzz (joined Arabic letters, Indic
conjuncts) and laid out in its own direction (right to left for Arabic). A contract that is not yet approved prints
with a "DRAFT — not valid" marking on every page and without a code.
"""

from __future__ import annotations

import datetime
import json
import unicodedata
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import qrcode
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from corridor.contracts.models import LOCKED, Contract, ContractStatus
from corridor.contracts.wording import side_by_side

FONT_DIR = Path(__file__).resolve().parent / "fonts"
# family -> {style: file}. The first family is the main font; the others are fallbacks, tried in this order for any
# character the main font lacks.
FONTS = {
    "NotoSans": {"": "NotoSans-Regular.ttf", "B": "NotoSans-Bold.ttf"},
    "NotoSansArabic": {"": "NotoSansArabic-Regular.ttf"},
    "NotoSansDevanagari": {"": "NotoSansDevanagari-Regular.ttf"},
    "NotoSansBengali": {"": "NotoSansBengali-Regular.ttf"},
}
MAIN_FONT = "NotoSans"
VERIFY_PATH = "/verify/"

INK = (20, 20, 20)
MUTED = (85, 85, 85)
RED = (180, 0, 0)

TITLE = _("Employment contract")
DRAFT = _("DRAFT — not valid")
NOT_IN_FORCE = _("Not in force")
LABELS = {
    "programme": _("Programme"),
    "employer": _("Employer"),
    "worker": _("Worker"),
    "version": _("Version"),
    "status": _("Status"),
    "code": _("Verification code"),
    "hash": _("Content fingerprint (SHA-256)"),
}
CHECK = _("Check this contract at %(path)s with the code %(code)s, or scan the QR code.")
DRAFT_NOTE = _("This is a draft. It has no verification code and binds nobody until the origin authority approves it.")


def _language(code: str) -> str:
    """The platform's closest interface language to `code` (the one the wording is rendered in)."""
    try:
        return translation.get_supported_language_variant(code or "en")
    except LookupError:
        return "en"


def _rtl(text: str) -> bool:
    """Whether a paragraph reads right to left: its first strongly directional character is (Unicode's rule P2), so
    that an English sentence in an Arabic contract stays left-aligned and an Arabic one is right-aligned."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _in(code: str, text) -> str:
    with translation.override(_language(code)):
        return str(text)


def verify_path(code: str) -> str:
    """The public verification page for a code, as a path (the caller may make it absolute)."""
    return f"{VERIFY_PATH}?{urlencode({'code': code})}"


def is_draft(contract: Contract) -> bool:
    """Not yet approved: no code, no hash, binds nobody."""
    return contract.status not in LOCKED or not contract.verification_code


@cache
def _characters(file: str) -> frozenset[int]:
    """The code points a vendored font has glyphs for."""
    font = TTFont(FONT_DIR / file, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def fonts_for(text: str) -> list[str]:
    """The fallback families the text needs: those with a glyph for a character the main font lacks. Only these are
    embedded (fpdf2 embeds every font added to a document, used or not)."""
    main = _characters(FONTS[MAIN_FONT][""])
    wanted = {ord(char) for char in text} - main
    needed = []
    for family, styles in FONTS.items():
        if family == MAIN_FONT or not wanted:
            continue
        covered = wanted & _characters(styles[""])
        if covered:
            needed.append(family)
            wanted -= covered
    return needed


class _Document(FPDF):
    def __init__(self, marking: str, footer_text: str, fallbacks: list[str]):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.marking = marking
        self.footer_text = footer_text
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        for family in [MAIN_FONT, *fallbacks]:
            for style, file in FONTS[family].items():
                self.add_font(family, style, str(FONT_DIR / file))
        if fallbacks:
            self.set_fallback_fonts(fallbacks, exact_match=False)
        self.set_text_shaping(True)

    def header(self):
        if not self.marking:
            return
        self.set_font(MAIN_FONT, "B", 13)
        self.set_text_color(*RED)
        self.set_draw_color(*RED)
        self.set_line_width(0.6)
        self.cell(0, 9, self.marking, border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)
        self.set_text_color(*INK)

    def footer(self):
        self.set_y(-12)
        self.set_font(MAIN_FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.footer_text}   {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(*INK)


def _qr(pdf: FPDF, payload: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (sharp at any zoom, no image), with its quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the 4-module quiet zone
    module = size / len(matrix)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        col = 0
        while col < len(cells):
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < len(cells) and cells[col]:
                col += 1
            pdf.rect(x + start * module, y + row * module, (col - start) * module, module, style="F")


class _Writer:
    def __init__(self, pdf: FPDF, worker_language: str, destination_language: str):
        self.pdf = pdf
        self.worker = worker_language
        self.destination = destination_language
        self.same = _language(worker_language) == _language(destination_language)

    def each(self, text) -> list[str]:
        """A sentence in the worker's language and, if different, the destination's."""
        mine, theirs = _in(self.worker, text), _in(self.destination, text)
        return [mine] if mine == theirs else [mine, theirs]

    def both(self, text) -> str:
        """A label in the worker's language and, if different, the destination's."""
        mine, theirs = _in(self.worker, text), _in(self.destination, text)
        return mine if mine == theirs else f"{mine} / {theirs}"

    def paragraph(self, text: str, *, size: float = 10, style: str = "", color=INK, height=None,
                  width: float = 0) -> None:
        pdf = self.pdf
        pdf.set_font(MAIN_FONT, style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(width, height or size * 0.5, text, align="R" if _rtl(text) else "L", new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.set_text_color(*INK)

    def field(self, label, value: str, *, width: float) -> None:
        pdf = self.pdf
        pdf.set_font(MAIN_FONT, "", 8)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(width, 4, self.both(label), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(MAIN_FONT, "B", 10)
        pdf.set_text_color(*INK)
        pdf.multi_cell(width, 5, value or "—", align="R" if _rtl(value) else "L", new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.ln(1)


def _header(w: _Writer, contract: Contract, draft: bool, qr_payload: str) -> None:
    pdf, content = w.pdf, contract.content
    qr_size = 34
    text_width = pdf.epw - (0 if draft else qr_size + 6)
    top = pdf.get_y()
    w.paragraph(w.both(TITLE), size=16, style="B", height=8, width=text_width)
    pdf.ln(2)
    programme = content.get("programme") or {}
    name = " — ".join(str(v) for v in (programme.get("code"), programme.get("name")) if v)
    w.field(LABELS["programme"], name, width=text_width)
    w.field(LABELS["employer"], (content.get("employer") or {}).get("name") or "", width=text_width)
    worker = content.get("worker") or {}
    w.field(LABELS["worker"], " ".join(str(v) for v in (worker.get("name"), worker.get("public_id") and
                                                         f"({worker['public_id']})") if v), width=text_width)
    status = w.both(dict(ContractStatus.choices).get(contract.status, contract.status))
    w.field(LABELS["version"], str(contract.version), width=text_width)
    w.field(LABELS["status"], status, width=text_width)
    if draft:
        for line in w.each(DRAFT_NOTE):
            w.paragraph(line, size=9, color=RED)
    else:
        w.field(LABELS["code"], contract.verification_code, width=text_width)
        w.field(LABELS["hash"], contract.content_hash, width=text_width)
        after_fields = pdf.get_y()
        _qr(pdf, qr_payload, pdf.l_margin + pdf.epw - qr_size, top, qr_size)
        pdf.link(pdf.l_margin + pdf.epw - qr_size, top, qr_size, qr_size, qr_payload)
        pdf.set_y(max(after_fields, top + qr_size + 2))
        for line in w.each(CHECK):
            w.paragraph(line % {"path": VERIFY_PATH, "code": contract.verification_code}, size=9, color=MUTED)
        if contract.status not in (ContractStatus.ISSUED, ContractStatus.ACCEPTED):
            pdf.ln(1)
            w.paragraph(f"{w.both(NOT_IN_FORCE)}: {status}", size=11, style="B", color=RED)
    pdf.ln(2)
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(4)


def _items(w: _Writer, items: list[dict]) -> None:
    pdf = w.pdf
    for number, item in enumerate(items, start=1):
        if pdf.will_page_break(22):
            pdf.add_page()
        w.paragraph(f"{number}. {item['title']}", size=11, style="B", height=6)
        w.paragraph(str(item["text"]), size=10, height=5)
        if item["title"] != item["title_destination"] or item["text"] != item["text_destination"]:
            pdf.ln(1)
            w.paragraph(f"{number}. {item['title_destination']}", size=9, style="B", color=MUTED, height=5)
            w.paragraph(str(item["text_destination"]), size=9, color=MUTED, height=4.5)
        pdf.ln(4)


def contract_pdf(contract: Contract, *, verify_url: str = "", compress: bool = True) -> bytes:
    """The contract as PDF bytes. `verify_url` is the verification page's address for the QR code (absolute when the
    caller knows the site's address); by default the path /verify/?code=<code>."""
    draft = is_draft(contract)
    worker_language, destination_language = contract.worker_language or "en", contract.destination_language or "en"
    writer = _Writer(None, worker_language, destination_language)
    marking = writer.both(DRAFT) if draft else ""
    code = "" if draft else contract.verification_code
    footer = " · ".join(v for v in (code or marking, f"v{contract.version}") if v)
    items = side_by_side(contract.content, worker_language, destination_language)
    fixed = [TITLE, DRAFT, NOT_IN_FORCE, CHECK, DRAFT_NOTE, *LABELS.values(), *dict(ContractStatus.choices).values()]
    everything = " ".join([json.dumps(contract.content, ensure_ascii=False), json.dumps(items, ensure_ascii=False),
                           *(line for text in fixed for line in writer.each(text))])
    pdf = _Document(marking, footer, fonts_for(everything))
    pdf.set_compression(compress)
    pdf.set_title(f"{_in(worker_language, TITLE)} {code or marking} v{contract.version}")
    pdf.set_lang(worker_language)
    pdf.set_creator("Corridor")
    pdf.set_subject(code or "")
    pdf.set_keywords(contract.content_hash if not draft else "")
    created = contract.locked_at or contract.created_at
    if isinstance(created, datetime.datetime):
        pdf.set_creation_date(created)
    pdf.add_page()
    writer.pdf = pdf
    _header(writer, contract, draft, verify_url or (verify_path(code) if code else ""))
    _items(writer, items)
    return bytes(pdf.output())


def filename(contract: Contract) -> str:
    return f"contract-{'draft' if is_draft(contract) else contract.verification_code}-v{contract.version}.pdf"


def pdf_response(contract: Contract, request=None) -> HttpResponse:
    """The PDF as a download. The caller has checked that the user may see this contract. With `request`, the QR
    code holds the verification page's absolute address; without, its path."""
    url = ""
    if request is not None and not is_draft(contract):
        url = request.build_absolute_uri(verify_path(contract.verification_code))
    response = HttpResponse(contract_pdf(contract, verify_url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(contract)}"'
    response["Cache-Control"] = "private, no-store"
    return response

