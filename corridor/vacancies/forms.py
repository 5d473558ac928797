"""Forms for the vacancy pages. They only parse input; the services and selectors decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.core.forms import DescribedByMixin
from corridor.vacancies.models import VacancyKind

MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": "[0-9]{4}-[0-9]{2}"})


class ReportForm(DescribedByMixin, forms.Form):
    programme = forms.ChoiceField(label=_("Programme"), choices=())
    kind = forms.ChoiceField(label=_("What you report"), choices=VacancyKind.choices, widget=forms.RadioSelect)
    isco_code = forms.CharField(
        label=_("Occupation (ISCO-08 code)"), max_length=4,
        help_text=_("An ISCO-08 code of 1 to 4 digits. Search by job title below to find it."),
    )
    region = forms.CharField(label=_("Region"), max_length=100, required=False, help_text=_("Leave empty for the whole country."))
    period = forms.CharField(label=_("Month"), max_length=7, widget=MONTH_INPUT, help_text=_("The month the figure is about (YYYY-MM)."))
    vacancies = forms.IntegerField(label=_("Number of vacancies"))
    months_unfilled = forms.IntegerField(
        label=_("Months unfilled"), required=False,
        help_text=_("For unfilled vacancies: how many months they have been open. Leave empty for an emerging need."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the skills you cannot find, or why the need is emerging. Do not name workers."),
    )

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, f"{p.code}: {p.name}") for p in programmes]


class WithdrawForm(DescribedByMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. a wrong figure; report the right one after withdrawing."),
    )


class AggregateForm(DescribedByMixin, forms.Form):
    LEVELS = (
        (1, _("1 digit: major groups")),
        (2, _("2 digits: sub-major groups")),
        (3, _("3 digits: minor groups")),
        (4, _("4 digits: unit groups")),
    )
    BREAKDOWN = (("region", _("By region")), ("national", _("National totals")))

    programme = forms.ChoiceField(label=_("Programme"), choices=())
    period_from = forms.CharField(label=_("From month"), max_length=7, required=False, widget=MONTH_INPUT, help_text=_("YYYY-MM; empty for 11 months before this month."))
    period_to = forms.CharField(label=_("To month"), max_length=7, required=False, widget=MONTH_INPUT, help_text=_("YYYY-MM; empty for 12 months ahead, so that emerging needs show."))
    isco_level = forms.TypedChoiceField(label=_("ISCO-08 level"), choices=LEVELS, coerce=int, initial=4)
    breakdown = forms.ChoiceField(label=_("Lines"), choices=BREAKDOWN, initial="region")

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, f"{p.code}: {p.name}") for p in programmes]
