"""Real-length sessions: fit a transcript longer than the model's context by choosing, never by cutting.

A 50-minute session is 8,000-12,000 tokens; the embedded model reads about 1,500 of them per note. The
old behaviour kept the head and tail and silently dropped the middle. Here the transcript is cut into
chunks at turn boundaries (summarizer/chunking.py), every chunk gets an equal share of the budget, and
within a chunk the sentences that carry what a note needs (numbers, risk, plans and homework, feelings,
medication, named people) are kept in their original order, with their speaker labels. What the model
read is recorded per chunk as ``coverage``, so a shortened input is a documented decision.

The risk detector and the grounding still read the whole transcript: risk is never condensed away, and
every statement is checked against everything that was said.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from summarizer.chunking import chunk_transcript
from summarizer.text import SPEAKER_LABEL

# Chunk size for condensing: small enough that every ~5 minutes of a session is its own share.
CONDENSE_CHUNK_TOKENS = 600
GAP_MARKER = "[...]"
# Longer "sentences" are unpunctuated speech: chosen in windows of this many words.
_MAX_SENTENCE_WORDS = 45
_WINDOW_WORDS = 25

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"')\]]*|$)")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|"
                     r"fifteen|twenty|thirty|forty|fifty|hundred)\b", re.IGNORECASE)
_PLAN = re.compile(r"\b(?:this\s+week|next\s+(?:week|session|time)|homework|plan|practi[cs]e|try|diary|log|"
                   r"schedule|goal|agree[ds]?|referr\w*|appointment|follow[- ]?up|review)\b", re.IGNORECASE)
_FEELING = re.compile(r"\b(?:feel\w*|felt|sad|anxious|anxiety|angry|scared|afraid|panic\w*|hopeless|worr\w+|low|"
                      r"down|stress\w*|overwhelm\w*|tired|exhausted|numb|guilt\w*|ashamed|shame|lonely|"
                      r"better|worse|calm\w*|cry\w*|tears?)\b", re.IGNORECASE)
_CLINICAL = re.compile(r"\b(?:mg|dose|medication|tablets?|pills?|sertraline|fluoxetine|citalopram|mirtazapine|"
                       r"methadone|lithium|quetiapine|drink\w*|alcohol|units?|sleep\w*|slept|phq|gad|score|"
                       r"doctor|gp|psychiatrist|hospital|a&e|police|safeguarding)\b", re.IGNORECASE)
_SMALL_TALK = re.compile(r"^\s*(?:hi|hello|good\s+to\s+see\s+you|thanks?|thank\s+you|okay|ok|yeah|yes|no|mm+|"
                         r"right|sure|great|see\s+you)\b[^.!?]{0,20}[.!?]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    start: int  # offsets into the original transcript
    end: int
    speaker: str  # the turn's label ("Patient", "T", "Speaker 2"), "" when unlabelled
    turn: int  # which turn it belongs to: consecutive kept sentences of one turn share one label


@dataclass
class FittedTranscript:
    """What the model reads, and how it relates to the transcript."""

    text: str
    strategy: str  # "whole" (it fit) or "condensed" (chosen sentences from every chunk)
    transcript_tokens: int
    budget_tokens: int
    chunks: list[dict[str, Any]] = field(default_factory=list)

    def coverage(self) -> dict[str, Any]:
        """The job-result record of what the model read (offsets into the stored transcript)."""
        return {"strategy": self.strategy, "transcript_tokens": self.transcript_tokens,
                "budget_tokens": self.budget_tokens, "chunks": self.chunks}


def sentences(transcript: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """The sentences of transcript[start:end] with the speaker of the turn each belongs to."""
    end = len(transcript) if end is None else end
    found: list[Sentence] = []
    speaker, turn = "", 0
    for line_match in re.finditer(r"[^\n]+", transcript[start:end]):
        line_start = start + line_match.start()
        line_end = start + line_match.end()
        label = SPEAKER_LABEL.match(transcript, line_start, line_end)
        body_start = line_start
        if label:
            speaker = transcript[line_start:label.end()].strip().rstrip(":").strip()
            body_start = label.end()
            turn += 1
        for match in _SENTENCE.finditer(transcript, body_start, line_end):
            text = match.group(0)
            if text.strip():
                lead = len(text) - len(text.lstrip())
                found.extend(_windows(transcript, match.start() + lead, match.end(), speaker, turn))
    return found


def _windows(transcript: str, start: int, end: int, speaker: str, turn: int) -> list[Sentence]:
    """A sentence, or, for unpunctuated speech (ASR output), windows of words that can be chosen one by one."""
    words = list(re.finditer(r"\S+", transcript[start:end]))
    if len(words) <= _MAX_SENTENCE_WORDS:
        return [Sentence(start, end, speaker, turn)]
    return [Sentence(start + words[i].start(), start + words[min(i + _WINDOW_WORDS, len(words)) - 1].end(),
                     speaker, turn) for i in range(0, len(words), _WINDOW_WORDS)]


def salience(text: str, risk_evidence: Sequence[str]) -> float:
    """How much a sentence carries what a note needs; small talk and fillers score below zero."""
    lowered = text.lower()
    if any(evidence and evidence.lower() in lowered for evidence in risk_evidence):
        return 100.0
    words = len(text.split())
    score = 0.0
    score += 3.0 * min(len(_NUMBER.findall(text)), 2)
    score += 2.5 if _PLAN.search(text) else 0.0
    score += 2.0 if _CLINICAL.search(text) else 0.0
    score += 1.5 if _FEELING.search(text) else 0.0
    score += 1.0 if re.search(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]{2,}", text) else 0.0  # a name or a place
    if words < 5 or _SMALL_TALK.match(text):
        score -= 3.0
    return score + min(words, 25) / 25.0  # a little for substance; ties go to the fuller sentence


def _render(transcript: str, kept: Sequence[Sentence]) -> str:
    lines: list[str] = []
    previous: Sentence | None = None
    for sentence in kept:
        text = transcript[sentence.start:sentence.end].strip()
        adjacent = previous is not None and not transcript[previous.end:sentence.start].strip()
        same_turn = previous is not None and previous.turn == sentence.turn
        if previous is not None and not adjacent and not same_turn:
            lines.append(GAP_MARKER)
        if same_turn and lines:
            lines[-1] += (" " if adjacent else f" {GAP_MARKER} ") + text
        else:
            lines.append(f"{sentence.speaker}: {text}" if sentence.speaker else text)
        previous = sentence
    return "\n".join(lines)


def fit_transcript(transcript: str, budget: int, count_tokens: Callable[[str], int],
                   risk_evidence: Sequence[str] = ()) -> FittedTranscript:
    """The transcript itself when it fits ``budget`` tokens, else its most note-worthy sentences from
    every part of the session, in order, within the budget."""
    total = count_tokens(transcript)
    if total <= budget:
        return FittedTranscript(transcript, "whole", total, budget,
                                [{"index": 0, "start": 0, "end": len(transcript), "kept_sentences": None}])
    chunks = chunk_transcript(transcript, CONDENSE_CHUNK_TOKENS, count_tokens)
    share = max(budget // len(chunks), 1)
    kept: list[Sentence] = []
    records: list[dict[str, Any]] = []
    score: dict[Sentence, float] = {}
    for chunk in chunks:
        candidates = sentences(transcript, chunk.start, chunk.end)
        score.update((s, salience(transcript[s.start:s.end], risk_evidence)) for s in candidates)
        ranked = sorted(candidates, key=lambda s: -score[s])
        chosen: list[Sentence] = []
        used = 0
        for sentence in ranked:
            # Each kept sentence costs its tokens plus a label or gap marker (about 3 tokens).
            cost = count_tokens(transcript[sentence.start:sentence.end]) + 3
            if used + cost <= share:
                chosen.append(sentence)
                used += cost
        chosen.sort(key=lambda s: s.start)
        kept.extend(chosen)
        records.append({"index": chunk.index, "start": chunk.start, "end": chunk.end,
                        "sentences": len(candidates), "kept_sentences": len(chosen),
                        "kept_spans": [[s.start, s.end] for s in chosen]})
    text = _render(transcript, kept)
    # Labels and markers can push the joined text over: drop the least note-worthy sentences until it fits.
    while kept and count_tokens(text) > budget:
        weakest = min(kept, key=score.__getitem__)
        kept.remove(weakest)
        for record in records:
            if [weakest.start, weakest.end] in record["kept_spans"]:
                record["kept_spans"].remove([weakest.start, weakest.end])
                record["kept_sentences"] -= 1
        text = _render(transcript, kept)
    return FittedTranscript(text, "condensed", total, budget, records)
