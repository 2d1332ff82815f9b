"""manage.py export_training_data (issue 14, part 5): off by default; on, only signed notes of
clinicians who opted in, as a corpus CSV the training loader reads."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from sessions.models import Patient, Session
from tests.conftest import SAMPLE_TRANSCRIPT

pytestmark = pytest.mark.django_db


def _session(clinician, number: int, notes: str, sign: bool) -> Session:
    patient = Patient.objects.create(clinician=clinician, display_name=f"P{number}")
    session = Session.objects.create(patient=patient, session_number=1, session_date=date(2026, 11, number),
                                     original_transcription=SAMPLE_TRANSCRIPT)
    session.edit_notes(notes)
    if sign:
        session.sign_notes(clinician)
    return session


def test_the_export_is_off_unless_enabled(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="THERAPY_NOTES_TRAINING_EXPORT=1"):
        call_command("export_training_data", "--output", str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


def test_only_signed_notes_of_opted_in_clinicians_are_exported(settings, tmp_path: Path, clinician,
                                                               other_clinician) -> None:
    from training.dataset import DatasetLoader

    settings.THERAPY_NOTES_TRAINING_EXPORT = True
    clinician.groups.add(Group.objects.create(name=settings.THERAPY_NOTES_TRAINING_OPT_IN_GROUP))
    _session(clinician, 1, "**Chief Complaint:** Signed and opted in, exported.", sign=True)
    _session(clinician, 2, "**Chief Complaint:** A draft, not exported.", sign=False)
    _session(other_clinician, 3, "**Chief Complaint:** Signed but never opted in.", sign=True)
    out = io.StringIO()
    call_command("export_training_data", "--output", str(tmp_path / "practice.csv"), stdout=out)
    assert "wrote 1 signed note(s)" in out.getvalue()
    loaded = DatasetLoader().load([tmp_path / "practice.csv"])
    assert [e.summary for e in loaded.examples] == ["**Chief Complaint:** Signed and opted in, exported."]
