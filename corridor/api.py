"""The JSON API at /api/v1. Every error is an RFC 9457 problem document naming the field at fault."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import ValidationError as NinjaValidationError

from corridor.core.errors import DomainError

logger = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://corridor.example/problems/"

api = NinjaAPI(
    title="Corridor API",
    version="1",
    urls_namespace="api",
    description=(
        "Programmes, rules, organisations and reference data of Corridor, a platform for fair temporary labour "
        "migration programmes. Sign in with a session or send `Authorization: Bearer <token>` with an "
        "organisation's API token. Errors are `application/problem+json` (RFC 9457)."
    ),
    docs_url="/docs",
)


def problem(request: HttpRequest, *, status: int, title: str, detail: str, errors: list[dict] | None = None, code: str = ""):
    """An application/problem+json response."""
    body = {
        "type": PROBLEM_TYPE_BASE + (code or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type="application/problem+json")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="corridor"'
    return response


def _field_of(loc) -> str:
    # ninja reports locations such as ("body", "payload", "rules", "age", "min"); keep the part a client sent.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "form", "file", "header", "cookie"}:
        parts = parts[1:]
        if parts and parts[0] in {"payload", "data", "filters"}:
            parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for err in exc.errors:
        field = _field_of(err.get("loc", ()))
        message = err.get("msg", "Invalid value.")
        if err.get("type") == "json_invalid" or "JSON" in message and "decode" in message.lower():
            field, message = "body", "The request body is not valid JSON."
        errors.append({"field": field, "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, status=422, title="Invalid input", detail=detail, errors=errors, code="invalid-input")


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return problem(
        request, status=exc.status, title=exc.title, detail=exc.message, errors=exc.as_errors(), code=exc.code
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return problem(request, status=401, title="Unauthorized", detail="Sign in or send a valid API token.")


@api.exception_handler(Http404)
def on_404(request, exc):
    return problem(request, status=404, title="Not found", detail=str(exc) or "Not found.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return problem(request, status=exc.status_code, title="Error", detail=str(exc.message))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return problem(request, status=413, title="Payload too large", detail=f"The request body is larger than {limit} MiB.", errors=[{"field": "body", "message": f"At most {limit} MiB."}])


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request, exc):
    return problem(request, status=400, title="Bad request", detail="The multipart body could not be read.", errors=[{"field": "body", "message": str(exc)[:200]}])


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request, exc):
    return problem(request, status=400, title="Bad request", detail="The request could not be read.", errors=[{"field": "body", "message": str(exc)[:200]}])


@api.exception_handler(Exception)
def on_unexpected(request, exc: Exception):
    logger.exception("Unhandled API error at %s", request.path)
    return problem(request, status=500, title="Server error", detail="An unexpected error occurred; it was logged.")


def _register_routers() -> None:
    from corridor.accounts.api import account_router, users_router
    from corridor.accounts.api import router as accounts_router
    from corridor.contracts.api import router as contracts_router
    from corridor.contracts.api import verify_router
    from corridor.core.api import notifications_router
    from corridor.core.api import router as audit_router
    from corridor.deployment.api import router as journeys_router
    from corridor.employers.api import router as employers_router
    from corridor.joborders.api import board_router as vacancy_board_router
    from corridor.joborders.api import router as joborders_router
    from corridor.joborders.import_api import import_router
    from corridor.mobility.api import router as mobility_router
    from corridor.pathways.api import router as pathways_router
    from corridor.payroll.api import router as payslips_router
    from corridor.programmes.api import presets_router
    from corridor.programmes.api import router as programmes_router
    from corridor.recruitment.api import router as agencies_router
    from corridor.recruitment.ledger_api import router as costs_router
    from corridor.reference.api import router as reference_router
    from corridor.returns.api import router as returns_router
    from corridor.selection.api import router as selection_router
    from corridor.vacancies.api import router as vacancies_router
    from corridor.wages.api import router as wages_router
    from corridor.workers.api import router as workers_router
    from corridor.workers.pool_api import router as worker_pool_router

    api.add_router("/programmes", programmes_router)
    api.add_router("/presets", presets_router)
    api.add_router("/reference", reference_router)
    api.add_router("/", accounts_router)
    api.add_router("/", users_router)
    api.add_router("/account", account_router)
    api.add_router("/audit", audit_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/employers", employers_router)
    api.add_router("/wages", wages_router)
    api.add_router("/vacancy-reports", vacancies_router)
    api.add_router("/job-orders", joborders_router)
    api.add_router("/vacancy-board", vacancy_board_router)
    api.add_router("/imports", import_router)
    api.add_router("/workers", workers_router)
    api.add_router("/worker-pool", worker_pool_router)
    api.add_router("/agencies", agencies_router)
    api.add_router("/recruitment-costs", costs_router)
    api.add_router("/selection", selection_router)
    api.add_router("/contracts", contracts_router)
    api.add_router("/verify", verify_router)
    api.add_router("/journeys", journeys_router)
    api.add_router("/payslips", payslips_router)
    api.add_router("/mobility", mobility_router)
    api.add_router("/returns", returns_router)
    api.add_router("/pathways", pathways_router)


_register_routers()
