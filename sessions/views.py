"""HTTP edges: parse, check ownership (via querysets), delegate to services."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from sessions import access_log, erasure, exports, patient_export, selectors, services
from sessions.errors import Conflict, ErrorResponseSerializer, UnprocessableEntity
from sessions.filters import AccessEventFilter, NoteJobFilter, SessionFilter
from sessions.models import (
    AccessEvent,
    NoNotesError,
    NoteJob,
    NotesLockedError,
    NotesNotSignedError,
    Patient,
    PatientErasure,
    Session,
    WebhookSubscription,
)
from sessions.serializers import (
    AccessEventSerializer,
    AmendNotesRequestSerializer,
    ClinicianProfileSerializer,
    GenerateNotesRequestSerializer,
    NoteJobSerializer,
    PatientErasureRequestSerializer,
    PatientErasureSerializer,
    PatientSerializer,
    SessionNotesUpdateSerializer,
    SessionSerializer,
    SummarizeSessionsRequestSerializer,
    WebhookDeliverySerializer,
    WebhookSubscriptionSerializer,
    WebhookSubscriptionWithSecretSerializer,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Repeating a submission with the same key returns the same job; the same key on a different "
                "request (another endpoint or body) is a 422.",
)
# A 202 says where the job is (Location, its poll_url) and how long to wait before the first poll
# (Retry-After, seconds): a short note on the bundled model takes a few seconds.
JOB_RETRY_AFTER_SECONDS = 2
ERROR_BODY = ErrorResponseSerializer  # the one error body (sessions/errors.py), declared for 409/422 below
JOB_ACCEPTED_HEADERS = [
    OpenApiParameter("Location", str, OpenApiParameter.HEADER, response=[202],
                     description="The job's URL (its `poll_url`): GET it until `status` is final."),
    OpenApiParameter("Retry-After", int, OpenApiParameter.HEADER, response=[202],
                     description="Seconds to wait before polling the job."),
]


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    return key[:128] or None


def _idempotency_fingerprint(request: Request) -> str:
    """What the key is bound to: method, path (trailing slash or not), user and the body in canonical
    form (sorted keys, no whitespace), so only a repeat of the same request gets the same job."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    material = "\n".join([request.method, request.path.rstrip("/"), str(request.user.pk), body])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _key_reused(exc: services.IdempotencyKeyReusedError) -> UnprocessableEntity:
    # 422, as the IETF Idempotency-Key draft answers a key reused with a different payload.
    return UnprocessableEntity(str(exc), code="idempotency_key_reused")


def _job_response(outcome: services.SubmitOutcome, request: Request) -> Response:
    data = NoteJobSerializer(outcome.job, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED,
                    headers={"Location": data["poll_url"], "Retry-After": str(JOB_RETRY_AFTER_SECONDS)})


class RejectBlankFiltersMixin:
    """`?status=` (blank) is a 400, not a silently ignored filter: clients learn about typos.
    ``filterset_fields`` names the filters to check (the filterset class, when set, defines them)."""

    filterset_fields: list[str] = []

    def filter_queryset(self, queryset: Any) -> Any:
        blank = [name for name in self.filterset_fields
                 if name in self.request.query_params and not self.request.query_params[name].strip()]
        if blank:
            raise ValidationError({name: ["This filter may not be blank."] for name in blank})
        return super().filter_queryset(queryset)


class AuditedReadsMixin:
    """retrieve and list record in the read audit (sessions/access_log.py) every record they hand out,
    a list every record of the page it returns, before the response leaves."""

    audit_object_type: str  # AccessEvent.ObjectType

    def _audit(self, objects: Iterable[Any], object_type: str | None = None) -> None:
        access_log.record_reads(self.request, object_type or self.audit_object_type, objects,
                                AccessEvent.Channel.API)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        data = self.get_serializer(instance).data
        self._audit([instance])
        return Response(data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        objects = list(queryset) if page is None else page
        data = self.get_serializer(objects, many=True).data
        self._audit(objects)
        return Response(data) if page is None else self.get_paginated_response(data)


class CreateListRetrieveUpdateViewSet(
    RejectBlankFiltersMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """No delete: clinical records are retained."""


class PatientViewSet(AuditedReadsMixin, CreateListRetrieveUpdateViewSet):
    audit_object_type = AccessEvent.ObjectType.PATIENT
    serializer_class = PatientSerializer
    queryset = Patient.objects.none()  # for the schema generator; get_queryset scopes real requests

    def get_queryset(self) -> QuerySet[Patient]:
        return Patient.objects.filter(clinician=self.request.user)

    def perform_create(self, serializer: Any) -> None:
        serializer.save(clinician=self.request.user)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> Response:
        """Everything held about the patient (right of access), as one JSON document: the patient, every
        session with its transcript, notes, history and amendments, every job with its result and webhook
        deliveries, the read audit's entries about the patient, the erasures. Recorded in the read audit."""
        patient = self.get_object()
        document = patient_export.patient_record(patient)
        for object_type, objects in patient_export.audited_objects(patient).items():
            self._audit(objects, object_type)
        response = Response(document)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}-{stamp}.json"'
        return response

    @extend_schema(request=PatientErasureRequestSerializer, responses={200: PatientErasureSerializer, 409: ERROR_BODY})
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str | None = None) -> Response:
        """Erase the patient's clinical text everywhere (right to erasure), with a reason and the patient's id
        as confirmation. Signed notes under the retention period are kept unless `retention_override_reason`
        is given. Leaves an append-only erasure record; 409 while a job of the patient is queued or running."""
        patient = self.get_object()
        body = PatientErasureRequestSerializer(data=request.data, context={"patient": patient})
        body.is_valid(raise_exception=True)
        try:
            record = erasure.erase_patient(
                patient, actor=request.user, channel=PatientErasure.Channel.API, reason=body.validated_data["reason"],
                retention_override_reason=body.validated_data.get("retention_override_reason", ""))
        except erasure.ErasureRefusedError as exc:
            raise Conflict(str(exc), code=exc.code) from exc
        return Response(PatientErasureSerializer(record).data)


class SessionViewSet(AuditedReadsMixin, CreateListRetrieveUpdateViewSet):
    audit_object_type = AccessEvent.ObjectType.SESSION
    serializer_class = SessionSerializer
    queryset = Session.objects.none()
    filterset_class = SessionFilter
    filterset_fields = ["patient"]

    def get_queryset(self) -> QuerySet[Session]:
        return (Session.objects.filter(patient__clinician=self.request.user)
                .select_related("patient", "notes_signed_by").prefetch_related("amendments__author"))

    def get_throttles(self) -> list[Any]:
        if self.action == "generate_notes":
            self.throttle_scope = "job_submit"
            return [ScopedRateThrottle()]
        return super().get_throttles()

    @extend_schema(
        request=GenerateNotesRequestSerializer,
        responses={202: NoteJobSerializer, 409: ERROR_BODY, 422: ERROR_BODY},
        parameters=[IDEMPOTENCY_HEADER, *JOB_ACCEPTED_HEADERS],
    )
    @action(detail=True, methods=["post"], url_path="generate-notes")
    def generate_notes(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        body = GenerateNotesRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            outcome = services.submit_session_note_job(
                clinician=request.user,
                session=session,
                regenerate=body.validated_data["regenerate"],
                idempotency_key=_idempotency_key(request),
                idempotency_fingerprint=_idempotency_fingerprint(request),
                note_format=body.validated_data.get("format"),
            )
        except services.IdempotencyKeyReusedError as exc:
            raise _key_reused(exc) from exc
        except services.NotesAlreadyExistError as exc:
            raise Conflict(str(exc), code="notes_exist") from exc
        except NotesLockedError as exc:
            raise Conflict(str(exc), code="notes_signed") from exc
        except services.NoSpeechContentError as exc:
            raise ValidationError({"original_transcription": [ErrorDetail(str(exc), code="no_speech_content")]}) \
                from exc
        return _job_response(outcome, request)

    @extend_schema(request=None, responses={200: SessionSerializer, 409: ERROR_BODY})
    @action(detail=True, methods=["post"], url_path="confirm-notes")
    def confirm_notes(self, request: Request, pk: str | None = None) -> Response:
        """Confirm that the notes still describe the transcript after it was edited (clears `stale`)."""
        try:
            updated = services.confirm_session_notes(self.get_object())
        except NoNotesError as exc:
            raise Conflict(str(exc), code="no_notes") from exc
        return Response(SessionSerializer(updated, context={"request": request}).data)

    @extend_schema(request=SessionNotesUpdateSerializer, responses={200: SessionSerializer, 409: ERROR_BODY})
    @action(detail=True, methods=["put"], url_path="notes")
    def notes(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        body = SessionNotesUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            updated = services.update_session_notes(session, **body.validated_data)
        except NotesLockedError as exc:
            raise Conflict(str(exc), code="notes_signed") from exc
        return Response(SessionSerializer(updated, context={"request": request}).data)

    @extend_schema(request=None, responses={200: SessionSerializer, 409: ERROR_BODY})
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        """Sign the draft notes: they become the record, frozen (changes only by amendment)."""
        try:
            updated = services.sign_session_notes(self.get_object(), request.user)
        except NoNotesError as exc:
            raise Conflict(str(exc), code="no_notes") from exc
        except NotesLockedError as exc:
            raise Conflict(str(exc), code="already_signed") from exc
        return Response(SessionSerializer(updated, context={"request": request}).data)

    @extend_schema(request=None, responses={200: dict, 409: ERROR_BODY})
    @action(detail=True, methods=["get"], url_path="export/fhir")
    def export_fhir(self, request: Request, pk: str | None = None) -> Response:
        """The signed note as a FHIR R4(B) DocumentReference; 409 for a draft."""
        session = self.get_object()
        try:
            response = Response(exports.fhir_document_reference(session))
        except NotesNotSignedError as exc:
            raise Conflict(str(exc), code="not_signed") from exc
        self._audit([session], AccessEvent.ObjectType.NOTE)
        return response

    @extend_schema(request=None, responses={(200, "text/html"): str, 409: ERROR_BODY})
    @action(detail=True, methods=["get"], url_path="export/html")
    def export_html(self, request: Request, pk: str | None = None) -> Response | HttpResponse:
        """The signed note as a printable page; 409 for a draft."""
        session = self.get_object()
        try:
            response = HttpResponse(exports.printable_html(session), content_type="text/html; charset=utf-8")
        except NotesNotSignedError as exc:
            raise Conflict(str(exc), code="not_signed") from exc
        self._audit([session], AccessEvent.ObjectType.NOTE)
        return response

    @extend_schema(request=AmendNotesRequestSerializer, responses={200: SessionSerializer, 409: ERROR_BODY})
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        """Change signed notes with a reason; the signed text before the change stays in `amendments`."""
        session = self.get_object()
        body = AmendNotesRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            updated = services.amend_session_notes(session, request.user, **body.validated_data)
        except NotesNotSignedError as exc:
            raise Conflict(str(exc), code="not_signed") from exc
        return Response(SessionSerializer(updated, context={"request": request}).data)


class NoteJobViewSet(AuditedReadsMixin, RejectBlankFiltersMixin, viewsets.ReadOnlyModelViewSet):
    audit_object_type = AccessEvent.ObjectType.JOB
    serializer_class = NoteJobSerializer
    queryset = NoteJob.objects.none()
    filterset_class = NoteJobFilter
    filterset_fields = ["status", "kind", "session", "patient"]

    def get_queryset(self) -> QuerySet[NoteJob]:
        return NoteJob.objects.filter(clinician=self.request.user)

    @extend_schema(request=None, responses={200: NoteJobSerializer, 409: ERROR_BODY})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        try:
            job = services.cancel_job(job)
        except services.JobNotCancellableError as exc:
            raise Conflict(str(exc), code="not_cancellable") from exc
        return Response(NoteJobSerializer(job, context={"request": request}).data)


    @extend_schema(request=None, responses={200: SessionSerializer, 409: ERROR_BODY})
    @action(detail=True, methods=["post"], url_path="accept-suggestion")
    def accept_suggestion(self, request: Request, pk: str | None = None) -> Response:
        """Apply the job's kept suggestion (made while the notes were edited) as the session's notes."""
        try:
            session = services.accept_suggestion(self.get_object(), request.user)
        except services.SuggestionNotApplicableError as exc:
            raise Conflict(str(exc), code="suggestion_not_applicable") from exc
        return Response(SessionSerializer(session, context={"request": request}).data)


class SummarizeSessionsView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "job_submit"

    @extend_schema(
        request=SummarizeSessionsRequestSerializer,
        responses={202: NoteJobSerializer, 422: ERROR_BODY},
        parameters=[IDEMPOTENCY_HEADER, *JOB_ACCEPTED_HEADERS],
    )
    def post(self, request: Request) -> Response:
        body = SummarizeSessionsRequestSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            outcome = services.submit_summary_job(
                clinician=request.user,
                patient=body.validated_data["patient_id"],
                session_ids=body.validated_data.get("session_ids"),
                idempotency_key=_idempotency_key(request),
                idempotency_fingerprint=_idempotency_fingerprint(request),
            )
        except services.IdempotencyKeyReusedError as exc:
            raise _key_reused(exc) from exc
        return _job_response(outcome, request)


class ClinicianProfileView(APIView):
    """The signed-in clinician's preferences: the note format new notes are written in."""

    @extend_schema(responses={200: ClinicianProfileSerializer})
    def get(self, request: Request) -> Response:
        data = {"user": request.user, "note_format": selectors.clinician_note_format(request.user)}
        return Response(ClinicianProfileSerializer(data).data)

    @extend_schema(request=ClinicianProfileSerializer, responses={200: ClinicianProfileSerializer})
    def put(self, request: Request) -> Response:
        body = ClinicianProfileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        profile = services.set_note_format(request.user, body.validated_data["note_format"])
        return Response(ClinicianProfileSerializer(profile).data)

    patch = put  # one field: a partial update is the whole update


class IsAuditor(BasePermission):
    """The auditor role (access_log.AUDITOR_PERMISSION): clinicians without it get a 403."""

    message = f"Reading the access log needs the auditor role ({access_log.AUDITOR_PERMISSION})."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perm(access_log.AUDITOR_PERMISSION))


ACCESS_LOG_OUTPUTS = ("csv", "json")


class AccessEventViewSet(RejectBlankFiltersMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The read audit, for auditors: list (paginated) and export (every matching entry, CSV or JSON), with
    the same filters. Nothing writes here: entries come from the read paths themselves, and reading the
    log is not a read of a patient's record, so it adds none."""

    serializer_class = AccessEventSerializer
    queryset = AccessEvent.objects.none()
    permission_classes = [IsAuthenticated, IsAuditor]
    filterset_class = AccessEventFilter
    filterset_fields = ["actor", "actor_id", "object_type", "object_id", "patient", "channel", "since", "until"]

    def get_queryset(self) -> QuerySet[AccessEvent]:
        return selectors.access_events()

    @extend_schema(
        parameters=[OpenApiParameter("output", str, enum=list(ACCESS_LOG_OUTPUTS), default="csv",
                                     description="The file's format.")],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, "application/json"): AccessEventSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # a file holds every match, not a page
    def export(self, request: Request) -> Response | HttpResponse:
        """Every entry the filters match, newest first, as a file to download."""
        output = request.query_params.get("output", "csv")
        if output not in ACCESS_LOG_OUTPUTS:
            raise ValidationError({"output": [f"One of: {', '.join(ACCESS_LOG_OUTPUTS)}."]})
        rows = AccessEventSerializer(self.filter_queryset(self.get_queryset()), many=True).data
        response: Response | HttpResponse
        if output == "json":
            response = Response(rows)
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=AccessEventSerializer.Meta.fields)
            writer.writeheader()
            writer.writerows(rows)
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.{output}"'
        return response
class WebhookSubscriptionViewSet(viewsets.ModelViewSet):
    """The clinician's webhook subscriptions (another clinician's are a 404, like every record)."""

    serializer_class = WebhookSubscriptionSerializer
    queryset = WebhookSubscription.objects.none()

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return selectors.clinician_webhook_subscriptions(self.request.user)

    def get_serializer_class(self) -> type[WebhookSubscriptionSerializer]:
        # The secret is shown once, in the answer that made it.
        if self.action == "create":
            return WebhookSubscriptionWithSecretSerializer
        return WebhookSubscriptionSerializer

    def perform_create(self, serializer: Any) -> None:
        serializer.save(clinician=self.request.user)

    @extend_schema(request=None, responses={200: WebhookSubscriptionWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        """Replace the signing secret (shown in this answer only); the old one stops working at once."""
        subscription = services.rotate_webhook_secret(self.get_object())
        return Response(WebhookSubscriptionWithSecretSerializer(subscription).data)

    @extend_schema(request=None, responses={200: WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The subscription's delivery log, newest first: each event, its status and every attempt."""
        page = self.paginate_queryset(selectors.webhook_deliveries(self.get_object()))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
