"""The review screen's views: scoped to the clinician, every write through the services' rules."""

from __future__ import annotations

import pytest

from sessions import services
from sessions.job_execution import execute_job
from sessions.models import NoteJob, Session
from tests.summarizer.fakes import ScriptedEngine, timing_out_engine

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = ("**Chief Complaint:** Work stress and poor sleep.\n**Emotional State:** Anxious.\n"
        "**Risk:** {{RED:Passive wish not to wake up.}}\n**Intervention:** Thought record.\n"
        "**Plan:** Sleep diary; review next week.")
RISKY = "\nPatient: Some nights I wish I just wouldn't wake up in the morning."


@pytest.fixture
def browser_client(client, clinician):
    clinician.set_password("pw-for-review")
    clinician.save()
    client.force_login(clinician)
    return client


def _note_job(session: Session, engine=None) -> NoteJob:
    outcome = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                               regenerate=True)
    execute_job(str(outcome.job.pk), engine or ScriptedEngine(text=NOTE))
    return NoteJob.objects.get(pk=outcome.job.pk)


def test_the_review_pages_need_a_login(client, session) -> None:
    for url in ("/review/", f"/review/sessions/{session.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/review/login/")


def test_logging_in_with_a_password_lands_on_the_session_list(client, clinician, session) -> None:
    clinician.set_password("correct horse")
    clinician.save()
    bad = client.post("/review/login/", {"username": clinician.username, "password": "wrong"})
    assert bad.status_code == 200 and b"Please enter a correct username and password" in bad.content
    good = client.post("/review/login/", {"username": clinician.username, "password": "correct horse"})
    assert good.status_code == 302 and good["Location"] == "/review/"
    listing = client.get("/review/")
    assert session.patient.display_name.encode() in listing.content


def test_another_clinicians_session_is_a_404_on_every_review_route(client, other_clinician, session) -> None:
    client.force_login(other_clinician)
    assert session.patient.display_name.encode() not in client.get("/review/").content
    base = f"/review/sessions/{session.pk}"
    assert client.get(f"{base}/").status_code == 404
    for action in ("notes", "sign", "amend", "regenerate", "confirm"):
        assert client.post(f"{base}/{action}", {"notes": "x", "reason": "y", "format": "soap"}).status_code == 404
    assert client.get(f"{base}/export.html").status_code == 404
    session.refresh_from_db()
    assert session.notes == "" and session.notes_status == "draft"


def test_the_page_shows_transcript_and_note_side_by_side_with_risk_and_evidence(browser_client, session) -> None:
    session.original_transcription += RISKY
    session.save()
    job = _note_job(session)
    page = browser_client.get(f"/review/sessions/{session.pk}/").content.decode()
    assert 'id="transcript"' in page and 'id="note-view"' in page
    # The RED item (the risk layer's wording) is highlighted, without its raw markup.
    note_view = page[page.index('id="note-view"'):page.index('id="edit-form"')]
    assert '<span class="red' in note_view and "passive suicidal ideation" in note_view
    assert "{{RED:" not in note_view and "}}" not in note_view
    # The detector's finding is named in the banner and marked in the transcript.
    assert 'id="risk-banner"' in page and 'class="risk-finding"' in page
    # Evidence of the statements is marked in the transcript and linked from the note.
    kept = [item for item in job.result["evidence"] if item["supported"]]
    assert kept and page.count('class="evidence') >= 1 and 'data-statements="' in page
    assert "fake.gguf" in page and "AI draft" in page
    # Everything the page loads is served by the app.
    assert "http://" not in page.replace('http-equiv', '') and "https://" not in page


def test_a_fallback_note_says_so_on_the_page(browser_client, session) -> None:
    _note_job(session, timing_out_engine())
    page = browser_client.get(f"/review/sessions/{session.pk}/").content.decode()
    assert 'id="fallback-badge"' in page and "Extractive fallback, not the model" in page


def test_editing_the_draft_goes_through_the_service(browser_client, session) -> None:
    _note_job(session)
    response = browser_client.post(f"/review/sessions/{session.pk}/notes", {"notes": "**Risk:** Edited.\r\nMore."})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.notes == "**Risk:** Edited.\nMore."  # CRLF from the browser is not stored
    assert session.notes_edited_from_ai is True and session.notes_last_edited_at is not None
    assert session.notes_version == 2


def test_sign_then_edit_is_refused_and_amend_keeps_the_original(browser_client, session) -> None:
    _note_job(session)
    browser_client.post(f"/review/sessions/{session.pk}/sign")
    session.refresh_from_db()
    signed_text = session.notes
    assert session.notes_status == "signed"
    page = browser_client.get(f"/review/sessions/{session.pk}/").content.decode()
    assert 'id="locked-badge"' in page and 'id="edit-form"' not in page and 'id="export-html"' in page
    refused = browser_client.post(f"/review/sessions/{session.pk}/notes", {"notes": "overwrite"}, follow=True)
    assert b"amendment" in refused.content
    session.refresh_from_db()
    assert session.notes == signed_text
    browser_client.post(f"/review/sessions/{session.pk}/amend", {"notes": "Amended text.", "reason": "typo"})
    session.refresh_from_db()
    assert session.notes_status == "amended" and session.notes == "Amended text."
    assert session.amendments.get().previous_notes == signed_text


def test_an_amendment_without_a_reason_is_refused_with_a_message(browser_client, session) -> None:
    _note_job(session)
    browser_client.post(f"/review/sessions/{session.pk}/sign")
    response = browser_client.post(f"/review/sessions/{session.pk}/amend", {"notes": "x"}, follow=True)
    assert b"reason: This field is required." in response.content
    session.refresh_from_db()
    assert session.notes_status == "signed"


def test_regenerate_queues_a_job_in_the_chosen_format_and_refuses_a_bad_one(browser_client, session,
                                                                            no_enqueue) -> None:
    bad = browser_client.post(f"/review/sessions/{session.pk}/regenerate", {"format": "nope"}, follow=True)
    assert b"Select a valid choice" in bad.content and not NoteJob.objects.exists()
    browser_client.post(f"/review/sessions/{session.pk}/regenerate", {"format": "dap"})
    job = NoteJob.objects.get()
    assert job.parameters == {"regenerate": True, "format": "dap"} and no_enqueue == [str(job.pk)]
    page = browser_client.get(f"/review/sessions/{session.pk}/").content.decode()
    assert 'id="job-running"' in page and 'data-refresh="3"' in page


def test_exports_from_the_review_page_need_a_signed_note(browser_client, session) -> None:
    _note_job(session)
    assert browser_client.get(f"/review/sessions/{session.pk}/export.html").status_code == 409
    browser_client.post(f"/review/sessions/{session.pk}/sign")
    html = browser_client.get(f"/review/sessions/{session.pk}/export.html")
    fhir = browser_client.get(f"/review/sessions/{session.pk}/export.fhir.json")
    assert html.status_code == 200 and b"Signed by" in html.content
    assert fhir.status_code == 200 and fhir.json()["resourceType"] == "DocumentReference"


def test_a_kept_suggestion_is_shown_and_can_be_accepted(browser_client, session) -> None:
    _note_job(session)
    outcome = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                               regenerate=True)
    services.update_session_notes(session, notes="Clinician's own edit.")  # edited while the job ran
    execute_job(str(outcome.job.pk), ScriptedEngine(text=NOTE))
    page = browser_client.get(f"/review/sessions/{session.pk}/").content.decode()
    assert "Suggested AI draft" in page
    browser_client.post(f"/review/sessions/{session.pk}/suggestions/{outcome.job.pk}/accept")
    session.refresh_from_db()
    assert session.notes.startswith("**Chief Complaint:**") and session.notes_is_ai_generated
