"""Forms of the returns pages. They only parse input; the services decide what is valid and say why not."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.returns.models import EarlyReason, OverstayResolution, PayoutKind
from corridor.selection.forms import ServiceErrorsMixin

MAX_TEXT = 4000
SCORE_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]


def _date(label, required: bool = False) -> forms.CharField:
    """A date typed or picked; the service parses it and names the field when it is not a date."""
    return forms.CharField(label=label, required=required, max_length=20,
                           widget=forms.DateInput(attrs={"type": "date"}))


def _score(label, help_text="") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=SCORE_CHOICES, required=False, help_text=help_text)


class ReturnForm(ServiceErrorsMixin, forms.Form):
    returned_on = _date(_("Returned on"))
    evidence = forms.CharField(label=_("Evidence of the return"), max_length=600, required=False,
                               help_text=_("e.g. exit stamp seen, passport page 12; or a boarding pass reference."))
    evidence_file = forms.FileField(label=_("Evidence file (PDF, JPEG or PNG)"), required=False)
    early_reason = forms.ChoiceField(label=_("If the worker came back before the end of the contract: why"),
                                     choices=[("", "—")] + list(EarlyReason.choices), required=False,
                                     help_text=_("Illness, a family emergency, the employer's closure, abuse and "
                                                 "dismissal never cost the worker their priority for recall."))
    early_reason_text = forms.CharField(label=_("The reason in words"), max_length=600, required=False)
    note = forms.CharField(label=_("Note"), max_length=MAX_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, date_known: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if date_known:
            del self.fields["returned_on"]


class PayoutForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—")] + list(PayoutKind.choices), required=False)
    amount = forms.CharField(label=_("Amount"), max_length=20, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False, help_text=_("ISO 4217, e.g. CAD."))
    transferred_on = _date(_("Transferred on"))
    reference = forms.CharField(label=_("Transfer reference"), max_length=100, required=False)


class PayoutAnswerForm(ServiceErrorsMixin, forms.Form):
    received = forms.ChoiceField(label=_("Did you receive it?"), widget=forms.RadioSelect, required=False,
                                 choices=[("yes", _("Yes, I received it")), ("no", _("No, I did not receive it"))])
    note = forms.CharField(label=_("Anything to add (optional)"), max_length=MAX_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(ServiceErrorsMixin, forms.Form):
    resolution = forms.ChoiceField(label=_("Resolution"), choices=[("", "—")] + list(OverstayResolution.choices),
                                   required=False)
    note = forms.CharField(label=_("What was checked"), max_length=MAX_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class EmployerEvaluationForm(ServiceErrorsMixin, forms.Form):
    """The worker's evaluation of the employer: 1 (very bad) to 5 (very good)."""

    pay = _score(_("Pay: paid in full and on time"))
    housing = _score(_("Housing"))
    safety = _score(_("Safety at work"))
    respect = _score(_("Respect"))
    would_return = _score(_("Would you work for this employer again?"))
    comment = forms.CharField(label=_("Comment (optional)"), max_length=MAX_TEXT, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class WorkerEvaluationForm(ServiceErrorsMixin, forms.Form):
    skills = _score(_("Skills"))
    reliability = _score(_("Reliability"))
    would_rehire = _score(_("Would you employ this worker again?"))
    comment = forms.CharField(label=_("Comment (optional)"), max_length=MAX_TEXT, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ResponseForm(ServiceErrorsMixin, forms.Form):
    response = forms.CharField(label=_("Your answer, in your own words"), max_length=MAX_TEXT, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, required=False,
                                 choices=[("refer", _("Refer for inspection")), ("dismiss", _("Dismiss"))])
    reason = forms.CharField(label=_("Reasons"), max_length=MAX_TEXT, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ScanForm(ServiceErrorsMixin, forms.Form):
    round = forms.ChoiceField(label=_("Selection round"), choices=(), required=False)

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [("", "—")] + [(str(r.pk), f"{r.programme.code} · {r.title}") for r in rounds]
