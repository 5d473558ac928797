"""Forms for the worker pages. They only parse input; the services decide what is valid.

The worker's own forms are short and phone-first: one column, native date and telephone inputs, the phone number
doubling as the username.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from corridor.reference import codes
from corridor.workers.models import DocumentKind, Education, Sex


def _date(label, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def language_choices() -> list[tuple[str, str]]:
    """The platform's interface languages first, then every language with an ISO 639-1 code."""
    first = [(code, str(name)) for code, name in settings.LANGUAGES]
    seen = {code for code, _name in first}
    return first + [("", "──────────")] + [(c, n) for c, n in codes.language_choices() if c not in seen]


def country_choices() -> list[tuple[str, str]]:
    return [("", "—")] + codes.country_choices()


class IdentityForm(forms.Form):
    """Names, sex, date of birth, nationality, region, education and preferred language."""

    given_names = forms.CharField(label=_("Given names"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    family_names = forms.CharField(label=_("Family names"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    date_of_birth = _date(_("Date of birth"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    nationality = forms.ChoiceField(label=_("Nationality"), choices=())
    region_of_origin = forms.CharField(label=_("Region you come from"), max_length=100, required=False)
    education = forms.ChoiceField(label=_("Education"), choices=(), required=False)
    language = forms.ChoiceField(
        label=_("Your language"), choices=(), help_text=_("Messages and consent texts are shown in this language where they are translated."),
    )

    def __init__(self, *args, fixed_nationality: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = country_choices()
        self.fields["education"].choices = [("", "—"), *Education.choices]
        self.fields["language"].choices = language_choices()
        if fixed_nationality:
            name = codes.country_name(fixed_nationality) or fixed_nationality
            self.fields["nationality"].choices = [(fixed_nationality, name)]
            self.fields["nationality"].initial = fixed_nationality


class ContactForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=40,
        help_text=_("With + and the country code, for example +52 55 1234 5678."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail (if you have one)"), max_length=254, required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


class RegisterForm(ContactForm, IdentityForm):
    """Registration on a worker's behalf: identity and contact, no account (the worker confirms later)."""

    field_order = ["given_names", "family_names", "date_of_birth", "sex", "nationality", "region_of_origin", "education",
                   "language", "phone", "email", "address"]


class SelfRegisterForm(RegisterForm):
    """A worker registers on their own: the phone first, then who they are, then a password."""

    username = forms.CharField(
        label=_("Username (optional)"), max_length=150, required=False,
        help_text=_("Leave empty to sign in with your phone number."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"), max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Do not share it with anyone, not even a recruiter."),
    )
    password_again = forms.CharField(
        label=_("Password again"), max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["phone", "given_names", "family_names", "date_of_birth", "sex", "nationality", "region_of_origin",
                   "language", "education", "email", "username", "password", "password_again"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["address"]

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class ClaimForm(forms.Form):
    """A worker registered on their behalf confirms it and chooses a password."""

    public_id = forms.CharField(
        label=_("Your worker identifier"), max_length=12, help_text=_("It starts with W-; the office that registered you gave it to you."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    phone = ContactForm.base_fields["phone"]
    date_of_birth = _date(_("Date of birth"))
    username = SelfRegisterForm.base_fields["username"]
    password = SelfRegisterForm.base_fields["password"]
    password_again = SelfRegisterForm.base_fields["password_again"]

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    number = forms.CharField(label=_("Number"), max_length=40, widget=forms.TextInput(attrs={"autocapitalize": "characters"}))
    issuing_country = forms.ChoiceField(label=_("Issued by (country)"), choices=())
    issued_on = _date(_("Issued on"), required=False)
    expires_on = _date(_("Expires on"), required=False, help_text=_("An expired document is recorded too, but it is marked expired."))
    file = forms.FileField(
        label=_("Scan or photo (optional)"), required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuing_country"].choices = country_choices()
        self.fields["file"].help_text = _("A PDF, JPEG or PNG file of at most %(mib)d MiB.") % {
            "mib": max(1, settings.CORRIDOR_MAX_UPLOAD_BYTES // (1024 * 1024))
        }


class LanguageResultForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=())
    test = forms.CharField(label=_("Test"), max_length=100, help_text=_("For example IELTS, DELE, DELF or EPS-TOPIK."))
    level = forms.CharField(label=_("Level or score"), max_length=40)
    taken_on = _date(_("Taken on"))
    valid_until = _date(_("Valid until"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [c for c in language_choices() if c[0]]


class OccupationForm(forms.Form):
    isco_code = forms.CharField(
        label=_("Occupation (ISCO-08 code)"), max_length=4, required=False,
        help_text=_("Four digits, e.g. 9211 for crop farm labourers. Find yours on the Occupations page."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    esco_uri = forms.CharField(label=_("or its ESCO URI"), max_length=200, required=False)
    years_experience = forms.DecimalField(
        label=_("Years of experience"), min_value=0, max_value=70, decimal_places=1, initial=0,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    skills = forms.CharField(label=_("Skills"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class MedicalForm(forms.Form):
    """Only the finding (fit or not fit), the dates and the clinic: never a medical detail."""

    fit = forms.TypedChoiceField(
        label=_("Finding"), choices=(("true", _("Fit for the work")), ("false", _("Not fit"))),
        coerce=lambda v: v == "true", widget=forms.RadioSelect,
    )
    issued_on = _date(_("Issued on"))
    valid_until = _date(_("Valid until"))
    issued_by = forms.CharField(label=_("Clinic"), max_length=200)


class OrientationForm(forms.Form):
    completed_on = _date(_("Pre-departure orientation completed on"), required=False,
                         help_text=_("Leave empty if it is not completed."))


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("Note (what you checked)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ExcludeForm(forms.Form):
    until = _date(_("Excluded until"))
    reason = forms.CharField(label=_("Reason (the worker sees it)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class FilterForm(forms.Form):
    STATUSES = (
        ("", _("Any status")), ("registered", _("Registered")), ("unconfirmed", _("Waiting for the worker's confirmation")),
        ("verified", _("Verified")), ("work_ready", _("Work-ready")), ("excluded", _("Excluded")),
        ("merged", _("Merged")),
    )
    q = forms.CharField(label=_("Name or identifier"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
    nationality = forms.ChoiceField(label=_("Nationality"), choices=(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", _("Any"))] + codes.country_choices()
