from django.urls import include, path
from rest_framework.routers import DefaultRouter

from sessions.views import NoteJobViewSet, PatientViewSet, SessionViewSet, SummarizeSessionsView

router = DefaultRouter()
# The frontend calls paths without a trailing slash (e.g. /generate-notes): accept both.
router.trailing_slash = "/?"
router.register("patients", PatientViewSet, basename="patient")
router.register("sessions", SessionViewSet, basename="session")
router.register("jobs", NoteJobViewSet, basename="job")

urlpatterns = [
    path("summarize-sessions", SummarizeSessionsView.as_view(), name="summarize-sessions"),
    path("", include(router.urls)),
]
