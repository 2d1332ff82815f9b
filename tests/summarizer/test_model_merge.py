"""The numpy LoRA merge (summarizer/model_merge.py): the arithmetic, the file it writes, and that llama.cpp
reads the merged file as the same model it gets from base + runtime adapter."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from summarizer.model_merge import (
    MERGED_ADAPTER_KEY,
    MergeError,
    adapter_scale,
    merge_lora,
    merged_weight,
)
from tests.conftest import MODEL_PATH

ADAPTER_PATH = MODEL_PATH.parent / "adapters" / "smollm2-notes" / "smollm2-notes-lora-f16.gguf"
FINITE = st.floats(-4, 4, width=32, allow_nan=False, allow_infinity=False)


@st.composite
def lora_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    out, inner, rank = draw(st.integers(1, 9)), draw(st.integers(1, 9)), draw(st.integers(1, 4))
    weight = draw(arrays(np.float32, (out, inner), elements=FINITE))
    lora_a = draw(arrays(np.float32, (rank, inner), elements=FINITE))
    lora_b = draw(arrays(np.float32, (out, rank), elements=FINITE))
    return weight, lora_a, lora_b, draw(st.floats(0.25, 4))


@settings(max_examples=150, deadline=None)
@given(lora_cases())
def test_merged_weight_is_weight_plus_scaled_low_rank_product(case: tuple) -> None:
    weight, lora_a, lora_b, scale = case
    expected = weight.astype(np.float64) + scale * (lora_b.astype(np.float64) @ lora_a.astype(np.float64))
    merged = merged_weight(weight, lora_a, lora_b, scale)
    assert merged.dtype == np.float32 and merged.shape == weight.shape
    np.testing.assert_allclose(merged, expected, rtol=1e-5, atol=1e-4)


def test_merged_weight_refuses_an_adapter_of_another_shape() -> None:
    with pytest.raises(MergeError, match="do not fit"):
        merged_weight(np.zeros((4, 6), np.float32), np.zeros((2, 5), np.float32), np.zeros((4, 2), np.float32), 1.0)


def test_unknown_merge_type_is_refused_before_any_file_is_written(tmp_path: Path) -> None:
    with pytest.raises(MergeError, match="unknown merge type"):
        merge_lora(MODEL_PATH, ADAPTER_PATH, tmp_path / "x.gguf", "Q3_XS")
    assert list(tmp_path.iterdir()) == []


def test_a_base_model_is_not_an_adapter(tmp_path: Path) -> None:
    with pytest.raises(MergeError, match="not a GGUF LoRA adapter"):
        merge_lora(MODEL_PATH, MODEL_PATH, tmp_path / "x.gguf", "Q8_0")
    assert not (tmp_path / "x.gguf").exists()


@pytest.fixture(scope="module")
def merged_q8(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return merge_lora(MODEL_PATH, ADAPTER_PATH, tmp_path_factory.mktemp("merge") / "m.gguf", "Q8_0").path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_merge_changes_only_the_adapted_tensors_and_is_reproducible(merged_q8: Path, tmp_path: Path) -> None:
    from gguf import GGUFReader, dequantize

    scale, pairs = adapter_scale(ADAPTER_PATH)
    assert scale == pytest.approx(2.0)  # alpha 16 / rank 8, as the adapter was trained (peft)
    base = {t.name: t for t in GGUFReader(MODEL_PATH).tensors}
    merged_reader = GGUFReader(merged_q8)
    merged = {t.name: t for t in merged_reader.tensors}
    assert merged.keys() == base.keys()
    assert str(merged_reader.fields[MERGED_ADAPTER_KEY].contents()) == ADAPTER_PATH.name
    for name, tensor in base.items():
        if name not in pairs:
            assert merged[name].tensor_type == tensor.tensor_type
            assert bytes(merged[name].data) == bytes(tensor.data), name
    name = "blk.3.attn_q.weight"
    lora_a, lora_b = pairs[name]
    target = merged_weight(dequantize(base[name].data, base[name].tensor_type), lora_a, lora_b, scale)
    got = dequantize(merged[name].data, merged[name].tensor_type)
    # Q8_0 steps are max|w|/127 per 32 weights: the merged weight within one step of the exact sum.
    assert np.abs(got - target).max() <= np.abs(target).max() / 127 + 1e-6
    # Same inputs, same bytes (the registry records one sha256 for every machine).
    again = merge_lora(MODEL_PATH, ADAPTER_PATH, tmp_path / "again.gguf", "Q8_0").path
    assert _sha(again) == _sha(merged_q8)


def _next_token_log_probs(model: Path, lora: Path | None, prompt: str) -> np.ndarray:
    from llama_cpp import Llama

    llm = Llama(model_path=str(model), lora_path=str(lora) if lora else None, n_ctx=512, n_threads=2,
                n_threads_batch=2, logits_all=True, verbose=False)
    ids = llm.tokenize(prompt.encode(), add_bos=False, special=True)
    llm.eval(ids)
    logits = np.asarray(llm.scores[: len(ids)], dtype=np.float64)
    llm.close()
    logits -= logits.max(axis=1, keepdims=True)
    return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))


def test_llama_cpp_reads_the_merged_model_as_base_plus_runtime_adapter(merged_q8: Path) -> None:
    prompt = ("<|im_start|>user\nTherapist: How was the week?\nPatient: I slept badly and skipped the gym, "
              "but I did call my sister.<|im_end|>\n<|im_start|>assistant\n**Chief Complaint:** Poor sleep")
    runtime = _next_token_log_probs(MODEL_PATH, ADAPTER_PATH, prompt)

    def kl(other: np.ndarray) -> float:
        return float((np.exp(runtime) * (runtime - other)).sum(axis=1).mean())

    merged_kl = kl(_next_token_log_probs(merged_q8, None, prompt))
    base_kl = kl(_next_token_log_probs(MODEL_PATH, None, prompt))
    # The adapter moves the base far (base_kl); the merged file must keep nearly all of that move.
    assert base_kl > 0.1
    assert merged_kl < base_kl / 10, (merged_kl, base_kl)
