"""API tokens that expire (django-rest-knox): issue, log in with a password, log out.

Knox stores only a hash of each token and gives every token an expiry
(`THERAPY_NOTES_TOKEN_TTL_HOURS`), so a leaked token stops working on its own and a stolen
database does not hold usable keys. The header stays `Authorization: Token <key>`.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from knox.models import AuthToken
from knox.views import LoginView as KnoxLoginView
from knox.views import LogoutAllView as KnoxLogoutAllView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle


def issue_api_token(user: AbstractBaseUser) -> tuple[str, datetime | None]:
    """Create a new token for `user`; returns (the key, shown only now, and its expiry)."""
    instance, key = AuthToken.objects.create(user=user)
    return key, instance.expiry


class PasswordLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs: dict) -> dict:
        user = authenticate(self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None or not user.is_active:
            # One message for unknown user, wrong password and disabled account: no user enumeration.
            raise serializers.ValidationError({"password": ["Unable to log in with these credentials."]})
        attrs["user"] = user
        return attrs


class PasswordLoginView(KnoxLoginView):
    """POST username/password → a new expiring token. Throttled against password guessing."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=PasswordLoginSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField(),
                                                      "expiry": serializers.DateTimeField(allow_null=True)}),
    )
    def post(self, request: Request, format: str | None = None) -> Response:
        serializer = PasswordLoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]  # knox issues the token for request.user
        return super().post(request, format=format)


@extend_schema_view(post=extend_schema(request=None, responses={204: None}, summary="Revoke the token used."))
class LogoutView(KnoxLogoutView):
    """Revoke the token this request used (other devices stay signed in)."""


@extend_schema_view(post=extend_schema(request=None, responses={204: None}, summary="Revoke every token of the user."))
class LogoutAllView(KnoxLogoutAllView):
    """Revoke every token of the signed-in user (e.g. after a lost laptop)."""
