"""DRF serializers: validation lives here so bad input is a 400 with field messages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sessions.models import (
    NOTE_FORMAT_CHOICES,
    AccessEvent,
    NoteJob,
    Patient,
    PatientErasure,
    Session,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from summarizer.formats import FORMAT_NAMES
from summarizer.risk_types import FAMILIES

FORMAT_HELP = ", ".join(f"{name} = {title}" for name, title in NOTE_FORMAT_CHOICES) + "."


class NoteFormatField(serializers.ChoiceField):
    """A note format name; an unknown one is a 400 that lists the valid ones."""

    default_error_messages = {
        "invalid_choice": f'"{{input}}" is not a note format. Valid formats: {", ".join(FORMAT_NAMES)}.',
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=NOTE_FORMAT_CHOICES, help_text=FORMAT_HELP, **kwargs)

MAX_ID = 2**63 - 1  # BigAutoField range: larger ids are a 400, not a database overflow


class StrictCharField(serializers.CharField):
    """A text field that refuses numbers/booleans instead of silently stringifying them."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A flag that takes JSON true/false (or "true"/"false" from a form), not 0, 1, "yes" or "on": the schema says
    boolean, and a client sending a number means something the API should not guess."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        self.fail("invalid", input=data)
        raise AssertionError("unreachable")  # self.fail raises


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
    }


class PatientSerializer(StrictModelSerializer):
    class Meta:
        model = Patient
        fields = ["id", "display_name", "external_reference", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


@extend_schema_field(OpenApiTypes.INT)
class OwnedPatientField(serializers.PrimaryKeyRelatedField):
    """A patient id that must belong to the requesting clinician (others' ids look nonexistent)."""

    def get_queryset(self) -> Any:
        return Patient.objects.filter(clinician=self.context["request"].user)


class NotesMetadataSerializer(serializers.Serializer):
    # Provenance is recorded by the server (Session.apply_ai_note / edit_notes): read-only everywhere.
    is_ai_generated = serializers.BooleanField(source="notes_is_ai_generated", read_only=True)
    edited_from_ai = serializers.BooleanField(source="notes_edited_from_ai", read_only=True)
    generated_at = serializers.DateTimeField(source="notes_generated_at", allow_null=True, read_only=True)
    last_edited_at = serializers.DateTimeField(source="notes_last_edited_at", allow_null=True, read_only=True)
    stale = serializers.BooleanField(
        source="notes_stale", read_only=True,
        help_text="The transcript was edited after these notes were made: regenerate them or confirm them "
                  "(POST /api/sessions/{id}/confirm-notes).",
    )
    attention_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    status = serializers.ChoiceField(
        source="notes_status", choices=Session.NotesStatus.choices, read_only=True,
        help_text="draft -> signed (POST .../sign; the text is frozen) -> amended (POST .../amend with a reason).",
    )
    signed_by = serializers.CharField(source="notes_signed_by.username", allow_null=True, read_only=True)
    signed_at = serializers.DateTimeField(source="notes_signed_at", allow_null=True, read_only=True)
    format = serializers.ChoiceField(source="notes_format", choices=NOTE_FORMAT_CHOICES, read_only=True,
                                     help_text="The layout of the notes: " + FORMAT_HELP)


class RiskFlagSerializer(serializers.Serializer):
    """One finding of the risk detector (summarizer/risk.py); the evidence is the patient's words."""

    category = serializers.CharField(help_text="e.g. suicidal_ideation_plan, self_harm, abuse, violence.")
    severity = serializers.CharField(help_text="moderate | high | critical.")
    evidence = serializers.CharField()
    current = serializers.BooleanField(help_text="False: history, someone else's, or denied.")
    source = serializers.CharField(help_text="lexicon | lexicon:<language> | screening | plan | act | classifier.")


class NoteAmendmentSerializer(serializers.Serializer):
    author = serializers.CharField(source="author.username", read_only=True)
    reason = serializers.CharField(read_only=True)
    previous_notes = serializers.CharField(read_only=True)
    notes = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class AmendNotesRequestSerializer(serializers.Serializer):
    notes = StrictCharField(allow_blank=False, max_length=settings.THERAPY_NOTES_MAX_TRANSCRIPT_CHARS)
    reason = StrictCharField(allow_blank=False, max_length=2000)


def _is_duplicate_session_number(exc: IntegrityError) -> bool:
    """Whether ``exc`` violates the one-number-per-patient constraint (PostgreSQL names the constraint;
    SQLite names its columns: "UNIQUE constraint failed: ..._session.patient_id, ..._session.session_number")."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    if name:
        return name == "unique_session_number_per_patient"
    message = str(exc)
    return "session.patient_id" in message and "session.session_number" in message


class SessionSerializer(StrictModelSerializer):
    patient = OwnedPatientField()
    original_transcription = StrictCharField(
        allow_blank=True, required=False, max_length=settings.THERAPY_NOTES_MAX_TRANSCRIPT_CHARS
    )
    notes_metadata = serializers.SerializerMethodField()
    needs_attention = serializers.BooleanField(read_only=True)
    risk_flags = RiskFlagSerializer(many=True, read_only=True)
    amendments = NoteAmendmentSerializer(many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "patient",
            "session_number",
            "session_date",
            "original_transcription",
            "notes",
            "notes_metadata",
            "amendments",
            "risk_flags",
            "needs_attention",
            "created_at",
            "updated_at",
        ]
        # Notes change only through PUT /notes (provenance) or a job.
        read_only_fields = ["id", "notes", "risk_flags", "created_at", "updated_at"]
        validators: list[Any] = []  # uniqueness is checked below with a field-level message

    @extend_schema_field(NotesMetadataSerializer)
    def get_notes_metadata(self, obj: Session) -> dict[str, Any]:
        return NotesMetadataSerializer(obj).data

    @staticmethod
    def _duplicate_number(number: Any) -> serializers.ValidationError:
        return serializers.ValidationError(
            {"session_number": [f"Session number {number} already exists for this patient."]}
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        patient = attrs.get("patient", getattr(self.instance, "patient", None))
        number = attrs.get("session_number", getattr(self.instance, "session_number", None))
        clash = Session.objects.filter(patient=patient, session_number=number)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise self._duplicate_number(number)
        return attrs

    def _save_unique(self, write: Any, *args: Any) -> Session:
        # The check above cannot see a concurrent request's insert that is not committed yet; the unique
        # constraint catches it at the insert, and that is the same 400, not a 500.
        try:
            with transaction.atomic():  # a savepoint: the caller's transaction stays usable
                return write(*args)
        except IntegrityError as exc:
            if not _is_duplicate_session_number(exc):
                raise
            number = args[-1].get("session_number", getattr(self.instance, "session_number", None))
            raise self._duplicate_number(number) from None

    def create(self, validated_data: dict[str, Any]) -> Session:
        return self._save_unique(super().create, validated_data)

    def update(self, instance: Session, validated_data: dict[str, Any]) -> Session:
        return self._save_unique(super().update, instance, validated_data)


class SessionNotesUpdateSerializer(serializers.Serializer):
    """Only the text: whether it is the model's and whether it was edited is derived by the server
    (``is_ai_generated``/``edited_from_ai`` in a request are ignored, like any read-only field)."""

    notes = StrictCharField(allow_blank=True, max_length=settings.THERAPY_NOTES_MAX_TRANSCRIPT_CHARS)


class GenerateNotesRequestSerializer(serializers.Serializer):
    regenerate = StrictBooleanField(required=False, default=False)
    format = NoteFormatField(required=False)  # absent: the clinician's default (GET /api/profile)


class ClinicianProfileSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username", read_only=True)
    note_format = NoteFormatField()


class SummarizeSessionsRequestSerializer(serializers.Serializer):
    patient_id = OwnedPatientField()
    session_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        allow_empty=False,
        max_length=settings.THERAPY_NOTES_MAX_SUMMARY_SESSIONS,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        patient: Patient = attrs["patient_id"]
        wanted = set(attrs.get("session_ids") or [])
        if wanted:
            found = set(patient.sessions.filter(pk__in=wanted).values_list("pk", flat=True))
            missing = sorted(wanted - found)
            if missing:
                raise serializers.ValidationError(
                    {"session_ids": [f"Sessions {missing} do not exist for this patient."]}
                )
        elif not patient.sessions.exists():
            raise serializers.ValidationError({"patient_id": ["This patient has no sessions to summarise."]})
        return attrs


class StatementEvidenceSerializer(serializers.Serializer):
    """One clause of the note and the transcript it rests on (summarizer/grounding.py)."""

    section = serializers.CharField()
    text = serializers.CharField(help_text="The clause as written in the note (markup stripped).")
    support = serializers.FloatField(help_text="Share of the clause's content words found in its evidence (0-1).")
    spans = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="[start, end) character offsets into the session's original_transcription.",
    )
    supported = serializers.BooleanField(help_text="False: removed from the note (see reason).")
    unsupported_numbers = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField(help_text=(
        "invented number | non-word | unsupported entity | unsupported risk claim | contradicts transcript | "
        "fragment | low support | empty when supported"))


class RiskScreeningSerializer(serializers.Serializer):
    performed = serializers.BooleanField(help_text="False: the transcript's language is not covered by the detector.")
    language = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    denied = serializers.ListField(
        child=serializers.ChoiceField(choices=list(FAMILIES)), required=False,
        help_text="Risk families the therapist asked about and the patient denied; the Risk section states them with "
                  "the patient's words. Never set beside a current risk or for a family with any finding.")


class CoverageChunkSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    start = serializers.IntegerField(help_text="Character offset into the stored transcript.")
    end = serializers.IntegerField()
    sentences = serializers.IntegerField(required=False)
    kept_sentences = serializers.IntegerField(allow_null=True)
    kept_spans = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()), required=False,
                                       help_text="[start, end) of each sentence the model read from this chunk.")


class CoverageSerializer(serializers.Serializer):
    """What the model read: the whole transcript, or chosen sentences from every chunk of a long one
    (`{}` for a multi-session summary, which reads the sessions' notes: see `sources`)."""

    strategy = serializers.ChoiceField(choices=["whole", "condensed"], required=False)
    transcript_tokens = serializers.IntegerField(required=False)
    budget_tokens = serializers.IntegerField(required=False)
    chunks = CoverageChunkSerializer(many=True, required=False)


class ModelIdentityResultSerializer(serializers.Serializer):
    """What produced the note (the job's model_identity, as the worker recorded it)."""

    model_file = serializers.CharField()
    model_sha256 = serializers.CharField()
    model_size_bytes = serializers.IntegerField()
    adapter_file = serializers.CharField(allow_null=True)
    adapter_sha256 = serializers.CharField(allow_null=True)
    prompt_version = serializers.CharField()
    registry_entry = serializers.CharField(required=False)


class NoteViolationSerializer(serializers.Serializer):
    """A structural problem the validator found (and repaired) in the model's note."""

    code = serializers.CharField(help_text="e.g. missing_section, empty_section, unclosed_marker.")
    message = serializers.CharField()
    section = serializers.CharField(allow_null=True, required=False)


class UnsupportedClaimSerializer(serializers.Serializer):
    section = serializers.CharField()
    text = serializers.CharField()
    reason = serializers.CharField(help_text=(
        "invented number | non-word | unsupported entity | unsupported risk claim | contradicts transcript | "
        "fragment | low support."))
    support = serializers.FloatField(required=False)


class JobResultSerializer(serializers.Serializer):
    """The result of a finished job: session-note fields, or summary fields for a multi-session summary."""

    generated_notes = serializers.CharField(required=False)
    summary = serializers.CharField(required=False)
    inference_time = serializers.FloatField()
    fallback = serializers.BooleanField()
    fallback_reason = serializers.CharField()
    risk_flags = RiskFlagSerializer(many=True)
    risk_screening = RiskScreeningSerializer(required=False)
    model = ModelIdentityResultSerializer(required=False)
    repaired = serializers.BooleanField(required=False, help_text="The validator repaired the model's note.")
    truncated_input = serializers.BooleanField(
        required=False, help_text="Always false (long transcripts are condensed, see coverage); kept for old clients.")
    violations = NoteViolationSerializer(many=True, required=False)
    needs_attention = serializers.BooleanField(required=False)
    attention_reasons = serializers.ListField(child=serializers.CharField(), required=False)
    safety_net_intervened = serializers.BooleanField()
    unsupported_risk_claims = serializers.ListField(child=serializers.CharField())
    removed_risk_text = serializers.ListField(child=serializers.CharField(), required=False)
    evidence = StatementEvidenceSerializer(many=True, required=False)
    unsupported_claims = UnsupportedClaimSerializer(many=True, required=False,
                                                    help_text="Statements removed from the note.")
    transcript_sha256 = serializers.CharField(required=False, help_text="Digest of the transcript the job read.")
    applied = serializers.BooleanField(required=False)
    pending_suggestion = serializers.BooleanField(required=False)
    stale = serializers.BooleanField(required=False, help_text="The transcript changed while the job ran.")
    message = serializers.CharField(required=False, help_text="Why the note was kept as a suggestion.")
    accepted_by = serializers.CharField(required=False, help_text="Who applied the kept suggestion.")
    accepted_at = serializers.DateTimeField(required=False)
    note_format = serializers.CharField(required=False, help_text="The layout of generated_notes: " + FORMAT_HELP)
    structured_note = serializers.CharField(required=False,
                                            help_text="The checked five-section note the format was rendered from.")
    coverage = CoverageSerializer(required=False)
    key_points = serializers.ListField(child=serializers.CharField(), required=False)
    session_count = serializers.IntegerField(required=False)
    sources = serializers.ListField(child=serializers.CharField(), required=False,
                                    help_text="Summary: per session, whether it was read from its notes or transcript.")
    total_text_length = serializers.IntegerField(required=False)


class JobParametersSerializer(serializers.Serializer):
    """What the job was asked to do."""

    regenerate = serializers.BooleanField(required=False)
    format = serializers.CharField(required=False, help_text="Session notes: the requested layout.")
    session_ids = serializers.ListField(child=serializers.IntegerField(), allow_null=True, required=False,
                                        help_text="Summary: the sessions asked for (null: all of the patient's).")


class ModelIdentitySerializer(serializers.Serializer):
    model_file = serializers.CharField()
    model_sha256 = serializers.CharField()
    adapter = serializers.CharField()
    registry_entry = serializers.CharField()
    prompt_version = serializers.CharField()


class JobProgressSerializer(serializers.Serializer):
    """Where a running job is, e.g. {"phase": "writing the note", "step": 2, "steps": 4}; {} before it starts."""

    phase = serializers.CharField(required=False)
    step = serializers.IntegerField(required=False)
    steps = serializers.IntegerField(required=False)
    detail = serializers.CharField(required=False, help_text="e.g. '7 chunks condensed', '5 sessions'.")


class NoteJobSerializer(serializers.ModelSerializer):
    progress = JobProgressSerializer(read_only=True)
    parameters = JobParametersSerializer(read_only=True)
    poll_url = serializers.SerializerMethodField()
    model_identity = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = NoteJob
        fields = [
            "id",
            "kind",
            "status",
            "session",
            "patient",
            "parameters",
            "result",
            "progress",
            "error_message",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "model_identity",
            "prompt_tokens",
            "completion_tokens",
            "inference_seconds",
            "poll_url",
        ]
        read_only_fields = fields

    def get_poll_url(self, obj: NoteJob) -> str:
        path = reverse("job-detail", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(JobResultSerializer(allow_null=True))
    def get_result(self, obj: NoteJob) -> dict[str, Any] | None:
        return obj.result

    @extend_schema_field(ModelIdentitySerializer)
    def get_model_identity(self, obj: NoteJob) -> dict[str, str]:
        return {
            "model_file": obj.model_file,
            "model_sha256": obj.model_sha256,
            "adapter": obj.model_adapter,
            "registry_entry": obj.model_entry,
            "prompt_version": obj.prompt_version,
        }


class AccessEventSerializer(serializers.ModelSerializer):
    """An entry of the read audit (its fields are also the CSV export's columns)."""

    class Meta:
        model = AccessEvent
        fields = ["id", "at", "actor_id", "actor_username", "object_type", "object_id", "patient_id", "channel",
                  "method", "endpoint", "client_address"]
WEBHOOK_URL_SCHEMES = ["http", "https"]


class HttpURLField(serializers.URLField):
    """An http or https URL (DRF's URLField also takes ftp)."""

    default_error_messages = {"invalid": "Enter a valid http or https URL."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, URLValidator)]
        self.validators.append(URLValidator(schemes=WEBHOOK_URL_SCHEMES, message=self.error_messages["invalid"]))


class WebhookSubscriptionSerializer(StrictModelSerializer):
    """A clinician's webhook endpoint. Its signing secret is made by the server and shown only in the answers
    to create and rotate-secret."""

    url = HttpURLField(max_length=500, help_text="http(s) URL that receives a signed POST for each event.")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False, required=False,
        max_length=len(WebhookEvent.choices),
        help_text="The events to send (default: all). job.needs_attention comes with job.succeeded when the "
                  "note needs a clinician's look (a current risk, an unconfirmed risk claim...).",
    )
    include_content = StrictBooleanField(
        required=False, default=False,
        help_text="Send the note (or summary) text, the risk evidence and the error message in the payload. "
                  "False: ids, statuses and flags only.",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "event_types", "active", "include_content", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_event_types(self, value: list[str]) -> list[str]:
        return sorted(set(value))  # a set: each event is sent once

    def create(self, validated_data: dict[str, Any]) -> WebhookSubscription:
        validated_data.setdefault("event_types", sorted(WebhookEvent.values))
        return super().create(validated_data)


class WebhookSubscriptionWithSecretSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret: shown now only, keep it on the receiver (the rotate-secret "
                                  "action makes a new one).")

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookSubscriptionSerializer.Meta.read_only_fields, "secret"]


class WebhookAttemptSerializer(serializers.Serializer):
    attempt = serializers.IntegerField()
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True, help_text="The receiver's HTTP status; null when "
                                                                      "no answer came (timeout, refused).")
    error = serializers.CharField(allow_blank=True)
    seconds = serializers.FloatField()


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One event sent (or being sent) to a subscription, with each attempt. The payload is what was signed."""

    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)
    payload = serializers.JSONField(read_only=True, help_text="The body as sent (see the README's Webhooks).")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "job", "status", "attempts", "last_status_code", "last_error", "next_attempt_at",
                  "created_at", "delivered_at", "attempt_log", "payload"]
        read_only_fields = fields


class PatientErasureRequestSerializer(serializers.Serializer):
    """An erasure request: why (recorded), and the patient's id typed again as the confirmation."""

    reason = StrictCharField(allow_blank=False, max_length=2000, help_text="Why (e.g. the patient's written request "
                             "of 2026-12-01); recorded in the erasure record.")
    confirm = serializers.IntegerField(help_text="The patient's id again: the confirmation that this patient's "
                                                 "clinical text is to be erased.")
    retention_override_reason = StrictCharField(
        required=False, allow_blank=False, max_length=2000,
        help_text="Erase signed notes still under THERAPY_NOTES_SIGNED_NOTE_RETENTION_DAYS too, for this reason. "
                  "Absent: those sessions are kept whole and listed in retained_sessions.")

    def validate_confirm(self, value: int) -> int:
        expected = self.context["patient"].pk
        if value != expected:
            raise serializers.ValidationError(f"Type the patient's id ({expected}) to confirm the erasure.")
        return value


class PatientErasureSerializer(serializers.ModelSerializer):
    """What an erasure did (the append-only record): counts of what was cleared, and what was kept."""

    message = serializers.SerializerMethodField()

    class Meta:
        model = PatientErasure
        fields = ["id", "at", "actor_username", "patient_id", "channel", "reason", "retention_override_reason",
                  "counts", "retained_sessions", "message"]
        read_only_fields = fields

    def get_message(self, obj: PatientErasure) -> str:
        if not obj.retained_sessions:
            return "The patient's clinical text was erased everywhere; the patient's name was replaced."
        ids = ", ".join(str(item["session"]) for item in obj.retained_sessions)
        return (f"Erased, except {len(obj.retained_sessions)} session(s) with signed notes still under the retention "
                f"period ({ids}: see retained_until), kept whole with the patient's name. Erase them too with a "
                "retention_override_reason.")
