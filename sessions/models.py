"""Patients, sessions with AI-provenance fields, and the database job record.

The NoteJob table is the source of truth for work: the broker only carries job ids,
so a broker that loses its data loses no jobs (the reconciler re-enqueues them).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sessions.encrypted_fields import EncryptedJSONField, EncryptedTextField
from sessions.webhook_signing import new_secret
from summarizer.formats import DEFAULT_FORMAT, NOTE_FORMATS
from summarizer.risk_reconcile import CURRENT_RISK_REASON

NOTE_FORMAT_CHOICES = [(fmt.name, fmt.title) for fmt in NOTE_FORMATS.values()]


class InvalidJobTransitionError(Exception):
    """A job was asked to move to a status its current status does not allow."""


class NoNotesError(Exception):
    """There are no notes to confirm or sign."""


class NotesLockedError(Exception):
    """Signed notes change only through an amendment with a reason."""


class NotesNotSignedError(Exception):
    """Only signed notes can be amended or exported: a draft is not the record."""


def transcript_digest(transcript: str) -> str:
    """The version of a transcript: a note records the digest of the transcript it describes."""
    return hashlib.sha256(transcript.encode("utf-8")).hexdigest()


class ClinicianProfile(models.Model):
    """A clinician's preferences: the note format their notes are written in unless a request says otherwise."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician_profile")
    note_format = models.CharField(max_length=16, choices=NOTE_FORMAT_CHOICES, default=DEFAULT_FORMAT)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of {self.user}"


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
    class NotesStatus(models.TextChoices):
        DRAFT = "draft", "Draft"  # AI or hand-written, still being reviewed
        SIGNED = "signed", "Signed"  # approved by a clinician: the text is frozen
        AMENDED = "amended", "Amended"  # signed, then changed through an amendment with a reason

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sessions")
    session_number = models.PositiveIntegerField()
    session_date = models.DateField()
    # Clinical text is encrypted at rest (sessions/encrypted_fields.py, keys in settings.FERNET_KEYS), here
    # and in the history table: no lookup, filter or ordering on it reaches the database (they raise FieldError).
    original_transcription = EncryptedTextField(blank=True, default="")
    notes = EncryptedTextField(blank=True, default="")
    notes_is_ai_generated = models.BooleanField(default=False)
    notes_edited_from_ai = models.BooleanField(default=False)
    notes_generated_at = models.DateTimeField(null=True, blank=True)
    notes_last_edited_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every write to notes; a job compares it to detect edits made while it ran.
    notes_version = models.PositiveIntegerField(default=0)
    # Each flag's evidence is the patient's words: encrypted like the transcript.
    risk_flags = EncryptedJSONField(default=list, blank=True)
    # Why the last AI note needs a clinician beyond its risk flags ("unconfirmed_risk_claim",
    # "risk_screening_not_performed", "no speech content").
    attention_reasons = models.JSONField(default=list, blank=True)
    # Digest of the transcript the current notes describe; a transcript edited since makes them stale.
    notes_transcript_sha256 = models.CharField(max_length=64, blank=True, default="")
    notes_status = models.CharField(max_length=16, choices=NotesStatus.choices, default=NotesStatus.DRAFT)
    notes_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="signed_sessions")
    notes_signed_at = models.DateTimeField(null=True, blank=True)
    # The layout of the notes (summarizer/formats.py): every format is rendered from the same checked note.
    notes_format = models.CharField(max_length=16, choices=NOTE_FORMAT_CHOICES, default=DEFAULT_FORMAT)
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

    # State changes of the notes. Callers hold the row lock (services / job execution); these save.

    @property
    def notes_locked(self) -> bool:
        return self.notes_status != self.NotesStatus.DRAFT

    def _write_notes(self, notes: str) -> None:
        # The one place notes_version moves: a job compares it to detect an edit made while it ran.
        self.notes = notes
        self.notes_version += 1

    def ai_note_conflict(self, job: NoteJob) -> str | None:
        """Why ``job``'s note must not be applied: "signed" (the notes were signed: never overwritten),
        "stale" (the transcript changed since the job read it), "edited" (a clinician edited the notes
        while it ran), or None."""
        if self.notes_locked:
            return "signed"
        if job.transcript_sha256 and self.transcript_sha256 != job.transcript_sha256:
            return "stale"
        if self.notes_version != job.base_notes_version:
            return "edited"
        return None

    def apply_ai_note(
        self, notes: str, *, job: NoteJob, risk_flags: list[dict[str, Any]], attention_reasons: list[str],
        note_format: str = DEFAULT_FORMAT,
    ) -> None:
        self._write_notes(notes)
        self.notes_format = note_format
        self.notes_is_ai_generated = True
        self.notes_edited_from_ai = False
        self.notes_generated_at = timezone.now()
        self.notes_last_edited_at = None
        self.risk_flags = risk_flags
        # A current risk is already in risk_flags: store the other reasons a clinician must look.
        self.attention_reasons = [r for r in attention_reasons if r != CURRENT_RISK_REASON]
        self.notes_transcript_sha256 = job.transcript_sha256
        self._change_reason = f"AI note from job {job.pk}"  # shown in the audit history
        self.save()

    def edit_notes(self, notes: str) -> None:
        """A clinician's edit of a draft. Changing AI notes marks them edited_from_ai and stamps the edit time.

        Provenance (is_ai_generated, edited_from_ai, generated_at) is derived here and in apply_ai_note
        from what happened, never taken from the caller: a client cannot pass hand-written text off as
        the model's, nor an edited AI note as an unedited one."""
        if notes != self.notes and self.notes_locked:
            raise NotesLockedError("These notes are signed; change them with an amendment "
                                   "(POST /api/sessions/{id}/amend with notes and a reason).")
        if notes != self.notes:
            if self.notes_is_ai_generated:
                self.notes_edited_from_ai = True
            self._write_notes(notes)
            self.notes_last_edited_at = timezone.now()
            # The clinician wrote these notes against the transcript as it is now.
            self.notes_transcript_sha256 = self.transcript_sha256
        self.save()

    def sign_notes(self, user: Any) -> None:
        """The clinician approves the draft: it becomes the record, frozen."""
        if not self.notes.strip():
            raise NoNotesError("This session has no notes to sign.")
        if self.notes_locked:
            raise NotesLockedError(f"These notes are already {self.notes_status}.")
        self.notes_status = self.NotesStatus.SIGNED
        self.notes_signed_by = user
        self.notes_signed_at = timezone.now()
        self._change_reason = "Notes signed"
        self.save()

    def amend_notes(self, user: Any, notes: str, reason: str) -> NoteAmendment:
        """Change signed notes: the signed text before the change stays readable in the amendment."""
        if not self.notes_locked:
            raise NotesNotSignedError("Only signed notes are amended; edit the draft instead (PUT .../notes).")
        amendment = NoteAmendment.objects.create(session=self, author=user, reason=reason,
                                                 previous_notes=self.notes, notes=notes)
        self._write_notes(notes)
        self.notes_status = self.NotesStatus.AMENDED
        self.notes_last_edited_at = timezone.now()
        self.notes_edited_from_ai = self.notes_edited_from_ai or self.notes_is_ai_generated
        self.notes_transcript_sha256 = self.transcript_sha256
        # The reason is kept (encrypted) on the amendment; the history's change reason column is plaintext.
        self._change_reason = f"Notes amended (amendment {amendment.pk})"
        self.save()
        return amendment

    def confirm_notes(self) -> None:
        """The clinician confirms that the notes still describe the (edited) transcript: no longer stale."""
        if not self.notes.strip():
            raise NoNotesError("This session has no notes to confirm.")
        self.notes_transcript_sha256 = self.transcript_sha256
        self._change_reason = "Notes confirmed against the current transcript"
        self.save(update_fields=["notes_transcript_sha256", "updated_at"])


class NoteAmendment(models.Model):
    """One change to signed notes: who, when, why, and the text before and after."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="note_amendments")
    reason = EncryptedTextField()
    previous_notes = EncryptedTextField()
    notes = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"Amendment of {self.session} at {self.created_at}"


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
    # Every status change there is; the methods below are the only code that assigns ``status``.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.QUEUED: frozenset({Status.RUNNING, Status.FAILED, Status.CANCELLED}),
        # Running again: a message redelivered after its worker was lost claims it anew (a new attempt).
        # Back to queued: the reconciler re-sends a job whose worker is gone.
        Status.RUNNING: frozenset({Status.RUNNING, Status.SUCCEEDED, Status.FAILED, Status.QUEUED}),
        Status.SUCCEEDED: frozenset(),
        Status.FAILED: frozenset(),
        Status.CANCELLED: frozenset(),
    }
    # What a succeeded job records about how its result was made (succeed()'s keyword arguments).
    PROVENANCE_FIELDS = ("model_file", "model_sha256", "model_adapter", "model_entry", "prompt_version",
                         "prompt_tokens", "completion_tokens", "inference_seconds", "transcript_sha256")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="note_jobs")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs")
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs")
    parameters = models.JSONField(default=dict, blank=True)  # format, regenerate, session ids: no clinical text
    # The note, its evidence (transcript quotes), the risk flags: encrypted. No JSON key lookups on it
    # (``result__applied``): the selectors read it in Python (sessions/selectors.py).
    result = EncryptedJSONField(null=True, blank=True)
    # Where a running job is: {"phase", "step", "steps", "detail"?}; a frontend shows it as a progress bar.
    progress = models.JSONField(default=dict, blank=True)
    # An exception's message can quote the transcript: encrypted.
    error_message = EncryptedTextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    # sha256 of the request that used the key (method, path, canonical body, user): the same key on a
    # different request is refused instead of answered with this job ("" on jobs from before it existed).
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="")
    # notes_version of the target session when the job was submitted (edit detection).
    base_notes_version = models.PositiveIntegerField(null=True, blank=True)
    # Digest of the transcript the job read: a different one at write time makes the result stale.
    transcript_sha256 = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The worker process (host:pid, its heartbeat key in workers/metrics.py) that claimed the job last:
    # a running job whose claimant's heartbeat is gone died with it and is taken back by the reconciler,
    # and only the current claimant may write the job's outcome.
    claimed_by = models.CharField(max_length=255, blank=True, default="")
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

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    def _move(self, status: str, **fields: Any) -> None:
        if not self.can_become(status):
            raise InvalidJobTransitionError(f"A {self.status} job cannot become {status}.")
        self.status = status
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=["status", *fields])

    # Callers hold the row lock (select_for_update); each method checks the table above and saves.

    def start(self, worker: str = "") -> None:
        """A worker claimed it: counts the attempt and records who has it (``host:pid``)."""
        self._move(self.Status.RUNNING, attempts=self.attempts + 1, started_at=timezone.now(), claimed_by=worker)

    def succeed(self, result: dict[str, Any], **provenance: Any) -> None:
        unknown = set(provenance) - set(self.PROVENANCE_FIELDS)
        if unknown:
            raise TypeError(f"not provenance fields: {sorted(unknown)}")
        self._move(self.Status.SUCCEEDED, result=result, error_message="", finished_at=timezone.now(), **provenance)

    def fail(self, message: str) -> None:
        self._move(self.Status.FAILED, error_message=message, finished_at=timezone.now())

    def cancel(self) -> None:
        self._move(self.Status.CANCELLED, error_message="Cancelled by the clinician.", finished_at=timezone.now())

    @property
    def is_pending_suggestion(self) -> bool:
        return self.status == self.Status.SUCCEEDED and bool((self.result or {}).get("pending_suggestion"))

    def mark_suggestion_applied(self, user: Any) -> None:
        """A clinician accepted the kept output: it is now the session's notes."""
        self.result = {**(self.result or {}), "applied": True, "pending_suggestion": False,
                       "accepted_by": user.get_username(), "accepted_at": timezone.now().isoformat()}
        self.save(update_fields=["result"])

    def requeue(self) -> None:
        """The worker running it is gone; the next claim counts a fresh attempt. ``claimed_by`` keeps the
        lost claimant until then (which process the job was lost with)."""
        self._move(self.Status.QUEUED)


class AppendOnlyModel(models.Model):
    """A record that is only ever added: saving it again or deleting it one by one raises ``append_only_error``
    with the model's own message (bulk pruning by a queryset, where a retention allows it, is not stopped)."""

    append_only_error: ClassVar[type[Exception]]
    changed_message: ClassVar[str]
    deleted_message: ClassVar[str]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise self.append_only_error(self.changed_message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise self.append_only_error(self.deleted_message)


class AccessLogIsAppendOnlyError(Exception):
    """An access log entry was about to be changed or deleted one by one: entries are only ever added
    (and pruned past the retention by ``manage.py prune_access_log``)."""


class AccessEvent(AppendOnlyModel):
    """One read of a patient, a session, a note or a job by a user: the read audit (sessions/access_log.py).

    Append-only, and never clinical text: ids, the username, the request's method and path, the client's
    address. No foreign keys: an entry outlives the user and the record it names, and nothing that
    happens to them (a deletion, an erasure) cascades into the log."""

    class ObjectType(models.TextChoices):
        PATIENT = "patient", "Patient"
        SESSION = "session", "Session"  # its transcript and notes
        NOTE = "note", "Note"  # a note on its own (the exports)
        JOB = "job", "Job"  # a job's record, whose result holds a note

    class Channel(models.TextChoices):
        API = "api", "API"
        ADMIN = "admin", "Admin"
        REVIEW = "review", "Review screen"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)  # the user's pk when the read happened
    actor_username = models.CharField(max_length=150)
    object_type = models.CharField(max_length=16, choices=ObjectType.choices)
    object_id = models.CharField(max_length=64)
    # The patient the record belongs to: "who read anything about this patient" is one query.
    patient_id = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    method = models.CharField(max_length=8)
    endpoint = models.CharField(max_length=255)  # the path, never the query string (an admin search is a name)
    client_address = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["patient_id", "at"]),
            models.Index(fields=["actor_id", "at"]),
        ]

    append_only_error = AccessLogIsAppendOnlyError
    changed_message = "Access log entries are never changed."
    deleted_message = "Access log entries leave only by pruning past the retention."

    def __str__(self) -> str:
        return f"{self.actor_username} read {self.object_type} {self.object_id} at {self.at}"


class ErasureRecordIsAppendOnlyError(Exception):
    """An erasure record was about to be changed or deleted: the record that an erasure happened stays."""


class PatientErasure(AppendOnlyModel):
    """That a patient's clinical text was erased: who, when, why, through which channel, how many records
    of each kind were cleared, and which sessions were kept under the signed-note retention.

    Append-only (like AccessEvent) and without foreign keys: it outlives what it describes. It holds no
    clinical text: ids, counts, dates; the reasons are the operator's words, encrypted like the notes."""

    class Channel(models.TextChoices):
        COMMAND = "command", "Management command"
        API = "api", "API"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150)
    patient_id = models.BigIntegerField(db_index=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    reason = EncryptedTextField()
    # Given when signed notes still under retention were erased too ("" when none were, or none were due).
    retention_override_reason = EncryptedTextField(blank=True, default="")
    counts = models.JSONField(default=dict)  # {"sessions": n, "session_history_rows": n, ...}
    # [{"session": id, "signed_at": iso, "retained_until": iso}]: left whole under the retention.
    retained_sessions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    append_only_error = ErasureRecordIsAppendOnlyError
    changed_message = "Erasure records are never changed."
    deleted_message = "Erasure records are never deleted."

    def __str__(self) -> str:
        return f"erasure of patient {self.patient_id} by {self.actor_username} at {self.at}"


class WebhookEvent(models.TextChoices):
    """What a webhook subscription can be told: a job reached a final status, or its note needs a clinician's
    look (sent with ``job.succeeded``, for a subscriber that wants only those)."""

    JOB_SUCCEEDED = "job.succeeded", "Job succeeded"
    JOB_FAILED = "job.failed", "Job failed"
    JOB_CANCELLED = "job.cancelled", "Job cancelled"
    JOB_NEEDS_ATTENTION = "job.needs_attention", "Job's note needs attention"


_FINAL_STATUS_EVENTS = {
    NoteJob.Status.SUCCEEDED: WebhookEvent.JOB_SUCCEEDED,
    NoteJob.Status.FAILED: WebhookEvent.JOB_FAILED,
    NoteJob.Status.CANCELLED: WebhookEvent.JOB_CANCELLED,
}


def job_events(job: NoteJob) -> list[str]:
    """The events ``job``'s current status announces (none while it is queued or running)."""
    event = _FINAL_STATUS_EVENTS.get(job.status)
    if event is None:
        return []
    events = [str(event)]
    if job.status == NoteJob.Status.SUCCEEDED and (job.result or {}).get("needs_attention"):
        events.append(str(WebhookEvent.JOB_NEEDS_ATTENTION))
    return events


class WebhookSubscription(models.Model):
    """A clinician's endpoint that is told when their jobs finish, with deliveries signed by ``secret``."""

    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="webhook_subscriptions")
    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    # False: payloads carry ids, statuses and flags only, never a transcript's or a note's words.
    include_content = models.BooleanField(default=False)
    # Kept as it is (not hashed): every delivery is signed with it. Shown to the clinician on create and rotate.
    secret = models.CharField(max_length=100, default=new_secret)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} of {self.clinician} -> {self.url}"

    def wants(self, event: str) -> bool:
        return self.active and event in self.event_types

    def rotate_secret(self) -> None:
        """A new secret from now on: retries still pending are signed with it when they are sent."""
        self.secret = new_secret()
        self.save(update_fields=["secret", "updated_at"])


class WebhookDelivery(models.Model):
    """The outbox: one event for one subscription, written in the transaction that finished the job, then
    sent (and retried) by a worker. The row, not the broker message, is the source of truth: the reconciler
    re-sends a pending delivery whose message was lost."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # not sent yet, or failed and waiting for its next attempt
        SUCCEEDED = "succeeded", "Succeeded"  # the receiver answered 2xx
        FAILED = "failed", "Failed"  # gave up: attempts exhausted, or the subscription was switched off

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # the delivery id header
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    job = models.ForeignKey(NoteJob, on_delete=models.CASCADE, related_name="webhook_deliveries")
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    # With include_content the note and the risk evidence: encrypted.
    payload = EncryptedJSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    # Transport errors and statuses only ("HTTP 500", "ReadTimeout: ..."): the receiver's body is never read.
    last_error = models.CharField(max_length=300, blank=True, default="")
    # One entry per attempt: {"attempt", "at", "status_code", "error", "seconds"}.
    attempt_log = models.JSONField(default=list, blank=True)
    # When the next attempt is due (while an attempt is being sent: when it is presumed lost); null once final.
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "webhook deliveries"  # Django's default would be "webhook deliverys"
        constraints = [
            # A job finishes once: a repeated outbox write for the same event is refused, not sent twice.
            models.UniqueConstraint(fields=["subscription", "job", "event"], name="unique_webhook_event_per_job"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.pk} ({self.status})"

    # Callers hold the row lock (select_for_update); each method saves.

    def claim(self, now: datetime, *, lease_seconds: float, early_seconds: float) -> bool:
        """Start an attempt if one is due (``early_seconds`` allows for clocks a little apart): counts it and
        moves the due time past the attempt, so a duplicate message finds nothing to do."""
        due = self.next_attempt_at is not None and self.next_attempt_at <= now + timedelta(seconds=early_seconds)
        if self.status != self.Status.PENDING or not due:
            return False
        self.attempts += 1
        self.next_attempt_at = now + timedelta(seconds=lease_seconds)
        self.save(update_fields=["attempts", "next_attempt_at"])
        return True

    def record_attempt(self, now: datetime, *, status_code: int | None, error: str, seconds: float,
                       max_attempts: int, retry_delay: float) -> bool:
        """The outcome of the attempt just made. True when another attempt is due in ``retry_delay`` seconds."""
        self.attempt_log = [*self.attempt_log, {"attempt": self.attempts, "at": now.isoformat(),
                                                "status_code": status_code, "error": error,
                                                "seconds": round(seconds, 3)}]
        self.last_status_code = status_code
        self.last_error = error[:300]
        retry = False
        if status_code is not None and 200 <= status_code < 300:
            self.status, self.delivered_at, self.next_attempt_at = self.Status.SUCCEEDED, now, None
        elif self.attempts >= max_attempts:
            self.status, self.next_attempt_at = self.Status.FAILED, None
        else:
            self.next_attempt_at, retry = now + timedelta(seconds=retry_delay), True
        self.save(update_fields=["attempt_log", "last_status_code", "last_error", "status", "delivered_at",
                                 "next_attempt_at"])
        return retry

    def abandon(self, reason: str) -> None:
        """Give up without sending (the subscription was switched off)."""
        self.status, self.next_attempt_at, self.last_error = self.Status.FAILED, None, reason[:300]
        self.save(update_fields=["status", "next_attempt_at", "last_error"])
