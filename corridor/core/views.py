"""The home page for each role, the health check, and the firewall for server-rendered pages."""

from __future__ import annotations

import functools

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from corridor.core.access import Category, is_firewalled
from corridor.core.errors import Forbidden, NotFound


def data_category(category: str):
    """Declare the kind of data a page shows; users behind the firewall get 403 for labour-protection pages.

    A NotFound or Forbidden raised by a selector or service inside the page becomes the 404 or 403 page.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if is_firewalled(getattr(request, "user", None), category):
                return render(
                    request,
                    "core/forbidden.html",
                    {"reason": _("This information is outside what your authority may see (labour-protection firewall).")},
                    status=403,
                )
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                return render(request, "core/not_found.html", {"reason": exc.message}, status=404)
            except Forbidden as exc:
                return render(request, "core/forbidden.html", {"reason": exc.message}, status=403)

        wrapper.data_category = str(category)
        return wrapper

    return decorate


MAX_ID = 2**31 - 1  # the largest primary key the database holds


def id_param(value) -> int | None:
    """A record id from a query or form parameter, or None when it is not a whole number in the database's range."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        return None
    return pk if 1 <= pk <= MAX_ID else None


def form_status(exc) -> int:
    """The HTTP status of a page that shows a refused form again: 409 for a conflict, 429 when rate-limited, else 422."""
    return exc.status if exc.status in (409, 422, 429) else 422


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database status, for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = {"status": "ok", "vendor": connection.vendor}
        status = 200
    except Exception as exc:  # any database failure is reported, not raised
        db = {"status": "error", "vendor": connection.vendor, "error": exc.__class__.__name__}
        status = 503
    from corridor import __version__

    return JsonResponse({"status": "ok" if status == 200 else "degraded", "version": __version__, "database": db}, status=status)


@data_category(Category.PROGRAMME)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A home page per role: what this person can do next, and the programmes that concern them."""
    from corridor.core.home import home_context

    return render(request, "core/home.html", home_context(request.user))


@data_category(Category.AUDIT)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit events the user may read, newest first, filterable by action and record."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.paginator import Paginator

    from corridor.core.selectors import audit_event_list

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    qs = audit_event_list(user=request.user)
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    subject = request.GET.get("subject", "").strip()
    if subject and ":" in subject:
        subject_type, subject_id = subject.split(":", 1)
        qs = qs.filter(subject_type=subject_type, subject_id=subject_id)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page": page, "action": action, "subject": subject})


@data_category(Category.ACCOUNT)
@never_cache
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, in their language; POST marks them read."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.paginator import Paginator
    from django.shortcuts import redirect

    from corridor.core import notify
    from corridor.core.selectors import notification_list

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        notify.mark_read(actor=request.user)
        return redirect("core:notifications")
    page = Paginator(notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


def error_403(request, exception=None):
    return render(request, "core/forbidden.html", {"reason": str(exception or "")}, status=403)


def error_404(request, exception=None):
    return render(request, "core/not_found.html", status=404)


def error_500(request):
    return render(request, "core/server_error.html", status=500)
