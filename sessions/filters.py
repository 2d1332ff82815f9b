"""Query filters of the list endpoints. An id filter accepts only the clinician's own records, so
another clinician's patient or session and an id that does not exist get the same 400: a filter
must not tell anyone whether a record they cannot see exists."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from sessions.models import NoteJob, Patient, Session


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
