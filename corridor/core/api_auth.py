"""Authentication and the firewall for every API route.

Each router is built with `ApiAccess(category=..., scope=...)`. It accepts a signed-in session (with the second
factor where required, and CSRF for writes) or an organisation's API token carrying the route's scope, and it
refuses users behind the immigration firewall before any input is parsed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from ninja.errors import AuthenticationError
from ninja.utils import check_csrf

from corridor.core.access import is_firewalled
from corridor.core.errors import Forbidden

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# The app that owns API tokens registers how to find one (accounts.tokens.find_token); core imports no app.
_find_token = None


def register_token_finder(finder) -> None:
    """Set the function that returns the usable token object for a presented string, or None."""
    global _find_token
    _find_token = finder


class ApiAccess:
    """A ninja auth callable that also enforces a route's data category and token scope."""

    def __init__(self, *, category: str, scope: str, anonymous_read: bool = False, anonymous_write: bool = False):
        self.category = str(category)
        self.scope = scope
        self.anonymous_read = anonymous_read
        self.anonymous_write = anonymous_write  # only for sign-up forms, which create the account they act with

    def __call__(self, request):
        user = self._token_user(request) or self._session_user(request)
        if user is None:
            if self.anonymous_write or (self.anonymous_read and request.method in SAFE_METHODS):
                request.user = AnonymousUser()
                return request.user
            return None
        if is_firewalled(user, self.category):
            raise Forbidden("This information is outside what your authority may see (labour-protection firewall).")
        request.user = user
        return user

    def _token_user(self, request):
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        token = _find_token(header[7:]) if _find_token else None
        if token is None:
            raise AuthenticationError()
        needed = f"{self.scope}:{'read' if request.method in SAFE_METHODS else 'write'}"
        if needed not in token.scopes:
            raise Forbidden(f"This API token lacks the scope '{needed}'.")
        user = token.acting_user
        user._corridor_via = "token"
        request.api_token = token
        request._dont_enforce_csrf_checks = True
        return user

    def _session_user(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if getattr(settings, "CORRIDOR_ENFORCE_SECOND_FACTOR", True) and user.needs_second_factor:
            if not (hasattr(user, "is_verified") and user.is_verified()):
                raise Forbidden("Complete the second sign-in step (authenticator code) first.")
        if request.method not in SAFE_METHODS:
            error = check_csrf(request, lambda r: None)
            if error:
                raise Forbidden("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie.")
        user._corridor_via = "api"
        return user
