"""Pages of pathways: the worker's progress, certificates and referrals (phone first, in their language); the list of
eligible and nearly eligible workers for the destination ministry, the immigration authority and the origin authority
(filterable, CSV export); skills certificates (the employer attests, the origin authority or the ministry issues and
revokes; PDF); reintegration referrals (the origin authority); and the public page that verifies a certificate code.

Everything is worker identity data (no wages). Selectors and services raise NotFound or Forbidden, which
`@data_category` turns into the 404 or 403 page; any other refusal is shown beside the field it names (422, or 409
when the state forbids the step). Every form that succeeds redirects.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts.models import OrgKind
from corridor.contracts import services as contracts
from corridor.contracts.views import qr_data_uri
from corridor.core.access import Category, Role, organisation_of, roles_of
from corridor.core.errors import DomainError, Forbidden, NotFound
from corridor.core.views import data_category, form_status, id_param
from corridor.deployment import selectors as journey_selectors
from corridor.pathways import forms, selectors, services
from corridor.pathways.models import CertificateStatus, ReferralOutcome, SkillsCertificate
from corridor.programmes import selectors as programme_selectors
from corridor.workers import selectors as worker_selectors

PAGE = 50
VERIFY_RATE = "30/m"
STATUS_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.IMMIGRATION_OFFICER,
                          Role.ORIGIN_OFFICER})
CERTIFICATE_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.ORIGIN_OFFICER,
                               Role.EMPLOYER})
SHOW = ("both", "eligible", "near", "all")




def _own_worker(request: HttpRequest):
    if Role.WORKER not in roles_of(request.user):
        raise Forbidden(_("This page is for workers: it shows their own progress, certificates and referrals."))
    worker = worker_selectors.worker_of_user(user=request.user)
    if worker is None:
        raise NotFound(_("Your account has no worker profile yet. Register your profile first (My profile)."))
    return worker


def _is_origin(user) -> bool:
    org = organisation_of(user)
    return bool(Role.ORIGIN_OFFICER in roles_of(user) and org is not None and org.kind == OrgKind.ORIGIN_AUTHORITY)


# --- the worker's page -------------------------------------------------------------------------------------------


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The worker's progress towards each programme's pathway, their certificates and their referrals."""
    worker = _own_worker(request)
    rows = [{"programme": programme, "p": result, "version": version}
            for programme, result, version in selectors.worker_progress(worker)]
    certificates = selectors.certificate_list(user=request.user, worker=worker).exclude(
        status=CertificateStatus.ATTESTED)
    referrals = selectors.referral_list(user=request.user, worker=worker)
    return render(request, "pathways/me.html", {"worker": worker, "rows": rows, "certificates": certificates,
                                                "referrals": referrals})


# --- eligible and nearly eligible workers ------------------------------------------------------------------------


def _require_status_role(user) -> None:
    if not roles_of(user) & STATUS_ROLES:
        if Role.WORKER in roles_of(user):
            raise Forbidden(_("Workers see their own progress on the page “My pathway”."))
        raise Forbidden(_("The list of eligible workers is for the destination ministry, the immigration authority "
                          "and the origin authority."))


def _filters(request: HttpRequest) -> dict:
    show = request.GET.get("show", "both")
    return {"programme": str(request.GET.get("programme", "")).strip()[:20],
            "show": show if show in SHOW else "both",
            "country": str(request.GET.get("country", "")).strip().upper()[:2]}


def _statuses(request: HttpRequest, f: dict):
    return selectors.status_list(user=request.user, programme=f["programme"],
                                 show="" if f["show"] == "all" else f["show"], country=f["country"])


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Eligible and nearly eligible workers per programme, as last refreshed, with filters and a CSV export."""
    user = request.user
    if Role.WORKER in roles_of(user) and not roles_of(user) & STATUS_ROLES:
        return redirect("pathways:me")
    _require_status_role(user)
    f = _filters(request)
    page = Paginator(_statuses(request, f), PAGE).get_page(request.GET.get("page"))
    programmes = programme_selectors.programme_list(user=user)
    query = urlencode({k: v for k, v in f.items() if v})
    return render(request, "pathways/index.html", {"page": page, "filters": f, "programmes": programmes,
                                                   "query": query, "origin": _is_origin(user)})


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    _require_status_role(request.user)
    f = _filters(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pathway-status.csv"'
    response["Cache-Control"] = "private, no-store"
    out = csv.writer(response)
    out.writerow(["worker", "name", "nationality", "programme", "target_status", "seasons", "seasons_required",
                  "months", "months_required", "eligible", "near", "eligible_since", "eligible_on", "computed_at"])
    for s in _statuses(request, f).iterator(chunk_size=1000):
        out.writerow([_cell(v) for v in (
            s.worker.public_id, s.worker.full_name, s.worker.nationality, s.programme.code, s.target_status,
            s.seasons, s.seasons_required, s.months, s.months_required, "yes" if s.eligible else "no",
            "yes" if s.near else "no", s.eligible_since, s.eligible_on, s.computed_at.isoformat(timespec="seconds"))])
    return response


# --- certificates ------------------------------------------------------------------------------------------------


def _require_certificate_role(user) -> None:
    if not roles_of(user) & CERTIFICATE_ROLES:
        if Role.WORKER in roles_of(user):
            raise Forbidden(_("Workers find their certificates on the page “My pathway”."))
        raise Forbidden(_("Skills certificates are handled by employers, origin authorities and the destination "
                          "ministry."))


def _to_attest(user):
    """The employer's seasons that ended with an arrival and have no certificate yet."""
    if Role.EMPLOYER not in roles_of(user) or organisation_of(user) is None:
        return []
    return (journey_selectors.journey_list(user=user)
            .filter(state__in=services.ENDED, arrived_on__isnull=False,
                    placement__job_order__employer__organisation_id=organisation_of(user).pk)
            .exclude(skills_certificates__status__in=[CertificateStatus.ATTESTED, CertificateStatus.ISSUED])[:100])


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def certificates(request: HttpRequest) -> HttpResponse:
    user = request.user
    if Role.WORKER in roles_of(user) and not roles_of(user) & CERTIFICATE_ROLES:
        return redirect("pathways:me")
    _require_certificate_role(user)
    status = request.GET.get("status", "")
    status = status if status in CertificateStatus.values else ""
    page = Paginator(selectors.certificate_list(user=user, status=status), PAGE).get_page(request.GET.get("page"))
    return render(request, "pathways/certificates.html", {"page": page, "status": status,
                                                          "statuses": CertificateStatus.choices,
                                                          "to_attest": _to_attest(user)})


def _journey_of(request: HttpRequest):
    pk = id_param(request.GET.get("journey") or request.POST.get("journey"))
    if pk is None:
        raise NotFound(_("Choose the season first (Skills certificates, then “Attest”)."), field="journey")
    journey = journey_selectors.journey_get(user=request.user, pk=pk)
    if not contracts.is_employer_of(request.user, journey.placement.job_order):
        raise Forbidden(_("Only the worker's employer for this season attests it."))
    return journey


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_http_methods(["GET", "POST"])
def attest(request: HttpRequest) -> HttpResponse:
    """The employer attests a season that has ended: tasks, skills and (without payslips) the hours worked."""
    journey = _journey_of(request)
    errors: list = []
    status = 200
    hours = services.payslip_hours(journey)
    if request.method == "POST":
        form = forms.AttestForm(request.POST)
        if form.is_valid():
            try:
                cert = services.certificate_attest(actor=request.user, journey=journey, **form.cleaned_data)
            except (NotFound, Forbidden):
                raise
            except DomainError as exc:
                found = exc.as_errors()
                form.add_service_errors([e for e in found if (e.get("field") or "") != "journey"])
                errors = [e for e in found if (e.get("field") or "") == "journey"]
                status = form_status(exc)
            else:
                messages.success(request, _("Season attested. The origin authority or the ministry issues the "
                                            "certificate."))
                return redirect("pathways:certificate", pk=cert.pk)
        else:
            status = 422
    else:
        form = forms.AttestForm()
    return render(request, "pathways/attest.html", {"form": form, "journey": journey, "errors": errors,
                                                    "payslip_hours": hours}, status=status)


def _detail_page(request: HttpRequest, cert: SkillsCertificate, *, revoke_form=None, errors=None, status=200):
    user = request.user
    issuer = services.may_issue(user, cert)
    url = request.build_absolute_uri(reverse("pathways:verify") + "?" + urlencode({"code": cert.verification_code})) \
        if cert.verification_code else ""
    context = {"cert": cert, "may_issue": issuer and cert.status == CertificateStatus.ATTESTED,
               "may_revoke": issuer and cert.status == CertificateStatus.ISSUED,
               "revoke_form": revoke_form or forms.RevokeForm(), "errors": errors or [],
               "may_download": services.may_download(user, cert), "verify_url": url,
               "qr": qr_data_uri(url) if url else None}
    return render(request, "pathways/certificate.html", context, status=status)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.certificate_get(user=request.user, pk=pk))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponse:
    cert = selectors.certificate_get(user=request.user, pk=pk)
    try:
        cert = services.certificate_issue(actor=request.user, certificate=cert)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return _detail_page(request, cert, errors=exc.as_errors(), status=form_status(exc))
    messages.success(request, _("Certificate issued with the code %(code)s.") % {"code": cert.verification_code})
    return redirect("pathways:certificate", pk=cert.pk)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    cert = selectors.certificate_get(user=request.user, pk=pk)
    form = forms.RevokeForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, cert, revoke_form=form, status=422)
    try:
        cert = services.certificate_revoke(actor=request.user, certificate=cert, reason=form.cleaned_data["reason"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        form.add_service_errors(exc.as_errors())
        return _detail_page(request, cert, revoke_form=form, status=form_status(exc))
    messages.success(request, _("Certificate revoked. Its verification now says so."))
    return redirect("pathways:certificate", pk=cert.pk)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from corridor.pathways.pdf import pdf_response

    cert = selectors.certificate_get(user=request.user, pk=pk)
    if not services.may_download(request.user, cert):
        raise Forbidden(_("The PDF is for the worker and the issuing authorities, once the certificate is issued."))
    return pdf_response(cert, request)


# --- referrals ---------------------------------------------------------------------------------------------------


def _referrals_page(request: HttpRequest, *, form=None, outcome_forms=None, status=200) -> HttpResponse:
    user = request.user
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in ReferralOutcome.values else ""
    page = Paginator(selectors.referral_list(user=user, outcome=outcome), PAGE).get_page(request.GET.get("page"))
    outcome_forms = outcome_forms or {}
    rows = [{"r": r, "form": outcome_forms.get(r.pk) or forms.OutcomeForm(prefix=f"o{r.pk}",
                                                                           initial={"outcome": r.outcome})}
            for r in page.object_list]
    return render(request, "pathways/referrals.html", {
        "page": page, "rows": rows, "form": form or forms.ReferralForm(initial={
            "worker": request.GET.get("worker", "")[:12], "referred_on": timezone.localdate().isoformat()}),
        "outcome": outcome, "outcomes": ReferralOutcome.choices}, status=status)


def _require_origin(user) -> None:
    if not (_is_origin(user) or Role.PLATFORM_ADMIN in roles_of(user)):
        if Role.WORKER in roles_of(user):
            raise Forbidden(_("Workers find their referrals on the page “My pathway”."))
        raise Forbidden(_("Reintegration referrals are made by the origin authority of the worker's country."))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_http_methods(["GET", "POST"])
def referrals(request: HttpRequest) -> HttpResponse:
    """The origin authority's referrals of returned workers to reintegration services, and the form to add one."""
    user = request.user
    if Role.WORKER in roles_of(user) and not _is_origin(user):
        return redirect("pathways:me")
    _require_origin(user)
    if request.method == "GET":
        return _referrals_page(request)
    form = forms.ReferralForm(request.POST)
    if not form.is_valid():
        return _referrals_page(request, form=form, status=422)
    data = dict(form.cleaned_data)
    public_id = data.pop("worker")
    try:
        if not public_id:
            raise NotFound(_("Give the worker's identifier."), field="worker")
        try:
            worker = worker_selectors.worker_get(user=user, public_id=public_id)
        except NotFound:
            raise NotFound(_("No such worker, or not one you may see."), field="worker") from None
        services.referral_create(actor=user, worker=worker, **data)
    except Forbidden:
        raise
    except DomainError as exc:
        form.add_service_errors(exc.as_errors())
        return _referrals_page(request, form=form, status=form_status(exc) if exc.status != 404 else 422)
    messages.success(request, _("Referral recorded. The worker sees it on their page."))
    return redirect("pathways:referrals")


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def referral_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    _require_origin(request.user)
    referral = selectors.referral_get(user=request.user, pk=pk)
    form = forms.OutcomeForm(request.POST, prefix=f"o{referral.pk}")
    if form.is_valid():
        try:
            services.referral_outcome(actor=request.user, referral=referral, **form.cleaned_data)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
            return _referrals_page(request, outcome_forms={referral.pk: form}, status=form_status(exc))
        messages.success(request, _("Outcome recorded."))
        return redirect(reverse("pathways:referrals") + f"#referral-{referral.pk}")
    return _referrals_page(request, outcome_forms={referral.pk: form}, status=422)


# --- public verification -----------------------------------------------------------------------------------------


@data_category(Category.ORGANISATION)
@never_cache
@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone checks that a skills certificate is genuine and current: only what is printed on it is shown (never
    wages); an unknown or mistyped code gets one answer. Rate-limited per address."""
    from django_ratelimit.core import is_ratelimited

    asked = "code" in request.GET
    form = forms.VerifyForm(request.GET if asked else None)
    context: dict = {"form": form, "asked": False, "facts": None, "limited": False}
    status = 200
    if asked:
        if is_ratelimited(request, group="pathways-verify-page", key="ip", rate=VERIFY_RATE, increment=True):
            context["limited"] = True
            return render(request, "pathways/verify.html", context, status=429)
        if form.is_valid():
            context.update(asked=True, facts=selectors.verify(form.cleaned_data["code"]))
        else:
            status = 422
    return render(request, "pathways/verify.html", context, status=status)
