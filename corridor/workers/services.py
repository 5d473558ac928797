"""Changing the work-ready pool: registration, the profile's parts, consent, status. One atomic, audited function per
change; every field is checked before anything is written, and every problem is reported at once, naming its field.

Who may change what follows `worker_filter(user, "change")` in models.py: the worker their own record, the origin
authority its nationals, a licensed agency the registered (not yet verified) workers who consented to it. Consent is
given and withdrawn by the worker alone. Verification, work-readiness and exclusion are the origin authority's.
"""

from __future__ import annotations

import datetime
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from corridor.accounts.models import Organisation, OrgKind
from corridor.core import audit
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.inputs import date_field
from corridor.programmes.models import Programme, ProgrammeStatus
from corridor.reference import codes
from corridor.reference.models import EscoOccupation, IscoGroup
from corridor.workers import matching
from corridor.workers.models import (
    Channel,
    Consent,
    ConsentPurpose,
    DocumentKind,
    Education,
    IdentityDocument,
    LanguageResult,
    MedicalClearance,
    PoolStatus,
    Sex,
    Worker,
    WorkerContact,
    WorkerOccupation,
)

PUBLIC_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out on a phone without mistakes
MIN_AGE = 15  # ILO Minimum Age Convention, 1973 (No. 138), art. 2(3): the general minimum age for work
MAX_AGE = 100
PHONE_DIGITS = (8, 15)  # E.164: at most 15 digits with the country code
MAX_YEARS_EXPERIENCE = Decimal("70")
IDENTITY_FIELDS = ("given_names", "family_names", "sex", "date_of_birth", "nationality")
PROFILE_FIELDS = IDENTITY_FIELDS + ("region_of_origin", "education", "language")
CONTACT_FIELDS = ("phone", "email", "address")

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCAN_TYPES = {"application/pdf": ("pdf", "PDF"), "image/jpeg": ("jpg", "JPEG"), "image/png": ("png", "PNG")}
EXTENSION_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


class UploadTooLarge(InvalidInput):
    """An upload larger than settings.CORRIDOR_MAX_UPLOAD_BYTES: 413, naming the field."""

    status = 413
    title = "Payload too large"


def new_public_id() -> str:
    return "W-" + "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(8))


def _unique_public_id() -> str:
    for _attempt in range(20):
        candidate = new_public_id()
        if not Worker.objects.filter(public_id=candidate).exists():
            return candidate
    raise Conflict("Could not draw a free worker identifier; try again.", field="public_id")  # pragma: no cover


# --- name keys and duplicate detection (corridor.workers.matching and .duplicates) -------------------------------


def name_key(given: str, family: str) -> str:
    return matching.name_key(given, family)[:300]


def _detect_duplicates(worker: Worker, actor=None) -> None:
    from corridor.workers.duplicates import detect_for

    detect_for(worker, actor=actor)


# --- agencies: the licence check the recruitment app installs -----------------------------------------------------

AgencyCheck = Callable[[Organisation, str, datetime.date], tuple[bool, str]]
_agency_check: AgencyCheck | None = None


def register_agency_check(fn: AgencyCheck | None) -> None:
    """Install fn(agency_org, origin_country, on_date) -> (allowed, reason): whether a recruitment agency may act for
    workers of `origin_country` on `on_date` (the recruitment app installs the licence register's check)."""
    global _agency_check
    _agency_check = fn


def agency_may_act(agency: Organisation, origin_country: str, on_date: datetime.date | None = None) -> tuple[bool, str]:
    if _agency_check is None:
        return False, gettext("No licensing register is installed, so no agency may act for workers.")
    allowed, reason = _agency_check(agency, origin_country, on_date or timezone.localdate())
    return bool(allowed), str(reason or "")


# --- who may act --------------------------------------------------------------------------------------------------



def is_origin_officer_for(actor, country: str) -> bool:
    org = organisation_of(actor)
    return bool(
        Role.ORIGIN_OFFICER in roles_of(actor) and org is not None and org.kind == OrgKind.ORIGIN_AUTHORITY
        and org.country == country
    )


def is_agency(actor) -> bool:
    org = organisation_of(actor)
    return bool(Role.AGENCY in roles_of(actor) and org is not None and org.kind == OrgKind.RECRUITMENT_AGENCY)


def is_self(actor, worker: Worker) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and worker.user_id is not None and worker.user_id == actor.pk)


def may_change(actor, worker: Worker) -> bool:
    return Worker.objects.filter(pk=worker.pk).restrict(actor, "change").exists()


def _require_change(actor, worker: Worker) -> None:
    if not may_change(actor, worker):
        raise Forbidden(
            "Only the worker, the origin authority of their country, or an agency they consented to (before "
            "verification) may change this profile."
        )


def _require_origin_officer(actor, worker: Worker) -> None:
    if not is_origin_officer_for(actor, worker.nationality):
        raise Forbidden("Only officers of the origin authority of the worker's country may do this.")


def _require_self(actor, worker: Worker, what: str) -> None:
    if not is_self(actor, worker):
        raise Forbidden(f"Only the worker themselves may {what}.")


def _locked(worker: Worker) -> Worker:
    return Worker.objects.select_for_update().get(pk=worker.pk)


def _via(actor, via: str | None) -> str | None:
    return via or getattr(actor, "_corridor_via", None)


# --- field checks -------------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(data: dict, name: str, errors: list, *, required: bool = True, max_length: int = 150,
          multiline: bool = False) -> str:
    raw = data.get(name)
    if raw is None:
        raw = ""
    if not isinstance(raw, str | int | Decimal):
        errors.append({"field": name, "message": "Give a text."})
        return ""
    value = unicodedata.normalize("NFC", str(raw)).strip()
    if _CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
        errors.append({"field": name, "message": "Contains characters that cannot be stored (control characters)."})
        return ""
    if required and not value:
        errors.append({"field": name, "message": "This field is required."})
    elif len(value) > max_length:
        errors.append({"field": name, "message": f"Use at most {max_length} characters."})
        return value[:max_length]
    return value


def _date(data: dict, name: str, errors: list, *, required: bool = True) -> datetime.date | None:
    return date_field(data, name, errors, required=required)


def _not_future(value: datetime.date | None, name: str, errors: list, what: str) -> None:
    if value is not None and value > timezone.localdate():
        errors.append({"field": name, "message": f"{what} cannot be in the future."})


def _choice(data: dict, name: str, errors: list, choices, *, required: bool = True) -> str:
    value = str(data.get(name) or "").strip()
    if not value and not required:
        return ""
    if value not in choices.values:
        errors.append({"field": name, "message": f"Choose one of: {', '.join(choices.values)}."})
    return value


def _country(data: dict, name: str, errors: list) -> str:
    raw = data.get(name)
    value = codes.normalise_country(raw if isinstance(raw, str) else None)
    if value is None:
        errors.append({"field": name, "message": f"Unknown ISO 3166-1 country code {str(raw or '')[:10]!r}."})
        return ""
    return value


def _language(data: dict, name: str, errors: list, *, required: bool = True, default: str = "") -> str:
    raw = data.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required and not default:
            errors.append({"field": name, "message": "This field is required."})
        return default
    value = codes.normalise_language(raw if isinstance(raw, str) else None)
    if value is None or len(value) > 3:
        errors.append({"field": name, "message": f"Unknown ISO 639 language code {str(raw)[:10]!r}."})
        return default
    return value


def normalise_phone(raw: Any) -> str | None:
    """The number as "+" and 8 to 15 digits, from "+52 55 1234-5678", "0052 (55) 1234 5678" and the like; None if
    it is not an international number."""
    if not isinstance(raw, str):
        return None
    value = re.sub(r"[\s\-().\u00a0/]", "", raw.strip())
    if value.startswith("+"):
        digits = value[1:]
    elif value.startswith("00"):
        digits = value[2:]
    else:
        return None
    if not (digits.isascii() and digits.isdigit()) or digits.startswith("0"):
        return None
    if not PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]:
        return None
    return "+" + digits


def _phone(data: dict, errors: list, name: str = "phone") -> str:
    raw = data.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors.append({"field": name, "message": "Give a mobile phone number: it is how you sign in and are reached."})
        return ""
    phone = normalise_phone(raw)
    if phone is None:
        errors.append({
            "field": name,
            "message": f"Give the number with + and the country code, {PHONE_DIGITS[0]} to {PHONE_DIGITS[1]} digits "
                       "in all (for example +52 55 1234 5678).",
        })
        return ""
    return phone


def _email(data: dict, errors: list, name: str = "email") -> str:
    value = _text(data, name, errors, required=False, max_length=254)
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            errors.append({"field": name, "message": "Enter a valid e-mail address, or leave it empty."})
            return ""
    return value


def _check_date_of_birth(value: datetime.date | None, errors: list, name: str = "date_of_birth") -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        errors.append({"field": name, "message": "The date of birth cannot be in the future."})
        return
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < MIN_AGE:
        errors.append({"field": name, "message": f"A worker must be at least {MIN_AGE} years old to register."})
    elif age > MAX_AGE:
        errors.append({"field": name, "message": f"A date of birth more than {MAX_AGE} years ago is surely a typing error."})


def _check_identity(data: dict, errors: list, *, fields=PROFILE_FIELDS) -> dict:
    clean: dict[str, Any] = {}
    if "given_names" in fields:
        clean["given_names"] = _text(data, "given_names", errors)
    if "family_names" in fields:
        clean["family_names"] = _text(data, "family_names", errors)
    if "sex" in fields:
        clean["sex"] = _choice(data, "sex", errors, Sex)
    if "date_of_birth" in fields:
        clean["date_of_birth"] = _date(data, "date_of_birth", errors)
        _check_date_of_birth(clean["date_of_birth"], errors)
    if "nationality" in fields:
        clean["nationality"] = _country(data, "nationality", errors)
    if "region_of_origin" in fields:
        clean["region_of_origin"] = _text(data, "region_of_origin", errors, required=False, max_length=100)
    if "education" in fields:
        clean["education"] = _choice(data, "education", errors, Education, required=False)
    if "language" in fields:
        clean["language"] = _language(data, "language", errors)
    return clean


def _check_contact(data: dict, errors: list) -> dict:
    return {
        "phone": _phone(data, errors),
        "email": _email(data, errors),
        "address": _text(data, "address", errors, required=False, max_length=300),
    }


def _ui_language(language: str) -> str:
    """The interface language nearest to the worker's language (the platform speaks a few; the profile records any)."""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- registration -------------------------------------------------------------------------------------------------


def _account_errors(*, username: str, password: str, email: str, language: str, username_from_phone: bool) -> list[dict]:
    from corridor.accounts import services as account_services

    errors = account_services.check_new_account(username=username, password=password, email=email, language=language)
    out = []
    for err in errors:
        if err["field"] == "username" and username_from_phone:
            if not username:
                continue  # the phone's own error says it
            err = {"field": "phone", "message": "An account already uses this phone number: sign in, or choose a username."}
        if err["field"] == "email":
            continue  # checked with the contact
        out.append(err)
    return out


def _create_account(*, username: str, password: str, given: str, family: str, email: str, language: str):
    """The worker's account: no organisation, the worker role. The fields were checked by `_account_errors`."""
    from corridor.accounts import services as account_services

    user = account_services.user_create(
        actor=None, username=username, password=password, organisation=None, first_name=given[:150],
        last_name=family[:150], email=email, language=language, check_password=False,
    )
    account_services.role_grant(actor=None, user=user, role=Role.WORKER)
    user.forget_cached_access()
    return user


def _create_worker(*, actor, identity: dict, contact: dict, channel: str, organisation=None, user=None,
                   confirmed: bool, via: str | None) -> Worker:
    worker = Worker(
        public_id=_unique_public_id(), user=user, name_key=name_key(identity["given_names"], identity["family_names"]),
        registered_via=channel, registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        registered_by_organisation=organisation, confirmed_at=timezone.now() if confirmed else None, **identity,
    )
    worker.save()
    contact_row = WorkerContact.objects.create(worker=worker, **contact)
    audit.record(actor=actor, action="worker.register", subject=worker, after=audit.snapshot(worker), via=_via(actor, via),
                 organisation_id=organisation.pk if organisation else None)
    audit.record(actor=actor, action="worker.contact.create", subject=contact_row, after=audit.snapshot(contact_row),
                 via=_via(actor, via))
    _detect_duplicates(worker, actor)
    return worker


@transaction.atomic
def worker_register_self(*, via: str = "web", **data: Any) -> Worker:
    """A worker registers on their own, with no account yet: their identity, their mobile phone (required; the
    default username) and an account with the worker role. The record counts as confirmed: the worker made it."""
    errors: list[dict] = []
    identity = _check_identity(data, errors)
    contact = _check_contact(data, errors)
    given_username = _text(data, "username", errors, required=False, max_length=150)
    username = given_username or contact["phone"]
    password = data.get("password") if isinstance(data.get("password"), str) else ""
    errors += _account_errors(username=username, password=password, email=contact["email"],
                              language=identity.get("language") or "en", username_from_phone=not given_username)
    if errors:
        raise InvalidInput(errors)
    user = _create_account(username=username, password=password, given=identity["given_names"],
                           family=identity["family_names"], email=contact["email"], language=identity["language"])
    user._corridor_via = via
    return _create_worker(actor=user, identity=identity, contact=contact, channel=Channel.SELF, user=user,
                          confirmed=True, via=via)


@transaction.atomic
def worker_profile_create(*, actor, via: str | None = None, **data: Any) -> Worker:
    """A signed-in worker whose account has no profile yet (e.g. one made for them) registers their profile."""
    if Role.WORKER not in roles_of(actor):
        raise Forbidden("Only a worker's own account can register a profile for itself.")
    if Worker.objects.filter(user=actor).exists():
        raise Conflict("Your account already has a worker profile.", field="user")
    errors: list[dict] = []
    identity = _check_identity(data, errors)
    contact = _check_contact(data, errors)
    if errors:
        raise InvalidInput(errors)
    return _create_worker(actor=actor, identity=identity, contact=contact, channel=Channel.SELF, user=actor,
                          confirmed=True, via=via)


@transaction.atomic
def worker_register_on_behalf(*, actor, via: str | None = None, **data: Any) -> Worker:
    """The origin authority (its nationals only) or a licensed agency (where its licence allows) registers a worker,
    without an account. The registration is complete once the worker confirms it (`worker_claim`)."""
    org = organisation_of(actor)
    if Role.ORIGIN_OFFICER in roles_of(actor) and org is not None and org.kind == OrgKind.ORIGIN_AUTHORITY:
        channel = Channel.ORIGIN
    elif is_agency(actor):
        channel = Channel.AGENCY
    else:
        raise Forbidden("Only the origin authority or a licensed recruitment agency may register a worker on their behalf.")
    errors: list[dict] = []
    identity = _check_identity(data, errors)
    contact = _check_contact(data, errors)
    nationality = identity.get("nationality")
    if nationality:
        if channel == Channel.ORIGIN and nationality != org.country:
            errors.append({"field": "nationality",
                           "message": f"Your authority registers nationals of {org.country} only."})
        if channel == Channel.AGENCY:
            allowed, reason = agency_may_act(org, nationality)
            if not allowed:
                raise Forbidden(reason or "Your licence does not cover workers of this country.")
    if errors:
        raise InvalidInput(errors)
    return _create_worker(actor=actor, identity=identity, contact=contact, channel=channel, organisation=org,
                          confirmed=False, via=via)


NO_MATCH = "No registration waiting for confirmation matches this identifier, phone number and date of birth."


@transaction.atomic
def worker_claim(*, phone: Any, date_of_birth: Any, public_id: Any, username: Any = "", password: Any = "",
                 language: Any = None, via: str = "web"):
    """A worker registered on their behalf confirms the registration: the identifier they were given, their phone
    and date of birth must match. Their account is created and linked; returns (worker, user)."""
    errors: list[dict] = []
    data = {"phone": phone, "date_of_birth": date_of_birth, "public_id": public_id, "username": username,
            "language": language}
    clean_phone = _phone(data, errors)
    born = _date(data, "date_of_birth", errors)
    ident = _text(data, "public_id", errors, max_length=12).upper()
    lang = _language(data, "language", errors, required=False)
    given_username = _text(data, "username", errors, required=False, max_length=150)
    password = password if isinstance(password, str) else ""
    if errors:
        raise InvalidInput(errors)
    worker = (
        Worker.objects.select_for_update()
        .filter(public_id=ident, user__isnull=True, confirmed_at__isnull=True, date_of_birth=born,
                contact__phone=clean_phone, merged_into__isnull=True)
        .first()
    )
    if worker is None:
        raise InvalidInput(NO_MATCH, field="public_id")
    language = lang or worker.language
    username = given_username or clean_phone
    errors = _account_errors(username=username, password=password, email="", language=language,
                             username_from_phone=not given_username)
    if errors:
        raise InvalidInput(errors)
    email = worker.contact.email
    user = _create_account(username=username, password=password, given=worker.given_names, family=worker.family_names,
                           email=email, language=language)
    user._corridor_via = via
    before = audit.snapshot(worker)
    worker.user = user
    worker.confirmed_at = timezone.now()
    worker.language = language
    worker.save(update_fields=["user", "confirmed_at", "language", "updated_at"])
    audit.record(actor=user, action="worker.claim", subject=worker, before=before, after=audit.snapshot(worker), via=via)
    return worker, user


# --- identity, contact and orientation ----------------------------------------------------------------------------


@transaction.atomic
def worker_update(*, actor, worker: Worker, **data: Any) -> Worker:
    """Change the profile's identity fields (names, sex, date of birth: by the worker before verification, by the
    origin authority at any time), region, education and preferred language. Nationality is fixed once registered:
    a wrong one is a new registration that the origin authority merges."""
    _require_change(actor, worker)
    worker = _locked(worker)
    unknown = sorted(set(data) - set(PROFILE_FIELDS))
    if unknown:
        raise InvalidInput([{"field": k, "message": "This field cannot be changed here."} for k in unknown])
    errors: list[dict] = []
    fields = tuple(k for k in PROFILE_FIELDS if k in data)
    merged = {k: getattr(worker, k) for k in PROFILE_FIELDS}
    merged.update(data)
    clean = _check_identity(merged, errors, fields=fields)
    if "nationality" in clean and clean["nationality"] and clean["nationality"] != worker.nationality:
        errors.append({"field": "nationality", "message": "The nationality cannot be changed; ask the origin authority."})
    identity_changed = [k for k in ("given_names", "family_names", "sex", "date_of_birth") if k in clean
                        and clean[k] != getattr(worker, k)]
    if identity_changed and worker.status != PoolStatus.REGISTERED and not is_origin_officer_for(actor, worker.nationality):
        errors.extend({"field": k, "message": "Verified identity details are corrected by the origin authority only."}
                      for k in identity_changed)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(worker)
    for key, value in clean.items():
        setattr(worker, key, value)
    worker.name_key = name_key(worker.given_names, worker.family_names)
    worker.save()
    audit.record(actor=actor, action="worker.update", subject=worker, before=before, after=audit.snapshot(worker))
    if identity_changed:
        _detect_duplicates(worker, actor)
    return worker


@transaction.atomic
def contact_update(*, actor, worker: Worker, **data: Any) -> WorkerContact:
    _require_change(actor, worker)
    contact = WorkerContact.objects.select_for_update().filter(worker=worker).first()
    merged = {k: getattr(contact, k) if contact else "" for k in CONTACT_FIELDS}
    merged.update({k: v for k, v in data.items() if k in CONTACT_FIELDS})
    errors: list[dict] = [{"field": k, "message": "This field cannot be changed here."} for k in sorted(set(data) - set(CONTACT_FIELDS))]
    clean = _check_contact(merged, errors)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(contact) if contact else None
    if contact is None:
        contact = WorkerContact(worker=worker)
    for key, value in clean.items():
        setattr(contact, key, value)
    contact.save()
    audit.record(actor=actor, action="worker.contact.update", subject=contact, before=before, after=audit.snapshot(contact))
    return contact


@transaction.atomic
def orientation_record(*, actor, worker: Worker, completed_on: Any) -> Worker:
    """Record (or, with None, clear) the date the worker completed pre-departure orientation."""
    _require_change(actor, worker)
    worker = _locked(worker)
    errors: list[dict] = []
    day = _date({"completed_on": completed_on}, "completed_on", errors, required=False)
    _not_future(day, "completed_on", errors, "The orientation date")
    if day is not None and day < worker.date_of_birth:
        errors.append({"field": "completed_on", "message": "The orientation cannot predate the worker's birth."})
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(worker)
    worker.orientation_completed_on = day
    worker.save(update_fields=["orientation_completed_on", "updated_at"])
    audit.record(actor=actor, action="worker.orientation", subject=worker, before=before, after=audit.snapshot(worker))
    _recheck_work_ready(actor, worker)
    return worker


# --- uploads ------------------------------------------------------------------------------------------------------


def scan_type(upload, field: str = "file") -> str:
    """The scan's content type from its first bytes (PDF, JPEG or PNG), which must agree with its name's extension;
    InvalidInput (UploadTooLarge, 413, when too large) naming `field` otherwise."""
    limit = settings.CORRIDOR_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadTooLarge(f"The file is larger than the limit of {limit // (1024 * 1024) or 1} MiB.", field=field)
    head = upload.read(len(PNG_MAGIC))
    upload.seek(0)
    if head.startswith(PDF_MAGIC):
        content_type = "application/pdf"
    elif head.startswith(JPEG_MAGIC):
        content_type = "image/jpeg"
    elif head.startswith(PNG_MAGIC):
        content_type = "image/png"
    else:
        raise InvalidInput("The file must be a PDF document or a JPEG or PNG image.", field=field)
    extension = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    named = EXTENSION_TYPES.get(extension)
    if extension and named != content_type:
        raise InvalidInput(
            f"The file is named {extension} but its content is a {SCAN_TYPES[content_type][1]} file: it is not what "
            "its name says. Upload the original scan.",
            field=field,
        )
    return content_type


def _store_scan(document: IdentityDocument, upload, field: str) -> None:
    content_type = scan_type(upload, field)
    if document.file:
        document.file.delete(save=False)
    extension = SCAN_TYPES[content_type][0]
    document.content_type = content_type
    document.size = upload.size or 0
    # A random name: no name or document number of the worker in storage paths.
    document.file.save(f"{secrets.token_hex(16)}.{extension}", upload, save=False)


# --- identity documents --------------------------------------------------------------------------------------------


def _check_document(data: dict, worker: Worker, errors: list) -> dict:
    clean = {
        "kind": _choice(data, "kind", errors, DocumentKind),
        "number": _text(data, "number", errors, max_length=40),
        "issuing_country": _country(data, "issuing_country", errors),
        "issued_on": _date(data, "issued_on", errors, required=False),
        "expires_on": _date(data, "expires_on", errors, required=False),
    }
    if clean["number"] and not matching.number_key(clean["number"]):
        errors.append({"field": "number", "message": "A document number needs letters or digits."})
    _not_future(clean["issued_on"], "issued_on", errors, "The date of issue")
    if clean["issued_on"] and clean["issued_on"] < worker.date_of_birth:
        errors.append({"field": "issued_on", "message": "A document cannot be issued before the worker's birth."})
    if clean["issued_on"] and clean["expires_on"] and clean["expires_on"] <= clean["issued_on"]:
        errors.append({"field": "expires_on", "message": "The expiry date must come after the date of issue."})
    if clean["kind"] == DocumentKind.PASSPORT and clean["number"] and not clean["expires_on"]:
        errors.append({"field": "expires_on", "message": "A passport has an expiry date: give it."})
    clean["number_key"] = matching.number_key(clean["number"])
    return clean


def document_expired(document: IdentityDocument, on_date: datetime.date | None = None) -> bool:
    return document.expires_on is not None and document.expires_on < (on_date or timezone.localdate())


def _part_event(actor, action: str, part, before=None, after=None, reason: str = "") -> None:
    audit.record(actor=actor, action=action, subject=part, before=before, after=after, reason=reason)


@transaction.atomic
def document_add(*, actor, worker: Worker, upload=None, **data: Any) -> IdentityDocument:
    """Record an identity document, with an optional scan (PDF, JPEG or PNG). An expired document is recorded too:
    `document_expired` flags it, and it does not count as valid for work-readiness or eligibility."""
    _require_change(actor, worker)
    errors: list[dict] = []
    clean = _check_document(data, worker, errors)
    if errors:
        raise InvalidInput(errors)
    document = IdentityDocument(worker=worker, **clean)
    if upload is not None:
        _store_scan(document, upload, "file")
    document.save()
    _part_event(actor, "worker.document.add", document, after=audit.snapshot(document))
    _detect_duplicates(worker, actor)
    return document


@transaction.atomic
def document_change(*, actor, document: IdentityDocument, upload=None, **data: Any) -> IdentityDocument:
    _require_change(actor, document.worker)
    document = IdentityDocument.objects.select_for_update().get(pk=document.pk)
    merged = {k: getattr(document, k) for k in ("kind", "number", "issuing_country", "issued_on", "expires_on")}
    merged.update({k: v for k, v in data.items() if k in merged})
    errors: list[dict] = []
    clean = _check_document(merged, document.worker, errors)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(document)
    for key, value in clean.items():
        setattr(document, key, value)
    if upload is not None:
        _store_scan(document, upload, "file")
    document.save()
    _part_event(actor, "worker.document.change", document, before=before, after=audit.snapshot(document))
    _detect_duplicates(document.worker, actor)
    _recheck_work_ready(actor, document.worker)
    return document


@transaction.atomic
def document_remove(*, actor, document: IdentityDocument, reason: str = "") -> None:
    _require_change(actor, document.worker)
    worker = document.worker
    before = audit.snapshot(document)
    _part_event(actor, "worker.document.remove", document, before=before, reason=reason or "")
    if document.file:
        document.file.delete(save=False)
    document.delete()
    _recheck_work_ready(actor, worker)


# --- language results -----------------------------------------------------------------------------------------------


def _check_result(data: dict, errors: list) -> dict:
    clean = {
        "language": _language(data, "language", errors),
        "test": _text(data, "test", errors, max_length=100),
        "level": _text(data, "level", errors, max_length=40),
        "taken_on": _date(data, "taken_on", errors),
        "valid_until": _date(data, "valid_until", errors, required=False),
    }
    _not_future(clean["taken_on"], "taken_on", errors, "The date the test was taken")
    if clean["taken_on"] and clean["valid_until"] and clean["valid_until"] < clean["taken_on"]:
        errors.append({"field": "valid_until", "message": "A result cannot expire before the test was taken."})
    return clean


@transaction.atomic
def language_result_add(*, actor, worker: Worker, **data: Any) -> LanguageResult:
    _require_change(actor, worker)
    errors: list[dict] = []
    clean = _check_result(data, errors)
    if errors:
        raise InvalidInput(errors)
    result = LanguageResult.objects.create(worker=worker, **clean)
    _part_event(actor, "worker.language_result.add", result, after=audit.snapshot(result))
    return result


@transaction.atomic
def language_result_change(*, actor, result: LanguageResult, **data: Any) -> LanguageResult:
    _require_change(actor, result.worker)
    result = LanguageResult.objects.select_for_update().get(pk=result.pk)
    merged = {k: getattr(result, k) for k in ("language", "test", "level", "taken_on", "valid_until")}
    merged.update({k: v for k, v in data.items() if k in merged})
    errors: list[dict] = []
    clean = _check_result(merged, errors)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(result)
    for key, value in clean.items():
        setattr(result, key, value)
    result.save()
    _part_event(actor, "worker.language_result.change", result, before=before, after=audit.snapshot(result))
    return result


@transaction.atomic
def language_result_remove(*, actor, result: LanguageResult, reason: str = "") -> None:
    _require_change(actor, result.worker)
    _part_event(actor, "worker.language_result.remove", result, before=audit.snapshot(result), reason=reason or "")
    result.delete()


# --- occupations ------------------------------------------------------------------------------------------------------


def _check_occupation(data: dict, errors: list) -> dict:
    isco = _text(data, "isco_code", errors, required=False, max_length=4)
    esco = _text(data, "esco_uri", errors, required=False, max_length=200)
    clean: dict[str, Any] = {"isco_code": isco, "esco_uri": esco}
    if esco:
        occupation = EscoOccupation.objects.filter(uri=esco).select_related("isco_group").first()
        if occupation is None:
            errors.append({"field": "esco_uri", "message": "Unknown ESCO occupation URI."})
        elif isco and occupation.isco_group.code != isco:
            errors.append({"field": "isco_code",
                           "message": f"The ESCO occupation belongs to ISCO-08 group {occupation.isco_group.code}, not {isco}."})
        else:
            clean["isco_code"] = occupation.isco_group.code
    if isco and not (isco.isascii() and isco.isdigit() and len(isco) == 4):
        errors.append({"field": "isco_code", "message": f"{isco!r} is not an ISCO-08 unit group (4 digits)."})
    elif isco and not IscoGroup.objects.filter(code=isco, level=4).exists():
        errors.append({"field": "isco_code", "message": f"{isco} is not an ISCO-08 unit group."})
    elif not isco and not esco:
        errors.append({"field": "isco_code", "message": "Give the occupation's ISCO-08 code or its ESCO URI."})
    raw = data.get("years_experience")
    if raw is None or str(raw).strip() == "":
        clean["years_experience"] = Decimal("0")
    else:
        try:
            years = Decimal(str(raw).strip().replace(",", "."))
            if not years.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append({"field": "years_experience", "message": f"{str(raw)[:20]!r} is not a number."})
            years = Decimal("0")
        if years < 0 or years > MAX_YEARS_EXPERIENCE:
            errors.append({"field": "years_experience", "message": f"Give between 0 and {MAX_YEARS_EXPERIENCE} years."})
        clean["years_experience"] = years.quantize(Decimal("0.1")) if 0 <= years <= MAX_YEARS_EXPERIENCE else Decimal("0")
    clean["skills"] = _text(data, "skills", errors, required=False, max_length=2000, multiline=True)
    return clean


def _occupation_clash(worker: Worker, isco: str, errors: list, exclude: int | None = None) -> None:
    qs = WorkerOccupation.objects.filter(worker=worker, isco_code=isco)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if isco and qs.exists():
        errors.append({"field": "isco_code", "message": f"Occupation {isco} is already on the profile; change that one."})


@transaction.atomic
def occupation_add(*, actor, worker: Worker, **data: Any) -> WorkerOccupation:
    _require_change(actor, worker)
    errors: list[dict] = []
    clean = _check_occupation(data, errors)
    _occupation_clash(worker, clean["isco_code"], errors)
    if errors:
        raise InvalidInput(errors)
    occupation = WorkerOccupation.objects.create(worker=worker, **clean)
    _part_event(actor, "worker.occupation.add", occupation, after=audit.snapshot(occupation))
    return occupation


@transaction.atomic
def occupation_change(*, actor, occupation: WorkerOccupation, **data: Any) -> WorkerOccupation:
    _require_change(actor, occupation.worker)
    occupation = WorkerOccupation.objects.select_for_update().get(pk=occupation.pk)
    merged = {k: getattr(occupation, k) for k in ("isco_code", "esco_uri", "years_experience", "skills")}
    merged.update({k: v for k, v in data.items() if k in merged})
    if "esco_uri" in data and "isco_code" not in data:
        merged["isco_code"] = ""  # follows the new ESCO occupation
    errors: list[dict] = []
    clean = _check_occupation(merged, errors)
    _occupation_clash(occupation.worker, clean["isco_code"], errors, exclude=occupation.pk)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(occupation)
    for key, value in clean.items():
        setattr(occupation, key, value)
    occupation.save()
    _part_event(actor, "worker.occupation.change", occupation, before=before, after=audit.snapshot(occupation))
    return occupation


@transaction.atomic
def occupation_remove(*, actor, occupation: WorkerOccupation, reason: str = "") -> None:
    _require_change(actor, occupation.worker)
    _part_event(actor, "worker.occupation.remove", occupation, before=audit.snapshot(occupation), reason=reason or "")
    occupation.delete()


# --- medical clearance (fit or not fit, and until when: never any medical detail) ----------------------------------


MEDICAL_FIELDS = ("fit", "issued_on", "valid_until", "issued_by")


def _check_medical(data: dict, errors: list) -> dict:
    fit = data.get("fit")
    if isinstance(fit, str):
        fit = {"true": True, "fit": True, "yes": True, "1": True, "false": False, "not_fit": False, "no": False,
               "0": False}.get(fit.strip().lower())
    if not isinstance(fit, bool):
        errors.append({"field": "fit", "message": "Say whether the clinic found the worker fit (true) or not fit (false)."})
    clean = {
        "fit": bool(fit),
        "issued_on": _date(data, "issued_on", errors),
        "valid_until": _date(data, "valid_until", errors),
        "issued_by": _text(data, "issued_by", errors, max_length=200),
    }
    _not_future(clean["issued_on"], "issued_on", errors, "The date of the clearance")
    if clean["issued_on"] and clean["valid_until"] and clean["valid_until"] < clean["issued_on"]:
        errors.append({"field": "valid_until", "message": "A clearance cannot end before it was issued."})
    return clean


def _medical_only(data: dict) -> None:
    extra = sorted(set(data) - set(MEDICAL_FIELDS))
    if extra:
        raise InvalidInput([
            {"field": k, "message": "Only fit or not fit, the dates and the clinic are recorded; no medical details."}
            for k in extra
        ])


@transaction.atomic
def medical_add(*, actor, worker: Worker, **data: Any) -> MedicalClearance:
    _require_change(actor, worker)
    _medical_only(data)
    errors: list[dict] = []
    clean = _check_medical(data, errors)
    if errors:
        raise InvalidInput(errors)
    clearance = MedicalClearance.objects.create(worker=worker, **clean)
    _part_event(actor, "worker.medical.add", clearance, after=audit.snapshot(clearance))
    _recheck_work_ready(actor, worker)
    return clearance


@transaction.atomic
def medical_change(*, actor, clearance: MedicalClearance, **data: Any) -> MedicalClearance:
    _require_change(actor, clearance.worker)
    _medical_only(data)
    clearance = MedicalClearance.objects.select_for_update().get(pk=clearance.pk)
    merged = {k: getattr(clearance, k) for k in MEDICAL_FIELDS}
    merged.update(data)
    errors: list[dict] = []
    clean = _check_medical(merged, errors)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(clearance)
    for key, value in clean.items():
        setattr(clearance, key, value)
    clearance.save()
    _part_event(actor, "worker.medical.change", clearance, before=before, after=audit.snapshot(clearance))
    _recheck_work_ready(actor, clearance.worker)
    return clearance


@transaction.atomic
def medical_remove(*, actor, clearance: MedicalClearance, reason: str = "") -> None:
    _require_change(actor, clearance.worker)
    worker = clearance.worker
    _part_event(actor, "worker.medical.remove", clearance, before=audit.snapshot(clearance), reason=reason or "")
    clearance.delete()
    _recheck_work_ready(actor, worker)


# --- consent --------------------------------------------------------------------------------------------------------


def consent_wording(*, purpose: str, programme: Programme | None = None, agency: Organisation | None = None,
                    language: str | None = None) -> str:
    """What the worker agrees to, in `language` (the interface language nearest to it)."""
    with translation.override(_ui_language(language or settings.LANGUAGE_CODE)):
        if purpose == ConsentPurpose.EMPLOYERS:
            return gettext(
                "I agree that employers approved under the programme %(name)s (%(code)s) may see my profile and my "
                "contact details, once the origin authority has found me work-ready, so that they can offer me work. "
                "They see my medical clearance as fit or not fit only. I can withdraw this consent at any time."
            ) % {"name": programme.name, "code": programme.code}
        if purpose == ConsentPurpose.SELECTION:
            return gettext(
                "I agree to take part in selection for the programme %(name)s (%(code)s): my profile may be matched "
                "to its job orders and I may be offered a job. I can withdraw this consent at any time."
            ) % {"name": programme.name, "code": programme.code}
        return gettext(
            "I agree that the licensed recruitment agency %(agency)s may see my profile and contact details, and "
            "act for me (for example, record my documents) until the origin authority verifies my registration. The "
            "agency may not charge me any recruitment fee or cost. I can withdraw this consent at any time."
        ) % {"agency": agency.name}


def _consent_target(worker: Worker, purpose: str, programme, agency, errors: list) -> None:
    if purpose in (ConsentPurpose.EMPLOYERS, ConsentPurpose.SELECTION):
        if programme is None:
            errors.append({"field": "programme", "message": "Name the programme this consent is for."})
        elif programme.status != ProgrammeStatus.ACTIVE or not programme.corridors.filter(
            is_active=True, origin_country=worker.nationality
        ).exists():
            errors.append({"field": "programme",
                           "message": f"Programme {programme.code} does not recruit in {worker.nationality} now."})
        if agency is not None:
            errors.append({"field": "agency", "message": "An agency is named only in a consent to an agency."})
    elif purpose == ConsentPurpose.AGENCY:
        if agency is None:
            errors.append({"field": "agency", "message": "Name the agency this consent is for."})
        elif agency.kind != OrgKind.RECRUITMENT_AGENCY:
            errors.append({"field": "agency", "message": f"{agency.name} is not a recruitment agency."})
        else:
            allowed, reason = agency_may_act(agency, worker.nationality)
            if not allowed:
                errors.append({"field": "agency", "message": reason or "This agency is not licensed for your country."})
        if programme is not None:
            errors.append({"field": "programme", "message": "A consent to an agency names no programme."})


@transaction.atomic
def consent_give(*, actor, worker: Worker, purpose: Any, programme: Programme | None = None,
                 agency: Organisation | None = None, expires_at: datetime.datetime | None = None,
                 language: str | None = None, via: str | None = None) -> Consent:
    """The worker gives a purpose-bound consent; the wording they were shown is stored, in the language they read."""
    _require_self(actor, worker, "give consent")
    worker = _locked(worker)
    errors: list[dict] = []
    if purpose not in ConsentPurpose.values:
        errors.append({"field": "purpose", "message": f"Choose one of: {', '.join(ConsentPurpose.values)}."})
    else:
        _consent_target(worker, purpose, programme, agency, errors)
    if expires_at is not None and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at is not None and expires_at <= timezone.now():
        errors.append({"field": "expires_at", "message": "A consent's end must be in the future."})
    if errors:
        raise InvalidInput(errors)
    existing = Consent.objects.filter(worker=worker, purpose=purpose, programme=programme, agency=agency,
                                      withdrawn_at__isnull=True)
    if any(c.valid for c in existing):
        raise Conflict("You have already given this consent.", field="purpose")
    now = timezone.now()
    for lapsed in existing:  # expired ones make way for the new one
        lapsed.withdrawn_at = now
        lapsed.save(update_fields=["withdrawn_at"])
    shown_in = _ui_language(language or worker.language)
    consent = Consent.objects.create(
        worker=worker, purpose=purpose, programme=programme, agency=agency, expires_at=expires_at, language=shown_in,
        wording=consent_wording(purpose=purpose, programme=programme, agency=agency, language=shown_in),
        given_via=(_via(actor, via) or "web")[:10],
    )
    audit.record(actor=actor, action="worker.consent.give", subject=consent, after=audit.snapshot(consent),
                 programme_id=programme.pk if programme else None, organisation_id=agency.pk if agency else None)
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, reason: str = "") -> Consent:
    """The worker withdraws a consent: from now on, those it named see nothing more of the profile through it."""
    _require_self(actor, consent.worker, "withdraw consent")
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise Conflict("This consent was already withdrawn.", field="consent")
    before = audit.snapshot(consent)
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    audit.record(actor=actor, action="worker.consent.withdraw", subject=consent, before=before,
                 after=audit.snapshot(consent), reason=(reason or "")[:2000],
                 programme_id=consent.programme_id, organisation_id=consent.agency_id)
    return consent


# --- status ---------------------------------------------------------------------------------------------------------


def valid_documents(worker: Worker, on_date: datetime.date | None = None):
    day = on_date or timezone.localdate()
    from django.db.models import Q

    return worker.documents.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))


def fit_clearance(worker: Worker, on_date: datetime.date | None = None) -> MedicalClearance | None:
    day = on_date or timezone.localdate()
    return worker.medical_clearances.filter(fit=True, issued_on__lte=day, valid_until__gte=day).order_by("-valid_until").first()


def work_ready_missing(worker: Worker, on_date: datetime.date | None = None) -> list[dict]:
    """Every requirement for work-readiness that the worker does not meet on `on_date`, each naming its field."""
    day = on_date or timezone.localdate()
    missing = []
    if worker.status not in (PoolStatus.VERIFIED, PoolStatus.WORK_READY):
        missing.append({"field": "status", "message": "The origin authority must first verify the registration."})
    if not valid_documents(worker, day).exists():
        missing.append({"field": "documents", "message": "A valid (unexpired) identity document must be recorded."})
    if fit_clearance(worker, day) is None:
        missing.append({"field": "medical", "message": "A medical clearance finding the worker fit, valid today, is needed."})
    if worker.orientation_completed_on is None:
        missing.append({"field": "orientation", "message": "The pre-departure orientation must be completed."})
    if worker.banned_until is not None and worker.banned_until >= day:
        missing.append({"field": "banned_until", "message": f"The worker is excluded until {worker.banned_until.isoformat()}."})
    return missing


def _recheck_work_ready(actor, worker: Worker) -> None:
    """A work-ready worker whose documents, medical clearance or orientation no longer qualify goes back to verified."""
    worker = Worker.objects.get(pk=worker.pk)
    if worker.status != PoolStatus.WORK_READY:
        return
    missing = [m for m in work_ready_missing(worker) if m["field"] != "status"]
    if not missing:
        return
    before = audit.snapshot(worker)
    worker.status, worker.work_ready_at = PoolStatus.VERIFIED, None
    worker.save(update_fields=["status", "work_ready_at", "updated_at"])
    audit.record(actor=actor, action="worker.work_ready.lapse", subject=worker, before=before, after=audit.snapshot(worker),
                 reason="; ".join(m["message"] for m in missing))


@transaction.atomic
def worker_verify(*, actor, worker: Worker, note: str = "") -> Worker:
    """The origin authority verifies a confirmed registration's identity against at least one recorded document."""
    _require_origin_officer(actor, worker)
    worker = _locked(worker)
    if worker.status != PoolStatus.REGISTERED:
        raise Conflict(f"Only a registered worker can be verified; this one is {worker.get_status_display().lower()}.",
                       field="status")
    errors = []
    if worker.confirmed_at is None:
        errors.append({"field": "confirmed_at",
                       "message": "The worker has not yet confirmed this registration made on their behalf."})
    if not worker.documents.exists():
        errors.append({"field": "documents", "message": "Record at least one identity document before verifying."})
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(worker)
    worker.status, worker.verified_by, worker.verified_at = PoolStatus.VERIFIED, actor, timezone.now()
    worker.save(update_fields=["status", "verified_by", "verified_at", "updated_at"])
    audit.record(actor=actor, action="worker.verify", subject=worker, before=before, after=audit.snapshot(worker),
                 reason=(note or "")[:2000], organisation_id=actor.organisation_id)
    return worker


@transaction.atomic
def worker_mark_work_ready(*, actor, worker: Worker) -> Worker:
    """The origin authority marks a verified worker work-ready; refused with every missing requirement listed."""
    _require_origin_officer(actor, worker)
    worker = _locked(worker)
    if worker.status == PoolStatus.WORK_READY:
        raise Conflict("The worker is already work-ready.", field="status")
    missing = work_ready_missing(worker)
    if missing:
        raise InvalidInput(missing)
    before = audit.snapshot(worker)
    worker.status, worker.work_ready_at = PoolStatus.WORK_READY, timezone.now()
    worker.save(update_fields=["status", "work_ready_at", "updated_at"])
    audit.record(actor=actor, action="worker.work_ready", subject=worker, before=before, after=audit.snapshot(worker),
                 organisation_id=actor.organisation_id)
    return worker


@transaction.atomic
def worker_exclude(*, actor, worker: Worker, until: Any, reason: Any) -> Worker:
    """The origin authority excludes a worker from programmes until a date, with the reason (the worker sees it).
    A work-ready worker leaves the work-ready pool; after the date the authority may mark them work-ready again."""
    _require_origin_officer(actor, worker)
    worker = _locked(worker)
    errors: list[dict] = []
    day = _date({"until": until}, "until", errors)
    if day is not None and day <= timezone.localdate():
        errors.append({"field": "until", "message": "An exclusion must end after today."})
    text = _text({"reason": reason}, "reason", errors, max_length=2000, multiline=True)
    if worker.status == PoolStatus.MERGED:
        errors.append({"field": "status", "message": "This record was merged into another one."})
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(worker)
    worker.banned_until, worker.ban_reason = day, text
    if worker.status == PoolStatus.WORK_READY:
        worker.status, worker.work_ready_at = PoolStatus.VERIFIED, None
    worker.save()
    audit.record(actor=actor, action="worker.exclude", subject=worker, before=before, after=audit.snapshot(worker),
                 reason=text, organisation_id=actor.organisation_id)
    return worker


# --- the worker's own data ------------------------------------------------------------------------------------------


@transaction.atomic
def worker_export(*, actor, worker: Worker, collect: Callable[..., dict]) -> dict:
    """Everything held about the worker, for the worker themselves; the download is recorded. `collect` gathers the
    data (`workers.selectors.export_data`), so that the services never import the selectors that read through them."""
    _require_self(actor, worker, "download their data")
    data = collect(worker=worker, user=actor)
    audit.record(actor=actor, action="worker.export", subject=worker, after={"sections": sorted(data)})
    return data
