"""Per-worker-process counters, published to Redis so the web's /health can show them.

Each worker process keeps its own counters and writes a JSON snapshot under
``therapy_notes:worker:<host>:<pid>`` with a TTL: a dead worker disappears on its own.
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
    from summarizer.notes import NoteOutcome

logger = logging.getLogger(__name__)

KEY_PREFIX = "therapy_notes:worker:"
SNAPSHOT_TTL_SECONDS = 600


@dataclass
class WorkerCounters:
    jobs: int = 0
    successes: int = 0
    failures: int = 0
    fallbacks: int = 0
    safety_net_interventions: int = 0
    recent_seconds: deque[float] = field(default_factory=lambda: deque(maxlen=500))

    def snapshot(self, model: dict[str, Any] | None) -> dict[str, Any]:
        seconds = sorted(self.recent_seconds)
        p95 = seconds[max(int(len(seconds) * 0.95) - 1, 0)] if seconds else None
        data = {k: v for k, v in asdict(self).items() if k != "recent_seconds"}
        data.update(
            mean_inference_seconds=round(statistics.fmean(seconds), 3) if seconds else None,
            p95_inference_seconds=round(p95, 3) if p95 is not None else None,
            rss_bytes=psutil.Process().memory_info().rss,
            pid=os.getpid(),
            host=socket.gethostname(),
            model_loaded=model is not None,
            model=model,
            model_load_seconds=_model_load_seconds(),
            updated_at=time.time(),
        )
        return data


def _model_load_seconds() -> float | None:
    from workers.model_holder import loaded_engine

    engine = loaded_engine()
    return round(engine.load_seconds, 3) if engine and engine.load_seconds is not None else None


_counters = WorkerCounters()
_lock = threading.Lock()


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def publish(model: dict[str, Any] | None) -> None:
    key = f"{KEY_PREFIX}{socket.gethostname()}:{os.getpid()}"
    try:
        _client().set(key, json.dumps(_counters.snapshot(model)), ex=SNAPSHOT_TTL_SECONDS)
    except redis.RedisError:
        logger.warning("could not publish worker metrics")


def record(
    *, succeeded: bool, seconds: float | None, fallback: bool, intervened: bool, model: dict[str, Any] | None
) -> None:
    with _lock:
        _counters.jobs += 1
        _counters.successes += int(succeeded)
        _counters.failures += int(not succeeded)
        _counters.fallbacks += int(fallback)
        _counters.safety_net_interventions += int(intervened)
        if seconds is not None:
            _counters.recent_seconds.append(seconds)
    publish(model)


def record_outcome(*, succeeded: bool, outcome: NoteOutcome | None, model: dict[str, Any] | None) -> None:
    """Count one executed job from what it produced (None: it failed before producing anything)."""
    record(
        succeeded=succeeded,
        seconds=outcome.inference_time if outcome else None,
        fallback=bool(outcome and outcome.fallback),
        intervened=bool(outcome and outcome.safety_net_intervened),
        model=model,
    )


def read_all() -> list[dict[str, Any]]:
    client = _client()
    keys = sorted(client.scan_iter(f"{KEY_PREFIX}*"))
    values = client.mget(keys) if keys else []
    return [json.loads(v) for v in values if v]
