"""Export of signed notes (issue 14, part 4): a FHIR DocumentReference that validates with
fhir.resources, and a printable page; drafts are a 409, another clinician's session a 404."""

from __future__ import annotations

import base64

import pytest

from tests.errors import error_code

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "**Chief Complaint:** Work stress <script>alert(1)</script>.\n**Plan:** Review next week."


def _signed(api, session) -> None:
    api.put(f"/api/sessions/{session.pk}/notes", {"notes": NOTE}, format="json")
    assert api.post(f"/api/sessions/{session.pk}/sign").status_code == 200


def test_fhir_export_of_a_signed_note_validates_and_carries_patient_author_and_text(api, clinician, session) -> None:
    from fhir.resources.R4B.documentreference import DocumentReference

    _signed(api, session)
    response = api.get(f"/api/sessions/{session.pk}/export/fhir")
    assert response.status_code == 200
    body = response.json()
    DocumentReference.model_validate(body)  # raises if the resource is not valid FHIR
    assert body["resourceType"] == "DocumentReference" and body["docStatus"] == "final"
    assert body["subject"]["reference"] == f"Patient/{session.patient_id}"
    assert body["author"][0]["display"] == clinician.username
    assert base64.b64decode(body["content"][0]["attachment"]["data"]).decode() == NOTE
    api.post(f"/api/sessions/{session.pk}/amend", {"notes": NOTE + " Amended.", "reason": "typo"}, format="json")
    assert api.get(f"/api/sessions/{session.pk}/export/fhir").json()["docStatus"] == "amended"


def test_printable_page_escapes_the_note_and_lists_amendments(api, session) -> None:
    _signed(api, session)
    api.post(f"/api/sessions/{session.pk}/amend", {"notes": NOTE, "reason": "added <b>context</b>"}, format="json")
    page = api.get(f"/api/sessions/{session.pk}/export/html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "added &lt;b&gt;context&lt;/b&gt;" in html and "Status: amended" in html


def test_drafts_are_not_exported_and_other_clinicians_get_404(api, other_api, session) -> None:
    api.put(f"/api/sessions/{session.pk}/notes", {"notes": NOTE}, format="json")
    for kind in ("fhir", "html"):
        draft = api.get(f"/api/sessions/{session.pk}/export/{kind}")
        assert draft.status_code == 409 and error_code(draft) == "not_signed"
        assert other_api.get(f"/api/sessions/{session.pk}/export/{kind}").status_code == 404
