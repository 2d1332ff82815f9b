"""Inference configuration: one frozen dataclass, built by the caller (Django settings, CLI, bench)."""

from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.cpu_threads import default_n_threads

# KV cache element types: name -> ggml type id (ggml.h's GGML_TYPE_F16, GGML_TYPE_Q8_0; stable across
# llama.cpp versions). A quantized V cache needs flash attention.
KV_CACHE_TYPES: dict[str, int] = {"f16": 1, "q8_0": 8}


@dataclass(frozen=True)
class InferenceConfig:
    model_path: str
    lora_path: str | None = None
    # Name of the model-registry entry this configuration came from ("" when chosen by path).
    registry_entry: str = ""
    # When model_path is a merged GGUF: the adapter folded into it (file name, sha256), for provenance.
    merged_adapter_file: str | None = None
    merged_adapter_sha256: str | None = None
    n_ctx: int = 2048
    # llama.cpp's flash attention (no n_ctx x n_batch attention matrix in the compute buffer) and the KV
    # cache's element type: memory levers, measured by bench/merged_models.py --engine (off: bench/RESULTS.md).
    flash_attn: bool = False
    kv_cache_type: str = "f16"
    # The most llama.cpp threads a generation uses. Default: the CPUs this process may use (affinity mask,
    # cgroup quota rounded down), at most 2 (summarizer/cpu_threads.py says why).
    n_threads: int = field(default_factory=default_n_threads)
    # Use fewer threads than n_threads while other processes keep cores busy (spin-waiting threads on a shared
    # core make a note several times slower); off: always n_threads.
    adaptive_threads: bool = True
    n_gpu_layers: int = 0
    max_tokens: int = 200
    temperature: float = 0.2
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.1
    # Wall-clock limit for one generation; checked per token so the worker process survives.
    timeout_seconds: float = 45.0
    seed: int = 1234
    # Constrain decoding to the note's section skeleton (GBNF grammar).
    use_grammar: bool = True
    # Save each prompt kind's system-prompt KV and restore it after a job of another kind
    # (summarizer/prefix_cache.py); off only to measure it (bench/engine_benches.py).
    keep_prefix_states: bool = True

    def __post_init__(self) -> None:
        if self.kv_cache_type not in KV_CACHE_TYPES:
            raise ValueError(f"kv_cache_type {self.kv_cache_type!r}: choose from {', '.join(KV_CACHE_TYPES)}")
        if self.kv_cache_type != "f16" and not self.flash_attn:
            raise ValueError(f"kv_cache_type {self.kv_cache_type!r} needs flash_attn (llama.cpp's quantized V cache)")
