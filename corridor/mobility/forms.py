"""Forms of the change-of-employer pages. They only parse input; the services decide what is valid and say why not."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.mobility.models import Cause
from corridor.selection.forms import ServiceErrorsMixin

MAX_TEXT = 4000


def _text(label, *, required: bool = False, help_text="", rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=MAX_TEXT, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


class OpeningForm(ServiceErrorsMixin, forms.Form):
    """Open one of the organisation's job orders to workers already at destination."""

    job_order = forms.ChoiceField(label=_("Job order"), choices=())
    positions = forms.CharField(label=_("Positions for workers changing employer"), max_length=10,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    ends_on = forms.CharField(label=_("Open until"), max_length=20, widget=forms.DateInput(attrs={"type": "date"}))
    note = _text(_("Note for workers (optional)"))

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_order"].choices = [(str(o.pk), f"{o.reference or o.pk} · {o.title} · {o.programme.code}")
                                            for o in orders]


class ReasonForm(ServiceErrorsMixin, forms.Form):
    reason = _text(_("Reason"), required=True, help_text=_("The worker reads it."))


class CloseForm(ServiceErrorsMixin, forms.Form):
    reason = _text(_("Why you close it (optional)"), help_text=_("Workers still waiting read it."))


class ApplyForm(ServiceErrorsMixin, forms.Form):
    """The worker applies to one opening: the cause, and a note to the employer."""

    cause = forms.ChoiceField(
        label=_("Why you change employer"), widget=forms.RadioSelect,
        choices=[(c.value, c.label) for c in (Cause.OWN_CHOICE, Cause.EMPLOYER_CLOSED, Cause.ABUSE)],
        help_text=_("Nobody asks your employer's permission. If your employer closed or ill-treated you, this change "
                    "does not count against any limit. The new employer does not see this answer."),
    )
    message = _text(_("A note to the new employer (optional)"), rows=2)


class CompleteForm(ServiceErrorsMixin, forms.Form):
    """The new employer may name a new welfare contact when completing the move (the old one is kept otherwise)."""

    welfare_contact_name = forms.CharField(label=_("New welfare contact (optional)"), max_length=200, required=False)
    welfare_contact_phone = forms.CharField(label=_("Welfare contact's phone"), max_length=40, required=False,
                                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
