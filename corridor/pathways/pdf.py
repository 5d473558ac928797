"""The skills certificate as a PDF: each label in the worker's language and English side by side, the verification
code, the content fingerprint and a QR code to the public verification page. Fonts, text shaping, the QR drawing and
the page frame are contracts' (corridor/contracts/pdf.py, vendored Noto fonts)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from corridor.contracts.pdf import MUTED, RED, _Document, _qr, _Writer, fonts_for
from corridor.pathways.models import CertificateStatus, SkillsCertificate

VERIFY_PATH = "/pathways/verify/"

TITLE = _("Skills certificate")
REVOKED = _("REVOKED — not valid")
LABELS = {
    "worker": _("Worker"),
    "programme": _("Programme"),
    "employer": _("Employer"),
    "occupation": _("Occupation"),
    "dates": _("Dates"),
    "hours": _("Hours worked"),
    "tasks": _("Tasks and skills"),
    "issuer": _("Issued by"),
    "issued_on": _("Issued on"),
    "code": _("Verification code"),
    "hash": _("Content fingerprint (SHA-256)"),
}
CHECK = _("Check this certificate at %(path)s with the code %(code)s, or scan the QR code.")
ATTESTED = _("The employer attested this season; the origin authority or the destination ministry issued the "
             "certificate.")


def verify_path(code: str) -> str:
    return f"{VERIFY_PATH}?{urlencode({'code': code})}"


def certificate_pdf(cert: SkillsCertificate, *, verify_url: str = "", compress: bool = True) -> bytes:
    """An issued (or revoked) certificate as PDF bytes, from its locked content."""
    content = cert.content or {}
    code = cert.verification_code or ""
    revoked = cert.status == CertificateStatus.REVOKED
    writer = _Writer(None, cert.worker_language or "en", "en")
    marking = writer.both(REVOKED) if revoked else ""
    fixed = [TITLE, REVOKED, CHECK, ATTESTED, *LABELS.values()]
    everything = " ".join([*(str(v) for v in content.values()), *(line for t in fixed for line in writer.each(t))])
    pdf = _Document(marking, f"{code}", fonts_for(everything))
    pdf.set_compression(compress)
    pdf.set_title(f"{writer.both(TITLE)} {code}")
    pdf.set_lang(cert.worker_language or "en")
    pdf.set_creator("Corridor")
    pdf.set_subject(code)
    pdf.set_keywords(cert.content_hash)
    if cert.issued_at:
        pdf.set_creation_date(cert.issued_at)
    pdf.add_page()
    writer.pdf = pdf
    qr_size = 34
    width = pdf.epw - qr_size - 6
    top = pdf.get_y()
    writer.paragraph(writer.both(TITLE), size=16, style="B", height=8, width=width)
    pdf.ln(2)
    writer.field(LABELS["worker"], f"{content.get('worker_name', '')} ({content.get('worker_id', '')})", width=width)
    writer.field(LABELS["programme"], f"{content.get('programme', '')} — {content.get('programme_name', '')}",
                 width=width)
    writer.field(LABELS["code"], code, width=width)
    after = pdf.get_y()
    payload = verify_url or verify_path(code)
    _qr(pdf, payload, pdf.l_margin + pdf.epw - qr_size, top, qr_size)
    pdf.link(pdf.l_margin + pdf.epw - qr_size, top, qr_size, qr_size, payload)
    pdf.set_y(max(after, top + qr_size + 2))
    occupation = f"{content.get('occupation', '')} (ISCO-08 {content.get('isco_code', '')})"
    if content.get("esco_uri"):
        occupation += f"\nESCO: {content['esco_uri']}"
    writer.field(LABELS["employer"], str(content.get("employer", "")), width=pdf.epw)
    writer.field(LABELS["occupation"], occupation, width=pdf.epw)
    writer.field(LABELS["dates"], f"{content.get('start', '')} – {content.get('end', '')}", width=pdf.epw)
    writer.field(LABELS["hours"], str(content.get("hours_worked", "")), width=pdf.epw)
    writer.field(LABELS["tasks"], str(content.get("tasks", "")), width=pdf.epw)
    writer.field(LABELS["issuer"], str(content.get("issuer", "")), width=pdf.epw)
    writer.field(LABELS["issued_on"], str(content.get("issued_on", "")), width=pdf.epw)
    writer.field(LABELS["hash"], cert.content_hash, width=pdf.epw)
    for line in writer.each(ATTESTED):
        writer.paragraph(line, size=9, color=MUTED)
    for line in writer.each(CHECK):
        writer.paragraph(line % {"path": VERIFY_PATH, "code": code}, size=9, color=MUTED)
    if revoked:
        pdf.ln(2)
        writer.paragraph(f"{writer.both(REVOKED)}: {cert.revocation_reason}", size=11, style="B", color=RED)
    return bytes(pdf.output())


def filename(cert: SkillsCertificate) -> str:
    return f"skills-certificate-{cert.verification_code}.pdf"


def pdf_response(cert: SkillsCertificate, request=None) -> HttpResponse:
    """The PDF as a download; the caller has checked that the user may download it."""
    url = request.build_absolute_uri(verify_path(cert.verification_code)) if request is not None else ""
    response = HttpResponse(certificate_pdf(cert, verify_url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(cert)}"'
    response["Cache-Control"] = "private, no-store"
    return response
