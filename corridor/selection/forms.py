"""Forms of the selection pages. They only parse input; the services decide what is valid and say why not."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

MAX_TEXT = 4000


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, *, required: bool = False, rows: int = 3, help_text="") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=MAX_TEXT, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


def choice_label(n: int) -> str:
    """"1st choice", "2nd choice", ... in the active language."""
    if n % 100 in (11, 12, 13):
        return gettext("%(n)dth choice") % {"n": n}
    return {
        1: gettext("%(n)dst choice"), 2: gettext("%(n)dnd choice"), 3: gettext("%(n)drd choice"),
    }.get(n % 10, gettext("%(n)dth choice")) % {"n": n}


class ServiceErrorsMixin:
    """Puts the errors a service raised beside the fields they name; the others above the form."""

    field_map: dict[str, str] = {}

    def add_service_errors(self, errors: list[dict]) -> None:
        for err in errors:
            name = err.get("field") or ""
            field = self.field_map.get(name, name)
            self.add_error(field if field in self.fields else None, err["message"])


class RoundCreateForm(ServiceErrorsMixin, forms.Form):
    programme = forms.ChoiceField(label=_("Programme"), choices=())
    origin_country = forms.ChoiceField(
        label=_("Corridor"), choices=(), required=False,
        help_text=_("One origin country, or every corridor of the programme. Origin authorities open rounds for their own corridor."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("For example: Seasonal agricultural work 2027, round 1."))
    preferences_close_on = forms.DateField(
        label=_("Preferences close on"), required=False, widget=_date_widget(),
        help_text=_("After this day workers can no longer change their ranking. Leave empty to close them at the first publication."),
    )

    def __init__(self, *args, programmes=(), origins=(), every_corridor=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, f"{p.code}: {p.name}") for p in programmes]
        choices = [(code, f"{name} ({code})") for code, name in origins]
        self.fields["origin_country"].choices = ([("", _("Every corridor"))] if every_corridor else []) + choices
        self.fields["origin_country"].required = not every_corridor


class PublishForm(ServiceErrorsMixin, forms.Form):
    reason = _text(_("Reason for the re-run"), rows=2,
                   help_text=_("Required when a published run is run again, for example after an appeal was upheld."))


class CloseRoundForm(ServiceErrorsMixin, forms.Form):
    reason = _text(_("Why close the round"), required=True, rows=2)


class AppealDecideForm(ServiceErrorsMixin, forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"), choices=(("1", pgettext_lazy("appeal", "Upheld")), ("0", pgettext_lazy("appeal", "Dismissed"))), widget=forms.RadioSelect,
        coerce=lambda v: v == "1",
    )
    decision = _text(_("Reasons for the decision"), required=True,
                     help_text=_("The worker reads them. An upheld appeal is put right by correcting the record and re-running the round."))


class AppealForm(ServiceErrorsMixin, forms.Form):
    grounds = _text(_("Why do you appeal?"), required=True, rows=4,
                    help_text=_("Say what you think is wrong, for example a season or a test result that is missing from your record."))


class RankingForm(ServiceErrorsMixin, forms.Form):
    """Up to K select boxes, first choice first; each lists the round's job orders the worker may rank."""

    def __init__(self, *args, slots: int = 1, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        options = [("", _("— none —"))] + list(choices)
        for n in range(1, slots + 1):
            self.fields[f"choice_{n}"] = forms.ChoiceField(label=choice_label(n), choices=options, required=False)

    def references(self) -> tuple[list[str], dict[str, str]]:
        """The chosen job orders, first choice first, and for each position in that list the field it came from."""
        chosen, where = [], {}
        for name in self.fields:
            value = (self.cleaned_data.get(name) or "").strip()
            if value:
                where[f"job_orders.{len(chosen)}"] = name
                chosen.append(value)
        return chosen, where

    def add_service_errors(self, errors: list[dict], where: dict[str, str] | None = None) -> None:
        first = next(iter(self.fields), None)
        for err in errors:
            name = err.get("field") or ""
            if where and name in where:
                self.add_error(where[name], err["message"])
            elif name == "job_orders" and first is not None:
                self.add_error(first, err["message"])
            else:
                self.add_error(None, err["message"])


class NominationForm(ServiceErrorsMixin, forms.Form):
    job_order = forms.ChoiceField(label=_("Job order"), choices=())
    worker = forms.CharField(label=_("Worker identifier"), max_length=40,
                             help_text=_("The identifier of a worker who completed a season with you in this programme."))

    def __init__(self, *args, job_orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_order"].choices = [(str(o.pk), f"{o.reference}: {o.title}") for o in job_orders]


class ShortlistForm(forms.Form):
    """Pick up to the positions from the shortlist, with a reason for each, and one reason for passing over the rest."""

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for ident in self.candidates:
            self.fields[f"pick_{ident}"] = forms.BooleanField(label=gettext("Pick %(id)s") % {"id": ident}, required=False)
            self.fields[f"reason_{ident}"] = forms.CharField(label=gettext("Reason for picking %(id)s") % {"id": ident},
                                                             required=False, max_length=MAX_TEXT)
        self.fields["passed_over_reason"] = _text(_("Why the others are not picked"), rows=2)

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(ident, self[f"pick_{ident}"], self[f"reason_{ident}"]) for ident in self.candidates]

    def picks(self) -> tuple[list[str], list[str]]:
        chosen = [i for i in self.candidates if self.cleaned_data.get(f"pick_{i}")]
        return chosen, [self.cleaned_data.get(f"reason_{i}", "") for i in chosen]

    def add_service_errors(self, errors: list[dict], chosen: list[str]) -> None:
        for err in errors:
            name = err.get("field") or ""
            kind, _dot, index = name.partition(".")
            field = None
            if index.isdigit() and int(index) < len(chosen):
                field = f"{'pick' if kind == 'picks' else 'reason'}_{chosen[int(index)]}"
            elif name == "passed_over_reason":
                field = name
            self.add_error(field if field in self.fields else None, err["message"])


class SeasonRecordForm(ServiceErrorsMixin, forms.Form):
    programme = forms.ChoiceField(label=_("Programme"), choices=())
    year = forms.IntegerField(label=_("Season (year)"), min_value=1990, max_value=2200,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    employer = forms.ChoiceField(label=_("Employer"), choices=(), required=False)
    completed = forms.BooleanField(label=_("Season completed"), required=False, initial=True)
    returned_as_agreed = forms.BooleanField(label=_("Returned as agreed"), required=False, initial=True)
    note = _text(_("Note"), rows=2)

    def __init__(self, *args, programmes=(), employers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, f"{p.code}: {p.name}") for p in programmes]
        self.fields["employer"].choices = [("", "—")] + [(str(e.pk), e.organisation.name) for e in employers]


class SkillsTestForm(ServiceErrorsMixin, forms.Form):
    isco_code = forms.CharField(label=_("Occupation tested (ISCO-08 code)"), max_length=4,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    test = forms.CharField(label=_("Test"), max_length=200)
    score = forms.DecimalField(label=_("Score (0-100)"), min_value=0, max_value=100, max_digits=5, decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    taken_on = forms.DateField(label=_("Taken on"), widget=_date_widget())
