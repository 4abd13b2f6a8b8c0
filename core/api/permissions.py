from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsLibraryStaff(BasePermission):
    """Staff and administrators; which branches they may act on is checked by the services."""

    message = _("Only library staff may do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_library_staff)
