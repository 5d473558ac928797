"""The contract PDF: fonts for every script in it, the code, hash and QR link of an approved contract, the draft
marking, and the download response."""

import copy
import datetime
import hashlib
import io
import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import timezone
from pypdf import PdfReader

from corridor.contracts import clauses
from corridor.contracts.models import Contract, ContractStatus
from corridor.contracts.pdf import FONT_DIR, FONTS, contract_pdf, filename, pdf_response, verify_path

CODE = "CT-7KQ2-M9XD"

CONTENT = clauses.build(
    worker={"name": "José Luis Martínez López", "public_id": "W-ABKWPDFK", "date_of_birth": "1989-06-21",
            "nationality": "MX", "document": "passport G28471903"},
    employer={"name": "Niagara Orchards Ltd.", "business_id": "CA-BN 812345678",
              "address": "4120 Victoria Avenue, Vineland", "contact": "Mark Vanderberg"},
    job={"reference": "JO-6C7H6FBX", "title": "Orchard pruning", "description": "Pruning and thinning apple trees.",
         "sector": "A", "worksite": "Vineland orchard", "address": "4120 Victoria Avenue", "region": "Ontario",
         "country": "CA", "isco_code": "9211", "occupation": "Crop farm labourers", "wage_amount": "19.10",
         "wage_currency": "CAD", "wage_unit": "hour", "hours_per_week": "40.00", "overtime_rate_percent": "150.0",
         "deductions": [{"type": "tax", "amount": "320.00"}], "housing": None, "start_date": "2027-03-01",
         "end_date": "2027-05-28", "outbound_travel_worker_percent": "0.0", "return_travel_worker_percent": "0.0"},
    rules={"deductions": {"total_cap_percent": 35.0, "net_pay_floor_percent": 65.0},
           "employer_change": {"policy": "within_sector", "grace_period_days": 60}},
    template={"night_rate_percent": "125.0", "holiday_pay": "Statutory holidays are paid.",
              "payment_method": "Bank transfer", "pay_period": "every two weeks", "allowances": "None.",
              "food": "Not provided.", "renewal": "Renewable by recall.", "notice_days": 14,
              "entry_and_stay": "Work permit tied to the programme.", "termination": "Serious misconduct.",
              "complaints": "Employment Standards hotline."},
    programme={"code": "CA-SAG", "name": "Seasonal Agricultural Workers Programme", "destination_country": "CA"},
)


def contract(*, status=ContractStatus.ACCEPTED, worker_language="es", destination_language="en", version=1,
             **content_changes):
    """An unsaved contract version (the PDF reads only the instance)."""
    content = copy.deepcopy(CONTENT)
    for path, value in content_changes.items():
        node = content
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    locked = status not in (ContractStatus.DRAFT, ContractStatus.SIGNED)
    return Contract(
        version=version, status=status, content=content, worker_language=worker_language,
        destination_language=destination_language, content_hash=clauses.content_hash(content) if locked else "",
        verification_code=CODE if locked else None, created_at=timezone.now(),
        locked_at=timezone.now() if locked else None,
    )


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def embedded_fonts(data: bytes) -> set[str]:
    """The base names of the fonts embedded in the PDF, without the subset prefix."""
    return {name.split(b"+", 1)[-1].decode() for name in re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-]+)", data)}


def test_an_approved_contract_is_a_pdf_with_its_code_hash_and_both_languages():
    c = contract()
    data = contract_pdf(c)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    text = text_of(data)
    assert CODE in text
    assert c.content_hash in text
    assert "DRAFT" not in text and "Borrador" not in text
    # Each item in the worker's language first, then the destination's.
    assert "Horas extra" in text and "Overtime" in text
    assert text.index("Horas extra") < text.index("Overtime")
    assert "José Luis Martínez López" in text
    metadata = PdfReader(io.BytesIO(data)).metadata
    assert metadata.subject == CODE and metadata.keywords == c.content_hash


def test_the_qr_code_and_link_point_to_the_verification_page():
    data = contract_pdf(contract(), compress=False)
    assert verify_path(CODE) == "/verify/?code=CT-7KQ2-M9XD"
    links = [a.get_object()["/A"]["/URI"] for a in PdfReader(io.BytesIO(data)).pages[0]["/Annots"]]
    assert links == ["/verify/?code=CT-7KQ2-M9XD"]
    # The QR code is drawn as filled squares on the first page (many `re` operators), not an image.
    assert PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().count(b" re") > 50


def test_every_page_is_numbered():
    data = contract_pdf(contract())
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"{number}/{len(pages)}" in page.extract_text()


def test_an_arabic_speaking_worker_gets_the_arabic_font_and_right_to_left_shaped_text():
    data = contract_pdf(contract(worker_language="ar", worker__name="أحمد علي", food="الطعام غير متوفر."))
    fonts = embedded_fonts(data)
    assert "NotoSansArabic" in fonts and "NotoSansDevanagari" not in fonts
    assert "NotoSans" in fonts
    text = text_of(data)
    # Labels in Arabic beside the destination's.
    assert "عامل" in text and "Worker" in text
    # The Arabic words are there, shaped (contextual forms map back to the letters through the font's ToUnicode).
    assert "علي" in text and "أحمد" in text
    assert "متوفر" in text


@pytest.mark.parametrize(("name", "font", "extracted"), [
    ("रमेश थापा", "NotoSansDevanagari", "रमेश थापा"),
    # Text extraction of shaped Bengali loses the odd letter (the pre-base vowel sign is drawn before its
    # consonant); the rendering is right, so only the start of the name is compared.
    ("রহিম উদ্দিন", "NotoSansBengali", "রহি"),
])
def test_names_in_indic_scripts_are_printed_with_their_font(name, font, extracted):
    data = contract_pdf(contract(worker_language="ne", worker__name=name))
    assert embedded_fonts(data) == {"NotoSans", "NotoSansBold", font}
    assert extracted in text_of(data)


def test_a_latin_only_contract_embeds_no_other_script():
    fonts = embedded_fonts(contract_pdf(contract()))
    assert fonts == {"NotoSans", "NotoSansBold"}


@pytest.mark.parametrize("status", [ContractStatus.DRAFT, ContractStatus.SIGNED])
def test_a_contract_not_yet_approved_is_marked_draft_and_has_no_code(status):
    c = contract(status=status)
    data = contract_pdf(c, compress=False)
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 2
    for page in pages:
        assert "DRAFT — not valid" in page.extract_text()
    text = text_of(data)
    assert "CT-" not in text
    assert clauses.content_hash(c.content) not in text
    assert "/Annots" not in pages[0]
    assert filename(c) == "contract-draft-v1.pdf"


def test_an_approved_status_without_a_code_is_still_a_draft():
    c = contract()
    c.verification_code = None
    assert "DRAFT — not valid" in text_of(contract_pdf(c))


@pytest.mark.parametrize("status", [ContractStatus.REVOKED, ContractStatus.SUPERSEDED, ContractStatus.REJECTED])
def test_a_contract_no_longer_in_force_says_so(status):
    text = text_of(contract_pdf(contract(status=status, worker_language="en")))
    assert "Not in force" in text
    assert CODE in text


def test_issued_and_accepted_contracts_are_not_marked():
    for status in (ContractStatus.ISSUED, ContractStatus.ACCEPTED):
        text = text_of(contract_pdf(contract(status=status, worker_language="en")))
        assert "Not in force" not in text and "DRAFT" not in text


def test_one_language_contract_prints_each_item_once():
    text = text_of(contract_pdf(contract(worker_language="en", destination_language="en")))
    assert text.count("Overtime") == 1


def test_unknown_languages_fall_back_to_english():
    data = contract_pdf(contract(worker_language="xx", destination_language=""))
    assert "Overtime" in text_of(data)


def test_long_free_text_flows_over_pages():
    data = contract_pdf(contract(termination="Serious misconduct after a hearing. " * 400))
    assert len(PdfReader(io.BytesIO(data)).pages) > 3


def test_the_download_response():
    c = contract(version=3)
    response = pdf_response(c)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="contract-CT-7KQ2-M9XD-v3.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")


def test_with_a_request_the_qr_code_holds_the_absolute_address():
    request = RequestFactory().get("/contracts/1/pdf/", secure=True)
    response = pdf_response(contract(), request)
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert [a.get_object()["/A"]["/URI"] for a in page["/Annots"]] == ["https://testserver/verify/?code=CT-7KQ2-M9XD"]


def test_a_draft_download_is_named_draft():
    response = pdf_response(contract(status=ContractStatus.DRAFT, version=2), RequestFactory().get("/"))
    assert response["Content-Disposition"] == 'attachment; filename="contract-draft-v2.pdf"'
    assert "/Annots" not in PdfReader(io.BytesIO(response.content)).pages[0]


def test_the_vendored_fonts_match_their_recorded_checksums():
    source = (FONT_DIR / "SOURCE.md").read_text()
    files = [file for styles in FONTS.values() for file in styles.values()]
    assert {"NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf", "NotoSansDevanagari-Regular.ttf",
            "NotoSansBengali-Regular.ttf"} <= set(files)
    for file in files:
        digest = hashlib.sha256(Path(FONT_DIR / file).read_bytes()).hexdigest()
        assert f"`{file}`" in source and digest in source, file
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONT_DIR / "LICENSE").read_text()


def test_render_time_is_reasonable():
    start = datetime.datetime.now()
    contract_pdf(contract(worker_language="ar"))
    assert (datetime.datetime.now() - start).total_seconds() < 5


@pytest.mark.parametrize("name", ["王小明 😀", "\u202eevil\u202c", "x\x00y", "ب" * 3000])
def test_characters_no_font_covers_or_control_characters_do_not_break_the_pdf(name):
    assert contract_pdf(contract(worker_language="ar", worker__name=name)).startswith(b"%PDF")
