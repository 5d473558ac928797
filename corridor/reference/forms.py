"""Forms of the reference pages. They only collect input; the service checks it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from corridor.core.forms import DescribedByMixin
from corridor.reference import codes


class CrosswalkUploadForm(DescribedByMixin, forms.Form):
    classification_code = forms.CharField(
        label=_("Classification code"),
        max_length=30,
        help_text=_('Short code, e.g. "NOC2021", "ANZSCO", "KSCO".'),
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("e.g. National Occupational Classification 2021")
    )
    country = forms.ChoiceField(label=_("Country"), choices=())
    version = forms.CharField(label=_("Version"), max_length=40, required=False)
    file = forms.FileField(
        label=_("Crosswalk file (CSV)"),
        help_text=_(
            "Columns national_code, national_title, isco_code; UTF-8 or Windows-1252; first row is the header."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—")] + codes.country_choices()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.CORRIDOR_MAX_UPLOAD_BYTES:
            limit_mib = settings.CORRIDOR_MAX_UPLOAD_BYTES / (1024 * 1024)
            raise forms.ValidationError(_("The file is larger than %(n)s MiB.") % {"n": f"{limit_mib:g}"})
        return upload



class CrosswalkCommitForm(forms.Form):
    """The second step: the checked metadata and the signed file content from the dry run."""

    classification_code = forms.CharField(max_length=30, widget=forms.HiddenInput)
    name = forms.CharField(max_length=200, widget=forms.HiddenInput)
    country = forms.CharField(max_length=2, widget=forms.HiddenInput)
    version = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    payload = forms.CharField(widget=forms.HiddenInput)
