"""Cut a transcript into chunks that fit a token budget, at the most natural boundaries it has.

A real session (45-55 minutes, 6,000-9,000 words) is several times the model's context. Chunks are
contiguous character ranges of the ORIGINAL transcript: together they cover it exactly once, in order,
so every offset a later step records (evidence, coverage) points into the text the clinician sees.

Boundaries, best first: speaker turns (lines), then sentences, then words (ASR output: one giant line
with no labels or punctuation is still chunked, by words, never by characters mid-word).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_LINE = re.compile(r"[^\n]*(?:\n|$)")
_SENTENCE = re.compile(r".*?(?:[.!?]+[\"')\]]*(?:\s+|$)|$)", re.DOTALL)
_WORD = re.compile(r"\S+\s*|\s+")
# Joining two pieces can merge or split a token at the seam: within this many tokens of the budget the
# joined text is counted as a whole.
_SEAM_MARGIN = 16


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int  # character offsets into the original transcript, end exclusive
    end: int

    def text(self, transcript: str) -> str:
        return transcript[self.start:self.end]


def _pieces(text: str, start: int, end: int, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Consecutive non-empty matches of ``pattern`` that tile text[start:end] exactly."""
    position = start
    while position < end:
        match = pattern.match(text, position, end)
        stop = match.end() if match and match.end() > position else end
        yield position, stop
        position = stop


def _units(text: str, start: int, end: int, budget: int, count: Callable[[str], int],
           levels: tuple[re.Pattern[str], ...]) -> Iterator[tuple[int, int]]:
    """Ranges of at most ``budget`` tokens tiling text[start:end], cut at the coarsest boundary that fits."""
    if count(text[start:end]) <= budget:
        yield start, end
        return
    if not levels:
        # A single word over the budget (a pasted URL, a wall of characters): cut it by characters.
        step = max(1, (end - start) * budget // max(count(text[start:end]), 1))
        for position in range(start, end, step):
            yield position, min(position + step, end)
        return
    pattern, finer = levels[0], levels[1:]
    pieces = list(_pieces(text, start, end, pattern))
    if len(pieces) == 1:  # this boundary does not occur here: try the next finer one
        yield from _units(text, start, end, budget, count, finer)
        return
    for piece_start, piece_end in pieces:
        yield from _units(text, piece_start, piece_end, budget, count, finer)


def chunk_transcript(transcript: str, budget: int, count_tokens: Callable[[str], int]) -> list[Chunk]:
    """Greedy packing of turns (or sentences, or words) into chunks of at most ``budget`` tokens."""
    if budget < 1:
        raise ValueError("budget must be at least one token")
    chunks = _pack(transcript, budget, count_tokens, _SEAM_MARGIN)
    if any(count_tokens(c.text(transcript)) > budget for c in chunks):
        # Seams added up past the margin (rare): pack again counting every joined text as a whole.
        chunks = _pack(transcript, budget, count_tokens, budget)
    return chunks


def _pack(transcript: str, budget: int, count_tokens: Callable[[str], int], margin: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    current_start: int | None = None
    current_end = current_tokens = 0
    for unit_start, unit_end in _units(transcript, 0, len(transcript), budget, count_tokens,
                                       (_LINE, _SENTENCE, _WORD)):
        unit_tokens = count_tokens(transcript[unit_start:unit_end])
        if current_start is None:
            current_start, current_end, current_tokens = unit_start, unit_end, unit_tokens
            continue
        grown = current_tokens + unit_tokens
        # Summed counts are exact enough far from the limit; near it, count the joined text itself.
        if grown > budget - margin:
            grown = count_tokens(transcript[current_start:unit_end])
        if grown <= budget:
            current_end, current_tokens = unit_end, grown
        else:
            chunks.append(Chunk(len(chunks), current_start, current_end))
            current_start, current_end, current_tokens = unit_start, unit_end, unit_tokens
    if current_start is not None:
        chunks.append(Chunk(len(chunks), current_start, current_end))
    return chunks
