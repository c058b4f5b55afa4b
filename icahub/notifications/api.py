"""Notifications API: a signed-in user's own notifications, and marking them read."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from icahub.notifications import selectors, services
from icahub.notifications.models import Notification

PK = r"(?P<pk>[0-9]+)"


class SignedIn(permissions.BasePermission):
    message = "Sign in (session or token) to read your notifications."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)


class NotificationOutput(serializers.ModelSerializer):
    read = serializers.BooleanField(source="is_read")

    class Meta:
        model = Notification
        fields = ["id", "subject", "body", "url", "created_at", "read_at", "read"]


class NotificationFilterInput(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


class NotificationListApi(APIView):
    permission_classes = [SignedIn]

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only unread ones")],
        responses=NotificationOutput(many=True),
    )
    def get(self, request):
        filters = NotificationFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = selectors.notification_list(
            user=request.user, unread_only=filters.validated_data["unread"]
        )[:200]
        return Response(NotificationOutput(notifications, many=True).data)


class NotificationReadApi(APIView):
    permission_classes = [SignedIn]

    @extend_schema(request=None, responses=NotificationOutput)
    def post(self, request, pk: int):
        notification = selectors.notification_get(user=request.user, pk=pk)
        services.notification_mark_read(notification=notification, user=request.user)
        return Response(NotificationOutput(notification).data)


class MarkedOutput(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationReadAllApi(APIView):
    permission_classes = [SignedIn]

    @extend_schema(request=None, responses=MarkedOutput)
    def post(self, request):
        return Response({"marked": services.notification_mark_all_read(user=request.user)})


# (route, view, name) for config/api_urls.py's api_path helper.
API_ROUTES = [
    ("notifications", NotificationListApi.as_view(), "api-notifications"),
    ("notifications/read-all", NotificationReadAllApi.as_view(), "api-notifications-read-all"),
    (f"notifications/{PK}/read", NotificationReadApi.as_view(), "api-notification-read"),
]
