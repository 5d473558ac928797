"""Forms for programmes, corridors and the rulebook. They only parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Organisation, OrgKind
from corridor.programmes.models import InstitutionalDesign, ProgrammeCategory
from corridor.programmes.presets import PRESETS
from corridor.programmes.rulebook import DEDUCTION_TYPES, FEE_CATEGORIES
from corridor.reference import codes

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30, help_text=_("Capital letters, digits and hyphens, e.g. SAG-2027."))
    name = forms.CharField(label=_("Name"), max_length=200)
    institutional_design = forms.ChoiceField(label=_("Institutional design"), choices=InstitutionalDesign.choices)
    category = forms.ChoiceField(label=_("Category"), choices=ProgrammeCategory.choices)
    destination_country = forms.ChoiceField(label=_("Destination country"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    agreement_title = forms.CharField(label=_("Legal basis: agreement or law"), required=False, max_length=300)
    agreement_signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)
    agreement_valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    agreement_valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    preset = forms.ChoiceField(
        label=_("Start from a preset"),
        required=False,
        help_text=_("Rules modelled on a real programme, to adapt. Leave empty for protective defaults."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination_country"].choices = [("", "—")] + codes.country_choices()
        self.fields["preset"].choices = [("", _("No preset"))] + [(k, p.name) for k, p in PRESETS.items()]
        if editing:
            for name in ("code", "destination_country", "preset"):
                del self.fields[name]


class CorridorForm(forms.Form):
    origin_country = forms.ChoiceField(label=_("Origin country"))
    competent_authority = forms.ModelChoiceField(
        label=_("Competent authority"), queryset=Organisation.objects.filter(kind=OrgKind.ORIGIN_AUTHORITY, is_active=True)
    )
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin_country"].choices = [("", "—")] + codes.country_choices()


def _int(label, **kw):
    return forms.IntegerField(label=label, required=kw.pop("required", False), **kw)


def _num(label, **kw):
    return forms.FloatField(label=label, required=kw.pop("required", False), **kw)


def _bool(label):
    return forms.BooleanField(label=label, required=False)


def _text(label, help_text=""):
    return forms.CharField(label=label, required=False, help_text=help_text)


def _choice(label, choices):
    return forms.ChoiceField(label=label, choices=choices)


LIST = "list"  # comma-separated values
MAP = "map"  # "key=value, key=value"
EXCEPTIONS = "exceptions"  # one per line: category | max amount | currency | justification

# (fieldset title, [(rule path, form field, kind)]). The rule path is the dotted path in the rule set.
RULE_FIELDS: list[tuple[Any, list[tuple[str, forms.Field, str]]]] = [
    (_("Stay and season"), [
        ("stay.max_months_per_stay", _int(_("Longest single stay (months)"), required=True, min_value=1), ""),
        ("stay.max_total_months", _int(_("Longest total stay (months)"), min_value=1), ""),
        ("stay.max_months_in_period", _int(_("Months allowed in a period"), min_value=1), ""),
        ("stay.period_months", _int(_("Period length (months)"), min_value=1), ""),
        ("stay.season_window.start_month", _int(_("Season starts in month (1-12)"), min_value=1, max_value=12), ""),
        ("stay.season_window.end_month", _int(_("Season ends in month (1-12)"), min_value=1, max_value=12), ""),
        ("renewal.renewable", _bool(_("Permit renewable")), ""),
        ("renewal.max_renewals", _int(_("Maximum renewals"), min_value=0), ""),
        ("renewal.multiple_entry", _bool(_("Multiple entry")), ""),
        ("renewal.reentry_without_retest", _bool(_("Re-entry without new tests")), ""),
        ("family.accompaniment_allowed", _bool(_("Family may accompany")), ""),
        ("family.conditions", _text(_("Conditions for family")), ""),
    ]),
    (_("Change of employer"), [
        ("employer_change.policy", _choice(_("Policy"), [("free", _("Free")), ("within_sector", _("Within the sector")), ("limited", _("At most N changes")), ("not_allowed", _("Not allowed"))]), ""),
        ("employer_change.max_changes", _int(_("Maximum changes (limited policy)"), min_value=0), ""),
        ("employer_change.grace_period_days", _int(_("Days to find a new employer"), required=True, min_value=0), ""),
    ]),
    (_("Who can apply"), [
        ("age.min", _int(_("Minimum age"), required=True, min_value=0), ""),
        ("age.max", _int(_("Maximum age"), min_value=0), ""),
        ("eligible_occupations", _text(_("Eligible occupations (ISCO-08 codes, comma-separated; empty = any)")), LIST),
        ("eligible_sectors", _text(_("Eligible sectors (ISIC Rev.4 sections, e.g. A, C; empty = any)")), LIST),
        ("language.language", _text(_("Required language (ISO 639 code; empty = none)")), ""),
        ("language.test", _text(_("Language test")), ""),
        ("language.min_level", _text(_("Minimum level")), ""),
        ("language.validity_months", _int(_("Test result valid for (months)"), min_value=1), ""),
    ]),
    (_("Quotas"), [
        ("quotas.annual", _int(_("Annual quota"), min_value=0), ""),
        ("quotas.per_origin", _text(_("Per origin country"), _("e.g. MA=1000, SN=500")), MAP),
        ("quotas.per_sector", _text(_("Per sector"), _("e.g. A=2000")), MAP),
    ]),
    (_("Fees, wages and hours"), [
        ("fees.workers_pay_nothing", _bool(_("Workers pay no recruitment fees or costs")), ""),
        ("fees.lawful_exceptions", forms.CharField(label=_("Lawful exceptions"), required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=format_lazy(_("One per line: category | maximum amount | currency | justification. Categories: {}"), ", ".join(FEE_CATEGORIES))), EXCEPTIONS),
        ("wage_floor.basis", _choice(_("Wage floor"), [("higher_of", _("Higher of minimum and prevailing wage")), ("prevailing", _("Prevailing wage")), ("minimum", _("Minimum wage"))]), ""),
        ("wage_floor.minimum_wage_premium_percent", _num(_("Premium over the minimum wage (%)"), min_value=0), ""),
        ("guaranteed_hours.hours", _num(_("Guaranteed hours"), min_value=0), ""),
        ("guaranteed_hours.period_weeks", _int(_("... per number of weeks"), min_value=1), ""),
        ("guaranteed_hours.share_of_contract_percent", _num(_("Or share of contract hours guaranteed (%)"), min_value=0, max_value=100), ""),
        ("wage_guarantee_deposit_months", _num(_("Wage-guarantee deposit (months of wages)"), min_value=0), ""),
    ]),
    (_("Deductions"), [
        ("deductions.allowed_types", _text(_("Allowed deduction types"), ", ".join(DEDUCTION_TYPES)), LIST),
        # xgettext:no-python-format
        ("deductions.caps_percent", _text(_("Caps per type (% of gross)"), _("e.g. housing=8, food=12")), MAP),
        # xgettext:no-python-format
        ("deductions.total_cap_percent", _num(_("Cap on all deductions (% of gross)"), min_value=0, max_value=100), ""),
        # xgettext:no-python-format
        ("deductions.net_pay_floor_percent", _num(_("Net pay at least (% of gross)"), min_value=0, max_value=100), ""),
    ]),
    (_("Housing"), [
        ("housing.employer_must_provide", _bool(_("Employer must provide housing")), ""),
        ("housing.min_area_m2_per_person", _num(_("Minimum floor area per person (m²)"), min_value=0), ""),
        ("housing.max_persons_per_room", _int(_("Maximum persons per bedroom"), min_value=1), ""),
        ("housing.required_facilities", _text(_("Required facilities (comma-separated)")), LIST),
    ]),
    (_("Contract, recall, pathway"), [
        ("contract_delivery_lead_days", _int(_("Contract delivered at least N days before departure"), required=True, min_value=0), ""),
        ("recall.enabled", _bool(_("Recall priority for returning workers")), ""),
        ("recall.requires_compliant_return", _bool(_("Recall by rule: completing the season and returning is enough")), ""),
        ("recall.named_by_employer_allowed", _bool(_("Employers may also name workers (with consent)")), ""),
        ("pathway.enabled", _bool(_("Pathway to a more stable status")), ""),
        ("pathway.seasons_required", _int(_("Seasons required"), min_value=1), ""),
        ("pathway.months_required", _int(_("Or months required"), min_value=1), ""),
        ("pathway.target_status", _text(_("Status reached")), ""),
    ]),
    (_("Selection and employers"), [
        ("selection.mode", _choice(_("Selection mode"), [("matching", _("Programme-run matching")), ("employer_shortlist", _("Employer shortlist"))]), ""),
        ("selection.shortlist_per_position", _int(_("Shortlist candidates per position"), min_value=1), ""),
        ("selection.max_preferences", _int(_("Job offers a worker may rank"), min_value=1), ""),
        ("labour_market_test.required", _bool(_("Labour-market test required")), ""),
        ("labour_market_test.min_advertising_days", _int(_("Minimum local advertising (days)"), min_value=0), ""),
        ("labour_market_test.shortage_list_exempt", _bool(_("Shortage occupations exempt")), ""),
        ("labour_market_test.shortage_occupations", _text(_("Shortage occupations (ISCO-08, comma-separated)")), LIST),
        ("four_eyes_approval", _bool(_("Four-eyes approval of job orders")), ""),
        ("employer_approval_months", _int(_("Employer approval valid (months)"), required=True, min_value=1), ""),
    ]),
]

# Sections left out of the rule set when every one of their fields is empty.
OPTIONAL_SECTIONS = ("language", "stay.season_window")


def form_name(path: str) -> str:
    return path.replace(".", "__")


class RuleVersionForm(forms.Form):
    """The whole rule set as one form, grouped in fieldsets, plus the date it takes effect."""

    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    note = forms.CharField(label=_("What changed and why"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, with_date: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_date:
            del self.fields["effective_from"]
            self.fields["note"].required = False
        for _title, fields in RULE_FIELDS:
            for path, field, _kind in fields:
                self.fields[form_name(path)] = field.__class__(**_field_kwargs(field))
        for name in ("eligible_occupations", "labour_market_test__shortage_occupations"):
            self.fields[name].widget.attrs["data-append"] = "true"

    def fieldsets(self):
        for title, fields in RULE_FIELDS:
            yield title, [self[form_name(path)] for path, _f, _k in fields]

    @staticmethod
    def initial_from_rules(rules: dict) -> dict:
        initial = {}
        for _title, fields in RULE_FIELDS:
            for path, _field, kind in fields:
                value = _get(rules, path)
                if kind == LIST:
                    value = ", ".join(value or [])
                elif kind == MAP:
                    value = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in (value or {}).items())
                elif kind == EXCEPTIONS:
                    value = "\n".join(f"{e['category']} | {e['max_amount']:g} | {e['currency']} | {e['justification']}" for e in value or [])
                initial[form_name(path)] = value
        return initial

    def rules(self) -> dict:
        """The nested rule set from the cleaned data; the rulebook validates it."""
        data = self.cleaned_data
        rules: dict = {}
        for _title, fields in RULE_FIELDS:
            for path, _field, kind in fields:
                value = data.get(form_name(path))
                if kind == LIST:
                    value = [v.strip().upper() if path.endswith(("occupations", "sectors")) else v.strip() for v in (value or "").split(",") if v.strip()]
                elif kind == MAP:
                    value = self._parse_map(path, value or "")
                elif kind == EXCEPTIONS:
                    value = self._parse_exceptions(path, value or "")
                if value is None or value == "":
                    continue
                _set(rules, path, value)
        for section in OPTIONAL_SECTIONS:
            node = _get(rules, section)
            if isinstance(node, dict) and not any(v not in (None, "") for v in node.values()):
                _delete(rules, section)
        if "language" in rules and not rules["language"].get("language"):
            self.add_error(form_name("language.language"), _("Give the language code, or clear the other language fields."))
        return rules

    def _parse_map(self, path: str, text: str) -> dict:
        result = {}
        for part in [p.strip() for p in text.split(",") if p.strip()]:
            key, sep, number = part.partition("=")
            try:
                if not sep:
                    raise ValueError
                value = float(number)
                result[key.strip().upper() if "quotas" in path else key.strip()] = int(value) if value.is_integer() and "quotas" in path else value
            except ValueError:
                self.add_error(form_name(path), _("'%(part)s' is not of the form key=number.") % {"part": part})
        return result

    def _parse_exceptions(self, path: str, text: str) -> list:
        result = []
        for n, line in enumerate([ln for ln in text.splitlines() if ln.strip()], start=1):
            parts = [p.strip() for p in line.split("|")]
            try:
                if len(parts) != 4:
                    raise ValueError
                result.append({"category": parts[0], "max_amount": float(parts[1]), "currency": parts[2].upper(), "justification": parts[3]})
            except ValueError:
                self.add_error(form_name(path), _("Line %(n)d must be: category | maximum amount | currency | justification.") % {"n": n})
        return result

    def add_rule_errors(self, errors: list[dict]) -> None:
        """Attach the service's errors (fields like rules.age.max or rules.eligible_occupations.2) to form fields."""
        known = {form_name(p): p for _t, fs in RULE_FIELDS for p, _f, _k in fs}
        for err in errors:
            path = (err.get("field") or "").removeprefix("rules.")
            target = None
            candidate = path
            while candidate:
                if form_name(candidate) in known:
                    target = form_name(candidate)
                    break
                candidate = candidate.rpartition(".")[0]
            if target is None and path in ("effective_from", "note"):
                target = path
            self.add_error(target, err["message"])


def _field_kwargs(field: forms.Field) -> dict:
    kwargs = {"label": field.label, "required": field.required, "help_text": field.help_text, "widget": field.widget.__class__(attrs=dict(field.widget.attrs))}
    for attr in ("min_value", "max_value", "max_length"):
        if getattr(field, attr, None) is not None:
            kwargs[attr] = getattr(field, attr)
    if isinstance(field, forms.ChoiceField):
        kwargs["choices"] = field.choices
    return kwargs


def _get(data: dict, path: str):
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _set(data: dict, path: str, value) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _delete(data: dict, path: str) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.get(part, {})
    node.pop(parts[-1], None)
