"""Forms of the contracts pages. They only parse input; the services decide what is valid and say why not."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.selection.forms import ServiceErrorsMixin

MAX_TEXT = 4000


def _text(label, *, required: bool = False, rows: int = 3, help_text="", max_length: int = MAX_TEXT) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _line(label, *, required: bool = False, help_text="", inputmode: str = "", max_length: int = 60) -> forms.CharField:
    attrs = {"inputmode": inputmode} if inputmode else {}
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text,
                           widget=forms.TextInput(attrs=attrs))


class DeclineForm(ServiceErrorsMixin, forms.Form):
    reason = _text(_("Why you decline"), required=True, rows=2)


class AnswerForm(ServiceErrorsMixin, forms.Form):
    answer = forms.ChoiceField(label=_("Your answer"), choices=(("yes", _("I accept")), ("no", _("I do not accept"))))
    note = _text(_("A note (optional)"), rows=2,
                 help_text=_("For example what you do not agree with. The employer and the authorities read it."))


class RevokeForm(ServiceErrorsMixin, forms.Form):
    reason = _text(_("Why revoke this contract"), required=True, rows=2,
                   help_text=_("Its code then verifies as revoked. The worker and the employer read the reason."))


class TemplateForm(ServiceErrorsMixin, forms.Form):
    """The programme's contract template: the items every contract shares beyond the job order."""

    night_rate_percent = _line(
        # xgettext:no-python-format
        _("Night work rate (% of the ordinary rate)"), required=True, inputmode="decimal", help_text=_("100 or more."),
    )
    holiday_pay = _text(_("Public holidays and paid leave"), required=True)
    payment_method = _line(_("How pay is paid"), required=True, max_length=300)
    pay_period = _line(_("Pay period"), required=True, max_length=100)
    allowances = _text(_("Bonuses and allowances"), required=True)
    food = _text(_("Food"), required=True)
    renewal = _text(_("Renewal"), required=True)
    notice_days = _line(_("Notice (days)"), required=True, inputmode="numeric")
    entry_and_stay = _text(_("Conditions of entry and stay"), required=True)
    termination = _text(_("Grounds for termination"), required=True)
    complaints = _text(_("Where to complain"), required=True)
    destination_language = _line(_("Language of the destination"), required=True, max_length=8,
                                 help_text=_("ISO 639 code, for example en or fr: the contract is shown in it beside "
                                             "the worker's language."))

    @classmethod
    def initial_of(cls, template) -> dict:
        if template is None:
            return {}
        return {name: getattr(template, name) for name in cls.base_fields}


# The amendable items (services.AMENDABLE) as form fields: (field, content path, kind).
AMEND_FIELDS = (
    ("pay_amount", "pay.amount", "decimal"),
    ("hours_per_week", "pay.hours_per_week", "decimal"),
    ("overtime_rate_percent", "pay.overtime_rate_percent", "decimal"),
    ("start", "duration.start", "date"),
    ("end", "duration.end", "date"),
    ("notice_days", "duration.notice_days", "int"),
    ("housing_charge", "housing.charge_amount", "decimal"),
    ("description", "work.description", "text"),
    ("allowances", "allowances", "text"),
    ("food", "food", "text"),
)


def _get(content: dict, path: str):
    node = content
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _same(kind: str, old, new: str) -> bool:
    if kind == "decimal":
        try:
            return Decimal(str(old)) == Decimal(new)
        except (InvalidOperation, ValueError):
            return False
    return str(old if old is not None else "").strip() == new


class AmendForm(ServiceErrorsMixin, forms.Form):
    """An amendment: each amendable item prefilled with the version in force; only what is changed is sent."""

    pay_amount = _line(_("Wage"), inputmode="decimal")
    hours_per_week = _line(_("Guaranteed hours a week"), inputmode="decimal")
    overtime_rate_percent = _line(_("Overtime rate (% of the ordinary rate)"), inputmode="decimal")
    start = forms.CharField(label=_("Start"), required=False, max_length=20,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.CharField(label=_("End"), required=False, max_length=20, widget=forms.DateInput(attrs={"type": "date"}))
    notice_days = _line(_("Notice (days)"), inputmode="numeric")
    housing_charge = _line(_("Housing charge a month"), inputmode="decimal")
    description = _text(_("Description of the work"))
    allowances = _text(_("Bonuses and allowances"))
    food = _text(_("Food"))
    reason = _text(_("Reason for the amendment"), required=True, rows=2,
                   help_text=_("The worker reads it with what changes before accepting or not."))

    field_map = {f"changes.{path}": name for name, path, _kind in AMEND_FIELDS}

    def __init__(self, *args, content: dict, **kwargs):
        self.content = content
        initial = {name: _get(content, path) for name, path, _kind in AMEND_FIELDS}
        super().__init__(*args, initial=initial, **kwargs)
        if (content.get("housing") or {}).get("provided") != "yes":
            del self.fields["housing_charge"]
        currency = (content.get("pay") or {}).get("currency") or ""
        from corridor.contracts.wording import _unit

        self.fields["pay_amount"].label = _("Wage (%(currency)s %(unit)s)") % {
            "currency": currency, "unit": _unit((content.get("pay") or {}).get("unit") or "")}

    def changes(self) -> dict:
        """The items whose submitted value differs from the version in force."""
        out = {}
        for name, path, kind in AMEND_FIELDS:
            if name not in self.fields:
                continue
            value = (self.cleaned_data.get(name) or "").strip()
            if value == "":  # left empty: unchanged (every amendable item must keep a value)
                continue
            if not _same(kind, _get(self.content, path), value):
                out[path] = value
        return out


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60, required=True,
                           help_text=_("A contract code such as CT-7KQ2-M9XD, a job order reference such as JO-…, or "
                                       "an agency's licence number."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))
