"""Signed notes leaving the app: a FHIR DocumentReference for the record system and a printable page.

FHIR: the R4B models of ``fhir.resources`` (R4B is R4's errata release; a DocumentReference is the
same resource in both) validate what we send. Drafts are never exported as final.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe

from sessions.models import NotesNotSignedError, Session

# LOINC 11506-3 "Progress note": the document type of a therapy session note.
PROGRESS_NOTE = {"system": "http://loinc.org", "code": "11506-3", "display": "Progress note"}


def _require_signed(session: Session) -> None:
    if not session.notes_locked:
        raise NotesNotSignedError("Only signed notes can be exported; sign them first (POST /api/sessions/{id}/sign).")


def fhir_document_reference(session: Session) -> dict[str, Any]:
    """The signed note as a validated FHIR DocumentReference (JSON-ready dict)."""
    from fhir.resources.R4B.documentreference import DocumentReference

    _require_signed(session)
    signer = session.notes_signed_by
    practitioner = {"reference": f"Practitioner/{signer.pk}", "display": signer.get_username()} if signer else None
    resource = {
        "resourceType": "DocumentReference",
        "identifier": [{"system": "urn:therapy-notes:session", "value": str(session.pk)}],
        "status": "current",
        "docStatus": "amended" if session.notes_status == Session.NotesStatus.AMENDED else "final",
        "type": {"coding": [PROGRESS_NOTE]},
        "subject": {"reference": f"Patient/{session.patient_id}", "display": session.patient.display_name},
        "date": session.notes_signed_at.isoformat() if session.notes_signed_at else None,
        "author": [practitioner] if practitioner else [],
        "authenticator": practitioner,
        "description": f"Session {session.session_number} on {session.session_date.isoformat()}",
        "content": [{"attachment": {
            "contentType": "text/markdown; charset=utf-8", "language": "en",
            "data": base64.b64encode(session.notes.encode("utf-8")).decode("ascii"),
            "title": f"Therapy session note {session.session_date.isoformat()}",
        }}],
        "context": {"period": {"start": session.session_date.isoformat()}},
    }
    validated = DocumentReference.model_validate({k: v for k, v in resource.items() if v not in (None, [])})
    return json.loads(validated.model_dump_json(exclude_none=True))


def printable_html(session: Session) -> str:
    """A self-contained page to print or file: the signed note, who signed it, its amendments."""
    _require_signed(session)
    amendments = format_html_join(
        "", "<li>{} by {}: {}</li>",
        ((a.created_at.strftime("%Y-%m-%d %H:%M"), a.author.get_username(), a.reason)
         for a in session.amendments.all()),
    ) or format_html("<li>{}</li>", "none")
    signer = session.notes_signed_by.get_username() if session.notes_signed_by else ""
    signed_at = session.notes_signed_at.strftime("%Y-%m-%d %H:%M") if session.notes_signed_at else ""
    return str(format_html(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Session note</title>"
        "<style>body{{font:14px/1.5 sans-serif;max-width:46em;margin:2em auto}}</style></head><body>"
        "<h1>{} — session {} ({})</h1><p>Status: {}. Signed by {} at {}.</p><div>{}</div>"
        "<h2>Amendments</h2><ul>{}</ul></body></html>",
        session.patient.display_name, session.session_number, session.session_date.isoformat(),
        session.notes_status, signer, signed_at,
        mark_safe(linebreaks(session.notes, autoescape=True)),  # safe: linebreaks escaped the text
        amendments,
    ))
