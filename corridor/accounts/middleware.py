"""Officials who signed in with a password must pass the second factor before reaching anything else."""

from django.conf import settings
from django.shortcuts import redirect

EXEMPT_PREFIXES = (
    "/accounts/login",
    "/accounts/logout",
    "/accounts/second-factor",
    "/static/",
    "/healthz",
    "/api/",
    "/i18n/",
    "/public/",
)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.CORRIDOR_ENFORCE_SECOND_FACTOR
            and user is not None
            and user.is_authenticated
            and user.needs_second_factor
            and not user.is_verified()
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            return redirect("accounts:second_factor")
        return self.get_response(request)
