"""The API's default permission class (kept apart from rest_framework.views, which imports it)."""

from rest_framework import permissions


class ReadPublicWriteSignedIn(permissions.BasePermission):
    """Anyone may read; writing needs a signed-in user, and each write view then checks
    its own django-rules permission on the object (see each app's permissions.py)."""

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or request.user.is_authenticated
