from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": "Mødested",
        "SITE_URL": settings.SITE_URL,
        "is_library_staff": bool(user and user.is_authenticated and user.is_library_staff),
    }
