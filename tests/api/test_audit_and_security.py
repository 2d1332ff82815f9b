"""Audit trail of notes changes, and deployment settings."""

from __future__ import annotations

import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from sessions.job_execution import claim_job, store_outcome
from sessions.models import NoteJob
from summarizer.notes import NoteOutcome
from tests.conftest import REPO
from tests.summarizer.fakes import FAKE_IDENTITY

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_notes_change_is_audited_with_who_and_before_after(api, clinician, session) -> None:
    job = NoteJob.objects.create(kind="session_note", clinician=clinician, session=session, patient=session.patient,
                                 base_notes_version=0)
    claim_job(str(job.pk))
    store_outcome(str(job.pk), NoteOutcome(text="AI draft", inference_time=1, prompt_tokens=1, completion_tokens=1,
                                           model=FAKE_IDENTITY))
    assert api.put(f"/api/sessions/{session.pk}/notes", {"notes": "Clinician final"}, format="json").status_code == 200
    history = list(session.history.order_by("history_date"))
    notes_trail = [h.notes for h in history]
    assert notes_trail[-2:] == ["AI draft", "Clinician final"]
    ai_entry, edit_entry = history[-2], history[-1]
    assert ai_entry.history_user is None and "AI note from job" in (ai_entry.history_change_reason or "")
    assert edit_entry.history_user == clinician
    assert edit_entry.notes_edited_from_ai is True
    diff = edit_entry.diff_against(ai_entry)
    assert {c.field for c in diff.changes} >= {"notes", "notes_edited_from_ai", "notes_last_edited_at"}


def test_check_deploy_is_clean_with_production_settings() -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "THERAPY_NOTES_PRODUCTION": "1",
        "SECRET_KEY": "x" * 64 + "-production-secret-from-the-environment",
        "ALLOWED_HOSTS": "notes.example.org",
        "DATABASE_URL": "sqlite:////tmp/tn-deploy-check.sqlite3",
        # Required in production (therapy_notes/field_keys.py): the encryption keys of the clinical text.
        "THERAPY_NOTES_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret_key() -> None:
    env = {"PATH": "/usr/bin:/bin", "THERAPY_NOTES_PRODUCTION": "1", "ALLOWED_HOSTS": "notes.example.org"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
