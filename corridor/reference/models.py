"""Reference data shipped with the platform: the ISCO-08 hierarchy, ESCO occupations, and national occupation
classifications mapped to ISCO-08 through imported crosswalks. Everyone may read them; only platform and
programme administrators may change them."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet, Role, roles_of

REFERENCE_EDITOR_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN})


def may_change_reference(user) -> bool:
    """True for users who may change reference data (import crosswalks): platform and ministry administrators."""
    return bool(roles_of(user) & REFERENCE_EDITOR_ROLES)


class ReferenceQuerySet(RestrictedQuerySet):
    """Reference data is public to read; changing it is for platform and ministry administrators."""

    def visible_to(self, user, action: str):
        if action == "view":
            return self
        if action == "change" and may_change_reference(user):
            return self
        return self.none()


class ReferenceManager(RestrictedManager.from_queryset(ReferenceQuerySet)):
    pass


class IscoGroup(models.Model):
    """A group of the International Standard Classification of Occupations 2008 (ILO): major (1 digit),
    sub-major (2), minor (3) or unit group (4)."""

    data_category = Category.REFERENCE

    code = models.CharField(_("ISCO-08 code"), max_length=4, unique=True)
    level = models.PositiveSmallIntegerField(
        _("level"), help_text=_("1 major, 2 sub-major, 3 minor, 4 unit group.")
    )
    title = models.CharField(_("title"), max_length=200)
    alt_labels = models.TextField(_("alternative labels"), blank=True, help_text=_("One per line."))
    description = models.TextField(_("description"), blank=True)
    uri = models.CharField(_("ESCO URI"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent group"),
    )
    search_text = models.TextField(editable=False, help_text="Code, title and labels, normalised for search.")

    objects = ReferenceManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("ISCO-08 group")
        verbose_name_plural = _("ISCO-08 groups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{1,4}$"), name="isco_group_code_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="isco_group_level_1_to_4"
            ),
            models.CheckConstraint(
                condition=models.Q(level=Length("code")), name="isco_group_level_is_code_length"
            ),
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True)
                | models.Q(level__gt=1, parent__isnull=False),
                name="isco_group_parent_unless_major",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def alt_label_list(self) -> list[str]:
        return [label for label in self.alt_labels.split("\n") if label]

    @property
    def level_name(self) -> str:
        return str(LEVEL_NAMES.get(self.level, ""))


LEVEL_NAMES = {
    1: _("Major group"),
    2: _("Sub-major group"),
    3: _("Minor group"),
    4: _("Unit group"),
}


class EscoOccupation(models.Model):
    """An occupation of ESCO (European Commission, v1.0), each within one ISCO-08 unit group."""

    data_category = Category.REFERENCE

    uri = models.CharField(_("ESCO URI"), max_length=200, unique=True)
    isco_group = models.ForeignKey(
        IscoGroup, on_delete=models.PROTECT, related_name="esco_occupations", verbose_name=_("ISCO-08 group")
    )
    title = models.CharField(_("title"), max_length=200)
    alt_labels = models.TextField(_("alternative labels"), blank=True, help_text=_("One per line."))
    description = models.TextField(_("description"), blank=True)
    search_text = models.TextField(editable=False, help_text="Code, title and labels, normalised for search.")

    objects = ReferenceManager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("ESCO occupation")
        verbose_name_plural = _("ESCO occupations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uri__startswith="http"), name="esco_occupation_uri_http"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def alt_label_list(self) -> list[str]:
        return [label for label in self.alt_labels.split("\n") if label]


class NationalClassification(models.Model):
    """A national occupational classification, e.g. Canada's NOC 2021, ANZSCO or the Korean KSCO."""

    data_category = Category.REFERENCE

    code = models.CharField(
        _("code"), max_length=30, unique=True, help_text=_('Short code, e.g. "NOC2021", "ANZSCO", "KSCO".')
    )
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code."))
    version = models.CharField(_("version"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferenceManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("national occupational classification")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z0-9][A-Z0-9._-]*$"),
                name="national_classification_code_format",
            ),
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="national_classification_country_iso2"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class CrosswalkEntry(models.Model):
    """One national occupation code and the ISCO-08 group it corresponds to."""

    data_category = Category.REFERENCE

    classification = models.ForeignKey(
        NationalClassification, on_delete=models.CASCADE, related_name="entries"
    )
    national_code = models.CharField(_("national code"), max_length=40)
    national_title = models.CharField(_("national title"), max_length=300)
    isco_group = models.ForeignKey(
        IscoGroup, on_delete=models.PROTECT, related_name="crosswalk_entries", verbose_name=_("ISCO-08 group")
    )

    objects = ReferenceManager()

    class Meta:
        ordering = ["classification", "national_code"]
        verbose_name = _("crosswalk entry")
        verbose_name_plural = _("crosswalk entries")
        constraints = [
            models.UniqueConstraint(
                fields=["classification", "national_code"], name="crosswalk_entry_unique_code"
            ),
            models.CheckConstraint(
                condition=~models.Q(national_code=""), name="crosswalk_entry_code_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.classification.code} {self.national_code} -> ISCO-08 {self.isco_group.code}"
