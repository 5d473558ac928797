"""Pages for vacancy monitoring: the report form, the organisation's reports with withdrawal, and the aggregate.

Selectors and services raise NotFound or Forbidden, which `@data_category` turns into the 404 or 403 page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from corridor.core.views import data_category
from corridor.programmes.models import ProgrammeStatus
from corridor.programmes.selectors import programme_get, programme_list
from corridor.reference.selectors import isco_titles
from corridor.vacancies import selectors, services
from corridor.vacancies.forms import AggregateForm, ReportForm, WithdrawForm
from corridor.vacancies.models import MINISTRY_ROLES

PAGE_SIZE = 50
# Names the services and selectors use for a field, where the form calls it otherwise.
FORM_FIELDS = {"from": "period_from", "to": "period_to", "status": None}


def _apply_errors(form, exc: DomainError) -> None:
    for err in exc.as_errors():
        field = err.get("field") or ""
        field = FORM_FIELDS.get(field, field)
        form.add_error(field if field in form.fields else None, err["message"])


def _form_status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


def _require_reporter_or_admin(user) -> None:
    if not (selectors.may_report_anywhere(user) or Role.PLATFORM_ADMIN in roles_of(user)):
        raise Forbidden(_("Vacancies are reported by employers, the destination labour ministry and the social partners."))


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports the user may see: their organisation's own, and for the ministry those of its country."""
    _require_reporter_or_admin(request.user)
    page = Paginator(selectors.vacancy_report_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    titles = isco_titles({r.isco_code for r in page.object_list})
    context = {
        "page": page,
        "rows": [(r, titles.get(r.isco_code, "")) for r in page.object_list],
        "can_report": selectors.may_report_anywhere(request.user),
        "can_aggregate": selectors.may_read_aggregates(request.user),
        "sees_others": bool(roles_of(request.user) & (MINISTRY_ROLES | {Role.PLATFORM_ADMIN})),
    }
    return render(request, "vacancies/report_list.html", context)


def _reportable_programmes(user) -> list:
    org = user.organisation
    if org is None:
        return []
    return [p for p in programme_list(user=user, destination=org.country) if p.status != ProgrammeStatus.CLOSED]


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """Report unfilled vacancies or an emerging need for one occupation, region and month."""
    if not selectors.may_report_anywhere(request.user):
        raise Forbidden(_("Vacancies are reported by employers, the destination labour ministry and the social partners."))
    programmes = _reportable_programmes(request.user)
    initial = {"period": timezone.localdate().strftime("%Y-%m"), "kind": "unfilled", "programme": request.GET.get("programme", "")}
    form = ReportForm(request.POST or None, programmes=programmes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        programme = programme_get(user=request.user, code=data.pop("programme"))
        try:
            services.vacancy_report_create(actor=request.user, programme=programme, **data)
            messages.success(request, _("Thank you: your report is recorded."))
            return redirect("vacancies:list")
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            _apply_errors(form, exc)
    form.set_described_by()
    return render(request, "vacancies/report_form.html", {"form": form, "programmes": programmes}, status=_form_status(request))


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw one of the organisation's reports, with the reason."""
    report = selectors.vacancy_report_get(user=request.user, pk=pk)
    if report.organisation_id != request.user.organisation_id or not selectors.may_report_anywhere(request.user):
        raise Forbidden(_("Only the organisation that made a report may withdraw it."))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.vacancy_report_withdraw(actor=request.user, report=report, reason=form.cleaned_data["reason"])
            messages.success(request, _("The report is withdrawn; it no longer counts in the aggregates."))
            return redirect("vacancies:list")
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            _apply_errors(form, exc)
    form.set_described_by()
    context = {"form": form, "report": report, "title": isco_titles([report.isco_code]).get(report.isco_code, "")}
    return render(request, "vacancies/withdraw.html", context, status=_form_status(request))


def _aggregate_programmes(user) -> list:
    """Programmes to choose from: the ministry's own country's; every programme the user may see for the others."""
    roles = roles_of(user)
    org = user.organisation
    if roles & MINISTRY_ROLES and Role.PLATFORM_ADMIN not in roles and org is not None:
        return list(programme_list(user=user, destination=org.country))
    return list(programme_list(user=user))


def _aggregate(request: HttpRequest):
    """(context, status) of the aggregate page for the filters in the query string."""
    if not selectors.may_read_aggregates(request.user):
        raise Forbidden(_("Vacancy aggregates are read by the destination labour ministry, the social partners and researchers."))
    programmes = _aggregate_programmes(request.user)
    data = request.GET.copy()
    if "programme" not in data and programmes:
        # The first programme's last 12 months, so that the page opens on figures.
        data.update({"programme": programmes[0].code, "isco_level": "4", "breakdown": "region"})
    form = AggregateForm(data if "programme" in data else None, programmes=programmes)
    result, status = None, 200
    if form.is_bound and form.is_valid():
        filters = form.cleaned_data
        try:
            result = selectors.vacancy_aggregate(
                user=request.user,
                programme=programme_get(user=request.user, code=filters["programme"]),
                period_from=filters["period_from"],
                period_to=filters["period_to"],
                isco_level=filters["isco_level"],
                by_region=filters["breakdown"] == "region",
            )
        except InvalidInput as exc:
            _apply_errors(form, exc)
    if form.errors:
        status = 422
    form.set_described_by()
    csv_url = None
    if result is not None:
        query = {
            "programme": result.programme.code,
            "period_from": result.period_from.strftime("%Y-%m"),
            "period_to": result.period_to.strftime("%Y-%m"),
            "isco_level": result.isco_level,
            "breakdown": "region" if result.by_region else "national",
        }
        csv_url = f"{reverse('vacancies:aggregate_csv')}?{urlencode(query)}"
    context = {
        "form": form,
        "result": result,
        "lines": [(line, result.titles.get(line.isco_code, "")) for line in result.lines] if result else [],
        "csv_url": csv_url,
        "has_programmes": bool(programmes),
        "can_report": selectors.may_report_anywhere(request.user),
    }
    return context, status


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def aggregate_view(request: HttpRequest) -> HttpResponse:
    """Vacancies per occupation and region for a programme and a range of months, with suggested shortages."""
    context, status = _aggregate(request)
    return render(request, "vacancies/aggregate.html", context, status=status)


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def aggregate_csv(request: HttpRequest) -> HttpResponse:
    """The aggregate as a CSV download; invalid filters show the page with their errors."""
    context, status = _aggregate(request)
    result = context["result"]
    if result is None:
        return render(request, "vacancies/aggregate.html", context, status=status)
    response = HttpResponse(result.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
