"""A patient with one of every kind of record, made through the real app (the API, the job execution with a
scripted engine, the webhook outbox), and raw reads of the database tables to check what is stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from sessions.job_execution import execute_job
from sessions.models import NoteJob, Session
from tests.conftest import SAMPLE_TRANSCRIPT
from tests.summarizer.fakes import ScriptedEngine

NOTE = ("**Chief Complaint:** Work stress and poor sleep.\n**Emotional State:** Anxious.\n"
        "**Risk:** {{RED:Passive wish not to wake up.}}\n**Intervention:** Thought record.\n"
        "**Plan:** Sleep diary; review next week.")
RISKY = "\nPatient: Some nights I wish I just wouldn't wake up in the morning."


@dataclass
class PatientRecords:
    patient_id: int
    session_id: int
    job_id: str
    # Phrases of clinical text that the records hold: none may be found in a raw row.
    phrases: list[str]


def make_records(api: Any, *, marker: str, sign: bool = True) -> PatientRecords:
    """Patient, session (transcript with ``marker``), an AI note from a job (result with evidence and risk
    flags), a webhook delivery with content, then signed and amended with a reason holding ``marker``."""
    subscription = api.post("/api/webhooks/", {"url": "https://receiver.example.org/hook", "include_content": True},
                            format="json")
    assert subscription.status_code == 201, subscription.content
    patient = api.post("/api/patients/", {"display_name": "Privacy test patient"}, format="json").json()
    transcript = f"{SAMPLE_TRANSCRIPT}\nPatient: My neighbour {marker} keeps bees on the roof.{RISKY}"
    session = api.post("/api/sessions/", {"patient": patient["id"], "session_number": 1, "session_date": "2026-11-02",
                                          "original_transcription": transcript}, format="json")
    assert session.status_code == 201, session.content
    session_id = session.json()["id"]
    job = api.post(f"/api/sessions/{session_id}/generate-notes", {}, format="json")
    assert job.status_code == 202, job.content
    execute_job(job.json()["id"], ScriptedEngine(text=NOTE))
    stored = Session.objects.get(pk=session_id)
    result = NoteJob.objects.get(pk=job.json()["id"]).result
    assert result["applied"] and stored.notes and stored.risk_flags, result
    if sign:
        assert api.post(f"/api/sessions/{session_id}/sign").status_code == 200
        amended = api.post(f"/api/sessions/{session_id}/amend",
                           {"notes": f"{stored.notes}\nAddendum about {marker} amended.",
                            "reason": f"Reason mentioning {marker}"}, format="json")
        assert amended.status_code == 200, amended.content
    phrases = [f"neighbour {marker}", marker, "wish I just wouldn't wake up", result["generated_notes"][:40],
               "Thought record"]
    return PatientRecords(patient["id"], session_id, job.json()["id"], phrases)


def app_tables() -> list[str]:
    return [name for name in connection.introspection.table_names() if name.startswith("therapy_sessions_")]


def raw_rows(table: str) -> list[str]:
    """Every row of ``table`` as PostgreSQL writes a row as text (bytea columns as hex)."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT t::text FROM "{table}" t')  # table names come from introspection only
        return [row[0] for row in cursor.fetchall()]


def raw_column(table: str, column: str, pk_column: str, pk: Any) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{pk_column}" = %s', [pk])
        return bytes(cursor.fetchone()[0])
