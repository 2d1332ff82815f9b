"""Admin: where clinicians review notes, see job history, and trigger regeneration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

from sessions import access_log, selectors, services
from sessions.models import (
    AccessEvent,
    ClinicianProfile,
    NoteJob,
    Patient,
    PatientErasure,
    Session,
    WebhookDelivery,
    WebhookSubscription,
)


class ClinicianScopedAdmin(admin.ModelAdmin):
    """A staff clinician who is not a superuser sees and changes only their own patients' records, as in
    the API: the list, the change and history pages, the foreign-key choices and the filters are all
    scoped. Superusers (the operators) see every clinician's."""

    # The lookup from this admin's model to the clinician who owns the record.
    clinician_lookup = "clinician"
    # What the read audit calls this admin's records (AccessEvent.ObjectType). Declared by every subclass, on
    # purpose without a default: None only where a page shows no clinical record (the webhook admins).
    audit_object_type: str | None

    def _audit_read(self, request: HttpRequest, object_id: str, response: HttpResponse) -> HttpResponse:
        """A page that showed a record (GET, 200: not a redirect away from one the user may not see) is a
        read: recorded in the access log (sessions/access_log.py) like the API's."""
        if self.audit_object_type is not None and request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                access_log.record_reads(request, self.audit_object_type, [obj], AccessEvent.Channel.ADMIN)
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return self._audit_read(request, object_id, super().change_view(request, object_id, form_url, extra_context))

    def history_view(self, request: HttpRequest, object_id: str,
                     extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # simple-history's page shows every earlier version of the notes: a read of the record.
        return self._audit_read(request, object_id, super().history_view(request, object_id, extra_context))

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # One earlier version (its transcript and notes as they were); routed for the SimpleHistoryAdmin ones.
        return self._audit_read(request, object_id,
                                super().history_form_view(request, object_id, version_id, extra_context))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.clinician_lookup: request.user})

    def _owns(self, request: HttpRequest, obj: Any) -> bool:
        # The history pages hand over an instance rebuilt from a history row, so ask the database about
        # its pk instead of trusting the object's own foreign keys.
        return (obj is None or request.user.is_superuser
                or self.model._default_manager.filter(pk=obj.pk, **{self.clinician_lookup: request.user}).exists())

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._owns(request, obj)

    def get_list_filter(self, request: HttpRequest) -> Sequence[Any]:
        # A filter by clinician would list every clinician's name to someone who sees only their own.
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [f for f in filters if not (isinstance(f, str) and f.split("__")[-1] == "clinician")]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser:
            if db_field.related_model is Patient:
                kwargs["queryset"] = Patient.objects.filter(clinician=request.user)
            elif db_field.name == "clinician":
                kwargs["queryset"] = db_field.related_model._default_manager.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class NoteJobInline(admin.TabularInline):
    model = NoteJob
    fk_name = "session"
    extra = 0
    can_delete = False
    ordering = ["-created_at"]
    fields = ["id", "status", "outcome", "written_by", "created_at", "finished_at", "attempts", "model_file",
              "model_adapter", "model_entry", "inference_seconds", "error_message"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description="Outcome")
    def outcome(self, obj: NoteJob) -> str:
        """Whether the note reached the session, or is kept on the job as a suggestion (open the job)."""
        result = obj.result or {}
        if obj.status != NoteJob.Status.SUCCEEDED or "applied" not in result:
            return "-"
        if result["applied"]:
            return "applied to the notes"
        return "stale suggestion (transcript changed)" if result.get("stale") else "suggestion, not applied"

    @admin.display(description="Written by")
    def written_by(self, obj: NoteJob) -> str:
        """A fallback note is extracted from the transcript, not written by the model: say so and why."""
        result = obj.result or {}
        if obj.status != NoteJob.Status.SUCCEEDED:
            return "-"
        if result.get("fallback"):
            return f"extractive fallback ({result.get('fallback_reason') or 'model failed'})"
        return "model"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Patient)
class PatientAdmin(ClinicianScopedAdmin, SimpleHistoryAdmin):
    audit_object_type = AccessEvent.ObjectType.PATIENT
    list_display = ["display_name", "clinician", "external_reference", "created_at"]
    search_fields = ["display_name", "external_reference"]
    list_filter = ["clinician"]


class SessionAdminForm(forms.ModelForm):
    """Browsers send textarea text with CRLF line endings, and Django strips form text: text that differs
    from the stored one only by its line endings is the stored text, unchanged (no rewritten
    transcript, no false edit), and nothing is stripped."""

    class Meta:
        model = Session
        fields = ["patient", "session_number", "session_date", "original_transcription", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("original_transcription", "notes"):
            if name in self.fields:  # notes are read-only once signed
                self.fields[name].strip = False  # a transcript's own whitespace is part of it

    def _as_stored(self, name: str) -> str:
        value = self.cleaned_data.get(name) or ""
        stored = getattr(self.instance, name, "") if self.instance.pk else ""
        if value.replace("\r\n", "\n") == stored.replace("\r\n", "\n"):
            return stored
        return value.replace("\r\n", "\n")

    def clean_original_transcription(self) -> str:
        return self._as_stored("original_transcription")

    def clean_notes(self) -> str:
        return self._as_stored("notes")


@admin.register(Session)
class SessionAdmin(ClinicianScopedAdmin, SimpleHistoryAdmin):
    clinician_lookup = "patient__clinician"
    audit_object_type = AccessEvent.ObjectType.SESSION
    # History (who changed the notes, when, before/after) is on each session's History page.
    list_display = ["__str__", "session_date", "notes_status", "notes_is_ai_generated", "notes_edited_from_ai",
                    "notes_generated_at", "notes_last_edited_at", "notes_stale", "needs_attention"]
    list_filter = ["notes_status", "notes_is_ai_generated", "notes_edited_from_ai", "session_date",
                   "patient__clinician"]
    search_fields = ["patient__display_name"]
    form = SessionAdminForm
    # Provenance is what the system records about the notes, never typed in: read-only here.
    readonly_fields = ["evidence_review", "notes_is_ai_generated", "notes_edited_from_ai", "notes_generated_at",
                       "notes_last_edited_at", "notes_version", "risk_flags", "attention_reasons", "notes_stale",
                       "created_at", "updated_at"]
    inlines = [NoteJobInline]
    actions = ["regenerate_notes"]

    @admin.display(boolean=True, description="Needs attention")
    def needs_attention(self, obj: Session) -> bool:
        return obj.needs_attention

    @admin.display(boolean=True, description="Notes stale (transcript edited since)")
    def notes_stale(self, obj: Session) -> bool:
        return obj.notes_stale

    @admin.display(description="Evidence of the AI note")
    def evidence_review(self, obj: Session) -> SafeString | str:
        """Each statement of the last applied AI note beside the transcript words it rests on; the
        statements removed as unsupported are listed with the reason."""
        job = selectors.latest_applied_note_job(obj) if obj.pk else None
        evidence = (job.result or {}).get("evidence", []) if job else []
        if not evidence:
            return "No evidence recorded (no AI note from a job that recorded it)."
        transcript = obj.original_transcription
        if job is not None and job.transcript_sha256 and job.transcript_sha256 != obj.transcript_sha256:
            return "The transcript changed after this note was made: regenerate or confirm the notes."
        rows = format_html_join(
            "", "<tr style='background:{}'><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (("#fde2e1" if not item["supported"] else "transparent", item["section"], item["text"],
              f"{item['support']:.2f}" + ("" if item["supported"] else f" - removed: {item['reason']}"),
              format_html_join(" ", "<mark>{}</mark>", ((transcript[a:b],) for a, b in item["spans"])))
             for item in evidence),
        )
        return format_html("<table><tr><th>Section</th><th>Statement</th><th>Support</th><th>Transcript evidence"
                           "</th></tr>{}</table>", rows)

    def get_readonly_fields(self, request: HttpRequest, obj: Session | None = None) -> list[str]:
        # Signed notes are the record: they change only by amendment (API), never in this form.
        locked = ["notes", "notes_status", "notes_signed_by", "notes_signed_at"]
        return [*self.readonly_fields, *(locked if obj is not None and obj.notes_locked else locked[1:])]

    def save_model(self, request: HttpRequest, obj: Session, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # An edit goes through the service that owns the notes rules, like PUT /api/sessions/{id}/notes.
        changed = [name for name in form.changed_data if name != "notes"]
        notes = obj.notes if "notes" in form.changed_data else None
        services.update_session_from_form(obj, fields={name: getattr(obj, name) for name in changed}, notes=notes)
        obj.refresh_from_db()

    @admin.action(description="Regenerate notes (enqueue a job)")
    def regenerate_notes(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        for session in queryset.select_related("patient"):
            services.submit_session_note_job(
                clinician=session.patient.clinician, session=session, regenerate=True
            )
        self.message_user(request, f"Enqueued note jobs for {queryset.count()} session(s).", messages.SUCCESS)


@admin.register(NoteJob)
class NoteJobAdmin(ClinicianScopedAdmin):
    audit_object_type = AccessEvent.ObjectType.JOB
    list_display = ["id", "kind", "status", "session", "patient", "attempts", "created_at", "finished_at",
                    "inference_seconds"]
    list_filter = ["status", "kind", "model_file"]
    readonly_fields = [f.name for f in NoteJob._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClinicianProfile)
class ClinicianProfileAdmin(admin.ModelAdmin):
    """A clinician's default note format (the API's /api/profile); superusers only, like user accounts."""

    list_display = ["user", "note_format", "updated_at"]
    list_filter = ["note_format"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


class ReadOnlyMixin:
    """Records that are seen in the admin and never added, changed or deleted there."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The read audit, read-only for everyone, operators included: seen with the auditor role
    (access_log.AUDITOR_PERMISSION), never added, changed or deleted here (pruning is
    `manage.py prune_access_log`)."""

    list_display = ["at", "actor_username", "object_type", "object_id", "patient_id", "channel", "method",
                    "endpoint", "client_address"]
    list_filter = ["object_type", "channel", "at"]
    search_fields = ["actor_username", "object_id", "=patient_id"]
    date_hierarchy = "at"


@admin.register(PatientErasure)
class PatientErasureAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The erasure records (sessions/erasure.py), read-only for everyone: an erasure is done with
    `manage.py erase_patient` or POST /api/patients/{id}/erase, and its record is never changed."""

    list_display = ["at", "actor_username", "patient_id", "channel", "counts"]
    list_filter = ["channel", "at"]
    search_fields = ["actor_username", "=patient_id"]


class ReadOnlyAdmin(ReadOnlyMixin, ClinicianScopedAdmin):
    """Shown, never added, changed or deleted here: webhooks are the clinician's, managed through the API."""


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    """Who is told about which events, where. The signing secret is never shown, on any page: the clinician
    saw it once (create, rotate-secret) and whoever can read it can forge deliveries."""

    audit_object_type = None  # an endpoint and its settings, no patient's record
    list_display = ["id", "clinician", "url", "event_types", "active", "include_content", "created_at"]
    list_filter = ["active", "include_content", "clinician"]
    search_fields = ["url"]
    fields = ["clinician", "url", "event_types", "active", "include_content", "created_at", "updated_at"]
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log, to see why a receiver is not told: status, attempts, each attempt's HTTP status or
    transport error. The payload is not shown: its risk flags (and with include_content the note) are a
    patient's, read on the job's page, which the read audit records."""

    clinician_lookup = "subscription__clinician"
    audit_object_type = None  # statuses and transport errors; the patient's data stays on the job's page
    list_display = ["id", "event", "status", "attempts", "last_status_code", "last_error", "subscription",
                    "created_at", "delivered_at", "next_attempt_at"]
    list_filter = ["status", "event", "created_at"]
    search_fields = ["=id", "=job__id"]
    fields = ["id", "subscription", "job", "event", "content_included", "status", "attempts", "last_status_code",
              "last_error", "attempt_log", "next_attempt_at", "created_at", "delivered_at"]
    readonly_fields = fields

    @admin.display(boolean=True, description="Content included")
    def content_included(self, obj: WebhookDelivery) -> bool:
        """Whether the payload carried the note (the subscription's include_content when it was written)."""
        return "content" in obj.payload
