"""Changing programmes, corridors and rules. One atomic action per change, each with its audit event."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from corridor.accounts.models import Organisation, OrgKind
from corridor.core import audit
from corridor.core.access import Role, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.programmes import rulebook
from corridor.programmes.models import (
    InstitutionalDesign,
    Programme,
    ProgrammeCategory,
    ProgrammeCorridor,
    ProgrammeStatus,
    RuleVersion,
)
from corridor.programmes.presets import PRESETS
from corridor.reference import codes

PROGRAMME_FIELDS = (
    "name",
    "institutional_design",
    "category",
    "destination_country",
    "description",
    "agreement_title",
    "agreement_signed_on",
    "agreement_valid_from",
    "agreement_valid_until",
)


def reference_lookups() -> rulebook.Lookups:
    """The rulebook's code checks bound to the shipped reference data."""
    from corridor.reference.selectors import isco_code_exists

    return rulebook.Lookups(
        isco=isco_code_exists,
        country=codes.is_country,
        language=codes.is_language,
        currency=codes.is_currency,
        sector=codes.is_sector,
    )


def validate_rules(rules: Any) -> rulebook.Verdict:
    """Check a rule set against the rulebook and the reference data."""
    return rulebook.validate_rules(rules, reference_lookups())


def _raise_rule_errors(verdict: rulebook.Verdict) -> None:
    if verdict.errors:
        raise InvalidInput([{"field": f"rules.{i.field}", "message": i.message} for i in verdict.errors])


def _warnings_json(verdict: rulebook.Verdict) -> list[dict]:
    return [{"field": w.field, "message": w.message, "principle": w.principle} for w in verdict.warnings]


def _check_programme_fields(data: dict[str, Any]) -> None:
    errors = []
    if "name" in data and not str(data["name"] or "").strip():
        errors.append({"field": "name", "message": "A programme needs a name."})
    if "institutional_design" in data and data["institutional_design"] not in InstitutionalDesign.values:
        errors.append({"field": "institutional_design", "message": f"Choose one of {', '.join(InstitutionalDesign.values)}."})
    if "category" in data and data["category"] not in ProgrammeCategory.values:
        errors.append({"field": "category", "message": f"Choose one of {', '.join(ProgrammeCategory.values)}."})
    if "destination_country" in data and not codes.is_country(str(data["destination_country"] or "")):
        errors.append({"field": "destination_country", "message": f"Unknown ISO 3166-1 country code '{data['destination_country']}'."})
    start, end = data.get("agreement_valid_from"), data.get("agreement_valid_until")
    if start and end and end < start:
        errors.append({"field": "agreement_valid_until", "message": "The agreement cannot end before it starts."})
    signed = data.get("agreement_signed_on")
    if signed and signed > timezone.localdate():
        errors.append({"field": "agreement_signed_on", "message": "The signing date cannot be in the future."})
    if errors:
        raise InvalidInput(errors)


def _administering_ministry(actor, owner: Organisation | None, destination_country: str) -> Organisation:
    roles = roles_of(actor)
    if Role.PLATFORM_ADMIN in roles:
        if owner is None:
            raise InvalidInput("Name the administering destination labour ministry.", field="owner")
        ministry = owner
    elif Role.MINISTRY_ADMIN in roles and actor.organisation_id:
        ministry = actor.organisation
        if owner is not None and owner.pk != ministry.pk:
            raise Forbidden("You can only create programmes administered by your own ministry.")
    else:
        raise Forbidden("Only a destination ministry's programme administrator can create a programme.")
    if ministry.kind != OrgKind.DESTINATION_MINISTRY:
        raise InvalidInput("The administering organisation must be a destination labour ministry.", field="owner")
    if ministry.country != destination_country:
        raise InvalidInput(
            f"The ministry is in {ministry.country}, not in the destination country {destination_country}.",
            field="destination_country",
        )
    return ministry


@transaction.atomic
def programme_create(
    *,
    actor,
    code: str,
    name: str,
    institutional_design: str,
    category: str,
    destination_country: str,
    owner: Organisation | None = None,
    description: str = "",
    agreement_title: str = "",
    agreement_signed_on: datetime.date | None = None,
    agreement_valid_from: datetime.date | None = None,
    agreement_valid_until: datetime.date | None = None,
    preset: str = "",
    rules: dict | None = None,
    rules_effective_from: datetime.date | None = None,
) -> Programme:
    """Create a draft programme with its first rule version (from `rules`, a preset, or protective defaults)."""
    code = (code or "").strip().upper()
    destination_country = (destination_country or "").strip().upper()
    data = {
        "name": name,
        "institutional_design": institutional_design,
        "category": category,
        "destination_country": destination_country,
        "agreement_signed_on": agreement_signed_on,
        "agreement_valid_from": agreement_valid_from,
        "agreement_valid_until": agreement_valid_until,
    }
    _check_programme_fields(data)
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{1,29}", code):
        raise InvalidInput("Use 2 to 30 capital letters, digits or hyphens, starting with a letter or digit.", field="code")
    if preset and preset not in PRESETS:
        raise InvalidInput(f"Unknown preset '{preset}'; choose one of {', '.join(PRESETS)}.", field="preset")
    ministry = _administering_ministry(actor, owner, destination_country)
    if rules is None:
        rules = PRESETS[preset].rules if preset else rulebook.plain_defaults()
    verdict = validate_rules(rules)
    _raise_rule_errors(verdict)
    if Programme.objects.filter(code=code).exists():
        raise Conflict(f"A programme with code '{code}' already exists.", field="code")
    try:
        with transaction.atomic():
            programme = Programme.objects.create(
                code=code,
                name=name.strip(),
                institutional_design=institutional_design,
                category=category,
                destination_country=destination_country,
                owner=ministry,
                description=description,
                agreement_title=agreement_title,
                agreement_signed_on=agreement_signed_on,
                agreement_valid_from=agreement_valid_from,
                agreement_valid_until=agreement_valid_until,
                preset=preset,
            )
    except IntegrityError as exc:
        raise Conflict(f"A programme with code '{code}' already exists.", field="code") from exc
    audit.record(
        actor=actor,
        action="programme.create",
        subject=programme,
        after=audit.snapshot(programme),
        programme_id=programme.pk,
        organisation_id=ministry.pk,
    )
    version = RuleVersion.objects.create(
        programme=programme,
        number=1,
        effective_from=rules_effective_from or agreement_valid_from or timezone.localdate(),
        rules=verdict.rules.model_dump(mode="json"),
        warnings=_warnings_json(verdict),
        note=f"Started from preset {preset}." if preset else "First version.",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor, action="rule_version.create", subject=version, after=audit.snapshot(version), programme_id=programme.pk
    )
    if hasattr(actor, "forget_cached_access"):
        actor.forget_cached_access()
    return programme


@transaction.atomic
def programme_update(*, actor, programme: Programme, changes: dict[str, Any], reason: str = "") -> Programme:
    """Change a programme's descriptive fields and legal basis; the code never changes."""
    _require_change(actor, programme)
    unknown = set(changes) - set(PROGRAMME_FIELDS)
    if unknown:
        raise InvalidInput([{"field": f, "message": "This field cannot be changed here."} for f in sorted(unknown)])
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    for text_field in ("description", "agreement_title"):
        if text_field in changes and changes[text_field] is None:
            changes[text_field] = ""  # clearing a text is writing it empty
    for required in ("name", "institutional_design", "category"):
        if required in changes and changes[required] is None:
            raise InvalidInput("This field cannot be empty.", field=required)
    merged = {f: getattr(programme, f) for f in PROGRAMME_FIELDS} | changes
    if "destination_country" in changes:
        merged["destination_country"] = str(changes["destination_country"] or "").upper()
        if merged["destination_country"] != programme.destination_country:
            raise InvalidInput("The destination country of an existing programme cannot change.", field="destination_country")
    _check_programme_fields(merged)
    before = audit.snapshot(programme)
    for f in PROGRAMME_FIELDS:
        setattr(programme, f, merged[f])
    programme.name = programme.name.strip()
    programme.save()
    after = audit.snapshot(programme)
    if audit.diff(before, after):
        audit.record(
            actor=actor, action="programme.update", subject=programme, before=before, after=after, reason=reason, programme_id=programme.pk
        )
    return programme


@transaction.atomic
def programme_set_status(*, actor, programme: Programme, status: str, reason: str = "") -> Programme:
    """Activate, suspend or close a programme. Activation needs rules and, unless unilateral, a corridor."""
    _require_change(actor, programme)
    if status not in ProgrammeStatus.values:
        raise InvalidInput(f"Choose one of {', '.join(ProgrammeStatus.values)}.", field="status")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    allowed = {
        ProgrammeStatus.DRAFT: {ProgrammeStatus.ACTIVE, ProgrammeStatus.CLOSED},
        ProgrammeStatus.ACTIVE: {ProgrammeStatus.SUSPENDED, ProgrammeStatus.CLOSED},
        ProgrammeStatus.SUSPENDED: {ProgrammeStatus.ACTIVE, ProgrammeStatus.CLOSED},
        ProgrammeStatus.CLOSED: set(),
    }
    if status not in allowed[programme.status]:
        raise Conflict(f"A {programme.status} programme cannot become {status}.", field="status")
    if status == ProgrammeStatus.ACTIVE:
        if not programme.rule_versions.exists():
            raise Conflict("A programme needs rules before it can be activated.", field="status")
        if programme.institutional_design != InstitutionalDesign.UNILATERAL and not programme.corridors.filter(is_active=True).exists():
            raise Conflict("A bilateral or multilateral programme needs at least one active corridor.", field="status")
    if status in (ProgrammeStatus.SUSPENDED, ProgrammeStatus.CLOSED) and not reason.strip():
        raise InvalidInput("Give the reason for suspending or closing the programme.", field="reason")
    before = audit.snapshot(programme)
    programme.status = status
    programme.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=f"programme.status.{status}",
        subject=programme,
        before=before,
        after=audit.snapshot(programme),
        reason=reason,
        programme_id=programme.pk,
    )
    return programme


@transaction.atomic
def corridor_add(
    *,
    actor,
    programme: Programme,
    origin_country: str,
    competent_authority: Organisation,
    opened_on: datetime.date | None = None,
    notes: str = "",
) -> ProgrammeCorridor:
    """Open a corridor from an origin country, with the authority competent for it."""
    _require_change(actor, programme)
    origin_country = (origin_country or "").strip().upper()
    errors = []
    if not codes.is_country(origin_country):
        errors.append({"field": "origin_country", "message": f"Unknown ISO 3166-1 country code '{origin_country}'."})
    elif origin_country == programme.destination_country:
        errors.append({"field": "origin_country", "message": "The origin country cannot be the destination country."})
    if competent_authority.kind != OrgKind.ORIGIN_AUTHORITY:
        errors.append({"field": "competent_authority", "message": "The competent authority must be an origin labour authority."})
    elif competent_authority.country != origin_country:
        errors.append({"field": "competent_authority", "message": f"{competent_authority.name} is not in {origin_country}."})
    if errors:
        raise InvalidInput(errors)
    Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.institutional_design == InstitutionalDesign.BILATERAL and programme.corridors.exclude(origin_country=origin_country).exists():
        raise Conflict("A bilateral programme has one origin country; use a multilateral design for more.", field="origin_country")
    if programme.corridors.filter(origin_country=origin_country).exists():
        raise Conflict(f"Programme {programme.code} already has a corridor from {origin_country}.", field="origin_country")
    corridor = ProgrammeCorridor.objects.create(
        programme=programme,
        origin_country=origin_country,
        competent_authority=competent_authority,
        opened_on=opened_on,
        notes=notes,
    )
    audit.record(
        actor=actor, action="corridor.add", subject=corridor, after=audit.snapshot(corridor), programme_id=programme.pk,
        organisation_id=competent_authority.pk,
    )
    return corridor


@transaction.atomic
def corridor_set_active(*, actor, corridor: ProgrammeCorridor, is_active: bool, reason: str = "") -> ProgrammeCorridor:
    """Open or pause recruitment through one corridor."""
    _require_change(actor, corridor.programme)
    if not is_active and not reason.strip():
        raise InvalidInput("Give the reason for pausing the corridor.", field="reason")
    before = audit.snapshot(corridor)
    corridor.is_active = is_active
    corridor.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="corridor.activate" if is_active else "corridor.pause",
        subject=corridor,
        before=before,
        after=audit.snapshot(corridor),
        reason=reason,
        programme_id=corridor.programme_id,
    )
    return corridor


@transaction.atomic
def rule_version_create(
    *,
    actor,
    programme: Programme,
    rules: dict,
    effective_from: datetime.date,
    note: str = "",
) -> RuleVersion:
    """Add a rule version in force from `effective_from`; the previous open version ends the day before.

    Versions never overlap and never start in the past once a programme is live, so every decision made
    under an earlier version keeps the rules it was made under.
    """
    _require_change(actor, programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    verdict = validate_rules(rules)
    _raise_rule_errors(verdict)
    if not note.strip():
        raise InvalidInput("Say what changed and why.", field="note")
    today = timezone.localdate()
    if programme.status != ProgrammeStatus.DRAFT and effective_from < today:
        raise InvalidInput("Rules of a live programme cannot start in the past.", field="effective_from")
    latest = RuleVersion.objects.filter(programme=programme).order_by("-number").first()
    if latest is not None and effective_from <= latest.effective_from:
        raise InvalidInput(
            f"The new version must start after version {latest.number}, which starts on {latest.effective_from}.",
            field="effective_from",
        )
    if latest is not None and (latest.effective_until is None or latest.effective_until >= effective_from):
        before = audit.snapshot(latest)
        latest.effective_until = effective_from - datetime.timedelta(days=1)
        latest.save(update_fields=["effective_until"])
        audit.record(
            actor=actor, action="rule_version.end", subject=latest, before=before, after=audit.snapshot(latest),
            reason=f"Superseded from {effective_from}.", programme_id=programme.pk,
        )
    version = RuleVersion.objects.create(
        programme=programme,
        number=(latest.number + 1) if latest else 1,
        effective_from=effective_from,
        rules=verdict.rules.model_dump(mode="json"),
        warnings=_warnings_json(verdict),
        note=note.strip(),
        created_by=actor,
    )
    audit.record(
        actor=actor, action="rule_version.create", subject=version, after=audit.snapshot(version), reason=note, programme_id=programme.pk
    )
    return version


@transaction.atomic
def rule_version_update(*, actor, version: RuleVersion, rules: dict, note: str = "") -> RuleVersion:
    """Correct a version that is not yet in force (or any version of a draft programme)."""
    programme = Programme.objects.select_for_update().get(pk=version.programme_id)
    _require_change(actor, programme)
    version = RuleVersion.objects.select_for_update().get(pk=version.pk)
    if programme.status != ProgrammeStatus.DRAFT and version.effective_from <= timezone.localdate():
        raise Conflict(
            f"Version {version.number} is in force; decisions may rely on it. Create a new version instead.",
            field="effective_from",
        )
    verdict = validate_rules(rules)
    _raise_rule_errors(verdict)
    before = audit.snapshot(version)
    version.rules = verdict.rules.model_dump(mode="json")
    version.warnings = _warnings_json(verdict)
    if note.strip():
        version.note = note.strip()
    version.save(update_fields=["rules", "warnings", "note"])
    audit.record(
        actor=actor, action="rule_version.update", subject=version, before=before, after=audit.snapshot(version), reason=note,
        programme_id=programme.pk,
    )
    return version


def _require_change(actor, programme: Programme) -> None:
    if not Programme.objects.filter(pk=programme.pk).restrict(actor, "change").exists():
        raise Forbidden("Only the administering ministry's programme administrators may change this programme.")


PDF_MAGIC = b"%PDF-"


@transaction.atomic
def programme_attach_agreement(*, actor, programme: Programme, upload) -> Programme:
    """Attach the signed agreement (a PDF) as the programme's legal basis; the previous file is kept in history."""
    from django.conf import settings

    _require_change(actor, programme)
    if upload is None:
        raise InvalidInput("Choose the agreement file.", field="file")
    if upload.size > settings.CORRIDOR_MAX_UPLOAD_BYTES:
        raise InvalidInput(f"The file is larger than {settings.CORRIDOR_MAX_UPLOAD_BYTES // (1024 * 1024)} MiB.", field="file")
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise InvalidInput("The agreement must be a PDF file.", field="file")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = audit.snapshot(programme)
    programme.agreement_document.save(f"{programme.code.lower()}-agreement.pdf", upload, save=False)
    programme.save(update_fields=["agreement_document", "updated_at"])
    audit.record(
        actor=actor, action="programme.agreement", subject=programme, before=before, after=audit.snapshot(programme),
        programme_id=programme.pk,
    )
    return programme
