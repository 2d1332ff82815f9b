"""Generating a note opens no network connection except to the configured database and broker."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

from sessions.job_execution import execute_job
from sessions.models import NoteJob

pytestmark = pytest.mark.django_db(transaction=True)


def _allowed() -> set[tuple[str, int]]:
    broker = urlparse(settings.CELERY_BROKER_URL)
    db = connection.settings_dict
    hosts = {"127.0.0.1", "localhost", "::1"}
    ports = {int(broker.port or 6379), int(db.get("PORT") or 5432)}
    return {(h, p) for h in hosts for p in ports}


def test_note_generation_makes_no_external_connection(monkeypatch, real_engine, session) -> None:
    attempts: list[object] = []
    allowed = _allowed()
    real_connect = socket.socket.connect

    def guarded_connect(sock: socket.socket, address: object) -> object:
        attempts.append(address)
        if sock.family == socket.AF_UNIX:
            return real_connect(sock, address)
        host, port = address[0], address[1]  # type: ignore[index]
        if (host, port) not in allowed:
            raise OSError(f"blocked external connection to {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    job = NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session,
                                 patient=session.patient, base_notes_version=0)
    connection.close()  # the next query must reconnect through the guarded socket
    report = execute_job(str(job.pk), real_engine)
    assert report.succeeded
    job.refresh_from_db()
    assert job.status == "succeeded"
    blocked = [a for a in attempts if isinstance(a, tuple) and (a[0], a[1]) not in allowed]
    assert blocked == []
