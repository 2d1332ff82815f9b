"""Expiring API tokens (knox): password login, expiry → 401, logout, hashed at rest, throttled login."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.errors import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password_user():
    return get_user_model().objects.create_user(username="dr-lee", password="correct horse battery")


def _login(client: APIClient, username: str, password: str):
    return client.post("/api/auth/token", {"username": username, "password": password}, format="json")


def test_password_login_returns_an_expiring_token_that_authenticates(password_user, settings) -> None:
    client = APIClient()
    response = _login(client, "dr-lee", "correct horse battery")
    assert response.status_code == 200, response.content
    token = response.data["token"]
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    expiry = AuthToken.objects.get(user=password_user).expiry
    assert abs((expiry - timezone.now()) - ttl) < timedelta(minutes=1)
    assert response.data["expiry"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/patients/").status_code == 200


def test_expired_token_is_rejected_with_401(clinician) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {clinician.api_token}")
    assert client.get("/api/patients/").status_code == 200
    AuthToken.objects.filter(user=clinician).update(expiry=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/patients/")
    assert response.status_code == 401
    # knox deletes the expired token when it is presented, so it cannot come back.
    assert not AuthToken.objects.filter(user=clinician).exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"username": "dr-lee", "password": "wrong"}, "password"),
    ({"username": "nobody", "password": "correct horse battery"}, "password"),
    ({"password": "correct horse battery"}, "username"),
    ({"username": "dr-lee"}, "password"),
])
def test_bad_credentials_get_a_field_level_400_and_no_token(password_user, body, field) -> None:
    response = APIClient().post("/api/auth/token", body, format="json")
    assert response.status_code == 400
    assert field_errors(response)[field], response.json()
    assert not AuthToken.objects.exists()


def test_inactive_user_cannot_log_in(password_user) -> None:
    password_user.is_active = False
    password_user.save()
    assert _login(APIClient(), "dr-lee", "correct horse battery").status_code == 400


def test_logout_revokes_only_that_token_and_logoutall_revokes_every_token(clinician) -> None:
    from sessions.auth import issue_api_token

    second_key, _ = issue_api_token(clinician)
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Token {clinician.api_token}")
    second.credentials(HTTP_AUTHORIZATION=f"Token {second_key}")
    assert first.post("/api/auth/logout").status_code == 204
    assert first.get("/api/patients/").status_code == 401
    assert second.get("/api/patients/").status_code == 200
    assert second.post("/api/auth/logoutall").status_code == 204
    assert second.get("/api/patients/").status_code == 401


def test_tokens_are_stored_hashed_never_in_plain_text(clinician) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert stored, "the token row should exist"
    assert all(clinician.api_token not in value for value in stored)
    assert all(clinician.api_token[8:] not in value for value in stored)  # not even the secret part


def test_password_login_is_throttled(password_user, monkeypatch) -> None:
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min", "job_submit": "120/min"})
    client = APIClient()
    codes = [_login(client, "dr-lee", "wrong").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    # A correct password does not get around the throttle either.
    assert _login(client, "dr-lee", "correct horse battery").status_code == 429


def test_with_a_cache_url_the_login_throttle_counts_in_redis_where_every_web_process_sees_it(
        password_user, monkeypatch, settings) -> None:
    # Behind gunicorn's several workers a per-process count would multiply the limit: with
    # THERAPY_NOTES_CACHE_URL the counters are keys in Redis (a database of its own: here the test one - 1).
    import os
    import uuid

    import redis
    from rest_framework.throttling import ScopedRateThrottle

    base, _, db = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15").rpartition("/")
    url = f"{base}/{(int(db or 0) - 1) % 16}"
    prefix = f"therapy-notes-test-{uuid.uuid4().hex[:8]}"  # fresh counts without flushing anyone's database
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                                   "KEY_PREFIX": prefix}}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min", "job_submit": "120/min"})
    codes = [_login(APIClient(), "dr-lee", "wrong").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    server = redis.Redis.from_url(url)
    keys = sorted(k.decode() for k in server.keys(f"{prefix}:*"))
    try:
        # One shared counter per client address and one per username, not one per process.
        assert [k.split(":")[-1].rsplit("_", 1)[0] for k in keys] == ["throttle_login", "throttle_login_username"]
    finally:
        if keys:
            server.delete(*keys)


def test_issue_token_command_prints_a_working_token(clinician, capsys) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("issue_token", clinician.username)
    key = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/patients/").status_code == 200
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_token", "no-such-user")


def test_issue_token_create_makes_a_token_only_user_without_a_usable_password(capsys) -> None:
    from django.core.management import call_command

    call_command("issue_token", "ehr-bridge", "--create")
    key = capsys.readouterr().out.strip()
    user = get_user_model().objects.get(username="ehr-bridge")
    assert not user.has_usable_password() and not user.is_staff and not user.is_superuser
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/patients/").status_code == 200
    call_command("issue_token", "ehr-bridge", "--create")  # an existing user: one more token, nothing else
    assert get_user_model().objects.filter(username="ehr-bridge").count() == 1
    assert AuthToken.objects.filter(user=user).count() == 2
