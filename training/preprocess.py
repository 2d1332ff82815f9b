"""Turn (transcript, reference note) pairs into chat examples that fit the model's context.

The prompt comes from ``summarizer.prompts.build_training_messages`` (the builder inference uses)
and is rendered only by the tokenizer's own chat template, so training and serving see the same
text. Whitespace normalisation and the head/tail truncation marker also match inference
(``summarizer.notes``): a transcript too long for the context keeps its opening and its ending.
The note is never truncated: cutting it would teach the model to stop mid-section.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from summarizer.notes import TRUNCATION_MARKER
from summarizer.prompts import Message, build_training_messages
from summarizer.sections import RED_CLOSE, RED_OPEN
from summarizer.text import normalise_whitespace, red_spans

logger = logging.getLogger(__name__)

# Inference keeps 2/5 of the budget for the transcript's head and 3/5 for its tail; match it.
HEAD_FRACTION = 0.4
_SAFETY_TOKENS = 4  # re-tokenising decoded slices can differ by a token or two at the seams
_MIN_TRANSCRIPT_TOKENS = 64  # below this the example teaches note-writing without evidence


class InvalidExampleError(ValueError):
    """A pair cannot become a training example; ``reason`` says why (counted, then skipped)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PreprocessConfig:
    max_seq_len: int = 2048
    truncation_marker: str = TRUNCATION_MARKER
    head_fraction: float = HEAD_FRACTION
    # Notes with broken {{RED:...}} markup would teach the model malformed risk flags.
    reject_malformed_red: bool = True


@dataclass(frozen=True)
class PreparedExample:
    prompt: list[Message]  # system + user, exactly what inference sends
    completion: list[Message]  # the reference note as the assistant turn
    prompt_tokens: int
    total_tokens: int
    transcript_truncated: bool

    def as_record(self) -> dict[str, Any]:
        """TRL's conversational prompt-completion format: loss falls on the completion only."""
        return {"prompt": self.prompt, "completion": self.completion}


@dataclass
class PreprocessReport:
    kept: int = 0
    truncated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rows_skipped(self) -> int:
        return len(self.skipped)

    def skip_reasons(self) -> dict[str, int]:
        return dict(Counter(reason.split(":")[0] for _, reason in self.skipped))


def has_malformed_red(text: str) -> bool:
    """True when ``{{RED:`` / ``}}`` appear outside well-formed ``{{RED:...}}`` spans."""
    opens, closes = text.count(RED_OPEN), text.count(RED_CLOSE)
    spans = len(red_spans(text))
    return opens != spans or closes != spans


def validate_inputs(transcript: Any, note: Any) -> tuple[str, str]:
    """Normalised (transcript, note), or InvalidExampleError."""
    if not isinstance(transcript, str) or not isinstance(note, str):
        raise InvalidExampleError(
            f"non-string input: transcript {type(transcript).__name__}, note {type(note).__name__}"
        )
    transcript, note = normalise_whitespace(transcript), normalise_whitespace(note)
    if not transcript:
        raise InvalidExampleError("empty transcript")
    if not note:
        raise InvalidExampleError("empty note")
    return transcript, note


class Preprocessor:
    """Validates, normalises and fits examples to ``max_seq_len`` with the model's tokenizer."""

    def __init__(self, tokenizer: Any, config: PreprocessConfig | None = None) -> None:
        if not getattr(tokenizer, "chat_template", None):
            raise ValueError("the tokenizer has no chat template; training must use the model's own template")
        self.tokenizer = tokenizer
        self.config = config or PreprocessConfig()
        self._marker_tokens = len(self._encode(self.config.truncation_marker))

    def _encode(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def chat_ids(self, messages: Sequence[Message], add_generation_prompt: bool = False) -> list[int]:
        encoded = self.tokenizer.apply_chat_template(
            list(messages), tokenize=True, return_dict=True, add_generation_prompt=add_generation_prompt
        )
        return list(encoded["input_ids"])

    def render(self, messages: Sequence[Message], add_generation_prompt: bool = False) -> str:
        return self.tokenizer.apply_chat_template(
            list(messages), tokenize=False, add_generation_prompt=add_generation_prompt
        )

    def count_tokens(self, text: str) -> int:
        return len(self._encode(text))

    def truncate_transcript(self, transcript: str, budget: int) -> tuple[str, bool]:
        """Keep head and tail of ``transcript`` within ``budget`` tokens, joined by the marker."""
        ids = self._encode(transcript)
        if len(ids) <= budget:
            return transcript, False
        keep = max(budget - self._marker_tokens, 2)
        head_n = int(keep * self.config.head_fraction)
        head, tail = ids[:head_n], ids[len(ids) - (keep - head_n) :]
        # A cut can land inside a multi-byte character; drop the replacement character it decodes to.
        head_text = self.tokenizer.decode(head).rstrip("\ufffd")
        tail_text = self.tokenizer.decode(tail).lstrip("\ufffd")
        return f"{head_text}{self.config.truncation_marker}{tail_text}", True

    def prepare(self, transcript: Any, note: Any) -> PreparedExample:
        transcript, note = validate_inputs(transcript, note)
        if self.config.reject_malformed_red and has_malformed_red(note):
            raise InvalidExampleError("malformed RED marker in note")
        max_len = self.config.max_seq_len
        messages = build_training_messages(transcript, note)
        total = len(self.chat_ids(messages))
        truncated = False
        if total > max_len:
            overhead = len(self.chat_ids(build_training_messages("", note)))
            budget = max_len - overhead - _SAFETY_TOKENS
            if budget < _MIN_TRANSCRIPT_TOKENS:
                raise InvalidExampleError(
                    f"note too long: prompt+note need {overhead} of {max_len} tokens, "
                    "no room for the transcript"
                )
            for _ in range(8):  # decode/re-encode can shift a few tokens; shrink until it fits
                fitted, truncated = self.truncate_transcript(transcript, budget)
                messages = build_training_messages(fitted, note)
                total = len(self.chat_ids(messages))
                if total <= max_len:
                    break
                budget -= total - max_len + _SAFETY_TOKENS
            else:
                raise InvalidExampleError(f"cannot fit transcript into {max_len} tokens")
        prompt, completion = messages[:-1], messages[-1:]
        return PreparedExample(
            prompt, completion, len(self.chat_ids(prompt, add_generation_prompt=True)), total, truncated
        )

    def prepare_many(
        self, pairs: Iterable[tuple[Any, Any]], desc: str = "preprocessing"
    ) -> tuple[list[PreparedExample], PreprocessReport]:
        report = PreprocessReport()
        prepared: list[PreparedExample] = []
        for index, (transcript, note) in enumerate(tqdm(list(pairs), desc=desc, unit="ex", leave=False)):
            try:
                example = self.prepare(transcript, note)
            except InvalidExampleError as exc:
                report.skipped.append((index, exc.reason))
                logger.info("example %d skipped: %s", index, exc.reason)
                continue
            prepared.append(example)
            report.truncated += example.transcript_truncated
        report.kept = len(prepared)
        if report.skipped:
            logger.warning(
                "preprocessing skipped %d example(s): %s", report.rows_skipped, report.skip_reasons()
            )
        return prepared, report
