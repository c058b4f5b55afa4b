"""API tokens: POST username and password, get {"token": ...} for 'Authorization: Token <key>'.

Failed attempts count towards the same lock-out as the sign-in page (django-axes): once
locked, the endpoint answers 429 with a JSON body and Retry-After."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from icahub.accounts.lockout import lockout_response
from icahub.accounts.models import LoginEventKind
from icahub.accounts.services import login_event_record


class TokenCreateApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            429: inline_serializer(
                "LockedOut",
                {"detail": serializers.CharField(), "code": serializers.CharField()},
            ),
        },
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # django-axes marks the request it was given (this view's request, or Django's
            # underneath) when the attempt is refused or reaches the limit.
            if getattr(request, "axes_locked_out", False) or getattr(
                request._request, "axes_locked_out", False
            ):
                return lockout_response(request._request)
            raise
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        # No session is made here, so Django sends no "signed in" signal: record it.
        login_event_record(kind=LoginEventKind.SIGNED_IN, request=request, user=user)
        return Response({"token": token.key})
