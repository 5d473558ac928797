"""Forms for the employer pages. They only parse input; the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.employers.models import HousingStatus, InspectionResult
from corridor.reference import codes


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace("\n", ",").split(",") if part.strip()]


class RegisterForm(forms.Form):
    business_id = forms.CharField(label=_("Business identifier"), max_length=100)
    sectors = forms.MultipleChoiceField(label=_("Sectors (ISIC Rev.4)"), choices=(), widget=forms.CheckboxSelectMultiple)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    worksite_name = forms.CharField(label=_("First worksite: name"), max_length=200, required=False)
    worksite_address = forms.CharField(label=_("First worksite: address"), max_length=300, required=False)
    worksite_region = forms.CharField(label=_("First worksite: region"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].choices = codes.sector_choices()


class SignUpForm(RegisterForm):
    """A new employer with no account yet: the organisation, the profile, a first worksite and the first account."""

    organisation_name = forms.CharField(label=_("Registered name of the employer"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=())
    first_name = forms.CharField(label=_("Your first name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Your last name"), max_length=150, required=False)
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=200)
    password_again = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, max_length=200)
    language = forms.ChoiceField(label=_("Language of your account"), choices=())

    field_order = [
        "organisation_name", "country", "business_id", "sectors", "contact_name", "contact_phone", "contact_email",
        "worksite_name", "worksite_address", "worksite_region", "first_name", "last_name", "username", "password",
        "password_again", "language",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["country"].choices = [("", "—")] + codes.country_choices()
        self.fields["language"].choices = list(settings.LANGUAGES)
        self.fields["worksite_name"].required = True
        self.fields["worksite_address"].required = True

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class WorksiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2)


class ReviewForm(forms.Form):
    ACTIONS = (
        ("approve", _("Approve")),
        ("reject", _("Reject")),
        ("suspend", _("Suspend")),
        ("ban", _("Ban")),
        ("renew", _("Renew")),
    )
    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_("Required to reject, suspend or ban; the employer is told it."),
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("End of a suspension (required) or of a ban (empty for no end date)."),
    )
    documents_checked = forms.CharField(label=_("Documents checked"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    finances = forms.CharField(label=_("Financial standing"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    compliance_history = forms.CharField(label=_("Compliance history"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class HousingForm(forms.Form):
    worksite = forms.TypedChoiceField(label=_("Worksite"), coerce=int, choices=())
    address = forms.CharField(label=_("Address"), max_length=300)
    beds_per_room = forms.CharField(
        label=_("Beds in each bedroom"), max_length=400, help_text=_("One number per bedroom, separated by commas, e.g. 2, 2, 1.")
    )
    floor_area_m2 = forms.DecimalField(label=_("Floor area (m²)"), max_digits=8, decimal_places=2)
    facilities = forms.CharField(
        label=_("Facilities"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by commas, e.g. kitchen, shower, laundry, heating."),
    )
    charge_amount = forms.DecimalField(label=_("Charge to the worker per month"), max_digits=10, decimal_places=2, initial=0)
    charge_currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3)
    status = forms.ChoiceField(label=_("Status"), choices=HousingStatus.choices, initial=HousingStatus.OFFERED)
    photo = forms.FileField(label=_("Add a photo (JPEG or PNG)"), required=False)

    def __init__(self, *args, worksites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worksite"].choices = [(w.pk, w.name) for w in worksites]

    def clean_beds_per_room(self) -> list[int]:
        try:
            return [int(part) for part in _split(self.cleaned_data["beds_per_room"])]
        except ValueError:
            raise forms.ValidationError(_("Use whole numbers separated by commas.")) from None

    def clean_facilities(self) -> list[str]:
        return _split(self.cleaned_data.get("facilities", ""))


class InspectionForm(forms.Form):
    date = forms.DateField(label=_("Date of the visit"), widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(label=_("Result"), choices=InspectionResult.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Findings and required changes"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
