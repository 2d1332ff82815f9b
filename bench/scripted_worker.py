"""The product's Celery app with a scripted engine in place of the GGUF: for soak benches only.

Everything around the model is the real worker: the task, claiming and storing under row locks, the
heartbeats, the reconciler, the risk layer, grounding. Only ``generate`` is scripted: it waits a seeded
random while (``SOAK_SCRIPTED_SECONDS``, "low,high") so that a fault can land mid-job, then returns a
fixed well-formed note. Run as ``celery -A bench.scripted_worker worker ...`` (bench/stack.py).

The engine is put in place here, in the main worker process at import, before the pool forks: each child
inherits it, and ``workers.model_holder.get_engine`` returns it instead of loading a model.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass

from summarizer.engine import GenerationResult
from tests.summarizer.fakes import ScriptedEngine
from therapy_notes.celery import app
from workers import model_holder

NOTE = ("**Chief Complaint:** Work stress and poor sleep.\n**Emotional State:** Anxious.\n"
        "**Risk:** None reported.\n**Intervention:** Thought record.\n**Plan:** Sleep diary; review next week.")


@dataclass
class PacedEngine(ScriptedEngine):
    """A ScriptedEngine that takes a while per generation, like a model does."""

    low: float = 1.0
    high: float = 3.0
    load_seconds: float = 0.0  # read by the worker's heartbeat snapshot (workers/metrics.py)

    def generate(self, messages: list[dict[str, str]], **kwargs: object) -> GenerationResult:
        # Per process: a forked child reseeds from its pid so the children do not pause in lockstep.
        time.sleep(random.Random(os.getpid() + self.calls).uniform(self.low, self.high))
        return super().generate(messages, **kwargs)


def _paced_engine() -> PacedEngine:
    low, high = (float(x) for x in os.environ.get("SOAK_SCRIPTED_SECONDS", "1,3").split(","))
    return PacedEngine(text=NOTE, low=low, high=high)


model_holder._engine = _paced_engine()  # type: ignore[assignment]  # get_engine() returns it

__all__ = ["app"]
