"""The clinician's review screen: transcript and note side by side; edit, regenerate, sign, amend, export.

Plain Django views behind the normal login (session cookie + CSRF), scoped to the clinician's own
patients exactly like the API (another clinician's session is a 404). Every write goes through the same
services as the API, so the lifecycle and overwrite rules are the API's rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sessions import access_log, exports, review_display, selectors, services
from sessions.models import (
    NOTE_FORMAT_CHOICES,
    AccessEvent,
    NoNotesError,
    NoteJob,
    NotesLockedError,
    NotesNotSignedError,
    Session,
)

LOGIN_URL = "review:login"
# While a job runs the page reloads itself this often (unless the clinician is editing).
REFRESH_SECONDS = 3


class NotesTextField(forms.CharField):
    """Browsers send CRLF line endings; the notes keep their own whitespace (nothing stripped)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strip=False, widget=forms.Textarea(attrs={"rows": 14}), **kwargs)

    def to_python(self, value: Any) -> str:
        return super().to_python(value).replace("\r\n", "\n")


class NotesForm(forms.Form):
    notes = NotesTextField(required=False)


class AmendForm(forms.Form):
    notes = NotesTextField()
    reason = forms.CharField(max_length=500)


class RegenerateForm(forms.Form):
    format = forms.ChoiceField(choices=NOTE_FORMAT_CHOICES)


def _owned_session(request: HttpRequest, pk: int) -> Session:
    return get_object_or_404(selectors.clinician_sessions(request.user), pk=pk)


def _audit(request: HttpRequest, session: Session, object_type: str) -> None:
    # The page and the exports hand out the transcript or the note: reads, in the access log like the API's.
    access_log.record_reads(request, object_type, [session], AccessEvent.Channel.REVIEW)


def _back(pk: int) -> HttpResponse:
    return redirect("review:session", pk=pk)


@login_required(login_url=LOGIN_URL)
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = list(selectors.clinician_sessions(request.user).order_by("-session_date", "-pk")[:200])
    # Work first: what needs attention, then drafts, then the signed record.
    sessions.sort(key=lambda s: (not s.needs_attention, s.notes_locked))
    return render(request, "review/session_list.html", {"sessions": sessions})


def _provenance(session: Session, job: NoteJob | None) -> dict[str, Any]:
    result = (job.result or {}) if job else {}
    if not session.notes.strip():
        origin = "No notes yet"
    elif session.notes_is_ai_generated:
        origin = "AI draft, edited by the clinician" if session.notes_edited_from_ai else "AI draft"
    else:
        origin = "Written by the clinician"
    return {
        "origin": origin,
        "job": job,
        "fallback": bool(result.get("fallback")),
        "fallback_reason": result.get("fallback_reason", ""),
        "format_title": dict(NOTE_FORMAT_CHOICES).get(session.notes_format, session.notes_format),
    }


@login_required(login_url=LOGIN_URL)
def session_review(request: HttpRequest, pk: int) -> HttpResponse:
    session = _owned_session(request, pk)
    job = selectors.latest_applied_note_job(session) if session.notes_is_ai_generated else None
    # Evidence spans are offsets into the transcript the job read: shown only while it is unchanged.
    evidence_current = job is not None and (not job.transcript_sha256
                                            or job.transcript_sha256 == session.transcript_sha256)
    evidence = (job.result or {}).get("evidence", []) if job is not None and evidence_current else []
    active = selectors.active_session_note_job(session)
    context = {
        "session": session,
        "provenance": _provenance(session, job),
        "transcript_html": review_display.marked_transcript(session.original_transcription, evidence,
                                                            session.risk_flags),
        "note_sections": review_display.note_sections(session.notes, evidence),
        "removed_statements": review_display.removed_statements(evidence),
        "evidence_stale": job is not None and not evidence_current,
        "current_risks": [flag for flag in session.risk_flags if flag.get("current", True)],
        "active_job": active,
        "refresh_seconds": REFRESH_SECONDS if active is not None else 0,
        "suggestions": selectors.pending_suggestions(session),
        "notes_form": NotesForm(initial={"notes": session.notes}),
        "amend_form": AmendForm(initial={"notes": session.notes}),
        "regenerate_form": RegenerateForm(initial={"format": selectors.clinician_note_format(request.user)}),
        "amendments": session.amendments.select_related("author").order_by("created_at"),
    }
    _audit(request, session, AccessEvent.ObjectType.SESSION)
    return render(request, "review/session_review.html", context)


def _act(request: HttpRequest, pk: int, operation: Callable[[], object], refusals: tuple[type[Exception], ...],
         done: str) -> HttpResponse:
    """Run one write; a refusal by the model's rules (signed, no notes, ...) is shown, not raised."""
    try:
        operation()
    except refusals as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return _back(pk)


def _valid(request: HttpRequest, form: forms.Form) -> bool:
    if form.is_valid():
        return True
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{field}: {error}")
    return False


@require_POST
@login_required(login_url=LOGIN_URL)
def save_notes(request: HttpRequest, pk: int) -> HttpResponse:
    session, form = _owned_session(request, pk), NotesForm(request.POST)
    if not _valid(request, form):
        return _back(pk)
    return _act(request, pk, lambda: services.update_session_notes(session, notes=form.cleaned_data["notes"]),
                (NotesLockedError,), "Notes saved.")


@require_POST
@login_required(login_url=LOGIN_URL)
def sign_notes(request: HttpRequest, pk: int) -> HttpResponse:
    session = _owned_session(request, pk)
    return _act(request, pk, lambda: services.sign_session_notes(session, request.user),
                (NoNotesError, NotesLockedError),
                "Notes signed. They are now the record and change only by amendment.")


@require_POST
@login_required(login_url=LOGIN_URL)
def amend_notes(request: HttpRequest, pk: int) -> HttpResponse:
    session, form = _owned_session(request, pk), AmendForm(request.POST)
    if not _valid(request, form):
        return _back(pk)
    return _act(request, pk, lambda: services.amend_session_notes(session, request.user, **form.cleaned_data),
                (NotesNotSignedError,), "Amendment recorded; the signed text before it stays readable below.")


@require_POST
@login_required(login_url=LOGIN_URL)
def regenerate_notes(request: HttpRequest, pk: int) -> HttpResponse:
    session, form = _owned_session(request, pk), RegenerateForm(request.POST)
    if not _valid(request, form):
        return _back(pk)
    return _act(request, pk, lambda: services.submit_session_note_job(
        clinician=request.user, session=session, regenerate=True, note_format=form.cleaned_data["format"]),
        (NotesLockedError, services.NoSpeechContentError),
        "Writing a new AI draft. If you edit the notes meanwhile, your edit is kept and the new draft waits "
        "below as a suggestion.")


@require_POST
@login_required(login_url=LOGIN_URL)
def confirm_notes(request: HttpRequest, pk: int) -> HttpResponse:
    session = _owned_session(request, pk)
    return _act(request, pk, lambda: services.confirm_session_notes(session), (NoNotesError,),
                "Notes confirmed against the current transcript.")


@require_POST
@login_required(login_url=LOGIN_URL)
def accept_suggestion(request: HttpRequest, pk: int, job_id: str) -> HttpResponse:
    session = _owned_session(request, pk)
    job = get_object_or_404(NoteJob, pk=job_id, session=session)
    return _act(request, pk, lambda: services.accept_suggestion(job, request.user),
                (services.SuggestionNotApplicableError,), "The suggested note is now the draft.")


@login_required(login_url=LOGIN_URL)
def export_html(request: HttpRequest, pk: int) -> HttpResponse:
    session = _owned_session(request, pk)
    try:
        response = HttpResponse(exports.printable_html(session), content_type="text/html; charset=utf-8")
    except NotesNotSignedError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    _audit(request, session, AccessEvent.ObjectType.NOTE)
    return response


@login_required(login_url=LOGIN_URL)
def export_fhir(request: HttpRequest, pk: int) -> HttpResponse:
    session = _owned_session(request, pk)
    try:
        response = JsonResponse(exports.fhir_document_reference(session), content_type="application/fhir+json")
    except NotesNotSignedError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    _audit(request, session, AccessEvent.ObjectType.NOTE)
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}-note.fhir.json"'
    return response
