"""The engine keeps each prompt kind's system-prompt KV (summarizer/prefix_cache.py): a note after a course
summary starts from the restored prefix, and the model computes the same thing as from a fresh cache."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from summarizer.config import InferenceConfig
from summarizer.engine import LlamaInferenceEngine
from summarizer.prefix_cache import shared_prefix
from summarizer.prompts import SessionText, build_multi_session_messages, build_session_note_messages
from tests.conftest import MODEL_PATH, SAMPLE_TRANSCRIPT

SUMMARY = build_multi_session_messages([SessionText(1, "2026-11-01", "Client slept better."),
                                        SessionText(2, "2026-11-08", "Client practised breathing.")])
NOTE = build_session_note_messages(SAMPLE_TRANSCRIPT)


def _last_logits(engine: LlamaInferenceEngine) -> np.ndarray:
    import llama_cpp

    llm = engine._require()
    pointer = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
    return np.ctypeslib.as_array(pointer, shape=(llm.n_vocab(),)).copy()


@pytest.fixture(scope="module")
def fresh_logits() -> np.ndarray:
    engine = LlamaInferenceEngine(InferenceConfig(model_path=str(MODEL_PATH), keep_prefix_states=False))
    engine.load()
    engine.generate(NOTE, max_tokens=1)
    logits = _last_logits(engine)
    engine.unload()
    return logits


def test_a_note_after_a_summary_restores_its_prefix_and_computes_the_same(fresh_logits: np.ndarray) -> None:
    engine = LlamaInferenceEngine(InferenceConfig(model_path=str(MODEL_PATH)))
    engine.load()
    try:
        engine.generate(build_session_note_messages("Therapist: Hello.\nPatient: Hi."), max_tokens=1)
        engine.generate(SUMMARY, max_tokens=1)
        summary_logits = _last_logits(engine)
        assert engine._prefixes is not None and engine._prefixes.restores == 0
        engine.generate(NOTE, max_tokens=1)
        assert engine._prefixes.restores == 1
        restored = _last_logits(engine)
        # Another run of the same weights on the same tokens: equal up to float rounding; a wrong or
        # misplaced KV would change the logits like another prompt does (the summary's: many units away).
        assert np.abs(restored - fresh_logits).max() < 0.05
        assert np.abs(summary_logits - fresh_logits).max() > 1.0
        engine.generate(SUMMARY, max_tokens=1)
        assert engine._prefixes.restores == 2  # the summary's own prefix, saved when the note came in
    finally:
        engine.unload()


def test_consecutive_prompts_of_one_kind_never_swap_state() -> None:
    engine = LlamaInferenceEngine(replace(InferenceConfig(model_path=str(MODEL_PATH)), max_tokens=1))
    engine.load()
    try:
        for text in ("Patient: I slept badly.", "Patient: Work is hard.", "Patient: Better week."):
            engine.generate(build_session_note_messages(text))
        assert engine._prefixes is not None and engine._prefixes.restores == 0
    finally:
        engine.unload()


def test_shared_prefix_counts_leading_equal_items() -> None:
    assert shared_prefix([1, 2, 3, 4], [1, 2, 9]) == 2
    assert shared_prefix([], [1]) == 0
    assert shared_prefix([5, 6], [5, 6]) == 2
