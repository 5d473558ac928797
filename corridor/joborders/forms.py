"""Forms for the job-order pages. They only parse input; the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from corridor.joborders.models import WageUnit
from corridor.reference import codes

# Languages with a translation box on the form: the platform's interface languages other than English.
TRANSLATION_LANGUAGES = (("fr", _("French")), ("es", _("Spanish")), ("ar", _("Arabic")))

FIELDSETS = (
    (_("The job"), ("programme", "title", "origin_countries", "isco_code", "esco_uri", "national_classification",
                    "national_code", "sector", "positions", "start_date", "end_date", "worksite")),
    (_("Pay and hours"), ("wage_amount", "wage_currency", "wage_unit", "hours_per_week", "overtime_rate_percent", "deductions")),
    (_("Housing and travel"), ("housing", "outbound_travel_worker_percent", "return_travel_worker_percent")),
    (_("Workers sought"), ("named_workers", "language", "language_level", "min_experience_months", "open_to_transfers")),
    (_("Description"), ("description", "description_language", "translation_fr", "translation_es", "translation_ar")),
)


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _number(label, *, help_text="", required=True, initial=None, step="0.01") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, initial=initial, help_text=help_text, max_digits=14, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": step, "inputmode": "decimal"}),
    )


def deductions_text(deductions) -> str:
    """The stored deductions as the form shows them: one "type: amount" a line."""
    return "\n".join(f"{d.get('type', '')}: {d.get('amount', '')}" for d in deductions or [])


def error_field(name: str) -> str:
    """The form field an error of the service belongs to: deductions[0].amount -> deductions, translations.fr ->
    translation_fr."""
    name = name or ""
    if name.startswith("translations."):
        return "translation_" + name.split(".", 1)[1]
    return name.split("[", 1)[0].split(".", 1)[0]


class JobOrderForm(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"), choices=())
    title = forms.CharField(label=_("Job title"), max_length=200)
    origin_countries = forms.MultipleChoiceField(
        label=_("Accepted origin countries"), choices=(), widget=forms.CheckboxSelectMultiple,
        help_text=_("The programme's open corridors."),
    )
    isco_code = forms.CharField(
        label=_("Occupation (ISCO-08 code)"), max_length=4, required=False,
        help_text=_("A 4-digit ISCO-08 unit group. Search by job title below to find it."),
    )
    esco_uri = forms.CharField(
        label=_("ESCO occupation (optional)"), max_length=200, required=False,
        help_text=_("The ESCO address of the occupation, if you know it; it must belong to the ISCO-08 group."),
    )
    national_classification = forms.ChoiceField(label=_("National classification (optional)"), choices=(), required=False)
    national_code = forms.CharField(
        label=_("National occupation code (optional)"), max_length=40, required=False,
        help_text=_("A code of the national classification chosen above; it must map to the ISCO-08 group."),
    )
    sector = forms.ChoiceField(label=_("Sector (ISIC Rev.4)"), choices=())
    positions = forms.IntegerField(label=_("Positions"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    start_date = forms.DateField(label=_("Start date"), widget=_date_widget())
    end_date = forms.DateField(label=_("End date"), widget=_date_widget())
    worksite = forms.TypedChoiceField(label=_("Worksite"), coerce=int, choices=())
    wage_amount = _number(_("Wage"))
    wage_currency = forms.ChoiceField(label=_("Currency"), choices=())
    wage_unit = forms.ChoiceField(label=_("Wage unit"), choices=WageUnit.choices)
    hours_per_week = _number(_("Guaranteed hours per week"), step="0.5")
    overtime_rate_percent = _number(
        # xgettext:no-python-format
        _("Overtime rate (% of the ordinary rate)"), initial=150, step="1", help_text=_("150 means time and a half.")
    )
    deductions = forms.CharField(
        label=_("Planned deductions per month"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, type and amount in the wage's currency, e.g. “tax: 200” or “insurance: 15”."),
    )
    housing = forms.ChoiceField(label=_("Housing"), choices=(), required=False)
    outbound_travel_worker_percent = _number(
        _("Share of outbound travel paid by the worker (%)"), initial=0, step="1", required=False,
    )
    return_travel_worker_percent = _number(_("Share of return travel paid by the worker (%)"), initial=0, step="1", required=False)
    named_workers = forms.CharField(
        label=_("Named returning workers (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Identifiers of workers you ask for by name, separated by commas."),
    )
    language = forms.ChoiceField(label=_("Required language (optional)"), choices=(), required=False)
    language_level = forms.CharField(
        label=_("Required level"), max_length=40, required=False, help_text=_("For example: basic, spoken, A2.")
    )
    min_experience_months = forms.IntegerField(
        label=_("Experience required (months)"), min_value=0, initial=0, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    open_to_transfers = forms.BooleanField(label=_("Open to workers already in the country who are changing employer"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
        help_text=_("What the work is, where and how; workers read it on the vacancy board."),
    )
    description_language = forms.ChoiceField(label=_("Language of the description"), choices=(), initial="en")
    translation_fr = forms.CharField(label=_("Description in French"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    translation_es = forms.CharField(label=_("Description in Spanish"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    translation_ar = forms.CharField(
        label=_("Description in Arabic"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "rtl", "lang": "ar"}),
    )

    def __init__(self, *args, programmes=(), origins=(), worksites=(), units=(), classifications=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["programme"]
        else:
            self.fields["programme"].choices = [(p.code, f"{p.code}: {p.name}") for p in programmes]
        self.fields["origin_countries"].choices = [(code, f"{name} ({code})") for code, name in origins]
        self.fields["national_classification"].choices = [("", "—")] + [(c.code, f"{c.code}: {c.name}") for c in classifications]
        self.fields["sector"].choices = [("", "—")] + [(code, f"{code}: {title}") for code, title in codes.sector_choices()]
        self.fields["worksite"].choices = [(w.pk, f"{w.name}{', ' + w.region if w.region else ''} ({w.country})") for w in worksites]
        self.fields["wage_currency"].choices = [("", "—")] + codes.currency_choices()
        self.fields["housing"].choices = [("", _("None: workers arrange their own accommodation"))] + [
            (str(u.pk), f"{u.address} ({u.worksite.name}, {ngettext('%(n)d bed', '%(n)d beds', u.capacity) % {'n': u.capacity}})")
            for u in units
        ]
        languages = codes.language_choices()
        self.fields["language"].choices = [("", "—")] + languages
        self.fields["description_language"].choices = languages

    def fieldsets(self):
        """(legend, bound fields) for the template, the occupation code marked for its autocomplete."""
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in FIELDSETS]

    def service_data(self) -> dict:
        """The cleaned values as the services take them."""
        data = dict(self.cleaned_data)
        data.pop("programme", None)
        data["translations"] = {
            code: text for code, _label in TRANSLATION_LANGUAGES if (text := (data.pop(f"translation_{code}", "") or "").strip())
        }
        data["housing"] = data.get("housing") or None
        data["named_workers"] = (data.get("named_workers") or "").replace("\n", ",")
        for name in ("outbound_travel_worker_percent", "return_travel_worker_percent", "min_experience_months"):
            if data.get(name) is None:
                data.pop(name, None)
        return data

    def add_service_errors(self, errors: list[dict]) -> None:
        for err in errors:
            field = error_field(err.get("field") or "")
            self.add_error(field if field in self.fields else None, err["message"])

    @staticmethod
    def initial_from(order) -> dict:
        initial = {name: getattr(order, name) for name in (
            "title", "origin_countries", "isco_code", "esco_uri", "national_classification", "national_code", "sector",
            "positions", "start_date", "end_date", "wage_amount", "wage_currency", "wage_unit", "hours_per_week",
            "overtime_rate_percent", "outbound_travel_worker_percent", "return_travel_worker_percent", "language",
            "language_level", "min_experience_months", "description", "description_language", "open_to_transfers",
        )}
        initial["worksite"] = order.worksite_id
        initial["housing"] = str(order.housing_id or "")
        initial["deductions"] = deductions_text(order.deductions)
        initial["named_workers"] = ", ".join(order.named_workers or [])
        for code, _label in TRANSLATION_LANGUAGES:
            initial[f"translation_{code}"] = (order.translations or {}).get(code, "")
        return initial


class AdvertForm(forms.Form):
    channel = forms.CharField(label=_("Where it was advertised"), max_length=200)
    start_date = forms.DateField(label=_("From"), widget=_date_widget())
    end_date = forms.DateField(label=_("Until"), widget=_date_widget())
    local_applicants = forms.IntegerField(label=_("Local applicants"), min_value=0, initial=0, required=False)
    local_hires = forms.IntegerField(label=_("Local hires"), min_value=0, initial=0, required=False)
    url = forms.URLField(label=_("Link to the advert (optional)"), required=False, max_length=200, assume_scheme="https")
