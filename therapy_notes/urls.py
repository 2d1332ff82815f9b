from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from sessions.health import health, health_ready

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/auth/token", obtain_auth_token, name="auth-token"),
    path("api/", include("sessions.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("health", health, name="health"),
    path("health/ready", health_ready, name="health-ready"),
]

handler404 = "therapy_notes.api_errors.not_found"
