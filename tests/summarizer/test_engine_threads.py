"""The worker's thread setting bounds all of llama.cpp's work, prompt evaluation included, and adaptive threads
really change the llama.cpp context's threads between generations (issue 18)."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from summarizer.config import InferenceConfig
from summarizer.cpu_threads import CpuReading, ThreadPolicy
from summarizer.engine import GenerationSpeed, GenerationTimeoutError, LlamaInferenceEngine
from summarizer.prompts import build_session_note_messages
from tests.conftest import MODEL_PATH


def test_n_threads_also_bounds_prompt_evaluation_threads() -> None:
    # llama-cpp-python would use every core for prompt evaluation; on a multi-core host that is
    # more than the 1 thread asked for, which is what this test would catch.
    assert (os.cpu_count() or 1) > 1, "needs a multi-core host to tell the two apart"
    engine = LlamaInferenceEngine(InferenceConfig(model_path=str(MODEL_PATH), n_threads=1))
    engine.load()
    try:
        params = engine._llm.context_params
        assert (params.n_threads, params.n_threads_batch) == (1, 1)
    finally:
        engine.unload()


def _sampler(others: float) -> Callable[[], CpuReading]:
    """Readings 1 s apart in which other processes keep ``others`` cores busy."""
    clock = {"at": 0.0}

    def read() -> CpuReading:
        clock["at"] += 1.0
        return CpuReading(at=clock["at"], busy=clock["at"] * others, own=0.0)

    return read


def _threads_in_context(engine: LlamaInferenceEngine) -> tuple[int, int]:
    import llama_cpp

    ctx = engine._llm.ctx
    return llama_cpp.llama_n_threads(ctx), llama_cpp.llama_n_threads_batch(ctx)


MESSAGES = build_session_note_messages("Therapist: How was your week? Patient: Better, I slept more.")


def test_adaptive_threads_really_change_the_llama_context() -> None:
    engine = LlamaInferenceEngine(InferenceConfig(model_path=str(MODEL_PATH), n_threads=2))
    engine.load()
    seen: list[GenerationSpeed] = []
    engine.on_generation = seen.append
    try:
        assert engine.thread_policy is not None  # adaptive is the default
        engine.thread_policy = ThreadPolicy(2, sampler=_sampler(1.0), cpus=2, sleep=lambda _: None)
        busy = engine.generate(MESSAGES, max_tokens=8)
        assert busy.threads == 1 and _threads_in_context(engine) == (1, 1)
        engine.thread_policy = ThreadPolicy(2, sampler=_sampler(0.0), cpus=2, sleep=lambda _: None)
        idle = engine.generate(MESSAGES, max_tokens=8)
        assert idle.threads == 2 and _threads_in_context(engine) == (2, 2)
    finally:
        engine.unload()
    assert [s.threads for s in seen] == [1, 2]
    assert all(s.completion_tokens > 1 and s.tokens_per_second and s.tokens_per_second > 0 for s in seen)
    assert busy.tokens_per_second == seen[0].tokens_per_second


def test_without_adaptation_the_configured_threads_always_run_and_a_timeout_is_reported() -> None:
    engine = LlamaInferenceEngine(InferenceConfig(model_path=str(MODEL_PATH), n_threads=1, adaptive_threads=False))
    engine.load()
    seen: list[GenerationSpeed] = []
    engine.on_generation = seen.append
    try:
        assert engine.thread_policy is None
        assert engine.generate(MESSAGES, max_tokens=4).threads == 1
        assert _threads_in_context(engine) == (1, 1)
        with pytest.raises(GenerationTimeoutError):
            engine.generate(MESSAGES, max_tokens=50, timeout_seconds=0.0)
    finally:
        engine.unload()
    assert [(s.threads, s.timed_out) for s in seen] == [(1, False), (1, True)]
