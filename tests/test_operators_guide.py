"""The operator's guide (docs/operators.md) and the README say only what is real (issue 16, part 8): every
`manage.py` command and option, every `celery`/Flower option exists; the onboarding snippets run and give a
reviewer what the admin needs; the receiver's signature check accepts what the workers send; the Redis and
PostgreSQL URLs with a password and TLS are understood by every client that reads them."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands, load_command_class
from django.test import Client

REPO = Path(__file__).resolve().parents[1]
GUIDE = (REPO / "docs" / "operators.md").read_text()
DOCS = {"docs/operators.md": GUIDE, "README.md": (REPO / "README.md").read_text()}
# Where a command line ends inside Markdown: a code span or quote closes, a comment, a pipe, a redirect...
LINE_END = r"[^\n`|;&#\"<>)]*"


def _options(segment: str) -> list[str]:
    return [token.split("=", 1)[0] for token in segment.split() if token.startswith("-")]


def _manage_py_uses() -> list[tuple[str, str, list[str]]]:
    return [(doc, m[1], _options(m[2])) for doc, text in DOCS.items()
            for m in re.finditer(rf"manage\.py\s+([a-z_]+)({LINE_END})", text)]


def test_every_manage_py_command_and_option_in_the_docs_exists() -> None:
    commands = get_commands()
    uses = _manage_py_uses()
    assert {"issue_token", "changepassword", "createsuperuser", "fetch_model", "shell"} <= {c for _, c, _ in uses}
    for doc, name, options in uses:
        assert name in commands, f"{doc}: manage.py {name}"
        parser = load_command_class(commands[name], name).create_parser("manage.py", name)
        for option in options:
            assert option in parser._option_string_actions, f"{doc}: manage.py {name} {option}"


def test_every_celery_and_flower_option_in_the_docs_exists() -> None:
    from celery.bin.celery import celery as cli
    from flower.options import options as flower_options

    uses = [(doc, m[1], _options(m[2])) for doc, text in DOCS.items()
            for m in re.finditer(rf"celery -A therapy_notes (worker|beat|flower)({LINE_END})", text)]
    assert {name for _, name, _ in uses} == {"worker", "beat", "flower"}
    for doc, name, options in uses:
        if name == "flower":  # Flower's options are tornado options, spelled with dashes
            known = {f"--{option}" for option in flower_options._options}
        else:
            known = {o for p in cli.commands[name].params for o in (*p.opts, *p.secondary_opts)}
        for option in options:
            assert option in known, f"{doc}: celery {name} {option}"


@pytest.mark.django_db
def test_the_onboarding_snippets_make_a_reviewer_who_can_use_the_admin(session) -> None:
    snippets = re.findall(r'manage\.py shell -c "\n(.*?)\n"', GUIDE, re.DOTALL)
    assert len(snippets) == 3
    for code in snippets:
        call_command("shell", command=code)
    user = get_user_model().objects.get(username="dr-ames")
    assert user.is_staff and not user.is_superuser and user.get_full_name() == "Rosa Ames"
    assert not user.has_usable_password()  # until `manage.py changepassword dr-ames`
    granted = {p.split(".")[1] for p in user.get_all_permissions()}
    assert len(granted) == 9  # every codename the guide names exists
    assert {"change_session", "view_notejob", "view_webhookdelivery"} <= granted
    assert not any(p.startswith("delete_") for p in granted)
    # The reviewer's own session is reviewable and editable in the admin; the delivery log opens.
    session.patient.clinician = user
    session.patient.save()
    client = Client()
    client.force_login(user)
    page = client.get(f"/admin/therapy_sessions/session/{session.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' in page.content.decode()
    assert client.get("/admin/therapy_sessions/webhookdelivery/").status_code == 200


def _guide_verify():
    [code] = re.findall(r"```python\n(.*?)```", GUIDE, re.DOTALL)
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/operators.md", "exec"), namespace)  # the guide's own snippet, run as a receiver would
    return namespace["verify"]


def test_the_guides_receiver_check_accepts_what_a_worker_signs_and_nothing_else() -> None:
    from sessions.webhook_signing import new_secret, signature_header

    verify = _guide_verify()
    secret, body = new_secret(), b'{"event":"job.succeeded","id":"d1"}'
    header = signature_header(secret, body)
    assert verify(secret, header, body)
    assert not verify(secret, header, body + b" ")  # the body changed
    assert not verify(new_secret(), header, body)  # another subscription's secret
    assert not verify(secret, signature_header(secret, body, timestamp=int(time.time()) - 301), body)  # a replay
    assert not verify(secret, "v1=" + header.split("v1=")[1], body)  # no timestamp
    assert not verify(secret, "", body)


def _guide_url(name: str) -> str:
    [url] = re.findall(rf"`{name}=([^`]+)`", GUIDE)
    return url.replace("<password>", "s3cret")


def test_the_redis_url_with_a_password_and_tls_is_understood_by_the_broker_the_backend_and_the_heartbeats(
    settings,
) -> None:
    import redis
    from celery.backends.redis import RedisBackend

    from therapy_notes.celery import app

    url = _guide_url("REDIS_URL")
    assert url.startswith("rediss://")
    broker = app.connection_for_write(url)
    assert broker.transport_cls == "rediss" and broker.password == "s3cret"
    assert broker.ssl["ssl_ca_certs"] == "/etc/ssl/clinic-ca.pem" and broker.ssl["ssl_cert_reqs"] == 2  # REQUIRED
    backend = RedisBackend(url=url, app=app)
    assert backend.connparams["password"] == "s3cret" and backend.connparams["ssl_cert_reqs"] == 2
    pool = redis.Redis.from_url(url).connection_pool  # workers/metrics.py and the health check
    assert pool.connection_class is redis.SSLConnection
    assert pool.connection_kwargs["password"] == "s3cret"
    assert pool.connection_kwargs["ssl_ca_certs"] == "/etc/ssl/clinic-ca.pem"


def test_the_database_url_with_tls_becomes_the_drivers_options() -> None:
    import dj_database_url

    config = dj_database_url.parse(_guide_url("DATABASE_URL"))
    assert config["ENGINE"] == "django.db.backends.postgresql" and config["PASSWORD"] == "s3cret"
    assert config["OPTIONS"] == {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/clinic-ca.pem"}
