"""Forms of the journey pages. They only parse input; the services decide what is valid and say why not.

Each form has its own prefix, so that several can stand on one journey page without their fields colliding.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.deployment.models import Entries, PermitKind
from corridor.selection.forms import ServiceErrorsMixin

MAX_TEXT = 4000


def _text(label, *, required: bool = False, rows: int = 2, help_text="") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=MAX_TEXT, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _line(label, *, required: bool = False, help_text="", inputmode: str = "", max_length: int = 200,
          autocomplete: str = "") -> forms.CharField:
    attrs = {}
    if inputmode:
        attrs["inputmode"] = inputmode
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text,
                           widget=forms.TextInput(attrs=attrs))


def _date(label, *, required: bool = False, help_text="") -> forms.CharField:
    """A date typed or picked; the service parses it (and names the field when it is not a date)."""
    return forms.CharField(label=label, required=required, max_length=20, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}))


class StartForm(ServiceErrorsMixin, forms.Form):
    prefix = "start"
    placement = forms.IntegerField(label=_("Placement number"), min_value=1, max_value=2**31 - 1,
                                   help_text=_("A confirmed placement (see Placements and contracts)."),
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class PredepartureForm(ServiceErrorsMixin, forms.Form):
    prefix = "pre"
    insurance_provider = _line(_("Health insurance provider"))
    insurance_policy = _line(_("Policy number"), max_length=100)
    insurance_valid_until = _date(_("Insurance valid until"))
    travel_booking = _line(_("Travel booking reference"), max_length=100)
    planned_departure = _date(_("Planned departure"))

    @classmethod
    def of(cls, journey) -> PredepartureForm:
        initial = {name: getattr(journey, name) or "" for name in cls.base_fields}
        for name in ("insurance_valid_until", "planned_departure"):
            value = getattr(journey, name)
            initial[name] = value.isoformat() if value else ""
        return cls(initial=initial)


class DepartureForm(ServiceErrorsMixin, forms.Form):
    prefix = "depart"
    departed_on = _date(_("Departed on"), required=True)


class ReturnForm(ServiceErrorsMixin, forms.Form):
    prefix = "return"
    returned_on = _date(_("Returned on"), required=True)
    as_agreed = forms.ChoiceField(label=_("Returned as agreed?"), widget=forms.RadioSelect,
                                  choices=(("yes", _("Yes")), ("no", _("No"))),
                                  help_text=_("A season completed and a return as agreed count for recall by rule."))
    note = _text(_("Note (optional)"))


class WithdrawForm(ServiceErrorsMixin, forms.Form):
    prefix = "withdraw"
    reason = _text(_("Why the worker withdraws"), required=True,
                   help_text=_("Withdrawing before travel costs the worker nothing."))


class PermitForm(ServiceErrorsMixin, forms.Form):
    prefix = "permit"
    kind = forms.ChoiceField(label=_("Kind"), choices=PermitKind.choices)
    number = _line(_("Number"), required=True, max_length=60)
    valid_from = _date(_("Valid from"), required=True)
    valid_until = _date(_("Valid until"), required=True)
    entries = forms.ChoiceField(label=_("Entries"), choices=Entries.choices)
    employer_name = _line(_("Employer named on the permit (if any)"))
    isco_code = _line(_("Occupation on the permit (ISCO-08 code, if any)"), max_length=4, inputmode="numeric")
    conditions = _text(_("Conditions"), rows=3)


class NoteForm(ServiceErrorsMixin, forms.Form):
    note = _text(_("Note"), required=True)


class OverstayForm(NoteForm):
    prefix = "overstay"


class StatusChangeForm(NoteForm):
    prefix = "status"


class ArrivalForm(ServiceErrorsMixin, forms.Form):
    prefix = "arrival"
    arrived_on = _date(_("Arrived on"), required=True)
    welfare_contact_name = _line(_("Welfare contact"), required=True,
                                 help_text=_("The person the worker turns to for help at the workplace."))
    welfare_contact_phone = _line(_("Welfare contact's phone"), max_length=40, inputmode="tel", autocomplete="off")


class TermsForm(ServiceErrorsMixin, forms.Form):
    """The terms the employer applies at destination; only the items filled in are declared."""

    prefix = "terms"
    wage_amount = _line(_("Wage"), inputmode="decimal", max_length=30)
    hours_per_week = _line(_("Hours a week"), inputmode="decimal", max_length=30)
    isco_code = _line(_("Occupation (ISCO-08 code)"), inputmode="numeric", max_length=4)
    worksite = _line(_("Worksite"))
    start_date = _date(_("Start"))
    end_date = _date(_("End"))
    housing_charge = _line(_("Housing charge a month"), inputmode="decimal", max_length=30)
    deductions_total = _line(_("Deductions in total"), inputmode="decimal", max_length=30)

    def facts(self) -> dict:
        return {name: value.strip() for name, value in self.cleaned_data.items() if (value or "").strip()}


class EmployerChangeForm(ServiceErrorsMixin, forms.Form):
    prefix = "change"
    note = _text(_("Why you want to change employer (optional)"),
                 help_text=_("The authorities read it. You keep your rights while you change."))


class ResolveForm(ServiceErrorsMixin, forms.Form):
    resolution = _text(_("How it was resolved"), required=True)


class WorkerWithdrawForm(WithdrawForm):
    reason = _text(_("Why you withdraw"), required=True,
                   help_text=_("You may withdraw before you travel. It costs you nothing and you keep your place in the "
                               "pool."))
