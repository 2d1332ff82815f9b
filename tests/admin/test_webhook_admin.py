"""Webhooks in the admin (issue 16): subscriptions and their delivery log are visible to operators, and to a
staff clinician for their own only; nothing can be added, changed or deleted there, and the signing secret
and the payload (a patient's risk flags, with include_content the note) are never on any page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from sessions.models import AccessEvent, NoteJob, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db

NOTE_TEXT = "Patient reports low mood since the redundancy"
SUBSCRIPTIONS = "/admin/therapy_sessions/webhooksubscription/"
DELIVERIES = "/admin/therapy_sessions/webhookdelivery/"


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("operator", "o@example.org", "pw-12345-long"))
    return client


def _staff_client(user) -> Client:
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="therapy_sessions",
        codename__in=["view_webhooksubscription", "view_webhookdelivery", "change_webhooksubscription",
                      "delete_webhooksubscription", "change_webhookdelivery", "delete_webhookdelivery"]))
    client = Client()
    client.force_login(user)
    return client


def _delivery(clinician, session, *, url: str = "https://ehr.example.org/hooks") -> WebhookDelivery:
    subscription = WebhookSubscription.objects.create(clinician=clinician, url=url, event_types=["job.succeeded"],
                                                      include_content=True)
    job = NoteJob.objects.create(kind="session_note", clinician=clinician, session=session, patient=session.patient,
                                 base_notes_version=0, status="succeeded")
    return WebhookDelivery.objects.create(
        subscription=subscription, job=job, event="job.succeeded", status="failed", attempts=2,
        last_status_code=500, last_error="HTTP 500",
        attempt_log=[{"attempt": 1, "at": "2026-12-03T14:20:05+00:00", "status_code": 500, "error": "HTTP 500",
                      "seconds": 0.01}],
        payload={"job": {"risk_flags": [{"category": "suicidal_ideation_plan", "severity": "critical"}]},
                 "content": {"notes": NOTE_TEXT}})


def _pages(client: Client, delivery: WebhookDelivery) -> dict[str, str]:
    urls = [SUBSCRIPTIONS, f"{SUBSCRIPTIONS}{delivery.subscription_id}/change/", DELIVERIES,
            f"{DELIVERIES}{delivery.pk}/change/"]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def test_operators_see_subscriptions_and_deliveries_without_the_secret_or_the_payload(
    operator, clinician, session
) -> None:
    delivery = _delivery(clinician, session)
    pages = _pages(operator, delivery)
    secret = delivery.subscription.secret
    assert secret.startswith("whsec_")
    for url, html in pages.items():
        assert secret not in html and secret.removeprefix("whsec_") not in html, url
        assert NOTE_TEXT not in html and "suicidal_ideation_plan" not in html, url
    assert "https://ehr.example.org/hooks" in pages[SUBSCRIPTIONS]
    detail = pages[f"{DELIVERIES}{delivery.pk}/change/"]
    assert "HTTP 500" in detail and "Content included" in detail
    assert f"/admin/therapy_sessions/notejob/{delivery.job_id}/change/" in detail  # the job's (audited) page
    assert not AccessEvent.objects.exists()  # these pages show no patient's record


def test_nothing_is_added_changed_or_deleted_in_the_admin(operator, clinician, session) -> None:
    delivery = _delivery(clinician, session)
    subscription = delivery.subscription
    for base, pk in ((SUBSCRIPTIONS, subscription.pk), (DELIVERIES, delivery.pk)):
        assert operator.get(f"{base}add/").status_code == 403
        assert operator.post(f"{base}{pk}/delete/", {"post": "yes"}).status_code == 403
        assert operator.post(f"{base}{pk}/change/", {"url": "https://attacker.example.org/"}).status_code == 403
    assert 'name="_save"' not in operator.get(f"{SUBSCRIPTIONS}{subscription.pk}/change/").content.decode()
    subscription.refresh_from_db()
    assert subscription.url == "https://ehr.example.org/hooks"
    assert WebhookSubscription.objects.count() == 1 and WebhookDelivery.objects.count() == 1


def test_a_staff_clinician_sees_only_their_own_webhooks(clinician, other_clinician, session) -> None:
    from sessions.models import Patient, Session

    mine = _delivery(clinician, session, url="https://mine.example.org/hooks")
    other_patient = Patient.objects.create(clinician=other_clinician, display_name="Other patient")
    other_session = Session.objects.create(patient=other_patient, session_number=1, session_date=session.session_date,
                                           original_transcription=session.original_transcription)
    theirs = _delivery(other_clinician, other_session, url="https://theirs.example.org/hooks")
    client = _staff_client(clinician)
    pages = _pages(client, mine)
    assert "https://mine.example.org/hooks" in pages[SUBSCRIPTIONS]
    assert "theirs.example.org" not in pages[SUBSCRIPTIONS] and str(theirs.pk) not in pages[DELIVERIES]
    # Another clinician's record is "not found" (the admin's redirect to its index), as in the API.
    assert client.get(f"{SUBSCRIPTIONS}{theirs.subscription_id}/change/").status_code == 302
    assert client.get(f"{DELIVERIES}{theirs.pk}/change/").status_code == 302
    # Even granted change and delete, a staff user changes nothing here.
    assert client.post(f"{SUBSCRIPTIONS}{mine.subscription_id}/delete/", {"post": "yes"}).status_code == 403
    assert WebhookSubscription.objects.filter(pk=mine.subscription_id).exists()


def test_the_delivery_log_is_searched_by_delivery_or_job_id(operator, clinician, session) -> None:
    delivery = _delivery(clinician, session)
    assert str(delivery.pk) in operator.get(DELIVERIES, {"q": str(delivery.job_id)}).content.decode()
    assert str(delivery.pk) in operator.get(DELIVERIES, {"q": str(delivery.pk)}).content.decode()
    not_an_id = operator.get(DELIVERIES, {"q": "ehr"})
    assert not_an_id.status_code == 200 and str(delivery.pk) not in not_an_id.content.decode()


def test_the_admin_names_the_delivery_log_in_english(operator) -> None:
    page = operator.get("/admin/").content.decode()
    assert "Webhook deliveries" in page and "deliverys" not in page
