"""Pages of the payslips: the worker's own (phone first, each payslip with its checks in plain words and a dispute
form), the list for the employer and the authorities, the employer's form to submit one, and one payslip.

Payslips are wage data: every page is closed to immigration officers (`@data_category(Category.WAGE)`). Selectors
and services raise NotFound or Forbidden, which become the 404 or 403 page; any other refusal is shown beside the field
it names (422, or 409 when the worker is not employed now or the period is already submitted). Every form that
succeeds redirects.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.contracts import services as contracts
from corridor.core.access import Category, Role, organisation_of, roles_of
from corridor.core.errors import DomainError, Forbidden, NotFound
from corridor.core.imports import CheckedFileForm, ImportFileForm, import_step, import_steps, mapping_field
from corridor.core.views import data_category, form_status, id_param
from corridor.deployment import selectors as journey_selectors
from corridor.payroll import forms, imports, selectors, services
from corridor.payroll.models import DisputeStatus, Payslip
from corridor.workers import selectors as worker_selectors

PAGE = 50
LIST_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.ORIGIN_OFFICER,
                        Role.EMPLOYER, Role.LABOUR_INSPECTOR})

# Each finding, in words the worker understands; the checks' own message follows it.
FINDING_TITLES = {
    "arithmetic": gettext_lazy("The amounts on the payslip do not add up."),
    "underpaid": gettext_lazy("You were paid less than your contract and the law say."),
    "below_floor": gettext_lazy("Your contract's rate is below the programme's minimum."),
    "deduction_not_allowed": gettext_lazy("Money was taken from your pay that may not be taken."),
    "deduction_over_cap": gettext_lazy("A deduction is larger than the programme allows."),
    "deductions_over_total_cap": gettext_lazy("All deductions together are larger than the programme allows."),
    "net_below_floor": gettext_lazy("What you received is less than the programme's minimum take-home pay."),
    "deduction_without_evidence": gettext_lazy("A deduction has no receipt or proof."),
    "paid_late": gettext_lazy("You were paid late."),
    "rate_differs": gettext_lazy("The payslip shows another rate than your contract."),
    "currency_differs": gettext_lazy("The payslip is in another currency than your contract."),
    "unit_differs": gettext_lazy("The payslip counts pay by another unit than your contract."),
}
AMOUNT_LABELS = {
    "type": gettext_lazy("type"), "amount": gettext_lazy("amount"), "index": gettext_lazy("line"),
}


# --- helpers -----------------------------------------------------------------------------------------------------



def _require_office(user) -> None:
    if not roles_of(user) & LIST_ROLES:
        if Role.WORKER in roles_of(user):
            raise Forbidden(_("Workers see their payslips on the page “My payslips”."))
        raise Forbidden(_("Payslips are seen by the employer, the worker and the authorities of the programme."))



def _findings(payslip: Payslip) -> list[dict]:
    out = []
    for f in payslip.findings or []:
        amounts = [(AMOUNT_LABELS.get(k, k.replace("_", " ")), v) for k, v in (f.get("amounts") or {}).items()
                   if k != "index"]
        out.append({"code": f.get("code", ""), "title": FINDING_TITLES.get(f.get("code", ""), ""),
                    "message": f.get("message", ""), "rule": f.get("rule", ""), "amounts": amounts,
                    "arrears": f.get("arrears") or "0.00", "owed": (f.get("arrears") or "0.00") not in ("0", "0.00")})
    return out


def _row(payslip: Payslip) -> dict:
    return {"payslip": payslip, "findings": _findings(payslip), "owed": payslip.arrears > 0}


# --- the worker's page -------------------------------------------------------------------------------------------


def _own_worker(request: HttpRequest):
    if Role.WORKER not in roles_of(request.user):
        raise Forbidden(_("This page is for workers: it shows their own payslips."))
    worker = worker_selectors.worker_of_user(user=request.user)
    if worker is None:
        raise NotFound(_("Your account has no worker profile yet. Register your profile first (My profile)."))
    return worker


def _me_page(request: HttpRequest, worker, *, bound=None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    user = request.user
    slips = selectors.payslip_list(user=user).filter(journey__worker=worker).select_related(
        "journey__placement__job_order__employer__organisation")
    page = Paginator(slips, PAGE).get_page(request.GET.get("page"))
    rows = []
    for slip in page.object_list:
        row = _row(slip)
        disputes = list(selectors.disputes(user=user, payslip=slip))
        row["disputes"] = disputes
        has_open = any(d.status == DisputeStatus.OPEN for d in disputes)
        row["form"] = bound.get(slip.pk) or (None if has_open else forms.DisputeForm(prefix=f"d{slip.pk}"))
        rows.append(row)
    return render(request, "payroll/me.html", {"worker": worker, "page": page, "rows": rows}, status=status)


@data_category(Category.WAGE)
@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The worker's payslips, each with what the checks found, what is owed, and a way to dispute it."""
    return _me_page(request, _own_worker(request))


@data_category(Category.WAGE)
@login_required
@require_POST
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    payslip = selectors.payslip_get(user=request.user, pk=pk)
    worker = _own_worker(request)
    form = forms.DisputeForm(request.POST, prefix=f"d{payslip.pk}")
    if form.is_valid():
        try:
            services.dispute_raise(actor=request.user, payslip=payslip, reason=form.cleaned_data["reason"])
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
            return _me_page(request, worker, bound={payslip.pk: form}, status=form_status(exc))
        messages.success(request, _("Your dispute is recorded. The authorities who protect workers will see it."))
        return redirect(reverse("payroll:me") + f"#payslip-{payslip.pk}")
    return _me_page(request, worker, bound={payslip.pk: form}, status=422)


# --- the list and one payslip ------------------------------------------------------------------------------------


@data_category(Category.WAGE)
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The employer's payslips; for the origin authority, the ministry and the labour inspectorate, those of their
    remit, optionally only those the checks found something on."""
    user = request.user
    if Role.WORKER in roles_of(user) and not roles_of(user) & LIST_ROLES:
        return redirect("payroll:me")
    _require_office(user)
    with_findings = request.GET.get("with_findings", "") in ("1", "on", "true", "yes")
    journey = None
    journey_pk = id_param(request.GET.get("journey"))
    if journey_pk is not None:
        journey = journey_selectors.journey_get(user=user, pk=journey_pk)
    slips = selectors.payslip_list(user=user, journey=journey, with_findings=with_findings).select_related(
        "journey__placement__job_order__employer__organisation")
    page = Paginator(slips, PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": [_row(p) for p in page.object_list], "with_findings": with_findings,
               "journey": journey, "is_employer": Role.EMPLOYER in roles_of(user)}
    return render(request, "payroll/index.html", context)


@data_category(Category.WAGE)
@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    payslip = selectors.payslip_get(user=request.user, pk=pk)
    if contracts.is_worker(request.user, payslip.journey.worker):
        return redirect(reverse("payroll:me") + f"#payslip-{payslip.pk}")
    context = {"row": _row(payslip), "payslip": payslip, "order": payslip.journey.placement.job_order,
               "disputes": list(selectors.disputes(user=request.user, payslip=payslip))}
    return render(request, "payroll/detail.html", context)


# --- the employer's form -----------------------------------------------------------------------------------------


def _journey_of(request: HttpRequest):
    pk = id_param(request.GET.get("journey") or request.POST.get("journey"))
    if pk is None:
        raise NotFound(_("Choose the worker's journey first (Journeys, then “Submit a payslip”)."), field="journey")
    journey = journey_selectors.journey_get(user=request.user, pk=pk)
    if not contracts.is_employer_of(request.user, journey.placement.job_order):
        raise Forbidden(_("Only the worker's employer submits payslips."))
    return journey


def _initial(journey) -> dict:
    contract = contracts.in_force(journey.placement)
    pay = (contract.content.get("pay") or {}) if contract is not None else {}
    return {"currency": pay.get("currency", ""), "payment_method": pay.get("payment_method", "")[:100]}


@data_category(Category.WAGE)
@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """The employer submits a payslip of a worker it employs; the findings are shown at once on the payslip."""
    journey = _journey_of(request)
    errors: list = []
    status = 200
    if request.method == "POST":
        form = forms.PayslipForm(request.POST)
        if form.is_valid():
            try:
                payslip = services.payslip_submit(actor=request.user, journey=journey, **form.data_for_service())
            except (NotFound, Forbidden):
                raise
            except DomainError as exc:
                found = exc.as_errors()
                form.add_service_errors([e for e in found if (e.get("field") or "") != "journey"])
                errors = [e for e in found if (e.get("field") or "") == "journey"]
                status = form_status(exc)
            else:
                if payslip.findings:
                    messages.warning(request, _("Payslip submitted. The checks found %(n)d problem(s); the worker, the "
                                                "origin authority and the labour inspectorate see them.")
                                     % {"n": len(payslip.findings)})
                else:
                    messages.success(request, _("Payslip submitted. The checks found nothing wrong."))
                return redirect("payroll:detail", pk=payslip.pk)
        else:
            status = 422
    else:
        form = forms.PayslipForm(initial=_initial(journey))
    context = {"form": form, "journey": journey, "order": journey.placement.job_order, "errors": errors}
    return render(request, "payroll/new.html", context, status=status)


# --- the employer's pay-run upload -------------------------------------------------------------------------------

KIND_IMPORT = "payroll.import"
IMPORT_COLUMN_HELP = {
    "worker": gettext_lazy("The journey id, the verification code of the worker's contract (CT-XXXX-XXXX) or the "
                           "worker's public id."),
    "period_start": gettext_lazy("YYYY-MM-DD."), "period_end": gettext_lazy("YYYY-MM-DD."),
    "pay_date": gettext_lazy("YYYY-MM-DD."), "currency": gettext_lazy("ISO 4217, as in the contract (e.g. CAD)."),
    "gross": gettext_lazy("Gross pay."), "net": gettext_lazy("Net pay."),
    "ordinary_hours": gettext_lazy("Hours (optional, 0 when empty)."),
    "overtime_hours": gettext_lazy("Hours (optional)."), "night_hours": gettext_lazy("Hours (optional)."),
    "holiday_hours": gettext_lazy("Hours (optional)."),
    "deductions": gettext_lazy("type:amount:evidence separated by ;, e.g. tax:72.00:CRA-2026-01;housing:120:Lease 4B; "
                               "or a JSON list."),
    "payment_method": gettext_lazy("e.g. Direct deposit."),
    "stated_rate": gettext_lazy("The rate printed on the payslip (optional)."),
    "stated_unit": gettext_lazy("hour, day, week, month or piece (optional)."),
}


class PayRunFileForm(ImportFileForm):
    mapping = mapping_field("worker = Employee ID", max_length=20_000)


@data_category(Category.WAGE)
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """The employer uploads a pay run (CSV or XLSX), sees the dry run with the checks' findings row by row, then
    submits it: every payslip or none."""
    if Role.EMPLOYER not in roles_of(request.user) or organisation_of(request.user) is None:
        raise Forbidden(_("Pay runs are uploaded by employers, for the workers they employ."))
    checking = import_step(request) == "check"
    form = PayRunFileForm(request.POST if checking else None, request.FILES if checking else None)

    def run(*, data, filename, mapping, dry_run):
        return imports.payslip_import(actor=request.user, data=data, filename=filename, mapping=mapping,
                                      dry_run=dry_run)

    def done(report) -> str:
        return _("%(n)d payslips submitted; the checks found problems on %(f)d. The workers, the origin authorities "
                 "and the labour inspectorate are told.") % {"n": report.saved, "f": report.with_findings}

    context = {"columns": [{"name": c, "required": c in imports.REQUIRED, "help": IMPORT_COLUMN_HELP.get(c, "")}
                           for c in imports.COLUMNS],
               "commit_label": _("Submit these payslips now")}
    result = import_steps(request, kind=KIND_IMPORT, form=form, context=context, run=run,
                          report_csv=imports.report_csv, report_name="payslip-import-report.csv", done=done,
                          checked_form=CheckedFileForm)
    if isinstance(result, HttpResponse):
        return result
    form.set_described_by()
    return render(request, "payroll/upload.html", context, status=result)
