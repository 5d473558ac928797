from django.conf import settings

from corridor.core.access import roles_of
from corridor.core.selectors import HISTORY_ROLES, unread_count


def corridor(request):
    user = getattr(request, "user", None)
    roles = roles_of(user)
    return {
        "demo_mode": settings.DEMO_MODE,
        "available_languages": settings.LANGUAGES,
        "user_roles": sorted(roles),
        "can_read_history": bool(roles & HISTORY_ROLES),
        "unread_notifications": unread_count(user=user),
    }
