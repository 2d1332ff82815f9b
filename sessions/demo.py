"""The end-to-end demo: a real clinician, patient and session, a real HTTP submission,
a real worker, and the note printed. Used by `manage.py demo_job` (scripts/run_demo.sh)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import requests
from django.contrib.auth import get_user_model

from sessions.auth import issue_api_token
from sessions.models import Patient, Session

DEMO_USERNAME = "demo-clinician"


@dataclass(frozen=True)
class DemoFixture:
    token: str
    session_id: int


def create_demo_fixture(transcript: str) -> DemoFixture:
    user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME, defaults={"email": ""})
    token, _ = issue_api_token(user)
    patient, _ = Patient.objects.get_or_create(clinician=user, display_name="Demo patient (Maya)")
    number = (patient.sessions.order_by("-session_number").values_list("session_number", flat=True).first() or 0) + 1
    session = Session.objects.create(
        patient=patient, session_number=number, session_date=date.today(), original_transcription=transcript
    )
    return DemoFixture(token=token, session_id=session.pk)


def submit_and_poll(base_url: str, fixture: DemoFixture, timeout_seconds: float = 300) -> dict[str, Any]:
    """POST generate-notes over HTTP, then poll the job until it is final."""
    headers = {"Authorization": f"Token {fixture.token}"}
    started = time.perf_counter()
    response = requests.post(
        f"{base_url}/api/sessions/{fixture.session_id}/generate-notes",
        json={"regenerate": False}, headers=headers, timeout=30,
    )
    response.raise_for_status()
    job = response.json()
    while job["status"] in ("queued", "running"):
        if time.perf_counter() - started > timeout_seconds:
            raise TimeoutError(f"job {job['id']} still {job['status']} after {timeout_seconds} s")
        time.sleep(0.25)
        job = requests.get(job["poll_url"], headers=headers, timeout=30).json()
    job["end_to_end_seconds"] = round(time.perf_counter() - started, 3)
    return job
