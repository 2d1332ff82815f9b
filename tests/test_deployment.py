"""docker-compose.yml would come up healthy (issue 16, part 7), and the Docker image's static files work.

Docker itself is not available here: the healthchecks' own shell commands run with a stand-in ``curl``
that records what it was asked, and that request is replayed through Django under the environment the
compose file and .env.example give the web container (production mode). The worker's node name is
expanded with Celery's own rules. `docker compose config` runs in scripts/run_tests.sh.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from celery.utils.nodenames import default_nodename, host_format
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _dotenv(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


ENV_EXAMPLE = _dotenv(REPO / ".env.example")
FIELD_KEYS_VARIABLE = "THERAPY_NOTES_FIELD_ENCRYPTION_KEYS"


def _compose_interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's substitution: ${VAR}, ${VAR:-default}, ${VAR:?error}; $$ is a literal $."""

    def substitute(match: re.Match[str]) -> str:
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        value = env.get(name, "")
        if op == ":?" and not value:
            raise AssertionError(f"{name} is required by docker-compose.yml and missing from .env.example")
        return value if value or op != ":-" else arg

    pattern = r"(?<!\$)\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}"
    return re.sub(pattern, substitute, text).replace("$$", "$")


def _container_env(service: str) -> dict[str, str]:
    """What the container sees: the env_file (.env, here .env.example), then `environment`."""
    spec = SERVICES[service]
    env = dict(ENV_EXAMPLE) if spec.get("env_file") else {}
    env.update({k: _compose_interpolate(str(v), ENV_EXAMPLE) for k, v in (spec.get("environment") or {}).items()})
    if env.get(FIELD_KEYS_VARIABLE, "").startswith("change-me"):
        # .env.example's field-encryption key is a placeholder that production refuses (it is not a Fernet
        # key): an operator generates one, and so does this test.
        env[FIELD_KEYS_VARIABLE] = Fernet.generate_key().decode()
    return env


def _healthcheck_shell(service: str) -> str:
    test = SERVICES[service]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL", test
    return _compose_interpolate(test[1], ENV_EXAMPLE)


def _run_with_recording_curl(command: str, env: dict[str, str], tmp_path: Path) -> list[str]:
    record = tmp_path / "curl-args.json"
    fake = tmp_path / "bin" / "curl"
    fake.parent.mkdir()
    fake.write_text(f"#!{sys.executable}\nimport json, sys\njson.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n")
    fake.chmod(0o755)
    subprocess.run(["sh", "-c", command], env={**env, "PATH": f"{fake.parent}:/usr/bin:/bin"}, check=True)
    return json.loads(record.read_text())


def _request_from_curl(args: list[str]) -> tuple[str, dict[str, str]]:
    url = next(a for a in args if a.startswith("http"))
    headers = {}
    for flag, value in zip(args, args[1:], strict=False):
        if flag == "-H":
            name, _, header_value = value.partition(":")
            headers[name.strip().lower()] = header_value.strip()
    return url, headers


# Replays one request through Django's test client in a fresh process, under the given environment.
_REPLAY = """
import json, sys
import django
django.setup()
from django.test import Client
url, headers = json.loads(sys.argv[1])
from urllib.parse import urlsplit
parts = urlsplit(url)
host = headers.pop("host", parts.netloc)
extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
response = Client().get(parts.path, HTTP_HOST=host, secure=parts.scheme == "https", **extra)
print(json.dumps({"status": response.status_code, "location": response.get("Location")}))
"""


def test_web_healthcheck_is_answered_200_under_the_compose_environment(tmp_path) -> None:
    env = _container_env("web")
    assert env["THERAPY_NOTES_PRODUCTION"] == "1"  # the production settings: SSL redirect, HSTS, strict hosts
    args = _run_with_recording_curl(_healthcheck_shell("web"), env, tmp_path)
    url, headers = _request_from_curl(args)
    assert "-f" in args or "-fsS" in args  # a 4xx/5xx fails the check
    assert headers.get("host") in [h.strip() for h in env["ALLOWED_HOSTS"].split(",")]
    # This machine's database and Redis stand in for the compose services (liveness answers either way).
    replay_env = {**os.environ, **env, "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
                  "REDIS_URL": os.environ.get("REDIS_URL", ""), "DJANGO_SETTINGS_MODULE": "therapy_notes.settings"}
    replay_env.pop("CELERY_BROKER_URL", None)
    done = subprocess.run([sys.executable, "-c", _REPLAY, json.dumps([url, headers])], cwd=REPO, env=replay_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer == {"status": 200, "location": None}, answer  # not 400 (host), not 301 (to HTTPS)


def test_the_old_healthcheck_would_have_failed(tmp_path) -> None:
    """The check above can fail: localhost is not in .env.example's ALLOWED_HOSTS (a 400)."""
    env = {**os.environ, **_container_env("web"), "DJANGO_SETTINGS_MODULE": "therapy_notes.settings"}
    done = subprocess.run([sys.executable, "-c", _REPLAY, json.dumps(["http://localhost:8000/health", {}])],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert json.loads(done.stdout.strip().splitlines()[-1])["status"] == 400


def _option(argv: list[str], *names: str) -> str | None:
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                return argv[i + 1]
            if arg.startswith(f"{name}="):
                return arg.split("=", 1)[1]
    return None


def test_worker_healthcheck_pings_the_workers_real_node_name() -> None:
    container_hostname = "3f2a9c1b7d4e"  # Docker sets $HOSTNAME and the kernel hostname to the same id
    argv = shlex.split(_compose_interpolate(SERVICES["worker"]["command"], ENV_EXAMPLE))
    node = _option(argv, "--hostname", "-n") or default_nodename(None)
    node = host_format(node, host=container_hostname)
    ping = shlex.split(_healthcheck_shell("worker").replace("$HOSTNAME", container_hostname))
    assert ping[:4] == ["celery", "-A", "therapy_notes", "inspect"] and "ping" in ping
    assert _option(ping, "-d", "--destination") == node


def test_flower_needs_basic_auth_and_listens_on_loopback_only() -> None:
    flower = SERVICES["flower"]
    assert "--basic-auth=${FLOWER_BASIC_AUTH:?" in flower["command"]
    assert ENV_EXAMPLE.get("FLOWER_BASIC_AUTH")
    for port in flower.get("ports", []):
        assert str(port).startswith("127.0.0.1:"), port


def test_only_the_tls_proxy_is_published() -> None:
    published = {name for name, spec in SERVICES.items() if spec.get("ports")
                 and any(not str(p).startswith("127.0.0.1:") for p in spec["ports"])}
    assert published == {"proxy"}
    assert "8000" not in json.dumps(SERVICES["web"].get("ports", []))
    caddyfile = (REPO / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile and "{$ALLOWED_HOSTS}" in caddyfile


def test_beat_schedule_is_git_ignored() -> None:
    for name in ("celerybeat-schedule", "celerybeat-schedule.db"):
        assert subprocess.run(["git", "check-ignore", "-q", name], cwd=REPO, check=False).returncode == 0, name


@pytest.mark.slow
def test_collected_static_files_are_served_compressed_and_hashed(tmp_path) -> None:
    """The Docker image's mode (THERAPY_NOTES_STATIC_MANIFEST=1 after collectstatic), DEBUG off."""
    env = {**os.environ, "THERAPY_NOTES_STATIC_MANIFEST": "1", "THERAPY_NOTES_STATIC_ROOT": str(tmp_path / "static"),
           "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "therapy_notes.settings"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env,
                   check=True, timeout=300)
    check = """
import django
django.setup()
from django.templatetags.static import static
from django.test import Client
url = static("admin/css/base.css")
assert url != "/static/admin/css/base.css", url  # the content-hashed name from the manifest
response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
assert response.status_code == 200 and response["Content-Encoding"] == "gzip", response
assert "immutable" in response["Cache-Control"], response["Cache-Control"]
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", check], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
