"""Forms of the pathways pages. They only parse input; the services decide what is valid and say why not."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.pathways.models import ReferralKind, ReferralOutcome
from corridor.selection.forms import ServiceErrorsMixin

MAX_TEXT = 4000


def _date(label, **kwargs) -> forms.CharField:
    """A date typed or picked; the service parses it and names the field when it is not a date."""
    return forms.CharField(label=label, required=False, max_length=20, widget=forms.DateInput(attrs={"type": "date"}),
                           **kwargs)


class AttestForm(ServiceErrorsMixin, forms.Form):
    tasks = forms.CharField(label=_("Tasks done and skills shown"), max_length=MAX_TEXT, required=False,
                            widget=forms.Textarea(attrs={"rows": 5}))
    hours_worked = forms.CharField(label=_("Hours worked"), max_length=20, required=False,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                   help_text=_("Only when the season has no payslips: the sum of the payslips' hours "
                                               "is used otherwise."))
    start_date = _date(_("From"), help_text=_("The day of arrival if left empty."))
    end_date = _date(_("To"), help_text=_("The end of the stay if left empty."))


class RevokeForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Why is the certificate revoked?"), max_length=MAX_TEXT, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReferralForm(ServiceErrorsMixin, forms.Form):
    worker = forms.CharField(label=_("Worker identifier"), max_length=12, required=False)
    kind = forms.ChoiceField(label=_("Service"), choices=[("", "—"), *ReferralKind.choices], required=False)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    referred_on = _date(_("Referred on"))
    consent = forms.BooleanField(label=_("The worker consents to this referral"), required=False)
    note = forms.CharField(label=_("Note"), max_length=MAX_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class OutcomeForm(ServiceErrorsMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReferralOutcome.choices, required=False)
    outcome_on = _date(_("On"))
    note = forms.CharField(label=_("About the outcome"), max_length=MAX_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Certificate code"), max_length=60, required=True,
                           help_text=_("The code printed on the certificate, such as SC-7KQ2-M9XD."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))
