"""Encryption at rest (issue 17, design gap 10): what the database holds is ciphertext, the app reads
plaintext, keys rotate, production refuses to start without a key, and lookups on encrypted columns are
refused instead of silently comparing ciphertexts."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from fernet_fields import DecryptionError

from sessions.models import NoteAmendment, NoteJob, Session, WebhookDelivery
from tests.privacy.records import app_tables, make_records, raw_column, raw_rows
from therapy_notes import field_keys

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
HISTORY_TABLE = Session.history.model._meta.db_table


def test_no_table_holds_the_clinical_text_while_the_app_reads_it(api, no_enqueue) -> None:
    records = make_records(api, marker="Quillfeather")
    # Every row of every table of the app, as text: the main tables, the history table, the job table,
    # the amendments, the webhook outbox.
    for table in app_tables():
        for row in raw_rows(table):
            for phrase in records.phrases:
                assert phrase not in row, (table, phrase)
    session = Session.objects.get(pk=records.session_id)
    job = NoteJob.objects.get(pk=records.job_id)
    assert "neighbour Quillfeather" in session.original_transcription and "Quillfeather" in session.notes
    assert "wake up" in session.risk_flags[0]["evidence"]
    assert job.result["generated_notes"] and job.result["evidence"]
    assert any("Quillfeather" in h.original_transcription for h in session.history.all())
    assert "Quillfeather" in NoteAmendment.objects.get(session=session).reason
    [delivery] = WebhookDelivery.objects.filter(job=job, event="job.succeeded")
    assert delivery.payload["content"]["notes"] == job.result["generated_notes"]
    # And the columns are Fernet tokens under the configured key (not plaintext stored as bytes).
    key = Fernet(settings.FERNET_KEYS[0])
    for table, column, pk_column, pk in [
        (Session._meta.db_table, "original_transcription", "id", session.pk),
        (Session._meta.db_table, "notes", "id", session.pk),
        (HISTORY_TABLE, "original_transcription", "id", session.pk),
        (NoteJob._meta.db_table, "result", "id", job.pk),
        (WebhookDelivery._meta.db_table, "payload", "id", delivery.pk),
    ]:
        raw = raw_column(table, column, pk_column, pk)
        assert b"Quillfeather" not in raw and b"wake up" not in raw
        assert key.decrypt(raw)  # raises InvalidToken if it were anything else


def test_rotation_reencrypts_every_row_so_the_old_key_can_be_removed(api, no_enqueue, settings) -> None:
    old_key = settings.FERNET_KEYS[0]
    records = make_records(api, marker="Rotundaberg")
    new_key = Fernet.generate_key().decode()
    settings.FERNET_KEYS = [new_key, old_key]
    # Both keys configured: rows written with the old one still read.
    assert "Rotundaberg" in Session.objects.get(pk=records.session_id).original_transcription
    out = io.StringIO()
    call_command("rotate_field_encryption_keys", stdout=out)
    assert f"{Session._meta.db_table}: 1 row(s) re-encrypted" in out.getvalue()
    raw = raw_column(Session._meta.db_table, "original_transcription", "id", records.session_id)
    assert b"Rotundaberg" in Fernet(new_key).decrypt(raw)
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(raw)
    settings.FERNET_KEYS = [new_key]  # the old key removed
    session = Session.objects.get(pk=records.session_id)
    assert "Rotundaberg" in session.original_transcription and "Rotundaberg" in session.notes
    assert any("Rotundaberg" in h.original_transcription for h in Session.history.filter(id=session.pk))
    assert NoteJob.objects.get(pk=records.job_id).result["generated_notes"]
    assert "Rotundaberg" in NoteAmendment.objects.get(session_id=session.pk).reason
    assert WebhookDelivery.objects.filter(job_id=records.job_id).count() >= 1
    assert all(d.payload for d in WebhookDelivery.objects.filter(job_id=records.job_id))


def test_without_the_key_a_row_does_not_read_and_rotation_says_which_table(api, no_enqueue, settings) -> None:
    records = make_records(api, marker="Lostkeyton", sign=False)
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]  # the writing key dropped before a rotation
    with pytest.raises(DecryptionError):
        Session.objects.get(pk=records.session_id)
    with pytest.raises(CommandError, match="does not decrypt with any of THERAPY_NOTES_FIELD_ENCRYPTION_KEYS"):
        call_command("rotate_field_encryption_keys", stdout=io.StringIO())


def test_lookups_on_encrypted_columns_are_refused_not_run_on_ciphertext(session) -> None:
    for lookup in ({"notes": ""}, {"original_transcription__icontains": "sleep"}, {"risk_flags": []}):
        with pytest.raises(FieldError):
            list(Session.objects.filter(**lookup))
    with pytest.raises(FieldError):
        list(NoteJob.objects.filter(result__applied=True))


def test_empty_text_is_stored_encrypted_not_as_null(patient) -> None:
    session = Session.objects.create(patient=patient, session_number=9, session_date="2026-11-02")
    raw = raw_column(Session._meta.db_table, "notes", "id", session.pk)
    assert Fernet(settings.FERNET_KEYS[0]).decrypt(raw) == b""
    assert Session.objects.get(pk=session.pk).notes == ""


# --- where the keys come from -------------------------------------------------------------------------------


def test_the_development_key_file_is_made_once_private_and_reused(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(field_keys.KEYS_VARIABLE, raising=False)
    monkeypatch.delenv(field_keys.KEY_FILE_VARIABLE, raising=False)
    first = field_keys.load_field_keys(tmp_path, production=False)
    path = tmp_path / field_keys.DEV_KEY_FILE_NAME
    assert first.from_dev_file and first.source == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert field_keys.load_field_keys(tmp_path, production=False).keys == first.keys
    Fernet(first.keys[0])


def test_keys_from_the_environment_first_encrypts_all_decrypt(tmp_path, monkeypatch) -> None:
    keys = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
    monkeypatch.setenv(field_keys.KEYS_VARIABLE, " , ".join(keys))
    loaded = field_keys.load_field_keys(tmp_path, production=True)
    assert loaded.keys == keys and not loaded.from_dev_file
    assert not (tmp_path / field_keys.DEV_KEY_FILE_NAME).exists()


def test_production_without_a_key_refuses_and_never_makes_one(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(field_keys.KEYS_VARIABLE, raising=False)
    monkeypatch.delenv(field_keys.KEY_FILE_VARIABLE, raising=False)
    with pytest.raises(ImproperlyConfigured, match="THERAPY_NOTES_FIELD_ENCRYPTION_KEYS .* must be set"):
        field_keys.load_field_keys(tmp_path, production=True)
    assert not (tmp_path / field_keys.DEV_KEY_FILE_NAME).exists()
    # A key file an operator mounted is accepted in production.
    mounted = tmp_path / "secret"
    mounted.write_text(Fernet.generate_key().decode() + "\n")
    monkeypatch.setenv(field_keys.KEY_FILE_VARIABLE, str(mounted))
    assert field_keys.load_field_keys(tmp_path, production=True).source == str(mounted)


def test_a_malformed_key_is_refused_without_echoing_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(field_keys.KEYS_VARIABLE, f"{Fernet.generate_key().decode()},not-a-real-key-s3cr3t")
    with pytest.raises(ImproperlyConfigured, match="key #2 is not a Fernet key") as caught:
        field_keys.load_field_keys(tmp_path, production=True)
    assert "s3cr3t" not in str(caught.value)


def test_the_production_settings_refuse_to_start_without_a_key() -> None:
    env = {key: value for key, value in os.environ.items()
           if key not in (field_keys.KEYS_VARIABLE, field_keys.KEY_FILE_VARIABLE)}
    env.update(THERAPY_NOTES_PRODUCTION="1", SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="therapy_notes.settings")
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "THERAPY_NOTES_FIELD_ENCRYPTION_KEYS" in done.stderr and "must be set" in done.stderr


def test_a_database_expression_is_refused_instead_of_being_encrypted_as_text(session) -> None:
    session.notes = "Kept as written."
    with pytest.raises(TypeError, match="encrypted in Python"), transaction.atomic():
        Session.objects.bulk_update([session], ["notes"])
    assert Session.objects.get(pk=session.pk).notes == ""


def test_check_deploy_warns_while_the_development_key_file_is_in_use(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 64, "ALLOWED_HOSTS": "notes.example.org",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           field_keys.KEY_FILE_VARIABLE: str(tmp_path / "dev-keys")}
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "therapy_notes.W001" in done.stderr + done.stdout
    assert (tmp_path / "dev-keys").is_file()
