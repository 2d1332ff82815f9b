"""Patients, sessions with AI-provenance fields, and the database job record.

The NoteJob table is the source of truth for work: the broker only carries job ids,
so a broker that loses its data loses no jobs (the reconciler re-enqueues them).
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


def transcript_digest(transcript: str) -> str:
    """The version of a transcript: a note records the digest of the transcript it describes."""
    return hashlib.sha256(transcript.encode("utf-8")).hexdigest()


class Patient(models.Model):
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patients")
    display_name = models.CharField(max_length=200)
    external_reference = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name


class Session(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sessions")
    session_number = models.PositiveIntegerField()
    session_date = models.DateField()
    original_transcription = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="")
    notes_is_ai_generated = models.BooleanField(default=False)
    notes_edited_from_ai = models.BooleanField(default=False)
    notes_generated_at = models.DateTimeField(null=True, blank=True)
    notes_last_edited_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every write to notes; a job compares it to detect edits made while it ran.
    notes_version = models.PositiveIntegerField(default=0)
    risk_flags = models.JSONField(default=list, blank=True)
    # Why the last AI note needs a clinician beyond its risk flags ("unconfirmed_risk_claim",
    # "risk_screening_not_performed", "no speech content").
    attention_reasons = models.JSONField(default=list, blank=True)
    # Digest of the transcript the current notes describe; a transcript edited since makes them stale.
    notes_transcript_sha256 = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Audit trail: every change to notes and provenance (who, when, before/after).
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["patient_id", "session_number"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "session_number"], name="unique_session_number_per_patient")
        ]

    def __str__(self) -> str:
        return f"{self.patient} #{self.session_number} ({self.session_date})"

    @property
    def transcript_sha256(self) -> str:
        return transcript_digest(self.original_transcription)

    @property
    def notes_stale(self) -> bool:
        """The notes were made from (or confirmed against) another version of the transcript."""
        return bool(self.notes.strip() and self.notes_transcript_sha256
                    and self.notes_transcript_sha256 != self.transcript_sha256)

    @property
    def needs_attention(self) -> bool:
        return bool(self.risk_flags or self.attention_reasons or self.notes_stale)


class NoteJob(models.Model):
    class Kind(models.TextChoices):
        SESSION_NOTE = "session_note", "Session note"
        MULTI_SESSION_SUMMARY = "multi_session_summary", "Multi-session summary"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    FINAL_STATUSES = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="note_jobs")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs")
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs")
    parameters = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error_message = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    # notes_version of the target session when the job was submitted (edit detection).
    base_notes_version = models.PositiveIntegerField(null=True, blank=True)
    # Digest of the transcript the job read: a different one at write time makes the result stale.
    transcript_sha256 = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    model_file = models.CharField(max_length=255, blank=True, default="")
    model_sha256 = models.CharField(max_length=64, blank=True, default="")
    model_adapter = models.CharField(max_length=255, blank=True, default="")
    # models/manifest.json entry that produced the note ("" when the model was chosen by path).
    model_entry = models.CharField(max_length=100, blank=True, default="")
    prompt_version = models.CharField(max_length=32, blank=True, default="")
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    inference_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinician", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="unique_idempotency_key_per_clinician",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES
