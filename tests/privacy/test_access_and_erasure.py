"""Right of access (a per-patient export) and right to erasure (issue 17, design gap 11)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sessions.models import (
    AccessEvent,
    ErasureRecordIsAppendOnlyError,
    NoteJob,
    Patient,
    PatientErasure,
    Session,
    WebhookDelivery,
)
from tests.errors import error_code, field_errors
from tests.privacy.records import app_tables, make_records, raw_rows

pytestmark = pytest.mark.django_db

PATIENT_NAME = "Privacy test patient"


def _export(api, patient_id):
    return api.get(f"/api/patients/{patient_id}/export")


def _erase(api, patient_id, **body):
    return api.post(f"/api/patients/{patient_id}/erase", {"reason": "Patient's written request", "confirm": patient_id,
                                                          **body}, format="json")


def _raw_hits(phrases: list[str]) -> set[tuple[str, str]]:
    return {(table, phrase) for table in app_tables() for row in raw_rows(table) for phrase in phrases if phrase in row}


# --- export ----------------------------------------------------------------------------------------------------


def test_the_export_holds_everything_about_the_patient_and_nothing_else(api, other_api, no_enqueue) -> None:
    mine = make_records(api, marker="Exportia")
    make_records(other_api, marker="Otherland")  # another clinician's patient
    sibling = api.post("/api/patients/", {"display_name": "Sibling patient"}, format="json").json()
    api.post("/api/sessions/", {"patient": sibling["id"], "session_number": 1, "session_date": "2026-11-03",
                                "original_transcription": "Patient: Siblingham is my town."}, format="json")
    assert api.get(f"/api/sessions/{mine.session_id}/").status_code == 200  # a read the export must list
    response = _export(api, mine.patient_id)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert "Otherland" not in text and "Siblingham" not in text and "Sibling patient" not in text
    body = json.loads(text)
    assert body["format"] == "therapy-notes/patient-export" and body["patient"]["id"] == mine.patient_id
    [session] = body["sessions"]
    assert "neighbour Exportia" in session["original_transcription"] and "Exportia" in session["notes"]
    assert session["notes_status"] == "amended" and session["notes_signed_by"]
    assert session["risk_flags"][0]["evidence"]
    assert len(session["history"]) >= 3
    assert any("Exportia" in version["original_transcription"] for version in session["history"])
    [amendment] = session["amendments"]
    assert "Exportia" in amendment["reason"] and amendment["previous_notes"]
    [job] = session["jobs"]
    assert job["id"] == mine.job_id and job["result"]["generated_notes"] and job["result"]["evidence"]
    assert job["webhook_deliveries"] and job["webhook_deliveries"][0]["recipient"].startswith("https://receiver.")
    assert [(e["object_type"], e["endpoint"]) for e in body["access_events"]] == [
        ("session", f"/api/sessions/{mine.session_id}/")]
    assert body["patient"]["history"] and body["erasures"] == []


def test_the_export_is_recorded_in_the_read_audit(api, clinician, no_enqueue) -> None:
    records = make_records(api, marker="Auditson", sign=False)
    path = f"/api/patients/{records.patient_id}/export"
    assert _export(api, records.patient_id).status_code == 200
    events = AccessEvent.objects.filter(endpoint=path, actor_id=clinician.pk)
    assert {(e.object_type, e.object_id) for e in events} == {
        ("patient", str(records.patient_id)), ("session", str(records.session_id)), ("job", records.job_id)}
    assert all(e.patient_id == records.patient_id and e.channel == "api" for e in events)


def test_another_clinicians_patient_is_a_404_for_export_and_erasure(api, other_api, no_enqueue) -> None:
    records = make_records(api, marker="Notyours", sign=False)
    before = AccessEvent.objects.count()
    assert _export(other_api, records.patient_id).status_code == 404
    assert _erase(other_api, records.patient_id).status_code == 404
    assert _export(api, 10**12).status_code == 404
    assert AccessEvent.objects.count() == before and not PatientErasure.objects.exists()
    assert "Notyours" in Session.objects.get(pk=records.session_id).original_transcription


# --- erasure ---------------------------------------------------------------------------------------------------


def test_erasure_removes_the_clinical_text_from_every_table_and_leaves_a_record(api, clinician, no_enqueue) -> None:
    records = make_records(api, marker="Erasmoor", sign=False)
    phrases = [*records.phrases, PATIENT_NAME]
    # The raw check can fail: before the erasure each phrase decrypts from the rows (here, via the ORM).
    assert "Erasmoor" in Session.objects.get(pk=records.session_id).original_transcription
    response = _erase(api, records.patient_id)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["retained_sessions"] == [] and "erased everywhere" in body["message"]
    assert body["counts"]["sessions"] == 1 and body["counts"]["session_history_rows"] >= 2
    assert body["counts"]["jobs"] == 1 and body["counts"]["webhook_deliveries"] >= 1
    assert body["counts"]["patient_identity"] == 1 and body["counts"]["patient_history_rows"] >= 1

    session = Session.objects.get(pk=records.session_id)
    assert (session.original_transcription, session.notes, session.risk_flags) == ("", "", [])
    assert all(h.original_transcription == "" and h.notes == "" for h in Session.history.filter(id=session.pk))
    assert NoteJob.objects.get(pk=records.job_id).result is None
    assert all(d.payload == {"erased": True} for d in WebhookDelivery.objects.filter(job_id=records.job_id))
    assert Patient.objects.get(pk=records.patient_id).display_name == f"Erased patient {records.patient_id}"
    # Decrypted, nothing is left; and the raw rows (main, history, jobs, outbox) hold no plaintext either.
    for phrase in phrases:
        assert phrase not in json.dumps(_export(api, records.patient_id).json()["sessions"])
    assert _raw_hits(phrases) == set()

    record = PatientErasure.objects.get(patient_id=records.patient_id)
    assert record.actor_id == clinician.pk and record.channel == "api" and record.reason == "Patient's written request"
    assert not any(p in json.dumps(record.counts) for p in phrases)
    record.counts = {}
    with pytest.raises(ErasureRecordIsAppendOnlyError):
        record.save()
    with pytest.raises(ErasureRecordIsAppendOnlyError):
        record.delete()


def test_erasure_needs_a_reason_and_the_patient_id_as_confirmation(api, no_enqueue) -> None:
    records = make_records(api, marker="Confirmia", sign=False)
    url = f"/api/patients/{records.patient_id}/erase"
    missing = api.post(url, {}, format="json")
    assert missing.status_code == 400 and {"reason", "confirm"} <= set(field_errors(missing))
    blank = api.post(url, {"reason": "  ", "confirm": records.patient_id}, format="json")
    assert blank.status_code == 400 and "reason" in field_errors(blank)
    wrong = api.post(url, {"reason": "Request", "confirm": records.patient_id + 1}, format="json")
    assert wrong.status_code == 400
    assert field_errors(wrong)["confirm"] == [f"Type the patient's id ({records.patient_id}) to confirm the erasure."]
    assert not PatientErasure.objects.exists()
    assert "Confirmia" in Session.objects.get(pk=records.session_id).original_transcription


def test_signed_notes_under_retention_are_kept_unless_overridden_with_a_reason(api, no_enqueue, settings) -> None:
    settings.THERAPY_NOTES_SIGNED_NOTE_RETENTION_DAYS = 365
    records = make_records(api, marker="Retainville")  # signed (then amended) just now
    kept = _erase(api, records.patient_id)
    assert kept.status_code == 200
    body = kept.json()
    [retained] = body["retained_sessions"]
    assert retained["session"] == records.session_id and retained["retained_until"] > retained["signed_at"]
    assert "retention" in body["message"] and body["counts"]["sessions"] == 0
    session = Session.objects.get(pk=records.session_id)
    assert "Retainville" in session.original_transcription and "Retainville" in session.notes
    assert Patient.objects.get(pk=records.patient_id).display_name == PATIENT_NAME  # whose the kept record is

    overridden = _erase(api, records.patient_id, retention_override_reason="Court order 2026-44")
    assert overridden.status_code == 200 and overridden.json()["retained_sessions"] == []
    assert overridden.json()["retention_override_reason"] == "Court order 2026-44"
    assert Session.objects.get(pk=records.session_id).notes == ""
    assert _raw_hits([*records.phrases, PATIENT_NAME]) == set()
    assert PatientErasure.objects.filter(patient_id=records.patient_id).count() == 2


def test_signed_notes_past_the_retention_are_erased(api, no_enqueue, settings) -> None:
    settings.THERAPY_NOTES_SIGNED_NOTE_RETENTION_DAYS = 0
    records = make_records(api, marker="Expiredale")
    response = _erase(api, records.patient_id)
    assert response.status_code == 200 and response.json()["retained_sessions"] == []
    assert Session.objects.get(pk=records.session_id).original_transcription == ""


def test_erasure_waits_for_the_patients_active_jobs(api, no_enqueue) -> None:
    records = make_records(api, marker="Busyford", sign=False)
    job = api.post(f"/api/sessions/{records.session_id}/generate-notes", {"regenerate": True}, format="json").json()
    response = _erase(api, records.patient_id)
    assert response.status_code == 409 and error_code(response) == "jobs_active"
    assert job["id"] in response.json()["errors"][0]["detail"]
    assert "Busyford" in Session.objects.get(pk=records.session_id).original_transcription
    assert api.post(f"/api/jobs/{job['id']}/cancel").status_code == 200
    assert _erase(api, records.patient_id).status_code == 200


def test_the_erase_command_needs_confirmation_reason_and_actor_and_says_what_it_kept(
        api, clinician, no_enqueue, settings) -> None:
    settings.THERAPY_NOTES_SIGNED_NOTE_RETENTION_DAYS = 365
    records = make_records(api, marker="Commandia")
    pid = records.patient_id
    for wrong in (["--confirm", str(pid + 1), "--actor", clinician.username, "--reason", "Request"],
                  ["--confirm", str(pid), "--actor", clinician.username, "--reason", " "],
                  ["--confirm", str(pid), "--actor", "nobody-here", "--reason", "Request"]):
        with pytest.raises(CommandError, match="nothing was erased"):
            call_command("erase_patient", str(pid), *wrong, stdout=io.StringIO())
    assert not PatientErasure.objects.exists()
    out = io.StringIO()
    call_command("erase_patient", str(pid), "--confirm", str(pid), "--actor", clinician.username,
                 "--reason", "Request by letter", stdout=out)
    assert f"kept session {records.session_id}" in out.getvalue() and "--override-retention" in out.getvalue()
    out = io.StringIO()
    call_command("erase_patient", str(pid), "--confirm", str(pid), "--actor", clinician.username,
                 "--reason", "Request by letter", "--override-retention", "Retention waived by the board", stdout=out)
    assert "kept session" not in out.getvalue() and '"sessions": 1' in out.getvalue()
    assert [r.channel for r in PatientErasure.objects.order_by("at")] == ["command", "command"]
    assert _raw_hits(records.phrases) == set()
