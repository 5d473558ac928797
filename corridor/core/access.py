"""Who may see what: data categories, roles, the immigration firewall and restricted querysets.

Every model of the project declares a `data_category`, and every read goes through `restrict(user)`.
The firewall (GB.346 para 24 and 44) is applied here, once, before any model-specific rule: users of the
immigration authority never read labour-protection data, whatever a model or selector says.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(StrEnum):
    """The kind of data a model or an API route holds; the firewall is defined over these."""

    REFERENCE = "reference"  # classifications, countries: public
    PROGRAMME = "programme"  # programmes, corridors, rules: public once active
    ORGANISATION = "organisation"
    ACCOUNT = "account"  # users, roles, tokens
    AUDIT = "audit"
    WORKER_IDENTITY = "worker_identity"  # names, date of birth, documents, status in the cycle
    WORKER_CONTACT = "worker_contact"  # phone, e-mail, address
    PERMIT = "permit"  # visas and permits
    WAGE = "wage"  # contracts' pay terms, payslips, arrears
    RECRUITMENT_COST = "recruitment_cost"
    COMPLAINT = "complaint"
    INSPECTION = "inspection"


# GB.346 para 24 and 44: labour-protection data never reaches immigration enforcement.
FIREWALLED_FROM_IMMIGRATION = frozenset(
    {Category.WORKER_CONTACT, Category.WAGE, Category.RECRUITMENT_COST, Category.COMPLAINT, Category.INSPECTION}
)


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    MINISTRY_ADMIN = "ministry_admin", _("Programme administrator (destination labour ministry)")
    MINISTRY_OFFICER = "ministry_officer", _("Officer (destination labour ministry)")
    ORIGIN_OFFICER = "origin_officer", _("Officer (origin labour authority)")
    IMMIGRATION_OFFICER = "immigration_officer", _("Immigration officer")
    LABOUR_INSPECTOR = "labour_inspector", _("Labour inspector")
    EMPLOYER = "employer", _("Employer")
    AGENCY = "agency", _("Recruitment agency")
    UNION = "union", _("Trade union representative")
    EMPLOYERS_ORG = "employers_org", _("Employers' organisation representative")
    RESEARCHER = "researcher", _("Researcher")
    WORKER = "worker", _("Worker")


# Officials sign in with a second factor outside demo mode.
OFFICIAL_ROLES = frozenset(
    {
        Role.PLATFORM_ADMIN,
        Role.MINISTRY_ADMIN,
        Role.MINISTRY_OFFICER,
        Role.ORIGIN_OFFICER,
        Role.IMMIGRATION_OFFICER,
        Role.LABOUR_INSPECTOR,
    }
)


def roles_of(user) -> frozenset[str]:
    """The roles a user holds in any scope (empty for anonymous users)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return user.role_set()


def organisation_of(user):
    """The organisation a signed-in user belongs to, or None (anonymous users, workers)."""
    return getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None


def is_firewalled(user, category: str) -> bool:
    """True when `user` must never read data of `category` (an immigration-only account and labour data)."""
    if category not in FIREWALLED_FROM_IMMIGRATION:
        return False
    roles = roles_of(user)
    # A person holding an immigration role is behind the firewall whatever else they hold.
    return Role.IMMIGRATION_OFFICER in roles


class RestrictedQuerySet(models.QuerySet):
    """A queryset whose `restrict(user)` is the only way views, APIs and selectors read rows."""

    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """Rows of this queryset that `user` may `action` ("view" or "change")."""
        category = getattr(self.model, "data_category", None)
        if category is None or is_firewalled(user, category):
            return self.none()
        return self.visible_to(user, action)

    def visible_to(self, user, action: str) -> models.QuerySet:
        """Model-specific visibility; deny by default so that a model without a rule shows nothing."""
        return self.none()


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):
    pass
