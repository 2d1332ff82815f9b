"""A slowed worker says so (issue 18): generation speed, threads and slow generations in the worker's
snapshot and in the Prometheus exposition, and a warning (numbers only) when a generation runs far below
the worker's usual speed."""

from __future__ import annotations

import json
import logging

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector

from sessions import prometheus, tasks
from sessions.job_execution import ExecutionReport
from summarizer.engine import GenerationSpeed
from tests.summarizer.fakes import ScriptedEngine
from workers import metrics


def speed(tokens_per_second: float, threads: int = 2, tokens: int = 101, timed_out: bool = False) -> GenerationSpeed:
    decode = (tokens - 1) / tokens_per_second
    return GenerationSpeed(threads=threads, seconds=decode + 1.0, completion_tokens=tokens, decode_seconds=decode,
                           timed_out=timed_out)


def test_a_generation_far_below_the_usual_speed_is_slow() -> None:
    counters = metrics.WorkerCounters()
    for rate in (40.0, 30.0, 10.0):  # too few to judge against: none is slow, even the 10
        assert counters.observe_generation(speed(rate)) is False
    assert counters.usual_tokens_per_second() == 30.0
    assert counters.observe_generation(speed(35.0 * 0.87, threads=1)) is False  # 1 thread instead of 2: normal
    assert counters.observe_generation(speed(14.0)) is True  # under half of the usual 30.0
    assert counters.usual_tokens_per_second() == pytest.approx((30.0 + 35.0 * 0.87) / 2)  # slow ones left out
    assert counters.observe_generation(speed(1.0, tokens=1, timed_out=True)) is True  # timed out before decoding
    assert counters.observe_generation(speed(1.0, tokens=1)) is False  # one token, not timed out: no speed known
    assert counters.slow_generations == 2
    assert counters.generations == {"2": 6, "1": 1}
    assert counters.threads == 2


def test_a_lasting_slowdown_keeps_counting_against_the_speed_before_it() -> None:
    counters = metrics.WorkerCounters()
    for _ in range(metrics.USUAL_SPEED_MIN):
        counters.observe_generation(speed(30.0))
    assert all(counters.observe_generation(speed(5.0)) for _ in range(3 * metrics.USUAL_SPEED_WINDOW))
    assert counters.usual_tokens_per_second() == 30.0


def test_the_snapshot_carries_speed_threads_and_slow_generations_as_json() -> None:
    counters = metrics.WorkerCounters()
    empty = counters.snapshot(None)
    assert (empty["generation_tokens_per_second"], empty["usual_tokens_per_second"], empty["threads"]) == (
        None, None, None)
    for rate in (30.0, 32.0, 34.0, 4.0):
        counters.observe_generation(speed(rate))
    counters.observe_generation(speed(33.0, threads=1))
    data = json.loads(json.dumps(counters.snapshot(None)))
    assert data["generation_tokens_per_second"] == 32.0  # median of all recent, slow included
    assert data["usual_tokens_per_second"] == 32.5  # median of the normal ones
    assert data["slow_generations"] == 1
    assert data["threads"] == 1
    assert data["generations"] == {"2": 4, "1": 1}
    assert not any(key.startswith(("recent_", "normal_")) for key in data)


def test_a_slow_generation_is_logged_with_numbers_only(monkeypatch, caplog) -> None:
    monkeypatch.setattr(metrics, "_counters", metrics.WorkerCounters())  # this test's counts only
    caplog.set_level(logging.WARNING, logger="workers.metrics")
    for _ in range(metrics.USUAL_SPEED_MIN):
        metrics.record_generation(speed(30.0))
    assert [r for r in caplog.records if getattr(r, "event", None) == "slow_generation"] == []
    metrics.record_generation(speed(3.0, threads=2))
    [record] = [r for r in caplog.records if getattr(r, "event", None) == "slow_generation"]
    assert record.levelno == logging.WARNING
    assert (record.tokens_per_second, record.usual_tokens_per_second, record.threads) == (3.0, 30.0, 2)
    assert "3.0 tokens/s" in record.getMessage() and "usual 30.0" in record.getMessage()
    assert metrics._counters.slow_generations == 1


class _WorkersOnly(Collector):
    def collect(self):  # type: ignore[no-untyped-def]
        yield from prometheus._workers("notes")


def test_the_exposition_shows_speed_threads_and_slow_generations(monkeypatch) -> None:
    counters = metrics.WorkerCounters()
    for rate in (30.0, 31.0, 32.0, 3.0):
        counters.observe_generation(speed(rate))
    counters.observe_generation(speed(29.0, threads=1))
    snapshot = json.loads(json.dumps(counters.snapshot(None)))
    idle = json.loads(json.dumps(metrics.WorkerCounters().snapshot(None)))
    idle["pid"] = snapshot["pid"] + 1  # a second worker that has generated nothing yet
    monkeypatch.setattr(metrics, "read_all", lambda: [snapshot, idle])
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_WorkersOnly())
    families = {f.name: f for f in text_string_to_metric_families(generate_latest(registry).decode())}
    worker = f"{snapshot['host']}:{snapshot['pid']}"
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples}
    assert samples[("therapy_notes_worker_generations_total", (("threads", "2"), ("worker", worker)))] == 4
    assert samples[("therapy_notes_worker_generations_total", (("threads", "1"), ("worker", worker)))] == 1
    assert samples[("therapy_notes_worker_slow_generations_total", (("worker", worker),))] == 1
    assert samples[("therapy_notes_worker_threads", (("worker", worker),))] == 1
    assert samples[("therapy_notes_worker_generation_tokens_per_second", (("worker", worker),))] == 30.0
    assert samples[("therapy_notes_worker_usual_tokens_per_second", (("worker", worker),))] == 30.5
    assert families["therapy_notes_worker_slow_generations"].type == "counter"
    idle_worker = f"{idle['host']}:{idle['pid']}"
    assert samples[("therapy_notes_worker_slow_generations_total", (("worker", idle_worker),))] == 0
    assert ("therapy_notes_worker_threads", (("worker", idle_worker),)) not in samples  # no value yet: no sample


def test_the_task_connects_the_engine_to_the_generation_metrics(monkeypatch) -> None:
    engine = ScriptedEngine()
    monkeypatch.setattr(tasks, "get_engine", lambda: engine)
    monkeypatch.setattr(tasks, "execute_job", lambda job_id, e: ExecutionReport(ran=False))
    tasks.run_note_job("00000000-0000-0000-0000-000000000000")
    assert engine.on_generation is metrics.record_generation  # type: ignore[attr-defined]
