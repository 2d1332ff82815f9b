"""The keys that encrypt transcripts and notes at rest (djfernet-redux's FERNET_KEYS, set in settings.py).

THERAPY_NOTES_FIELD_ENCRYPTION_KEYS holds Fernet keys, comma-separated: the first encrypts every value
written, all of them decrypt (key rotation: put the new key first, run `manage.py
rotate_field_encryption_keys`, then drop the old one). In production (THERAPY_NOTES_PRODUCTION=1) the
variable, or THERAPY_NOTES_FIELD_ENCRYPTION_KEY_FILE naming an existing file that holds the keys (a
mounted secret), is required: the web and the workers refuse to start without it. Outside production,
without either, a key is generated once into a local file (git-ignored, mode 0600) so that a clean clone's
quick start, the demo and the tests run with no manual step; that file is a development key, never a
production default, and `manage.py check --deploy` warns about it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

KEYS_VARIABLE = "THERAPY_NOTES_FIELD_ENCRYPTION_KEYS"
KEY_FILE_VARIABLE = "THERAPY_NOTES_FIELD_ENCRYPTION_KEY_FILE"
DEV_KEY_FILE_NAME = ".field-encryption-keys"  # in the repository root; listed in .gitignore and .dockerignore
GENERATE_HINT = ('python3 -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"')


@dataclass(frozen=True)
class FieldKeys:
    keys: list[str]
    # Where they came from: the variable, or the local development key file (its path).
    source: str
    from_dev_file: bool


def _parse(raw: str, origin: str) -> list[str]:
    keys = [item.strip() for item in raw.replace("\n", ",").split(",") if item.strip()]
    if not keys:
        raise ImproperlyConfigured(f"{origin} holds no key. Generate one with: {GENERATE_HINT}")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            # Never the key itself in the message: it ends up in logs.
            raise ImproperlyConfigured(
                f"{origin}: key #{position} is not a Fernet key (32 url-safe base64-encoded bytes). "
                f"Generate one with: {GENERATE_HINT}") from None
    return keys


def _dev_key_file(path: Path) -> list[str]:
    if not path.exists():
        # O_EXCL: two processes starting at once (web and worker of the demo) do not write two keys.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(Fernet.generate_key().decode("ascii") + "\n")
            print(f"[therapy-notes] created a development field-encryption key in {path} (not for production: "
                  f"set {KEYS_VARIABLE} there, see README)", file=sys.stderr)
    return _parse(path.read_text(encoding="ascii"), str(path))


def load_field_keys(base_dir: Path, *, production: bool) -> FieldKeys:
    raw = os.environ.get(KEYS_VARIABLE, "")
    if raw.strip():
        return FieldKeys(_parse(raw, KEYS_VARIABLE), KEYS_VARIABLE, from_dev_file=False)
    key_file = os.environ.get(KEY_FILE_VARIABLE, "")
    if production:
        # A file in production is one the operator put there (a Docker/Kubernetes secret): never generated.
        if key_file and Path(key_file).is_file():
            return FieldKeys(_parse(Path(key_file).read_text(encoding="ascii"), key_file), key_file,
                             from_dev_file=False)
        raise ImproperlyConfigured(
            f"{KEYS_VARIABLE} (or {KEY_FILE_VARIABLE}, a file that exists) must be set when "
            f"THERAPY_NOTES_PRODUCTION=1: transcripts and notes are encrypted with it. Generate a key with: "
            f"{GENERATE_HINT} and keep a copy outside this machine (without it the data cannot be read). "
            "See the README's 'Security and privacy for operators'.")
    path = Path(key_file) if key_file else base_dir / DEV_KEY_FILE_NAME
    return FieldKeys(_dev_key_file(path), str(path), from_dev_file=True)
