"""A running job reports its phase in the job record; a long transcript's note records its coverage."""

from __future__ import annotations

import pytest

from sessions import services
from sessions.job_execution import execute_job
from sessions.models import NoteJob, Session
from tests.conftest import client_for, wait_for_job
from tests.summarizer.fakes import ScriptedEngine

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = ("**Chief Complaint:** Low mood.\n**Emotional State:** Flat.\n**Risk:** Denies suicidal ideation.\n"
        "**Intervention:** Activity scheduling.\n**Plan:** Walk daily.")


class ProgressWatchingEngine(ScriptedEngine):
    """Reads the job's progress from the database while 'generating', as a polling frontend would."""

    seen: list[dict] = []

    def generate(self, messages, **kwargs):
        self.seen.append(dict(NoteJob.objects.get().progress))
        return super().generate(messages, **kwargs)


def _long_transcript(turns: int) -> str:
    return "\n".join(f"Patient: In week {n} I slept {n % 8 + 3} hours and my mood was {n % 10}/10.\n"
                     f"Therapist: What did you do differently on day {n}?" for n in range(turns))


def test_the_job_record_shows_the_phase_while_it_runs_and_done_at_the_end(api, session) -> None:
    outcome = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                               regenerate=False)
    engine = ProgressWatchingEngine(text=NOTE)
    engine.seen = []
    execute_job(str(outcome.job.pk), engine)
    assert engine.seen and engine.seen[0] == {"phase": "writing the note", "step": 2, "steps": 4}
    body = api.get(f"/api/jobs/{outcome.job.pk}/").json()
    assert body["status"] == "succeeded" and body["progress"] == {"phase": "done", "step": 1, "steps": 1}


def test_a_long_transcript_reports_its_chunks_and_records_coverage(api, session) -> None:
    session.original_transcription = _long_transcript(700)
    session.save()
    outcome = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                               regenerate=False)
    engine = ProgressWatchingEngine(text=NOTE)
    engine.seen = []
    execute_job(str(outcome.job.pk), engine)
    assert engine.seen[0]["detail"].endswith("chunks condensed")
    coverage = api.get(f"/api/jobs/{outcome.job.pk}/").json()["result"]["coverage"]
    assert coverage["strategy"] == "condensed" and coverage["transcript_tokens"] > coverage["budget_tokens"]
    assert coverage["chunks"][-1]["end"] == len(session.original_transcription)


def test_a_real_worker_turns_a_long_session_into_a_note_with_its_coverage(clinician, start_worker,
                                                                         use_queue) -> None:
    """Over the real queue with the bundled model: a ~6,000-word session is condensed, not cut."""
    from sessions.models import Patient

    use_queue(start_worker())
    patient = Patient.objects.create(clinician=clinician, display_name="Long session")
    risk = "\nPatient: Some nights I wish I just wouldn't wake up.\n"
    transcript = _long_transcript(260) + risk + _long_transcript(260)
    session = Session.objects.create(patient=patient, session_number=1, session_date="2026-11-30",
                                     original_transcription=transcript)
    assert len(transcript.split()) > 6_000
    response = client_for(clinician).post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json")
    job = wait_for_job(response.json()["id"], timeout=600)  # a bound for a busy machine, not a timing
    assert job.status == "succeeded", job.error_message
    coverage = job.result["coverage"]
    assert coverage["strategy"] == "condensed" and all(c["kept_sentences"] for c in coverage["chunks"])
    # The risk said in the middle of the session reaches the Risk section (the detector read all of it).
    session.refresh_from_db()
    assert "{{RED:" in session.notes and job.progress["phase"] == "done"
