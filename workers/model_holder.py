"""One inference engine per worker process, loaded once and reused by every job.

Loaded on ``worker_process_init`` (each prefork child, after fork: a llama.cpp context
must not be shared across a fork), never in the web process.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings

from summarizer.config import InferenceConfig
from summarizer.engine import LlamaInferenceEngine
from workers.model_selection import resolve_model_selection

logger = logging.getLogger(__name__)

_engine: LlamaInferenceEngine | None = None
_lock = threading.Lock()


def inference_config_from_settings() -> InferenceConfig:
    selection = resolve_model_selection()
    return InferenceConfig(
        model_path=selection.model_path,
        lora_path=selection.lora_path,
        registry_entry=selection.registry_entry,
        merged_adapter_file=Path(selection.merged_adapter.file).name if selection.merged_adapter else None,
        merged_adapter_sha256=selection.merged_adapter.sha256 if selection.merged_adapter else None,
        n_ctx=settings.THERAPY_NOTES_N_CTX,
        flash_attn=settings.THERAPY_NOTES_FLASH_ATTN,
        kv_cache_type=settings.THERAPY_NOTES_KV_CACHE_TYPE,
        n_threads=settings.THERAPY_NOTES_N_THREADS,
        adaptive_threads=settings.THERAPY_NOTES_ADAPTIVE_THREADS,
        n_gpu_layers=settings.THERAPY_NOTES_N_GPU_LAYERS,
        max_tokens=settings.THERAPY_NOTES_MAX_TOKENS,
        temperature=settings.THERAPY_NOTES_TEMPERATURE,
        top_p=settings.THERAPY_NOTES_TOP_P,
        top_k=settings.THERAPY_NOTES_TOP_K,
        repeat_penalty=settings.THERAPY_NOTES_REPEAT_PENALTY,
        timeout_seconds=settings.THERAPY_NOTES_GENERATION_TIMEOUT,
        use_grammar=settings.THERAPY_NOTES_USE_GRAMMAR,
    )


def get_engine() -> LlamaInferenceEngine:
    """The process's engine, loading it on first use (solo pool, shell, bench)."""
    global _engine
    with _lock:
        if _engine is None:
            engine = LlamaInferenceEngine(inference_config_from_settings())
            engine.load()
            logger.info("worker model ready: %s (%.2f s)", engine.identity.model_file, engine.load_seconds)
            _engine = engine
        return _engine


def loaded_engine() -> LlamaInferenceEngine | None:
    """The engine if this process has loaded one (never triggers a load)."""
    return _engine
