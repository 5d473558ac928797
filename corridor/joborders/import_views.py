"""Pages for the bulk imports: job orders (employers, destination ministries) and employers (ministries).

Two steps, as for every import: upload the file (with the programme and, if the file's headers differ from ours, a
column mapping) and see the dry run's row-by-row report, downloadable as CSV; then confirm, which imports the very
file that was checked (it travels signed, see `core.imports`), every row or none.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from corridor.accounts.models import OrgKind
from corridor.core.access import Category, Role, roles_of
from corridor.core.imports import CheckedFileForm as BaseCheckedFileForm
from corridor.core.imports import ImportFileForm, import_step, import_steps, mapping_field
from corridor.core.views import data_category
from corridor.employers import imports as employer_imports
from corridor.employers.models import MINISTRY_ROLES, EmployerProfile
from corridor.joborders import imports
from corridor.joborders import tabular as order_tabular
from corridor.programmes import selectors as programme_selectors
from corridor.programmes.models import ProgrammeStatus

KIND_ORDERS = "joborders.import"
KIND_EMPLOYERS = "employers.import"

ORDER_COLUMN_HELP = {
    "employer": gettext_lazy("The employer's business identifier. Needed when a ministry imports; an employer may "
                             "leave it out."),
    "title": gettext_lazy("Job title."),
    "origin_countries": gettext_lazy("ISO country codes separated by ;, e.g. MX;JM."),
    "isco_code": gettext_lazy("ISCO-08 unit group (4 digits); or give esco_uri, or national_classification and "
                              "national_code."),
    "sector": gettext_lazy("ISIC Rev.4 section (A to U); may be left out when the employer has one sector."),
    "positions": gettext_lazy("Number of workers."),
    "start_date": gettext_lazy("YYYY-MM-DD."),
    "end_date": gettext_lazy("YYYY-MM-DD."),
    "worksite": gettext_lazy("The worksite's name or number."),
    "wage_amount": gettext_lazy("Wage, with a dot or a comma for decimals."),
    "wage_currency": gettext_lazy("ISO 4217 code, e.g. CAD."),
    "wage_unit": gettext_lazy("hour, day, week or month."),
    "hours_per_week": gettext_lazy("Guaranteed hours per week."),
    "deductions": gettext_lazy("type:amount per month, separated by ;, e.g. housing:120; food:80."),
    "housing": gettext_lazy("The housing unit's address or number."),
    "advert_channel": gettext_lazy("Where the job was advertised locally; with advert_start, advert_end, "
                                   "local_applicants, local_hires and advert_url it makes one advert."),
}
EMPLOYER_COLUMN_HELP = {
    "organisation": gettext_lazy("The employer's name."),
    "country": gettext_lazy("ISO country code; a ministry onboards employers of its own country."),
    "business_id": gettext_lazy("Business identifier, unique in the country."),
    "sectors": gettext_lazy("ISIC Rev.4 sections separated by ;, e.g. A;C."),
    "contact_name": gettext_lazy("Contact person."),
    "contact_phone": gettext_lazy("Contact phone (optional)."),
    "contact_email": gettext_lazy("Contact e-mail."),
    "worksite_name": gettext_lazy("Name of a first worksite."),
    "worksite_address": gettext_lazy("Its address."),
    "worksite_region": gettext_lazy("Its region (optional; the regional wage figures depend on it)."),
    "programme": gettext_lazy("Programme code to apply to (optional; the application waits for review)."),
}


def _columns(fields: tuple, required: tuple, help_texts: dict) -> list[dict]:
    return [{"name": f, "required": f in required, "help": help_texts.get(f, "")} for f in fields]


class _FileForm(ImportFileForm):
    mapping = mapping_field("wage_amount = Hourly wage")


class JobOrderImportForm(_FileForm):
    programme = forms.ChoiceField(label=gettext_lazy("Programme"), choices=())
    submit_orders = forms.BooleanField(
        label=gettext_lazy("Submit the job orders for review at once (each must then meet the programme's rules)"),
        required=False,
    )
    field_order = ["programme", "file", "mapping", "submit_orders"]

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, f"{p.code}: {p.name}") for p in programmes]


class CheckedFileForm(BaseCheckedFileForm):
    """The second step (import, or download the report): the signed file and the choices of the first."""

    programme = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    submit_orders = forms.BooleanField(required=False, widget=forms.HiddenInput)


def _choices(values: dict) -> dict:
    """The first step's choices besides the file and the mapping (none for employers)."""
    return {"programme": values.get("programme") or "", "submit_orders": values.get("submit_orders", False)}


def _forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "core/forbidden.html", {"reason": reason}, status=403)


def _org(user):
    return getattr(user, "organisation", None)


def _may_import_orders(user) -> bool:
    roles = roles_of(user)
    if Role.IMMIGRATION_OFFICER in roles:
        return False
    if Role.PLATFORM_ADMIN in roles:
        return True
    org = _org(user)
    if org is None:
        return False
    if Role.EMPLOYER in roles:
        return EmployerProfile.objects.filter(organisation=org).exists()
    return bool(roles & MINISTRY_ROLES) and org.kind == OrgKind.DESTINATION_MINISTRY


def _may_import_employers(user) -> bool:
    roles = roles_of(user)
    if Role.IMMIGRATION_OFFICER in roles:
        return False
    org = _org(user)
    return Role.PLATFORM_ADMIN in roles or (
        Role.MINISTRY_ADMIN in roles and org is not None and org.kind == OrgKind.DESTINATION_MINISTRY
    )


def _programmes(user) -> list:
    org = _org(user)
    country = "" if Role.PLATFORM_ADMIN in roles_of(user) or org is None else org.country
    return list(programme_selectors.programme_list(user=user, status=ProgrammeStatus.ACTIVE, destination=country))


def _two_steps(request: HttpRequest, *, kind: str, form: _FileForm, run, template: str, context: dict,
               report_name: str, done) -> HttpResponse:
    """The shared flow (see `core.imports.import_steps`), rendered on the import page."""
    result = import_steps(request, kind=kind, form=form, context=context, run=run, report_csv=imports.report_csv,
                          report_name=report_name, done=done, checked_form=CheckedFileForm, choices=_choices)
    if isinstance(result, HttpResponse):
        return result
    form.set_described_by()
    return render(request, template, context, status=result)


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def job_order_import(request: HttpRequest) -> HttpResponse:
    """Upload job orders (CSV or XLSX), see the dry run row by row, then import them: all rows or none."""
    if not _may_import_orders(request.user):
        return _forbidden(request, _("Job orders are imported by employers (their own) and by officers of the "
                                     "destination country's labour ministry."))
    programmes = _programmes(request.user)
    checking = import_step(request) == "check"
    form = JobOrderImportForm(request.POST if checking else None, request.FILES if checking else None,
                              programmes=programmes)

    def run(*, data, filename, mapping, programme, submit_orders, dry_run):
        chosen = programme_selectors.programme_get(user=request.user, code=(programme or "")[:40])
        return imports.job_order_import(actor=request.user, programme=chosen, data=data, filename=filename,
                                        mapping=mapping, dry_run=dry_run, submit=submit_orders)

    def done(report) -> str:
        if report.submit:
            return _("%(n)d job orders imported and submitted for review.") % {"n": report.created}
        return _("%(n)d job orders imported as drafts.") % {"n": report.created}

    context = {
        "columns": _columns(order_tabular.COLUMNS, order_tabular.REQUIRED, ORDER_COLUMN_HELP),
        "is_ministry": Role.EMPLOYER not in roles_of(request.user),
    }
    return _two_steps(request, kind=KIND_ORDERS, form=form, run=run, template="joborders/import.html", context=context,
                      report_name="job-order-import-report.csv", done=done)


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def employer_import(request: HttpRequest) -> HttpResponse:
    """Onboard employers from a file (CSV or XLSX), see the dry run row by row, then import them: all or none."""
    if not _may_import_employers(request.user):
        return _forbidden(request, _("Employers are imported by platform administrators and by programme "
                                     "administrators of a destination labour ministry."))
    checking = import_step(request) == "check"
    form = _FileForm(request.POST if checking else None, request.FILES if checking else None)

    def run(*, data, filename, mapping, programme, submit_orders, dry_run):
        return employer_imports.employer_import(actor=request.user, data=data, filename=filename, mapping=mapping,
                                                dry_run=dry_run)

    def done(report) -> str:
        return _("%(n)d employers imported; %(a)d applications wait for review.") % {
            "n": report.created, "a": report.applications,
        }

    context = {"columns": _columns(employer_imports.COLUMNS, employer_imports.REQUIRED, EMPLOYER_COLUMN_HELP)}
    return _two_steps(request, kind=KIND_EMPLOYERS, form=form, run=run, template="joborders/import_employers.html",
                      context=context, report_name="employer-import-report.csv", done=done)
