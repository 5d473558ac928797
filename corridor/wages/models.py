"""Prevailing and minimum wages with their sources: the figures a programme's wage floor rests on (GB.346 para 36)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet
from corridor.reference.models import may_change_reference


def may_change_wages(user) -> bool:
    """Platform administrators and programme administrators (destination ministry) maintain wage figures."""
    return may_change_reference(user)


class WageQuerySet(RestrictedQuerySet):
    """Published wage figures are public to read; changing them is for platform and ministry administrators."""

    def visible_to(self, user, action: str):
        if action == "view":
            return self
        if action == "change" and may_change_wages(user):
            return self
        return self.none()


class WageManager(RestrictedManager.from_queryset(WageQuerySet)):
    pass


class Unit(models.TextChoices):
    HOUR = "hour", _("per hour")
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")


COUNTRY_RE = r"^[A-Z]{2}$"
CURRENCY_RE = r"^[A-Z]{3}$"
ISCO_RE = r"^[0-9]{1,4}$"
SECTOR_RE = r"^[A-U]?$"
UNIT_VALUES = [u.value for u in Unit]


class WageSource(models.Model):
    """Where a figure comes from: every wage figure cites one."""

    data_category = Category.REFERENCE

    name = models.CharField(_("name"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WageManager()

    class Meta:
        ordering = ["name", "published_on"]
        constraints = [
            models.UniqueConstraint(fields=["name", "publisher", "url"], name="wage_source_unique"),
            models.CheckConstraint(condition=~models.Q(name=""), name="wage_source_name_present"),
        ]

    def __str__(self) -> str:
        parts = [self.name]
        if self.publisher:
            parts.append(self.publisher)
        if self.published_on:
            parts.append(self.published_on.isoformat())
        return ", ".join(parts)


class PrevailingWage(models.Model):
    """The wage usually paid to nationals in an occupation (ISCO-08 group, any level), a place and a year."""

    data_category = Category.REFERENCE

    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region"), max_length=100, blank=True, help_text=_("Empty for a national figure."))
    isco_code = models.CharField(_("ISCO-08 code"), max_length=4)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices)
    source = models.ForeignKey(WageSource, on_delete=models.PROTECT, related_name="prevailing_wages")

    objects = WageManager()

    class Meta:
        ordering = ["country", "region", "isco_code", "-year", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "region", "isco_code", "year", "unit"], name="prevailing_wage_unique_key"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="prevailing_wage_amount_positive"),
            models.CheckConstraint(condition=models.Q(country__regex=COUNTRY_RE), name="prevailing_wage_country_iso"),
            models.CheckConstraint(condition=models.Q(currency__regex=CURRENCY_RE), name="prevailing_wage_currency_iso"),
            models.CheckConstraint(condition=models.Q(isco_code__regex=ISCO_RE), name="prevailing_wage_isco_format"),
            models.CheckConstraint(condition=models.Q(unit__in=UNIT_VALUES), name="prevailing_wage_unit_known"),
            models.CheckConstraint(
                condition=models.Q(year__gte=1900, year__lte=2200), name="prevailing_wage_year_plausible"
            ),
        ]

    def __str__(self) -> str:
        place = f"{self.country}/{self.region}" if self.region else self.country
        return f"{place} ISCO {self.isco_code} {self.year}: {self.amount} {self.currency}/{self.unit}"


class MinimumWage(models.Model):
    """A statutory minimum wage for a country (or region) and a sector (ISIC section, or all), for a period."""

    data_category = Category.REFERENCE

    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region"), max_length=100, blank=True, help_text=_("Empty for a national figure."))
    sector = models.CharField(_("sector"), max_length=1, blank=True, help_text=_("ISIC section; empty for all sectors."))
    valid_from = models.DateField(_("in force from"))
    valid_until = models.DateField(_("in force until"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices)
    source = models.ForeignKey(WageSource, on_delete=models.PROTECT, related_name="minimum_wages")

    objects = WageManager()

    class Meta:
        ordering = ["country", "region", "sector", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "region", "sector", "unit", "valid_from"], name="minimum_wage_unique_start"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="minimum_wage_amount_positive"),
            models.CheckConstraint(condition=models.Q(country__regex=COUNTRY_RE), name="minimum_wage_country_iso"),
            models.CheckConstraint(condition=models.Q(currency__regex=CURRENCY_RE), name="minimum_wage_currency_iso"),
            models.CheckConstraint(condition=models.Q(sector__regex=SECTOR_RE), name="minimum_wage_sector_isic"),
            models.CheckConstraint(condition=models.Q(unit__in=UNIT_VALUES), name="minimum_wage_unit_known"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="minimum_wage_dates_ordered",
                violation_error_message="A minimum wage cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        place = f"{self.country}/{self.region}" if self.region else self.country
        sector = f" sector {self.sector}" if self.sector else ""
        return f"{place}{sector} from {self.valid_from}: {self.amount} {self.currency}/{self.unit}"
