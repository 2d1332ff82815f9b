"""Issue 17, design gap 9: the read audit. Every read of a patient, session, note or job through the API,
the admin or the review screen leaves an append-only entry (who, what, when, from where, which endpoint)
with no clinical text in it; auditors (the `therapy_sessions.view_accessevent` permission) list and export
it, clinicians cannot read, change or delete it, and entries past the retention are pruned."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sessions.access_log import AUDITOR_PERMISSION
from sessions.models import AccessEvent, AccessLogIsAppendOnlyError, NoteJob, Session
from tests.conftest import SAMPLE_TRANSCRIPT, client_for

pytestmark = pytest.mark.django_db

# Words of the sample transcript and of a note: none may ever appear in an entry or an export.
CLINICAL_FRAGMENTS = [line.split(":", 1)[-1].strip()[:40] for line in SAMPLE_TRANSCRIPT.splitlines()
                      if len(line.split(":", 1)[-1].strip()) > 20][:8] + ["NOTE-TEXT-OF-THE-SESSION"]


@pytest.fixture
def auditor(make_clinician):
    """A user whose only role is auditing: in a group that holds the view permission of the log."""
    user = make_clinician("auditor-ann")
    group, _ = Group.objects.get_or_create(name="auditors")
    app_label, codename = AUDITOR_PERMISSION.split(".")
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user.groups.add(group)
    return user


@pytest.fixture
def noted_session(session):
    session.notes = "NOTE-TEXT-OF-THE-SESSION"
    session.save()
    return session


def _entries(**filters) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(**filters).order_by("id"))


def test_a_clinicians_reads_through_the_api_are_each_recorded(api, clinician, noted_session) -> None:
    session, patient = noted_session, noted_session.patient
    job = NoteJob.objects.create(kind="session_note", clinician=clinician, session=session, patient=patient)
    assert api.get(f"/api/sessions/{session.pk}/").status_code == 200
    (entry,) = _entries(object_type="session")
    assert (entry.actor_id, entry.actor_username, entry.object_id, entry.patient_id) == (
        clinician.pk, clinician.username, str(session.pk), patient.pk)
    assert (entry.channel, entry.method, entry.endpoint, entry.client_address) == (
        "api", "GET", f"/api/sessions/{session.pk}/", "127.0.0.1")
    assert timezone.now() - entry.at < timedelta(seconds=30)

    second = Session.objects.create(patient=patient, session_number=2, session_date=session.session_date)
    assert api.get("/api/sessions/").status_code == 200  # a list reads every record on its page
    assert {e.object_id for e in _entries(object_type="session", endpoint="/api/sessions/")} == {
        str(session.pk), str(second.pk)}
    assert api.get(f"/api/patients/{patient.pk}/").status_code == 200
    assert api.get(f"/api/jobs/{job.pk}/").status_code == 200
    assert [(e.object_type, e.object_id) for e in _entries(object_type__in=["patient", "job"])] == [
        ("patient", str(patient.pk)), ("job", str(job.pk))]


def test_a_read_that_finds_nothing_hands_out_nothing_and_records_nothing(api, other_api, noted_session) -> None:
    assert other_api.get(f"/api/sessions/{noted_session.pk}/").status_code == 404
    assert other_api.get("/api/sessions/").json()["count"] == 0
    assert _entries() == []


def test_signed_note_exports_are_recorded_as_note_reads(api, clinician, noted_session) -> None:
    assert api.post(f"/api/sessions/{noted_session.pk}/sign").status_code == 200
    assert api.get(f"/api/sessions/{noted_session.pk}/export/html").status_code == 200
    assert api.get(f"/api/sessions/{noted_session.pk}/export/fhir").status_code == 200
    assert [e.endpoint for e in _entries(object_type="note")] == [
        f"/api/sessions/{noted_session.pk}/export/html", f"/api/sessions/{noted_session.pk}/export/fhir"]


def test_admin_and_review_screen_reads_are_recorded(clinician, noted_session) -> None:
    clinician.is_staff = True
    clinician.save()
    clinician.user_permissions.set(Permission.objects.filter(
        content_type__app_label="therapy_sessions", codename__in=["view_session", "view_patient"]))
    browser = Client()
    browser.force_login(clinician)
    assert browser.get(f"/admin/therapy_sessions/session/{noted_session.pk}/change/").status_code == 200
    assert browser.get(f"/admin/therapy_sessions/session/{noted_session.pk}/history/").status_code == 200
    version = noted_session.history.latest().history_id
    assert browser.get(f"/admin/therapy_sessions/session/{noted_session.pk}/history/{version}/").status_code == 200
    assert browser.get(f"/admin/therapy_sessions/patient/{noted_session.patient_id}/change/").status_code == 200
    assert browser.get(f"/review/sessions/{noted_session.pk}/").status_code == 200
    assert [(e.channel, e.object_type, e.endpoint) for e in _entries()] == [
        ("admin", "session", f"/admin/therapy_sessions/session/{noted_session.pk}/change/"),
        ("admin", "session", f"/admin/therapy_sessions/session/{noted_session.pk}/history/"),
        ("admin", "session", f"/admin/therapy_sessions/session/{noted_session.pk}/history/{version}/"),
        ("admin", "patient", f"/admin/therapy_sessions/patient/{noted_session.patient_id}/change/"),
        ("review", "session", f"/review/sessions/{noted_session.pk}/"),
    ]
    assert {e.actor_id for e in _entries()} == {clinician.pk}


def test_clinicians_cannot_read_the_log_and_auditors_list_filter_and_export_it(
    api, clinician, auditor, noted_session
) -> None:
    api.get(f"/api/sessions/{noted_session.pk}/")
    api.get(f"/api/patients/{noted_session.patient_id}/")
    assert api.get("/api/audit/access/").status_code == 403
    assert api.get("/api/audit/access/export?output=csv").status_code == 403

    audit = client_for(auditor)
    listed = audit.get("/api/audit/access/", {"object_type": "session", "actor": clinician.username})
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert (row["object_type"], row["object_id"], row["actor_username"], row["patient_id"]) == (
        "session", str(noted_session.pk), clinician.username, noted_session.patient_id)
    assert audit.get("/api/audit/access/", {"patient": noted_session.patient_id}).json()["count"] == 2
    assert audit.get("/api/audit/access/", {"since": (timezone.now() + timedelta(hours=1)).isoformat()}
                     ).json()["count"] == 0

    exported = audit.get("/api/audit/access/export", {"output": "csv", "object_type": "patient"})
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    assert "attachment" in exported["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [(r["object_type"], r["object_id"], r["actor_username"]) for r in rows] == [
        ("patient", str(noted_session.patient_id), clinician.username)]
    as_json = audit.get("/api/audit/access/export", {"output": "json"})
    assert as_json.status_code == 200 and len(as_json.json()) == 2
    assert audit.get("/api/audit/access/export", {"output": "xml"}).status_code == 400
    # Reading the log is not a read of a patient record: it adds no entries of its own.
    assert AccessEvent.objects.count() == 2


def test_entries_and_exports_never_hold_clinical_text(api, auditor, noted_session) -> None:
    assert any(fragment in noted_session.original_transcription for fragment in CLINICAL_FRAGMENTS)
    api.get(f"/api/sessions/{noted_session.pk}/")
    api.get("/api/sessions/")
    assert AccessEvent.objects.count() == 2
    stored = json.dumps(list(AccessEvent.objects.values()), default=str)
    exported = client_for(auditor).get("/api/audit/access/export", {"output": "csv"}).content.decode()
    for text in (stored, exported):
        assert not [fragment for fragment in CLINICAL_FRAGMENTS if fragment in text]
        assert noted_session.patient.display_name not in text


def test_nobody_changes_or_deletes_an_entry_through_the_api_the_admin_or_the_model(
    api, auditor, clinician, noted_session
) -> None:
    api.get(f"/api/sessions/{noted_session.pk}/")
    entry = AccessEvent.objects.get()
    audit = client_for(auditor)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(audit, method)("/api/audit/access/", {}, format="json").status_code == 405
        assert getattr(audit, method)(f"/api/audit/access/{entry.pk}/", {}, format="json").status_code in (404, 405)

    operator = Client()
    operator.force_login(get_user_model().objects.create_superuser("op", "op@example.org", "pw-op-12345"))
    page = operator.get(f"/admin/therapy_sessions/accessevent/{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # read-only, even for operators
    assert operator.get(f"/admin/therapy_sessions/accessevent/{entry.pk}/delete/").status_code == 403
    assert operator.post("/admin/therapy_sessions/accessevent/", {
        "action": "delete_selected", "_selected_action": [entry.pk]}).status_code == 200
    clinician.is_staff = True
    clinician.save()
    staff = Client()
    staff.force_login(clinician)
    assert staff.get("/admin/therapy_sessions/accessevent/").status_code == 403

    entry.object_id = "999"
    with pytest.raises(AccessLogIsAppendOnlyError):
        entry.save()
    with pytest.raises(AccessLogIsAppendOnlyError):
        entry.delete()
    assert AccessEvent.objects.get().object_id == str(noted_session.pk)


def test_prune_removes_only_the_entries_past_the_retention(api, noted_session, settings) -> None:
    settings.THERAPY_NOTES_ACCESS_LOG_RETENTION_DAYS = 365
    for _ in range(3):
        api.get(f"/api/sessions/{noted_session.pk}/")
    old, older, recent = _entries()
    AccessEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=366))
    AccessEvent.objects.filter(pk=older.pk).update(at=timezone.now() - timedelta(days=3000))
    AccessEvent.objects.filter(pk=recent.pk).update(at=timezone.now() - timedelta(days=364))
    out = io.StringIO()
    call_command("prune_access_log", "--dry-run", stdout=out)
    assert "2 access log entries older than 365 days" in out.getvalue()
    assert AccessEvent.objects.count() == 3
    call_command("prune_access_log", stdout=out)
    assert [e.pk for e in _entries()] == [recent.pk]
    call_command("prune_access_log", "--days", "30", stdout=out)
    assert _entries() == []
