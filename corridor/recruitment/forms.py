"""Forms for the agency pages. They only parse input; the services decide what is valid and name each field at fault."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.core.forms import DescribedByMixin
from corridor.recruitment.models import ProceedingKind
from corridor.reference import codes

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ServiceForm(DescribedByMixin, forms.Form):
    """A form whose service errors are shown beside the field they name (scopes[0].programme -> programmes)."""

    field_map: dict[str, str] = {}

    def add_service_errors(self, errors: list[dict]) -> None:
        for err in errors:
            name = (err.get("field") or "").split("[", 1)[0].split(".", 1)[0]
            name = self.field_map.get(name, name)
            self.add_error(name if name in self.fields else None, err["message"])
        self.set_described_by()

    def full_clean(self):
        super().full_clean()
        self.set_described_by()


class ApplicationForm(ServiceForm):
    field_map = {"scopes": "programmes"}

    ownership = forms.CharField(
        label=_("Owners and managers"), max_length=5000, widget=_text_area(4),
        help_text=_("Each owner with their share, and the managers. Seen only by your agency and the licensing authority."),
    )
    capital_amount = forms.CharField(label=_("Paid-up capital"), max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    capital_currency = forms.ChoiceField(label=_("Currency of the capital"), choices=())
    deposit_amount = forms.CharField(
        label=_("Guarantee deposit or bond"), max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Lodged with the authority; refunds owed to workers can be paid from it. Shown on the public register."),
    )
    deposit_currency = forms.ChoiceField(label=_("Currency of the deposit"), choices=())
    bond_reference = forms.CharField(label=_("Bank guarantee or bond reference"), max_length=100, required=False)
    programmes = forms.MultipleChoiceField(
        label=_("Programmes you will recruit for"), choices=(), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Programmes with a corridor from your country; you will recruit workers of your country only."),
    )

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        currencies = [("", "—")] + codes.currency_choices()
        self.fields["capital_currency"].choices = currencies
        self.fields["deposit_currency"].choices = currencies
        self.fields["programmes"].choices = [(p.code, f"{p.code}: {p.name}") for p in programmes]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["scopes"] = list(data.pop("programmes") or [])
        return data


class GrantForm(ServiceForm):
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=_date_widget(), help_text=_("Today if left empty."))
    valid_until = forms.DateField(label=_("Valid until"), widget=_date_widget())
    note = forms.CharField(label=_("Note"), max_length=5000, required=False, widget=_text_area(2))


class RenewForm(GrantForm):
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=_date_widget(),
        help_text=_("Left empty: unchanged, or today for an expired licence."),
    )


class RefuseForm(ServiceForm):
    reason = forms.CharField(label=_("Why the application is refused"), max_length=5000, widget=_text_area())


class ProceedingForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Proceeding"), choices=ProceedingKind.choices, widget=forms.RadioSelect)
    grounds = forms.CharField(label=_("Grounds"), max_length=5000, widget=_text_area(4),
                              help_text=_("What the agency is said to have done, and the evidence; the agency reads this."))
    respond_by = forms.DateField(label=_("The agency may respond until"), widget=_date_widget(),
                                 help_text=_("At least 14 days from today."))


class ResponseForm(ServiceForm):
    response = forms.CharField(label=_("The agency's response"), max_length=5000, widget=_text_area(5))


class DecisionForm(ServiceForm):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("upheld", _("Upheld: the sanction applies")), ("dismissed", _("Dismissed: nothing changes"))],
    )
    reason = forms.CharField(label=_("Reasons"), max_length=5000, widget=_text_area(4))
    sanction_until = forms.DateField(label=_("Suspended until"), required=False, widget=_date_widget(),
                                     help_text=_("For an upheld suspension only."))


class AppealForm(ServiceForm):
    appeal = forms.CharField(label=_("Grounds of the appeal"), max_length=5000, widget=_text_area(5))


class AppealDecisionForm(ServiceForm):
    decision = forms.ChoiceField(
        label=_("Decision on the appeal"), widget=forms.RadioSelect,
        choices=[("upheld", _("Upheld: the sanction stands")), ("overturned", _("Overturned: the licence returns to its former status"))],
    )
    reason = forms.CharField(label=_("Reasons"), max_length=5000, widget=_text_area(4))


class LinkForm(ServiceForm):
    employer = forms.TypedChoiceField(label=_("Employer"), coerce=int, choices=())
    programme = forms.ChoiceField(label=_("Programme"), choices=())
    since = forms.DateField(label=_("Recruiting for them since"), required=False, widget=_date_widget(), help_text=_("Today if left empty."))

    def __init__(self, *args, employers=(), programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].choices = [("", "—")] + [(e.pk, e.organisation.name) for e in employers]
        self.fields["programme"].choices = [(p.code, f"{p.code}: {p.name}") for p in programmes]


class RatingForm(ServiceForm):
    fees = forms.ChoiceField(
        label=_("Fees: did they charge you nothing?"), choices=SCORE_CHOICES, widget=forms.RadioSelect,
        help_text=_("5: I paid nothing. 1: I paid a lot."),
    )
    information = forms.ChoiceField(
        label=_("Information: did they tell you clearly about the job, pay and your rights?"), choices=SCORE_CHOICES,
        widget=forms.RadioSelect, help_text=_("5: very clearly. 1: not at all."),
    )
    contract_honesty = forms.ChoiceField(
        label=_("Contract: was the job what they promised?"), choices=SCORE_CHOICES, widget=forms.RadioSelect,
        help_text=_("5: exactly as promised. 1: very different."),
    )
    treatment = forms.ChoiceField(
        label=_("Treatment: did they treat you with respect?"), choices=SCORE_CHOICES, widget=forms.RadioSelect,
        help_text=_("5: always. 1: never."),
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=2000, required=False, widget=_text_area(3),
        help_text=_("Read only by the officers who check ratings. It is never published."),
    )


class ModerationForm(ServiceForm):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("publish", _("Count it in the public averages")), ("reject", _("Do not count it"))],
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=_text_area(2),
                           help_text=_("Required when the rating is not counted."))
