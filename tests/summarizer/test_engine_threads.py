"""The worker's thread setting bounds all of llama.cpp's work, prompt evaluation included."""

from __future__ import annotations

import os

from summarizer.config import InferenceConfig
from summarizer.engine import LlamaInferenceEngine
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
