from django.urls import include, path
from rest_framework.routers import DefaultRouter

from sessions.views import (
    AccessEventViewSet,
    ClinicianProfileView,
    NoteJobViewSet,
    PatientViewSet,
    SessionViewSet,
    SummarizeSessionsView,
    WebhookSubscriptionViewSet,
)

router = DefaultRouter()
# The frontend calls paths without a trailing slash (e.g. /generate-notes): accept both.
router.trailing_slash = "/?"
router.register("patients", PatientViewSet, basename="patient")
router.register("sessions", SessionViewSet, basename="session")
router.register("jobs", NoteJobViewSet, basename="job")
router.register("audit/access", AccessEventViewSet, basename="access-event")  # the read audit (auditors)
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")

urlpatterns = [
    path("summarize-sessions", SummarizeSessionsView.as_view(), name="summarize-sessions"),
    path("profile", ClinicianProfileView.as_view(), name="clinician-profile"),
    path("", include(router.urls)),
]
