"""Reading programmes, corridors and rule versions, always restricted to what the user may see."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from corridor.accounts.models import Organisation, OrgKind
from corridor.core.access import Role, roles_of
from corridor.core.errors import NotFound
from corridor.programmes.models import Programme, ProgrammeCorridor, RuleVersion

# Organisations of these kinds take part in every programme whose destination is their own country.
DESTINATION_SIDE_KINDS = {
    "destination_ministry",
    "immigration_authority",
    "labour_inspectorate",
    "trade_union",
    "employers_organisation",
    "research",
    "employer",
}
# Organisations of these kinds take part in the programmes with a corridor from their country.
ORIGIN_SIDE_KINDS = {"recruitment_agency"}


def programme_ids_taking_part(user) -> set[int]:
    """Ids of programmes the user works on: by an explicit role, or through their organisation."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if Role.PLATFORM_ADMIN in roles_of(user):
        return set(Programme.objects.values_list("pk", flat=True))
    ids = set(user.role_assignments.filter(programme__isnull=False).values_list("programme_id", flat=True))
    org = user.organisation
    if org is None or not user.role_assignments.filter(programme__isnull=True).exists():
        return ids
    q = models.Q(owner_id=org.pk) | models.Q(corridors__competent_authority_id=org.pk)
    if org.kind in DESTINATION_SIDE_KINDS:
        q |= models.Q(destination_country=org.country)
    if org.kind in ORIGIN_SIDE_KINDS:
        q |= models.Q(corridors__origin_country=org.country)
    return ids | set(Programme.objects.filter(q).values_list("pk", flat=True))


def programme_list(
    *,
    user,
    q: str = "",
    category: str = "",
    design: str = "",
    status: str = "",
    destination: str = "",
    origin: str = "",
) -> models.QuerySet[Programme]:
    """Programmes the user may see, filtered; each filter is ignored when empty."""
    qs = Programme.objects.all().restrict(user).select_related("owner")
    if q:
        qs = qs.filter(models.Q(name__icontains=q) | models.Q(code__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if design:
        qs = qs.filter(institutional_design=design)
    if status:
        qs = qs.filter(status=status)
    if destination:
        qs = qs.filter(destination_country=destination.upper())
    if origin:
        qs = qs.filter(corridors__origin_country=origin.upper()).distinct()
    return qs.order_by("code")


def programme_get(*, user, code: str, action: str = "view") -> Programme:
    """One programme by code, or NotFound when it does not exist or the user may not `action` it."""
    programme = Programme.objects.filter(code=code.upper()).restrict(user, action).select_related("owner").first()
    if programme is None:
        if action != "view" and Programme.objects.filter(code=code.upper()).restrict(user, "view").exists():
            from corridor.core.errors import Forbidden

            raise Forbidden("Only the administering ministry's programme administrators may change this programme.")
        raise NotFound(f"No programme with code '{code}'.")
    return programme


def programme_can_change(*, user, programme: Programme) -> bool:
    return Programme.objects.filter(pk=programme.pk).restrict(user, "change").exists()


def corridor_list(*, user, programme: Programme) -> models.QuerySet[ProgrammeCorridor]:
    return (
        ProgrammeCorridor.objects.filter(programme=programme)
        .restrict(user)
        .select_related("competent_authority")
        .order_by("origin_country")
    )


def rule_version_list(*, user, programme: Programme) -> models.QuerySet[RuleVersion]:
    return RuleVersion.objects.filter(programme=programme).restrict(user).order_by("-number")


def rule_version_get(*, user, programme: Programme, number: int) -> RuleVersion:
    version = RuleVersion.objects.filter(programme=programme, number=number).restrict(user).first()
    if version is None:
        raise NotFound(f"Programme {programme.code} has no rule version {number}.")
    return version


def rule_version_in_force(*, programme: Programme, day: datetime.date | None = None) -> RuleVersion | None:
    """The version of the programme's rules in force on `day` (today by default)."""
    day = day or timezone.localdate()
    return RuleVersion.objects.filter(programme=programme).effective_on(day).order_by("-effective_from").first()


def rule_version_latest(*, programme: Programme) -> RuleVersion | None:
    return RuleVersion.objects.filter(programme=programme).order_by("-number").first()


def home_panel(user) -> dict:
    """The home page's list of programmes that concern the user."""
    return {"template": "programmes/_home_panel.html", "programmes": list(programme_list(user=user)[:10])}


def agreement_response(programme: Programme):
    """The programme's signed agreement as a PDF download, or NotFound when none is attached."""
    from django.http import FileResponse

    if not programme.agreement_document:
        raise NotFound(f"Programme {programme.code} has no agreement document.")
    return FileResponse(
        programme.agreement_document.open("rb"), content_type="application/pdf", as_attachment=True,
        filename=f"{programme.code.lower()}-agreement.pdf",
    )


def destination_ministry_of(*, country: str):
    """The destination labour ministry registered for `country`, or None (organisations are a public directory)."""
    return Organisation.objects.filter(kind=OrgKind.DESTINATION_MINISTRY, country=country).order_by("pk").first()
