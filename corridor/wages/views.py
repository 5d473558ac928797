"""Pages for wage figures: the table of prevailing and minimum wages, the two CSV imports (dry run, then
confirm) and the wage floor calculator."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from corridor.core.access import Category
from corridor.core.errors import DomainError, InvalidInput, NotFound
from corridor.core.imports import apply_errors, sign_payload, split_errors, unsign_payload
from corridor.core.views import data_category
from corridor.wages import floor, selectors, services
from corridor.wages.forms import FloorForm, WageCommitForm, WageFilterForm, WageImportForm
from corridor.wages.models import may_change_wages

PAGE_SIZE = 50
SOURCE_FIELDS = ("source_name", "source_publisher", "source_url", "source_published_on", "source_notes")

IMPORTS = {
    "prevailing": {
        "service": services.prevailing_wage_import,
        "columns": "country, region, isco_code, year, amount, currency, unit",
        "example": "corridor/wages/data/examples/prevailing_wages_example.csv",
    },
    "minimum": {
        "service": services.minimum_wage_import,
        "columns": "country, region, sector, valid_from, valid_until, amount, currency, unit",
        "example": "corridor/wages/data/examples/minimum_wages_example.csv",
    },
}


@data_category(Category.REFERENCE)
@require_GET
def wage_table(request: HttpRequest) -> HttpResponse:
    """Prevailing and minimum wages with their sources, filtered by country, region, occupation and year."""
    form = WageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    prevailing = selectors.prevailing_wage_list(
        user=request.user,
        country=filters.get("country") or "",
        region=filters.get("region") or "",
        isco=filters.get("isco") or "",
        year=filters.get("year"),
    )
    minimum = selectors.minimum_wage_list(
        user=request.user, country=filters.get("country") or "", region=filters.get("region") or ""
    )
    context = {
        "form": form,
        "prevailing": Paginator(prevailing, PAGE_SIZE).get_page(request.GET.get("page")),
        "minimum": list(minimum[:PAGE_SIZE]),
        "can_import": may_change_wages(request.user),
    }
    return render(request, "wages/wage_table.html", context)


def _import(request: HttpRequest, kind: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_change_wages(request.user):
        return render(
            request,
            "core/forbidden.html",
            {"reason": _("Only platform administrators and programme administrators may import wage figures.")},
            status=403,
        )
    spec = IMPORTS[kind]
    form = WageImportForm()
    context: dict = {
        "kind": kind, "columns": spec["columns"], "example": spec["example"], "form": form,
        "report": None, "commit_form": None, "row_errors": [], "page_errors": [],
    }
    if request.method == "POST" and request.POST.get("step") == "commit":
        commit = WageCommitForm(request.POST)
        if commit.is_valid():
            try:
                data = unsign_payload(request, kind, commit.cleaned_data["payload"])
                report = spec["service"](
                    actor=request.user, data=data, dry_run=False, **{f: commit.cleaned_data[f] for f in SOURCE_FIELDS}
                )
            except DomainError as exc:
                general, context["row_errors"] = split_errors(exc)
                context["page_errors"] = [e["message"] for e in general]
            else:
                messages.success(
                    request,
                    _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                    % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
                )
                return redirect("wages:table")
        else:
            context["page_errors"] = [_("The import form was incomplete; upload the file again.")]
    elif request.method == "POST":
        form = WageImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            source = {f: form.cleaned_data[f] for f in SOURCE_FIELDS}
            try:
                report = spec["service"](actor=request.user, data=data, dry_run=True, **source)
            except DomainError as exc:
                general, context["row_errors"] = split_errors(exc)
                apply_errors(form, general)
            else:
                context["report"] = report
                apply_errors(form, [e for e in report.errors if e.get("row") is None])
                if report.ok:
                    context["commit_form"] = WageCommitForm(
                        initial={**source, "payload": sign_payload(request, kind, data)}
                    )
    form.set_described_by()
    return render(request, "wages/import.html", context)


@data_category(Category.REFERENCE)
@require_http_methods(["GET", "POST"])
def prevailing_import(request: HttpRequest) -> HttpResponse:
    """Upload prevailing wages, see the dry-run report row by row, then import them (all rows or none)."""
    return _import(request, "prevailing")


@data_category(Category.REFERENCE)
@require_http_methods(["GET", "POST"])
def minimum_import(request: HttpRequest) -> HttpResponse:
    """Upload minimum wages, see the dry-run report row by row, then import them (all rows or none)."""
    return _import(request, "minimum")


@data_category(Category.REFERENCE)
@require_GET
def floor_calculator(request: HttpRequest) -> HttpResponse:
    """The wage floor of a programme for an occupation, place and day, explained; optionally checks an offer."""
    form = FloorForm(request.GET or None, initial={"date": timezone.localdate()})
    context: dict = {"form": form, "result": None, "shortfalls": None, "offer_errors": []}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = selectors.wage_floor_for(
                user=request.user, programme=data["programme"], country=data["country"], region=data["region"],
                isco_code=data["isco"], sector=data["sector"], on_date=data["date"], unit=data["unit"] or None,
            )
        except NotFound as exc:
            form.add_error("programme", exc.message)
        except InvalidInput as exc:
            for err in exc.as_errors():
                field = err.get("field")
                form.add_error(field if field in form.fields else None, err["message"])
        else:
            context["result"] = result
            if data.get("offer_amount") is not None:
                offer = floor.Offer(
                    Decimal(data["offer_amount"]), data["offer_currency"], data["offer_unit"] or result.unit
                )
                try:
                    context["shortfalls"] = result.check(offer)
                except floor.FloorError as exc:
                    form.add_error("offer_currency", exc.message)
    form.set_described_by()
    return render(request, "wages/floor.html", context)
