"""Pages for reference data: occupation search and browser, ISCO-08 group pages, the autocomplete partial used
by other forms, national classifications and the crosswalk import."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from corridor.core.access import Category
from corridor.core.errors import DomainError, NotFound
from corridor.core.imports import apply_errors, sign_payload, split_errors, unsign_payload
from corridor.core.views import data_category
from corridor.reference import codes, selectors, services
from corridor.reference.forms import CrosswalkCommitForm, CrosswalkUploadForm
from corridor.reference.models import may_change_reference

PAGE_RESULTS = 50
AUTOCOMPLETE_RESULTS = 12
_TARGET_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,80}$")


def _level(value: str | None) -> int | None:
    return int(value) if value in {"1", "2", "3", "4"} else None


@data_category(Category.REFERENCE)
@require_GET
def occupations(request: HttpRequest) -> HttpResponse:
    """Search ISCO-08 groups and ESCO occupations; without a query, browse the ten major groups."""
    q = request.GET.get("q", "").strip()[:200]
    level = _level(request.GET.get("level"))
    results = (
        selectors.occupation_search(user=request.user, q=q, limit=PAGE_RESULTS, level=level) if q else []
    )
    context = {
        "q": q,
        "level": level,
        "levels": [
            (1, _("Major groups")),
            (2, _("Sub-major groups")),
            (3, _("Minor groups")),
            (4, _("Unit groups")),
        ],
        "results": results,
        "major_groups": [] if q else list(selectors.isco_groups(user=request.user, level=1)),
        "limit": PAGE_RESULTS,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "occupation-results":
        return render(request, "reference/_occupation_results.html", context)
    return render(request, "reference/occupations.html", context)


@data_category(Category.REFERENCE)
@require_GET
def isco_group(request: HttpRequest, code: str) -> HttpResponse:
    """One ISCO-08 group: its place in the hierarchy, the groups below it, its ESCO occupations, mapped national codes."""
    user = request.user
    try:
        group = selectors.isco_group_detail(user=user, code=code)
    except NotFound as exc:
        return render(request, "core/not_found.html", {"reason": exc.message}, status=404)
    occupations_qs = selectors.esco_occupations_of(user=user, group=group)
    context = {
        "group": group,
        "ancestors": selectors.isco_ancestors(user=user, group=group),
        "children": list(selectors.isco_children(user=user, group=group)),
        "occupations": list(occupations_qs) if group.level == 4 else [],
        "occupation_count": occupations_qs.count(),
        "national_codes": list(selectors.crosswalk_entries_for_group(user=user, group=group)),
    }
    return render(request, "reference/isco_group.html", context)


@data_category(Category.REFERENCE)
@require_GET
def occupation_autocomplete(request: HttpRequest) -> HttpResponse:
    """The suggestions under an occupation field (HTMX partial): buttons that put an ISCO-08 code into the field
    whose id is `target`. The query is `q`."""
    q = request.GET.get("q", "").strip()[:200]
    target = request.GET.get("target", "")
    if not _TARGET_ID.match(target):
        target = ""
    level = _level(request.GET.get("level"))
    results = (
        selectors.occupation_search(user=request.user, q=q, limit=AUTOCOMPLETE_RESULTS, level=level)
        if q
        else []
    )
    return render(
        request,
        "reference/_autocomplete_options.html",
        {"q": q, "results": results, "target": target, "level": level},
    )


@data_category(Category.REFERENCE)
@require_GET
def crosswalks(request: HttpRequest) -> HttpResponse:
    """The national occupational classifications with a crosswalk to ISCO-08."""
    classifications = list(selectors.national_classifications(user=request.user))
    for item in classifications:
        item.country_name = codes.country_name(item.country) or item.country
    return render(
        request,
        "reference/crosswalks.html",
        {"classifications": classifications, "can_import": may_change_reference(request.user)},
    )


@data_category(Category.REFERENCE)
@require_http_methods(["GET", "POST"])
def crosswalk_import(request: HttpRequest) -> HttpResponse:
    """Upload a crosswalk, see the dry-run report row by row, then import it (all rows or none)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_change_reference(request.user):
        return render(
            request,
            "core/forbidden.html",
            {"reason": _("Only platform administrators and programme administrators may import crosswalks.")},
            status=403,
        )
    form = CrosswalkUploadForm()
    context: dict = {"form": form, "report": None, "commit_form": None, "row_errors": [], "page_errors": []}
    if request.method == "POST" and request.POST.get("step") == "commit":
        commit = CrosswalkCommitForm(request.POST)
        if commit.is_valid():
            try:
                data = unsign_payload(request, "crosswalk", commit.cleaned_data["payload"])
                report = services.crosswalk_import(
                    actor=request.user,
                    classification_code=commit.cleaned_data["classification_code"],
                    name=commit.cleaned_data["name"],
                    country=commit.cleaned_data["country"],
                    version=commit.cleaned_data["version"],
                    data=data,
                    dry_run=False,
                )
            except DomainError as exc:
                general, context["row_errors"] = split_errors(exc)
                context["page_errors"] = [e["message"] for e in general]
            else:
                messages.success(
                    request,
                    _("%(code)s imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                    % {
                        "code": report.classification_code,
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                    },
                )
                return redirect("reference:crosswalks")
        else:
            context["page_errors"] = [_("The import form was incomplete; upload the file again.")]
    elif request.method == "POST":
        form = CrosswalkUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                report = services.crosswalk_import(
                    actor=request.user,
                    classification_code=form.cleaned_data["classification_code"],
                    name=form.cleaned_data["name"],
                    country=form.cleaned_data["country"],
                    version=form.cleaned_data["version"],
                    data=data,
                    dry_run=True,
                )
            except DomainError as exc:
                general, context["row_errors"] = split_errors(exc)
                apply_errors(form, general)
            else:
                context["report"] = report
                apply_errors(form, [e for e in report.errors if e.get("row") is None])
                if report.ok:
                    context["commit_form"] = CrosswalkCommitForm(
                        initial={
                            "classification_code": report.classification_code,
                            "name": report.name,
                            "country": report.country,
                            "version": report.version,
                            "payload": sign_payload(request, "crosswalk", data),
                        }
                    )
    form.set_described_by()
    return render(request, "reference/crosswalk_import.html", context)
