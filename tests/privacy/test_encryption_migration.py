"""The migration that encrypts existing rows (0012) on a populated database: plaintext rows written under the
schema before it are ciphertext after it and read back the same, and backwards they are plaintext again."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.privacy.records import raw_rows

pytestmark = pytest.mark.django_db(transaction=True)

APP = "therapy_sessions"
BEFORE = [(APP, "0011_webhooks")]
AFTER = [(APP, "0012_encrypt_clinical_text")]
TRANSCRIPT = "Patient: The plaintext transcript mentions Vexmoorland twice. Vexmoorland."


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _populate(apps) -> dict[str, object]:
    user = apps.get_model("auth", "User").objects.create(username=f"mig-{uuid.uuid4().hex[:8]}")
    patient = apps.get_model(APP, "Patient").objects.create(clinician=user, display_name="Migration patient")
    session = apps.get_model(APP, "Session").objects.create(
        patient=patient, session_number=1, session_date=date(2026, 11, 2), original_transcription=TRANSCRIPT,
        notes="Plaintext note about Vexmoorland.", risk_flags=[{"evidence": "Vexmoorland evidence"}])
    apps.get_model(APP, "HistoricalSession").objects.create(
        id=session.pk, patient_id=patient.pk, session_number=1, session_date=date(2026, 11, 2),
        original_transcription=TRANSCRIPT, notes="Older note on Vexmoorland.", risk_flags=[],
        created_at=timezone.now(), history_date=timezone.now(), history_type="~",
        history_change_reason="Notes amended: because of Vexmoorland")
    apps.get_model(APP, "NoteAmendment").objects.create(
        session=session, author=user, reason="Vexmoorland reason", previous_notes="Vexmoorland before",
        notes="Vexmoorland after")
    job = apps.get_model(APP, "NoteJob").objects.create(
        kind="session_note", clinician=user, session=session, patient=patient, status="succeeded",
        result={"generated_notes": "Vexmoorland job note", "applied": True, "inference_time": 0.5},
        error_message="")
    subscription = apps.get_model(APP, "WebhookSubscription").objects.create(
        clinician=user, url="https://receiver.example.org/", event_types=["job.succeeded"])
    apps.get_model(APP, "WebhookDelivery").objects.create(
        subscription=subscription, job=job, event="job.succeeded", payload={"content": {"notes": "Vexmoorland"}})
    return {"session": session.pk, "job": job.pk}


def _tables_with(phrase: str) -> set[str]:
    return {table for table in connection.introspection.table_names() if table.startswith(f"{APP}_")
            for row in raw_rows(table) if phrase in row}


def test_existing_plaintext_rows_are_encrypted_and_read_back_the_same() -> None:
    try:
        ids = _populate(_migrate(BEFORE))
        assert {f"{APP}_session", f"{APP}_historicalsession", f"{APP}_noteamendment", f"{APP}_notejob",
                f"{APP}_webhookdelivery"} <= _tables_with("Vexmoorland")  # the test can fail: plaintext there

        apps = _migrate(AFTER)
        assert _tables_with("Vexmoorland") == set()
        session = apps.get_model(APP, "Session").objects.get(pk=ids["session"])
        assert session.original_transcription == TRANSCRIPT and session.notes == "Plaintext note about Vexmoorland."
        assert session.risk_flags == [{"evidence": "Vexmoorland evidence"}]
        history = apps.get_model(APP, "HistoricalSession").objects.get(id=ids["session"])
        assert history.notes == "Older note on Vexmoorland." and history.history_change_reason == "Notes amended"
        amendment = apps.get_model(APP, "NoteAmendment").objects.get(session_id=ids["session"])
        assert (amendment.reason, amendment.previous_notes, amendment.notes) == (
            "Vexmoorland reason", "Vexmoorland before", "Vexmoorland after")
        job = apps.get_model(APP, "NoteJob").objects.get(pk=ids["job"])
        assert job.result == {"generated_notes": "Vexmoorland job note", "applied": True, "inference_time": 0.5}
        assert apps.get_model(APP, "WebhookDelivery").objects.get(job_id=ids["job"]).payload == {
            "content": {"notes": "Vexmoorland"}}

        # Backwards (a rollback of the release): the values come back as plaintext.
        apps = _migrate(BEFORE)
        assert apps.get_model(APP, "Session").objects.get(pk=ids["session"]).original_transcription == TRANSCRIPT
        assert f"{APP}_session" in _tables_with("Vexmoorland")
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes(APP))
