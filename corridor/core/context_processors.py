from django.conf import settings


def corridor(request):
    user = getattr(request, "user", None)
    return {
        "demo_mode": settings.DEMO_MODE,
        "available_languages": settings.LANGUAGES,
        "user_roles": sorted(user.role_set()) if user is not None and user.is_authenticated else [],
    }
