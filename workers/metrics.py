"""Per-worker-process counters, published to Redis so the web's /health, /health/ready and /metrics
can show them.

Each worker process keeps its own counters and writes a JSON snapshot under
``therapy_notes:worker:<host>:<pid>`` with a short TTL, refreshed by a heartbeat thread: the snapshot
is the process's heartbeat. A stopped worker deletes its own; a killed one disappears within the TTL.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import statistics
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import psutil
import redis
from django.conf import settings

if TYPE_CHECKING:  # the note stack is not imported by the web process, which reads metrics too
    from summarizer.engine import GenerationSpeed
    from summarizer.notes import NoteOutcome

logger = logging.getLogger(__name__)

KEY_PREFIX = "therapy_notes:worker:"
# Readiness counts only workers whose snapshot exists, so this bounds how long a dead worker still
# looks alive; the heartbeat refreshes it well within (three beats per TTL, one may be late).
SNAPSHOT_TTL_SECONDS = 15
HEARTBEAT_INTERVAL_SECONDS = 5.0
# Upper bounds (seconds) of the inference time histogram's buckets (Prometheus' `le`), up to the task's
# hard time limit's default; a last bucket (+Inf) counts everything.
INFERENCE_SECONDS_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 120.0, 180.0)
# What one webhook attempt came to: the receiver took it (2xx), it failed and another attempt is scheduled,
# or it failed and was the delivery's last (THERAPY_NOTES_WEBHOOK_MAX_ATTEMPTS). Every attempt is one of them.
WEBHOOK_DELIVERED, WEBHOOK_RETRIED, WEBHOOK_FAILED = "delivered", "retried", "failed"
WEBHOOK_ATTEMPT_OUTCOMES = (WEBHOOK_DELIVERED, WEBHOOK_RETRIED, WEBHOOK_FAILED)
# A generation is slow when it decodes at less than SLOW_SPEED_RATIO x this process's usual speed (the median of
# its last USUAL_SPEED_WINDOW generations that were not slow, once it has USUAL_SPEED_MIN of them), or when it
# timed out before decoding two tokens. Normal variation (prompt length, grammar, 1 thread instead of 2: ~0.87x)
# stays well above a half; a core taken by another process under 2 spin-waiting threads falls to ~0.1-0.2x.
SLOW_SPEED_RATIO = 0.5
USUAL_SPEED_WINDOW = 50
USUAL_SPEED_MIN = 3


@dataclass
class WorkerCounters:
    jobs: int = 0
    successes: int = 0
    failures: int = 0
    fallbacks: int = 0
    safety_net_interventions: int = 0
    completion_tokens: int = 0
    # Since the process started, for Prometheus: the sum and, per bound of INFERENCE_SECONDS_BUCKETS and
    # then +Inf, the cumulative count of jobs that took at most that long.
    inference_seconds_sum: float = 0.0
    inference_seconds_buckets: list[int] = field(default_factory=lambda: [0] * (len(INFERENCE_SECONDS_BUCKETS) + 1))
    recent_seconds: deque[float] = field(default_factory=lambda: deque(maxlen=500))
    # Webhook attempts made by this process, by outcome (WEBHOOK_ATTEMPT_OUTCOMES).
    webhook_attempts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WEBHOOK_ATTEMPT_OUTCOMES, 0))
    # Model generations (a summary makes several per job): by llama.cpp thread count, the slow ones, the last
    # one's threads, and decoding speeds (tokens/s) of the recent ones and of the recent normal ones.
    generations: dict[str, int] = field(default_factory=dict)
    slow_generations: int = 0
    threads: int | None = None
    recent_tokens_per_second: deque[float] = field(default_factory=lambda: deque(maxlen=USUAL_SPEED_WINDOW))
    normal_tokens_per_second: deque[float] = field(default_factory=lambda: deque(maxlen=USUAL_SPEED_WINDOW))

    def observe_seconds(self, seconds: float) -> None:
        self.recent_seconds.append(seconds)
        self.inference_seconds_sum += seconds
        for i, bound in enumerate((*INFERENCE_SECONDS_BUCKETS, float("inf"))):
            self.inference_seconds_buckets[i] += int(seconds <= bound)

    def usual_tokens_per_second(self) -> float | None:
        """The speed a generation is judged against: None until enough normal ones were seen."""
        normal = self.normal_tokens_per_second
        return statistics.median(normal) if len(normal) >= USUAL_SPEED_MIN else None

    def observe_generation(self, speed: GenerationSpeed) -> bool:
        """Count one generation; True when it was slow (see SLOW_SPEED_RATIO)."""
        key = str(speed.threads)
        self.generations[key] = self.generations.get(key, 0) + 1
        self.threads = speed.threads
        rate, usual = speed.tokens_per_second, self.usual_tokens_per_second()
        slow = (rate is None and speed.timed_out) or (
            rate is not None and usual is not None and rate < SLOW_SPEED_RATIO * usual)
        if rate is not None:
            self.recent_tokens_per_second.append(rate)
            if not slow:
                self.normal_tokens_per_second.append(rate)
        self.slow_generations += int(slow)
        return slow

    def snapshot(self, model: dict[str, Any] | None) -> dict[str, Any]:
        seconds = sorted(self.recent_seconds)
        p95 = seconds[max(int(len(seconds) * 0.95) - 1, 0)] if seconds else None
        recent = self.recent_tokens_per_second
        usual = self.usual_tokens_per_second()
        skipped = {"recent_seconds", "recent_tokens_per_second", "normal_tokens_per_second"}
        data = {k: v for k, v in asdict(self).items() if k not in skipped}
        data.update(
            generation_tokens_per_second=round(statistics.median(recent), 2) if recent else None,
            usual_tokens_per_second=round(usual, 2) if usual is not None else None,
            mean_inference_seconds=round(statistics.fmean(seconds), 3) if seconds else None,
            p95_inference_seconds=round(p95, 3) if p95 is not None else None,
            rss_bytes=psutil.Process().memory_info().rss,
            pid=os.getpid(),
            host=socket.gethostname(),
            model_loaded=model is not None,
            model=model,
            model_load_seconds=_model_load_seconds(),
            queues=_consumed_queues(),
            updated_at=time.time(),
        )
        return data


def _consumed_queues() -> list[str]:
    # The queues this worker takes jobs from (its -Q, inherited by the pool children from the main
    # process): readiness asks for a worker on the queue the web process sends to.
    from celery import current_app

    queues = current_app.amqp.queues
    return sorted(queues.consume_from if queues.consume_from is not None else queues)


def _model_load_seconds() -> float | None:
    from workers.model_holder import loaded_engine

    engine = loaded_engine()
    return round(engine.load_seconds, 3) if engine and engine.load_seconds is not None else None


_counters = WorkerCounters()
_lock = threading.Lock()


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def worker_id() -> str:
    """This process as ``host:pid``: the suffix of its heartbeat key, and what a job it claims records
    (NoteJob.claimed_by), so the reconciler can tell whether the process running a job is still alive."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _key() -> str:
    return f"{KEY_PREFIX}{worker_id()}"


def publish(model: dict[str, Any] | None) -> None:
    with _lock:  # the heartbeat thread and a finishing job both publish
        snapshot = _counters.snapshot(model)
    try:
        _client().set(_key(), json.dumps(snapshot), ex=SNAPSHOT_TTL_SECONDS)
    except redis.RedisError:
        logger.warning("could not publish worker metrics")


_heartbeat_stop = threading.Event()
_heartbeat: threading.Thread | None = None
# What the heartbeat publishes as this process's model, for the counters recorded between two beats.
_heartbeat_model: dict[str, Any] | None = None


def start_heartbeat(model: dict[str, Any] | None) -> None:
    """Publish now, then every HEARTBEAT_INTERVAL_SECONDS from a daemon thread (the process's main thread
    is busy with jobs), for as long as the worker process that forked this one lives: an orphaned pool
    child gets no jobs, so it must not look alive."""
    global _heartbeat, _heartbeat_model
    parent = os.getppid()
    _heartbeat_model = model
    publish(model)

    def beat() -> None:
        while not _heartbeat_stop.wait(HEARTBEAT_INTERVAL_SECONDS) and os.getppid() == parent:
            publish(model)

    _heartbeat_stop.clear()
    _heartbeat = threading.Thread(target=beat, name="therapy-notes-heartbeat", daemon=True)
    _heartbeat.start()


def stop_heartbeat() -> None:
    """On a clean exit: stop beating and withdraw the snapshot, so readiness drops at once."""
    _heartbeat_stop.set()
    if _heartbeat is not None:
        _heartbeat.join(timeout=HEARTBEAT_INTERVAL_SECONDS)
    try:
        _client().delete(_key())
    except redis.RedisError:
        logger.warning("could not withdraw worker metrics; they expire on their own")


def record(
    *, succeeded: bool, seconds: float | None, fallback: bool, intervened: bool, tokens: int = 0,
    model: dict[str, Any] | None,
) -> None:
    with _lock:
        _counters.jobs += 1
        _counters.successes += int(succeeded)
        _counters.failures += int(not succeeded)
        _counters.fallbacks += int(fallback)
        _counters.safety_net_interventions += int(intervened)
        _counters.completion_tokens += tokens
        if seconds is not None:
            _counters.observe_seconds(seconds)
    publish(model)


def record_outcome(*, succeeded: bool, outcome: NoteOutcome | None, model: dict[str, Any] | None) -> None:
    """Count one executed job from what it produced (None: it failed before producing anything)."""
    record(
        succeeded=succeeded,
        seconds=outcome.inference_time if outcome else None,
        fallback=bool(outcome and outcome.fallback),
        intervened=bool(outcome and outcome.safety_net_intervened),
        tokens=outcome.completion_tokens if outcome else 0,
        model=model,
    )


def record_generation(speed: GenerationSpeed) -> None:
    """Count one model generation (the engine's on_generation); a slow one is logged (numbers only). Published
    with the job's counters when the job ends, or by the next heartbeat."""
    with _lock:
        usual = _counters.usual_tokens_per_second()
        slow = _counters.observe_generation(speed)
    if slow:
        rate = speed.tokens_per_second
        logger.warning(
            "slow generation: %s tokens/s against this worker's usual %.1f (%d threads, %.1f s%s); other processes "
            "may be taking its cores", f"{rate:.1f}" if rate is not None else "no", usual or 0.0, speed.threads,
            speed.seconds, ", timed out" if speed.timed_out else "",
            extra={"event": "slow_generation", "tokens_per_second": round(rate, 2) if rate is not None else None,
                   "usual_tokens_per_second": round(usual, 2) if usual is not None else None,
                   "threads": speed.threads, "seconds": round(speed.seconds, 3), "timed_out": speed.timed_out})


def record_webhook_attempt(outcome: str) -> None:
    """Count one webhook attempt. Published at once only from a process that has a heartbeat (a worker):
    anywhere else a snapshot would pass for a live worker; there the count stays in the process."""
    if outcome not in WEBHOOK_ATTEMPT_OUTCOMES:
        raise ValueError(f"unknown webhook attempt outcome {outcome!r}")
    with _lock:
        _counters.webhook_attempts[outcome] += 1
    if _heartbeat is not None and _heartbeat.is_alive():
        publish(_heartbeat_model)


def read_all() -> list[dict[str, Any]]:
    """The snapshots of the worker processes alive now (within SNAPSHOT_TTL_SECONDS)."""
    client = _client()
    keys = sorted(client.scan_iter(f"{KEY_PREFIX}*"))
    values = client.mget(keys) if keys else []
    return [json.loads(v) for v in values if v]


def live_worker_ids() -> set[str]:
    """The ``host:pid`` of every worker process whose heartbeat has not expired. Raises redis.RedisError
    when Redis cannot be read: the caller must not take "unreadable" for "every worker is dead"."""
    client = _client()
    return {key.decode()[len(KEY_PREFIX):] for key in client.scan_iter(f"{KEY_PREFIX}*")}


def ready(snapshots: list[dict[str, Any]], queue: str) -> list[dict[str, Any]]:
    """The live worker processes that can run a job sent to ``queue``: model loaded, consuming it."""
    return [s for s in snapshots if s.get("model_loaded") and queue in s.get("queues", ())]
