"""Payslips submitted by employers, checked against the locked contract on arrival, and the worker's disputes."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet


class PayrollQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        from corridor.payroll.selectors import visibility_q

        q = visibility_q(self.model, user, action)
        return self.none() if q is None else self.filter(q)


class Payslip(models.Model):
    """One payslip of one worker for one period, with the findings of the checks made when it came in."""

    data_category = Category.WAGE

    # No index of its own: the unique constraint's index (journey, period_start, period_end) serves every lookup by
    # journey, and a pay run of a million payslips writes two indexes fewer (docs/payroll.md, section 5).
    journey = models.ForeignKey("deployment.Journey", on_delete=models.PROTECT, related_name="payslips",
                                db_index=False)
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="payslips")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    pay_date = models.DateField(_("paid on"))
    currency = models.CharField(_("currency"), max_length=3)
    gross = models.DecimalField(_("gross pay"), max_digits=12, decimal_places=2)
    net = models.DecimalField(_("net pay"), max_digits=12, decimal_places=2)
    ordinary_hours = models.DecimalField(_("ordinary hours"), max_digits=7, decimal_places=2, default=0)
    overtime_hours = models.DecimalField(_("overtime hours"), max_digits=7, decimal_places=2, default=0)
    night_hours = models.DecimalField(_("night hours"), max_digits=7, decimal_places=2, default=0)
    holiday_hours = models.DecimalField(_("holiday hours"), max_digits=7, decimal_places=2, default=0)
    deductions = models.JSONField(_("deductions"), default=list, help_text="[{type, amount, evidence}]")
    payment_method = models.CharField(_("payment method"), max_length=100)
    stated_rate = models.DecimalField(_("rate stated on the payslip"), max_digits=12, decimal_places=2, null=True, blank=True)
    stated_unit = models.CharField(max_length=10, blank=True)
    findings = models.JSONField(default=list)
    arrears = models.DecimalField(_("arrears owed"), max_digits=12, decimal_places=2, default=0)
    due = models.DecimalField(_("gross pay due"), max_digits=12, decimal_places=2, default=0)
    submitted_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(PayrollQuerySet)()

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "period_start", "period_end"], name="payslip_once_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="payslip_period_ordered"),
            models.CheckConstraint(condition=Q(gross__gte=0, net__gte=0) & Q(net__lte=F("gross")), name="payslip_net_within_gross"),
            models.CheckConstraint(
                condition=Q(ordinary_hours__gte=0, overtime_hours__gte=0, night_hours__gte=0, holiday_hours__gte=0),
                name="payslip_hours_not_negative",
            ),
            models.CheckConstraint(condition=Q(arrears__gte=0), name="payslip_arrears_not_negative"),
        ]

    def __str__(self) -> str:
        return f"payslip {self.pk} ({self.period_start}–{self.period_end})"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class PayslipDispute(models.Model):
    """The worker disputes a payslip; the complaints part of the platform takes it up."""

    data_category = Category.WAGE

    payslip = models.ForeignKey(Payslip, on_delete=models.PROTECT, related_name="disputes")
    reason = models.TextField(_("what is wrong"))
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    raised_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(PayrollQuerySet)()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["payslip"], condition=Q(status="open"), name="dispute_one_open_per_payslip"),
        ]

    def __str__(self) -> str:
        return f"dispute {self.pk}"
