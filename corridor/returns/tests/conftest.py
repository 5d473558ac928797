"""Fixtures for returns, built on the payroll fixtures (CA-SAG, destination Canada; `pr_employed` is ct_worker's
journey at Apple harvest, employed since today; its employer user is sel_employer_user, its origin officer sel_origin).

- `rt_permit(valid_until)`: a work permit on pr_employed's journey ending on `valid_until` (written directly: the
  immigration service records permits only before departure, and the journey fixture skips that part).
- `return_data(**changes)`: valid data for services.return_register: today, exit stamp seen, early for illness
  (the contract ends next year, so a return today is early).
- `rt_returned`: pr_employed's journey with its return registered by sel_origin (illness: counts as agreed).
- `rt_worker`: ct_worker's user.
- `pdf_upload`, `png_upload`, `text_upload`: small files for the evidence.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from corridor.deployment.models import Permit
from corridor.payroll.tests.conftest import *  # noqa: F403
from corridor.returns import services
from corridor.selection.tests.conftest import _clear_rate_limits  # noqa: F401  (autouse; `import *` skips it)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def rt_permit(pr_employed):
    def make(valid_until: datetime.date, number: str = "WP-RT-0001", journey=None) -> Permit:
        j = journey or pr_employed
        return Permit.objects.create(journey=j, kind="work_permit", number=number,
                                     valid_from=valid_until - datetime.timedelta(days=200), valid_until=valid_until,
                                     entries="multiple")

    return make


@pytest.fixture
def return_data():
    def make(**changes):
        data = {"returned_on": today().isoformat(), "evidence": "Exit stamp seen, passport page 12",
                "early_reason": "illness", "early_reason_text": "", "note": ""}
        data.update(changes)
        return data

    return make


@pytest.fixture
def rt_returned(pr_employed, sel_origin, return_data):
    services.return_register(actor=sel_origin, journey=pr_employed, **return_data())
    pr_employed.refresh_from_db()
    return pr_employed


@pytest.fixture
def rt_worker(ct_worker):
    return ct_worker.user


@pytest.fixture
def pdf_upload():
    return SimpleUploadedFile("boarding.pdf", b"%PDF-1.4\n% boarding pass\n", content_type="application/pdf")


@pytest.fixture
def png_upload():
    return SimpleUploadedFile("stamp.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")


@pytest.fixture
def text_upload():
    return SimpleUploadedFile("stamp.pdf", b"just some text pretending", content_type="application/pdf")
