"""A stand-in engine for testing the code *around* the model (repair, fallback, reconciliation).
Inference itself is always tested with the real bundled GGUF."""

from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.config import InferenceConfig
from summarizer.engine import GenerationResult, GenerationTimeoutError, ModelIdentity

FAKE_IDENTITY = ModelIdentity("fake.gguf", "0" * 64, 0, None, None, "note-v1")


@dataclass
class ScriptedEngine:
    """Returns ``text`` (or raises ``error``) for every generation."""

    text: str = ""
    error: BaseException | None = None
    config: InferenceConfig = field(default_factory=lambda: InferenceConfig(model_path="fake.gguf"))
    calls: int = 0
    last_messages: list[dict[str, str]] = field(default_factory=list)

    identity = FAKE_IDENTITY

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def count_prompt_tokens(self, messages: list[dict[str, str]]) -> int:
        return sum(len(m["content"].split()) for m in messages)

    def truncate_to_tokens(self, text: str, budget: int, marker: str) -> tuple[str, bool]:
        words = text.split(" ")
        if len(words) <= budget:
            return text, False
        keep = max(budget - len(marker.split()), 2)
        return " ".join(words[: keep // 2]) + marker + " ".join(words[-(keep - keep // 2):]), True

    def generate(self, messages: list[dict[str, str]], **_: object) -> GenerationResult:
        self.calls += 1
        self.last_messages = messages
        if self.error is not None:
            raise self.error
        return GenerationResult(self.text, self.count_prompt_tokens(messages), len(self.text.split()), 0.01, "stop")


def timing_out_engine() -> ScriptedEngine:
    return ScriptedEngine(error=GenerationTimeoutError("Generation exceeded the 45 s limit after 12 tokens."))
