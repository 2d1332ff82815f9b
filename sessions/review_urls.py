"""The review screen's routes, under /review/ (see sessions/review_views.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from sessions import review_views

app_name = "review"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="review/login.html", next_page="review:sessions",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="review:login"), name="logout"),
    path("", review_views.session_list, name="sessions"),
    path("sessions/<int:pk>/", review_views.session_review, name="session"),
    path("sessions/<int:pk>/notes", review_views.save_notes, name="save-notes"),
    path("sessions/<int:pk>/sign", review_views.sign_notes, name="sign"),
    path("sessions/<int:pk>/amend", review_views.amend_notes, name="amend"),
    path("sessions/<int:pk>/regenerate", review_views.regenerate_notes, name="regenerate"),
    path("sessions/<int:pk>/confirm", review_views.confirm_notes, name="confirm"),
    path("sessions/<int:pk>/suggestions/<uuid:job_id>/accept", review_views.accept_suggestion, name="accept"),
    path("sessions/<int:pk>/export.html", review_views.export_html, name="export-html"),
    path("sessions/<int:pk>/export.fhir.json", review_views.export_fhir, name="export-fhir"),
]
