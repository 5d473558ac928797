"""Forms of the wage pages. They only collect input; the services and selectors check it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from corridor.core.forms import DescribedByMixin
from corridor.reference import codes
from corridor.wages.models import Unit


class WageImportForm(DescribedByMixin, forms.Form):
    source_name = forms.CharField(label=_("Source"), max_length=300, help_text=_("e.g. Job Bank wage data 2026"))
    source_publisher = forms.CharField(label=_("Publisher"), max_length=300, required=False)
    source_url = forms.URLField(
        label=_("Web address of the source"), max_length=500, required=False, assume_scheme="https"
    )
    source_published_on = forms.DateField(
        label=_("Published on"), required=False, help_text=_("YYYY-MM-DD"), widget=forms.DateInput(attrs={"type": "date"})
    )
    source_notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(
        label=_("Wage file (CSV)"),
        help_text=_("UTF-8 or Windows-1252; first row is the header. The columns are described in docs/wages.md."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.CORRIDOR_MAX_UPLOAD_BYTES:
            limit_mib = settings.CORRIDOR_MAX_UPLOAD_BYTES / (1024 * 1024)
            raise forms.ValidationError(_("The file is larger than %(n)s MiB.") % {"n": f"{limit_mib:g}"})
        return upload


class WageCommitForm(forms.Form):
    """The second step: the checked source and the signed file content from the dry run."""

    source_name = forms.CharField(max_length=300, widget=forms.HiddenInput)
    source_publisher = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)
    source_url = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)
    source_published_on = forms.DateField(required=False, widget=forms.HiddenInput)
    source_notes = forms.CharField(required=False, widget=forms.HiddenInput)
    payload = forms.CharField(widget=forms.HiddenInput)


class WageFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=(), required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    isco = forms.RegexField(label=_("ISCO-08 code"), regex=r"^[0-9]{1,4}$", max_length=4, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All"))] + codes.country_choices()


class FloorForm(DescribedByMixin, forms.Form):
    programme = forms.CharField(label=_("Programme code"), max_length=40)
    country = forms.ChoiceField(label=_("Country of work"), choices=())
    region = forms.CharField(label=_("Region"), max_length=100, required=False, help_text=_("Leave empty for national figures."))
    isco = forms.RegexField(
        label=_("ISCO-08 code"), regex=r"^[0-9]{1,4}$", max_length=4,
        help_text=_("The occupation, e.g. 9211; a broader group is used when no figure exists for it."),
        error_messages={"invalid": _("Enter 1 to 4 digits.")},
    )
    sector = forms.ChoiceField(label=_("Sector (ISIC Rev.4 section)"), choices=(), required=False)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("YYYY-MM-DD"))
    unit = forms.ChoiceField(label=_("Show the floor per"), choices=Unit.choices, required=False)
    offer_amount = forms.DecimalField(
        label=_("Offered wage (optional)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    offer_currency = forms.ChoiceField(label=_("Currency of the offered wage"), choices=(), required=False)
    offer_unit = forms.ChoiceField(label=_("Offered wage per"), choices=Unit.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—")] + codes.country_choices()
        self.fields["sector"].choices = [("", _("All sectors"))] + codes.sector_choices()
        self.fields["offer_currency"].choices = [("", "—")] + codes.currency_choices()
        self.fields["unit"].choices = [("", _("as published"))] + list(Unit.choices)

    def clean(self):
        data = super().clean()
        if data.get("offer_amount") is not None and not data.get("offer_currency"):
            self.add_error("offer_currency", _("Give the currency of the offered wage."))
        return data
