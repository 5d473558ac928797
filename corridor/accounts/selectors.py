"""Reads about organisations and roles that other apps need (for instance, to address a notification)."""

from __future__ import annotations

from django.db.models import Q

from corridor.accounts.models import Organisation, OrgKind, RoleAssignment
from corridor.core.access import Role


def role_organisations(role: str, *, country: str | None = None, programme_id: int | None = None,
                       kind: str | None = None) -> list[tuple[int, str]]:
    """(organisation id, role) for each active organisation where someone holds `role` (for `programme_id` or
    organisation-wide), optionally only organisations of `country` and of `kind`: the addresses of a notice to
    "the labour inspectorate" or "the origin authority"."""
    assignments = RoleAssignment.objects.filter(role=role, user__is_active=True, user__organisation__is_active=True)
    if programme_id is not None:
        assignments = assignments.filter(Q(programme_id=programme_id) | Q(programme__isnull=True))
    orgs = Organisation.objects.filter(pk__in=assignments.values("user__organisation_id"))
    if country:
        orgs = orgs.filter(country=country)
    if kind:
        orgs = orgs.filter(kind=kind)
    return [(pk, str(role)) for pk in orgs.order_by("pk").values_list("pk", flat=True)]


def origin_authorities(country: str, programme_id: int | None = None) -> list[tuple[int, str]]:
    """The origin authority's officers for workers of `country`."""
    return role_organisations(Role.ORIGIN_OFFICER, country=country, programme_id=programme_id,
                              kind=OrgKind.ORIGIN_AUTHORITY)


def labour_inspectorates(country: str, programme_id: int | None = None) -> list[tuple[int, str]]:
    """The labour inspectors of the destination `country`."""
    return role_organisations(Role.LABOUR_INSPECTOR, country=country, programme_id=programme_id)
