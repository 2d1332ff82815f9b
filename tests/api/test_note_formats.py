"""Note formats through the API: per request, per clinician default, validated, and applied by the job."""

from __future__ import annotations

import pytest

from sessions.job_execution import execute_job
from sessions.models import NoteJob
from summarizer.formats import FORMAT_NAMES, render_in_format
from tests.conftest import client_for
from tests.errors import field_errors
from tests.summarizer.fakes import ScriptedEngine

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = ("**Chief Complaint:** Work stress and poor sleep.\n**Emotional State:** Anxious, tearful at times.\n"
        "**Risk:** Denies suicidal ideation.\n**Intervention:** Thought record on the Monday meeting.\n"
        "**Plan:** Sleep diary; review next week.")


def test_an_unknown_format_is_a_400_that_lists_the_valid_ones_and_queues_nothing(api, session, no_enqueue) -> None:
    response = api.post(f"/api/sessions/{session.pk}/generate-notes", {"format": "narrative"}, format="json")
    assert response.status_code == 400
    message = field_errors(response)["format"][0]
    assert "narrative" in message and all(name in message for name in FORMAT_NAMES)
    assert no_enqueue == [] and not NoteJob.objects.exists()


def test_the_requested_format_reaches_the_job_and_the_notes(api, session, no_enqueue) -> None:
    response = api.post(f"/api/sessions/{session.pk}/generate-notes", {"format": "soap"}, format="json")
    assert response.status_code == 202
    job = NoteJob.objects.get(pk=response.json()["id"])
    assert job.parameters["format"] == "soap"
    execute_job(str(job.pk), ScriptedEngine(text=NOTE))
    body = api.get(f"/api/sessions/{session.pk}/").json()
    assert body["notes_metadata"]["format"] == "soap"
    result = api.get(f"/api/jobs/{job.pk}/").json()["result"]
    assert result["note_format"] == "soap" and result["structured_note"].startswith("**Chief Complaint:**")
    # The stored notes are the checked five-section note (grounded against this transcript), re-laid.
    assert body["notes"] == result["generated_notes"] == render_in_format(result["structured_note"], "soap")
    assert body["notes"].startswith("**Subjective:**") and "**Assessment:** Risk: " in body["notes"]


def test_the_clinicians_default_format_applies_when_the_request_names_none(api, other_api, session,
                                                                           no_enqueue) -> None:
    assert api.get("/api/profile").json()["note_format"] == "default"
    updated = api.put("/api/profile", {"note_format": "birp"}, format="json")
    assert updated.status_code == 200 and updated.json()["note_format"] == "birp"
    # One clinician's default is not another's.
    assert other_api.get("/api/profile").json()["note_format"] == "default"
    response = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json")
    job = NoteJob.objects.get(pk=response.json()["id"])
    assert job.parameters["format"] == "birp"
    execute_job(str(job.pk), ScriptedEngine(text=NOTE))
    session.refresh_from_db()
    assert session.notes_format == "birp" and session.notes.startswith("**Behavior:**")


def test_a_request_format_overrides_the_default(api, session, no_enqueue) -> None:
    api.put("/api/profile", {"note_format": "birp"}, format="json")
    response = api.post(f"/api/sessions/{session.pk}/generate-notes", {"format": "dap"}, format="json")
    assert NoteJob.objects.get(pk=response.json()["id"]).parameters["format"] == "dap"


@pytest.mark.parametrize("body", [{"note_format": "narrative"}, {"note_format": 3}, {}])
def test_a_bad_profile_update_is_a_400_with_a_field_message(api, body) -> None:
    response = api.put("/api/profile", body, format="json")
    assert response.status_code == 400 and "note_format" in field_errors(response)
    assert api.get("/api/profile").json()["note_format"] == "default"


def test_the_profile_needs_authentication(client) -> None:
    assert client.get("/api/profile").status_code == 401


def test_a_superuser_sets_a_clinicians_default_format_in_the_admin(client, clinician) -> None:
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("formats-admin", password="pw")
    client.force_login(admin_user)
    response = client.post("/admin/therapy_sessions/clinicianprofile/add/",
                           {"user": clinician.pk, "note_format": "soap"})
    assert response.status_code == 302
    assert client_for(clinician).get("/api/profile").json()["note_format"] == "soap"
