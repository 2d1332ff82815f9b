"""DRF serializers: validation lives here so bad input is a 400 with field messages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sessions.models import NoteJob, Patient, Session

MAX_ID = 2**63 - 1  # BigAutoField range: larger ids are a 400, not a database overflow


class StrictCharField(serializers.CharField):
    """A text field that refuses numbers/booleans instead of silently stringifying them."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
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
    is_ai_generated = serializers.BooleanField(source="notes_is_ai_generated")
    edited_from_ai = serializers.BooleanField(source="notes_edited_from_ai")
    generated_at = serializers.DateTimeField(source="notes_generated_at", allow_null=True)
    last_edited_at = serializers.DateTimeField(source="notes_last_edited_at", allow_null=True)
    stale = serializers.BooleanField(
        source="notes_stale",
        help_text="The transcript was edited after these notes were made: regenerate them or confirm them "
                  "(POST /api/sessions/{id}/confirm-notes).",
    )
    attention_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)


class SessionSerializer(StrictModelSerializer):
    patient = OwnedPatientField()
    original_transcription = StrictCharField(
        allow_blank=True, required=False, max_length=settings.THERAPY_NOTES_MAX_TRANSCRIPT_CHARS
    )
    notes_metadata = serializers.SerializerMethodField()
    needs_attention = serializers.BooleanField(read_only=True)

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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        patient = attrs.get("patient", getattr(self.instance, "patient", None))
        number = attrs.get("session_number", getattr(self.instance, "session_number", None))
        clash = Session.objects.filter(patient=patient, session_number=number)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"session_number": [f"Session number {number} already exists for this patient."]}
            )
        return attrs


class SessionNotesUpdateSerializer(serializers.Serializer):
    notes = StrictCharField(allow_blank=True, max_length=settings.THERAPY_NOTES_MAX_TRANSCRIPT_CHARS)
    is_ai_generated = serializers.BooleanField(required=False)
    edited_from_ai = serializers.BooleanField(required=False)


class GenerateNotesRequestSerializer(serializers.Serializer):
    regenerate = serializers.BooleanField(required=False, default=False)


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


class NoteJobSerializer(serializers.ModelSerializer):
    poll_url = serializers.SerializerMethodField()
    model_identity = serializers.SerializerMethodField()

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

    @extend_schema_field(serializers.DictField())
    def get_model_identity(self, obj: NoteJob) -> dict[str, str]:
        return {
            "model_file": obj.model_file,
            "model_sha256": obj.model_sha256,
            "adapter": obj.model_adapter,
            "registry_entry": obj.model_entry,
            "prompt_version": obj.prompt_version,
        }
