"""What the chaos soak counts, read from the database once the jobs have ended (bench/chaos_soak.py).

- lost: a submitted session without a job, or a job that never reached a final status;
- duplicated: a session with more than one job, or a job whose note was written into its session more
  than once (the audit history has one "AI note from job <id>" row per write);
- stale-applied: a note written into the session next to a transcript other than the one the job read
  (the history row's transcript digest differs from the note's), or a job that read a transcript the
  bench had edited before the job's write and whose note was applied anyway.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import InterfaceError, OperationalError, connection

from bench.stack import percentile

T = TypeVar("T")
AI_NOTE_REASON = "AI note from job "  # Session.apply_ai_note's history reason


def db_read(read: Callable[[], T]) -> T:
    """A read that survives the soak's own PostgreSQL connection drops (the bench's backend is ended
    too): reconnect and read again."""
    for _ in range(20):
        try:
            return read()
        except (OperationalError, InterfaceError):
            connection.close()
            time.sleep(0.25)
    return read()


@dataclass
class WorkerKill:
    job_id: str
    dead: set[str]  # the killed processes as host:pid, what NoteJob.claimed_by records
    at: float  # time.time() of the SIGKILL
    app: str
    recovery_seconds: float | None = None
    finished_before_kill: bool = False


@dataclass
class Edit:
    session_id: int
    job_id: str
    before: str  # transcript digests
    after: str
    at: float  # time.time() once the PATCH was answered (committed)
    job_status: str  # the job's status just after the edit


@dataclass
class SoakVerdict:
    submitted: int
    statuses: Counter[str]
    lost: int
    duplicated: int
    stale_applied: int
    attempts: Counter[int]
    failures: Counter[str]
    notes_written: int = 0  # AI notes written into sessions (history rows), one per applied job
    edits_kept_stale: int = 0
    edits_rerun_applied: int = 0
    edits_after_end: int = 0
    real_jobs: int = 0
    real_statuses: Counter[str] = field(default_factory=Counter)
    real_fallbacks: int = 0
    real_inference_p50: float = float("nan")
    problems: list[str] = field(default_factory=list)


def _stale_edits(edits: list[Edit], jobs: dict[str, Any]) -> tuple[set[str], Counter[str]]:
    stale: set[str] = set()
    outcome: Counter[str] = Counter()
    for edit in edits:
        job = jobs[edit.job_id]
        result = job.result or {}
        wrote_after_edit = job.finished_at is not None and job.finished_at.timestamp() > edit.at
        if not wrote_after_edit:
            outcome["after_end"] += 1
        elif job.transcript_sha256 == edit.before and result.get("applied"):
            stale.add(edit.job_id)
        elif result.get("stale") and not result.get("applied"):
            outcome["kept_stale"] += 1
        elif job.transcript_sha256 == edit.after and result.get("applied"):
            outcome["rerun_applied"] += 1
    return stale, outcome


def verdict(sessions: list[int], submitted: dict[int, str], edits: list[Edit],
            transcripts: dict[int, str]) -> SoakVerdict:
    from sessions.models import NoteJob, Session, transcript_digest

    jobs = {str(job.pk): job for job in db_read(lambda: list(NoteJob.objects.filter(session_id__in=sessions)))}
    mine = [jobs[job_id] for job_id in submitted.values() if job_id in jobs]
    statuses = Counter(job.status for job in mine)
    lost = len(sessions) - len(mine) + sum(1 for job in mine if not job.is_final)
    per_session = Counter(job.session_id for job in jobs.values())
    writes = db_read(lambda: list(Session.history.filter(id__in=sessions,
                                                         history_change_reason__startswith=AI_NOTE_REASON)))
    per_job = Counter(row.history_change_reason.removeprefix(AI_NOTE_REASON) for row in writes)
    duplicated = sum(n - 1 for n in per_session.values() if n > 1) + sum(n - 1 for n in per_job.values() if n > 1)
    stale = {row.history_change_reason.removeprefix(AI_NOTE_REASON) for row in writes
             if transcript_digest(row.original_transcription) != row.notes_transcript_sha256}
    stale_by_edit, edit_outcomes = _stale_edits(edits, jobs)
    problems = []
    current = {s.pk: s for s in db_read(lambda: list(Session.objects.filter(pk__in=sessions)))}
    for job in mine:
        applied = job.status == NoteJob.Status.SUCCEEDED and (job.result or {}).get("applied")
        if applied and current[job.session_id].notes != job.result.get("generated_notes"):
            problems.append(f"session {job.session_id}: notes differ from its applied job {job.pk}")
        if current[job.session_id].original_transcription != transcripts[job.session_id]:
            problems.append(f"session {job.session_id}: transcript is not the one the bench last wrote")
    real = [job for job in mine if job.model_file and job.model_file != "fake.gguf"]
    return SoakVerdict(
        submitted=len(sessions), statuses=statuses, lost=lost, duplicated=duplicated,
        stale_applied=len(stale | stale_by_edit), notes_written=len(writes),
        attempts=Counter(job.attempts for job in mine),
        failures=Counter(job.error_message for job in mine if job.status == NoteJob.Status.FAILED),
        edits_kept_stale=edit_outcomes["kept_stale"], edits_rerun_applied=edit_outcomes["rerun_applied"],
        edits_after_end=edit_outcomes["after_end"], real_jobs=len(real),
        real_statuses=Counter(job.status for job in real),
        real_fallbacks=sum(1 for job in real if (job.result or {}).get("fallback")),
        real_inference_p50=percentile([job.inference_seconds for job in real if job.inference_seconds], 50),
        problems=problems,
    )
