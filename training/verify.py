"""Load a GGUF (optionally with a LoRA adapter) in llama-cpp-python and generate a short note:
the check that an exported artifact really works in the serving runtime."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from summarizer.prompts import build_session_note_messages

logger = logging.getLogger(__name__)

VERIFY_TRANSCRIPT = (
    "Therapist: How has your week been?\n"
    "Patient: Stressful. I have been sleeping badly and worrying about work every night.\n"
    "Therapist: Let's practise the breathing exercise and plan a wind-down routine.\n"
    "Patient: Okay, I will try no email after 9 pm."
)


@dataclass(frozen=True)
class Verification:
    model_path: str
    lora_path: str | None
    ok: bool
    seconds: float
    output: str
    error: str | None = None


def verify_gguf(
    model_path: Path,
    lora_path: Path | None = None,
    max_tokens: int = 48,
    threads: int = 2,
    transcript: str = VERIFY_TRANSCRIPT,
) -> Verification:
    started = time.perf_counter()
    try:
        from llama_cpp import Llama

        llm = Llama(
            model_path=str(model_path),
            lora_path=str(lora_path) if lora_path else None,
            n_ctx=2048,
            n_threads=threads,
            seed=1234,
            verbose=False,
        )
        try:
            # llama_cpp types messages as TypedDicts; ours are plain dicts of the same shape.
            reply: Any = llm.create_chat_completion(
                messages=cast(Any, build_session_note_messages(transcript)), max_tokens=max_tokens, temperature=0.0
            )
            text = reply["choices"][0]["message"]["content"] or ""
        finally:
            llm.close()
    except Exception as exc:  # noqa: BLE001 - a failed verification is a reported result, not a crash
        logger.error("verification of %s failed: %s", model_path, exc)
        return Verification(
            str(model_path),
            str(lora_path) if lora_path else None,
            False,
            time.perf_counter() - started,
            "",
            f"{type(exc).__name__}: {exc}",
        )
    return Verification(
        str(model_path),
        str(lora_path) if lora_path else None,
        bool(text.strip()),
        time.perf_counter() - started,
        text,
        None if text.strip() else "empty output",
    )
