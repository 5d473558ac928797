"""Forms of the payslip pages. They only parse input; the services decide what is valid and say why not."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.programmes.rulebook import DEDUCTION_TYPES
from corridor.selection.forms import ServiceErrorsMixin

MAX_TEXT = 4000
ROWS = 5
OTHER = "other"
TYPE_LABELS = {
    "tax": _("Income tax"), "social_security": _("Social security"), "housing": _("Housing"), "food": _("Food"),
    "transport": _("Transport"), "insurance": _("Insurance"), "travel_advance": _("Travel advance"),
    "equipment": _("Equipment"), "union_dues": _("Union dues"), "savings": _("Savings"),
}
_ROW_FIELD = re.compile(r"^deductions\.(\d+)(?:\.(type|amount|evidence))?$")


def _line(label, *, required: bool = False, inputmode: str = "", max_length: int = 40, help_text="") -> forms.CharField:
    attrs = {"inputmode": inputmode} if inputmode else {}
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text,
                           widget=forms.TextInput(attrs=attrs))


def _date(label) -> forms.CharField:
    """A date typed or picked; the service parses it and names the field when it is not a date."""
    return forms.CharField(label=label, required=False, max_length=20, widget=forms.DateInput(attrs={"type": "date"}))


class PayslipForm(ServiceErrorsMixin, forms.Form):
    """One payslip: the period, the pay date, the hours, gross and net pay, up to five deductions, how it was paid."""

    period_start = _date(_("Period from"))
    period_end = _date(_("Period to"))
    pay_date = _date(_("Paid on"))
    currency = _line(_("Currency"), max_length=3, help_text=_("ISO 4217, as in the contract (e.g. CAD)."))
    ordinary_hours = _line(_("Ordinary hours"), inputmode="decimal")
    overtime_hours = _line(_("Overtime hours"), inputmode="decimal")
    night_hours = _line(_("Night hours"), inputmode="decimal")
    holiday_hours = _line(_("Holiday hours"), inputmode="decimal")
    gross = _line(_("Gross pay"), inputmode="decimal")
    net = _line(_("Net pay"), inputmode="decimal")
    payment_method = _line(_("Payment method"), max_length=100, help_text=_("e.g. Direct deposit, cheque."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(t, TYPE_LABELS.get(t, t)) for t in DEDUCTION_TYPES] + [(OTHER, _("Other (say which)"))]
        for i in range(ROWS):
            n = i + 1
            self.fields[f"d{i}_type"] = forms.ChoiceField(label=_("Deduction %(n)d: type") % {"n": n}, choices=choices,
                                                          required=False)
            self.fields[f"d{i}_other"] = _line(_("Deduction %(n)d: other type") % {"n": n})
            self.fields[f"d{i}_amount"] = _line(_("Deduction %(n)d: amount") % {"n": n}, inputmode="decimal")
            self.fields[f"d{i}_evidence"] = _line(_("Deduction %(n)d: evidence reference") % {"n": n}, max_length=200)
        self._rows: list[int] = []

    def main_fields(self):
        return [self[name] for name in self.base_fields]

    def deduction_rows(self):
        return [[self[f"d{i}_{part}"] for part in ("type", "other", "amount", "evidence")] for i in range(ROWS)]

    def data_for_service(self) -> dict:
        """The cleaned fields as the service takes them; deduction rows left blank are skipped."""
        d = self.cleaned_data
        out = {name: d[name] for name in self.base_fields}
        deductions, self._rows = [], []
        for i in range(ROWS):
            kind = d[f"d{i}_type"]
            if kind == OTHER or (not kind and d[f"d{i}_other"]):
                kind = d[f"d{i}_other"].strip()
            if not (kind or d[f"d{i}_amount"] or d[f"d{i}_evidence"]):
                continue
            deductions.append({"type": kind, "amount": d[f"d{i}_amount"], "evidence": d[f"d{i}_evidence"]})
            self._rows.append(i)
        out["deductions"] = deductions
        return out

    def add_service_errors(self, errors: list[dict]) -> None:
        """Errors naming a deduction (deductions.2.type) go beside the form row it came from."""
        rest = []
        for err in errors:
            m = _ROW_FIELD.match(err.get("field") or "")
            if m and int(m.group(1)) < len(self._rows):
                row = self._rows[int(m.group(1))]
                part = m.group(2) or "amount"
                if part == "type" and self.cleaned_data.get(f"d{row}_type") == OTHER:
                    part = "other"
                self.add_error(f"d{row}_{part}", err["message"])
            else:
                rest.append(err)
        super().add_service_errors(rest)


class DisputeForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("What is wrong with this payslip?"), max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))
