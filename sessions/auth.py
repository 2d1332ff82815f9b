"""API tokens that expire (django-rest-knox): issue, log in with a password, log out.

Knox stores only a hash of each token and gives every token an expiry
(`THERAPY_NOTES_TOKEN_TTL_HOURS`), so a leaked token stops working on its own and a stolen
database does not hold usable keys. The header stays `Authorization: Token <key>`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import is_password_usable
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


def flag_password_change(sender: type[AbstractBaseUser], instance: AbstractBaseUser, raw: bool = False,
                         update_fields: Any = None, **kwargs: Any) -> None:
    """pre_save of the user model: note whether this save changes the password, so that post_save
    revokes the user's API tokens (a token must not outlive the password that was used to get it).

    A new password is one set with set_password() (which keeps the raw password in ``_password`` until
    the save), or an unusable one (the account's password was disabled). Django's re-hash of the same
    password on login (an upgraded hasher) clears ``_password`` before saving: no change, tokens stay."""
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    if getattr(instance, "_password", None) is None and is_password_usable(instance.password):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        instance._revoke_api_tokens = True  # type: ignore[attr-defined]


def revoke_tokens_after_password_change(sender: type[AbstractBaseUser], instance: AbstractBaseUser,
                                        **kwargs: Any) -> None:
    """post_save of the user model: every API token of a user whose password changed is deleted
    (the admin's own sessions are already ended by Django's session auth hash)."""
    if getattr(instance, "_revoke_api_tokens", False):
        AuthToken.objects.filter(user=instance).delete()
        instance._revoke_api_tokens = False  # type: ignore[attr-defined]


def issue_api_token(user: AbstractBaseUser) -> tuple[str, datetime | None]:
    """Create a new token for `user`; returns (the key, shown only now, and its expiry)."""
    instance, key = AuthToken.objects.create(user=user)
    return key, instance.expiry


class LoginUsernameThrottle(ScopedRateThrottle):
    """The login rate counted per username as well as per client address: attempts against one account
    from many addresses (rotated, or a botnet's) do not multiply its guesses. The address throttle
    (ScopedRateThrottle) keys on REMOTE_ADDR, or on the address that THERAPY_NOTES_NUM_PROXIES trusted
    proxies put in X-Forwarded-For: never on a header the client chose."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = request.data  # parsed here already: a malformed body is a 400 before any guess counts
        username = data.get("username") if isinstance(data, dict) else None
        if not isinstance(username, str) or not username.strip():
            return None  # nothing to guess against; the address throttle still counts the request
        # A digest keeps usernames out of the cache keys; case-folded so "Dr-Lee" counts as "dr-lee".
        ident = hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()
        return self.cache_format % {"scope": f"{self.scope}_username", "ident": ident}


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
    throttle_classes = [ScopedRateThrottle, LoginUsernameThrottle]
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
