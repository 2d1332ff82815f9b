"""The review screen driven in a real browser (Debian's Chromium via Playwright), with the real worker
and the bundled model: log in, open a session, generate the AI draft, see the risk item highlighted, follow
a statement to its evidence, edit, sign, see the note locked, export. Screenshots of each step are kept
under test-artifacts/browser/ (THERAPY_NOTES_TEST_ARTIFACTS moves them)."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api

from tests.conftest import REPO, SAMPLE_TRANSCRIPT

pytestmark = pytest.mark.django_db(transaction=True)

ARTIFACTS = Path(os.environ.get("THERAPY_NOTES_TEST_ARTIFACTS", REPO / "test-artifacts")) / "browser"
PASSWORD = "a long review password"
RISKY_LINE = "\nPatient: Some nights I wish I just wouldn't wake up in the morning."
# Generous bounds: a note takes ~5-10 s on 2 cores; nothing here waits longer than this.
ACTION_TIMEOUT_MS = 20_000
JOB_TIMEOUT_MS = 150_000


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is missing: scripts/run_tests.sh installs Debian's chromium package")
    return path


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are
    # ordinary synchronous calls, which Django would otherwise refuse next to a running loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(ACTION_TIMEOUT_MS)
        yield tab
        context.close()
        browser.close()


def _shot(tab, name: str) -> None:
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_a_clinician_reviews_corrects_signs_and_exports_a_note(page, live_server, clinician, start_worker,
                                                                use_queue) -> None:
    from sessions.models import Patient, Session

    clinician.set_password(PASSWORD)
    clinician.save()
    patient = Patient.objects.create(clinician=clinician, display_name="Maya R.")
    session = Session.objects.create(patient=patient, session_number=3, session_date=date(2026, 11, 30),
                                     original_transcription=SAMPLE_TRANSCRIPT + RISKY_LINE)
    use_queue(start_worker())

    # Log in: the review pages send an anonymous visitor to the login form.
    page.goto(f"{live_server.url}/review/")
    assert "/review/login/" in page.url
    page.fill("#id_username", clinician.username)
    page.fill("#id_password", PASSWORD)
    _shot(page, "01-login")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/review/")
    _shot(page, "02-session-list")

    # Open the session and ask for the AI draft; the page refreshes itself until the worker has written it.
    page.click("text=Maya R.")
    page.wait_for_url(f"**/review/sessions/{session.pk}/")
    assert page.locator("#note-view").inner_text().startswith("No notes yet")
    page.click("#regenerate-button")
    page.locator("#note-view .red").first.wait_for(timeout=JOB_TIMEOUT_MS)
    assert page.locator("#job-running").count() == 0
    # The risk item is highlighted in the note, named in the banner, and marked in the transcript.
    assert "passive" in page.locator("#note-view .red").first.inner_text().lower()
    assert page.locator("#risk-banner").is_visible()
    assert "wish I just wouldn't wake up" in page.locator("#transcript .risk-finding").first.inner_text()
    assert page.locator("#origin").inner_text() == "AI draft"
    _shot(page, "03-ai-draft")

    # A statement leads to the transcript words it rests on (hover, or j from the keyboard).
    page.keyboard.press("j")
    assert page.locator("#note-view .statement.lit").count() == 1
    assert page.locator("#transcript .evidence.lit").count() >= 1
    _shot(page, "04-evidence")

    # Edit in place from the keyboard, save: the draft is now marked as edited from the AI's.
    page.keyboard.press("e")
    editor = page.locator("#id_notes")
    assert editor.is_visible()
    edited = editor.input_value() + "\nReviewed with the patient."
    editor.fill(edited)
    _shot(page, "05-editing")
    page.click("#save-notes")
    page.locator("text=Notes saved.").wait_for()
    assert "Reviewed with the patient." in page.locator("#note-view").inner_text()
    assert page.locator("#origin").inner_text() == "AI draft, edited by the clinician"

    # Sign (the browser asks to confirm): the note is locked, editing is gone, exports appear.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#sign-button")
    page.locator("#locked-badge").wait_for()
    assert page.locator("#edit-button").count() == 0 and page.locator("#edit-form").count() == 0
    assert page.locator("#notes-status").inner_text() == "Signed"
    _shot(page, "06-signed")
    session.refresh_from_db()
    assert session.notes_status == "signed" and session.notes_signed_by == clinician
    assert session.notes == edited.replace("\r\n", "\n")

    with page.context.expect_page() as printable:
        page.click("#export-html")
    export = printable.value
    export.wait_for_load_state()
    assert "Signed by" in export.inner_text("body") and "Reviewed with the patient." in export.inner_text("body")
    export.screenshot(path=str(ARTIFACTS / "07-printable-export.png"))
