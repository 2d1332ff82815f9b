"""Query filters of the list endpoints. An id filter accepts only the clinician's own records, so
another clinician's patient or session and an id that does not exist get the same 400: a filter
must not tell anyone whether a record they cannot see exists."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from sessions.models import AccessEvent, NoteJob, Patient, Session


def _own_patients(request: Any) -> QuerySet[Patient]:
    return Patient.objects.filter(clinician=request.user) if request is not None else Patient.objects.none()


def _own_sessions(request: Any) -> QuerySet[Session]:
    return (Session.objects.filter(patient__clinician=request.user) if request is not None
            else Session.objects.none())


class SessionFilter(django_filters.FilterSet):
    patient = django_filters.ModelChoiceFilter(queryset=_own_patients)

    class Meta:
        model = Session
        fields = ["patient"]


class NoteJobFilter(django_filters.FilterSet):
    session = django_filters.ModelChoiceFilter(queryset=_own_sessions)
    patient = django_filters.ModelChoiceFilter(queryset=_own_patients)

    class Meta:
        model = NoteJob
        fields = ["status", "kind", "session", "patient"]


class IdFilter(django_filters.NumberFilter):
    """A whole number within the database's bigint: "1.5" or 10**30 is a 400, not a query the database
    refuses with a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=0, max_value=2**63 - 1, **kwargs)


class AccessEventFilter(django_filters.FilterSet):
    """The auditor's questions: who (actor, actor_id), what (object_type + object_id, or everything about a
    patient), how (channel) and when (since <= at < until, ISO 8601)."""

    actor = django_filters.CharFilter(field_name="actor_username")
    actor_id = IdFilter()
    patient = IdFilter(field_name="patient_id")
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AccessEvent
        fields = ["actor", "actor_id", "object_type", "object_id", "patient", "channel", "since", "until"]
