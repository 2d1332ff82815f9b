from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from sessions.auth import LogoutAllView, LogoutView, PasswordLoginView
from sessions.health import health, health_ready
from sessions.prometheus import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/auth/token", PasswordLoginView.as_view(), name="auth-token"),
    path("api/auth/logout", LogoutView.as_view(), name="auth-logout"),
    path("api/auth/logoutall", LogoutAllView.as_view(), name="auth-logout-all"),
    path("api/", include("sessions.urls")),
    path("review/", include("sessions.review_urls")),  # the clinicians' review screen
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), not inline: no 'unsafe-inline'
    # in the Content-Security-Policy.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html"),
         name="redoc"),
    path("health", health, name="health"),
    path("health/ready", health_ready, name="health-ready"),
    path("metrics", metrics_view, name="metrics"),  # Prometheus (sessions/prometheus.py)
]

handler404 = "therapy_notes.api_errors.not_found"
handler500 = "therapy_notes.api_errors.server_error"
