"""Chunking and condensing real-length transcripts: exact cover, budgets kept, natural boundaries, offsets
that point into the original transcript."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.chunking import chunk_transcript
from summarizer.long_sessions import GAP_MARKER, fit_transcript, sentences


def words(text: str) -> int:  # a stand-in tokenizer: one token per word (the real one is tested below)
    return len(text.split())


_WORD = st.from_regex(r"[a-z]{1,8}|[0-9]{1,3}", fullmatch=True)
_SENTENCE = st.lists(_WORD, min_size=1, max_size=14).map(lambda w: " ".join(w) + ".")
_TURN = st.tuples(st.sampled_from(["Therapist", "Patient", "T", "C", "Speaker 1"]),
                  st.lists(_SENTENCE, min_size=1, max_size=5)).map(lambda t: f"{t[0]}: {' '.join(t[1])}")
_LABELLED = st.lists(_TURN, min_size=1, max_size=40).map("\n".join)
# ASR output: one line, no labels, no punctuation.
_ASR = st.lists(_WORD, min_size=1, max_size=600).map(" ".join)
_ANY = st.one_of(_LABELLED, _ASR, st.text(min_size=1, max_size=400))


def _assert_exact_cover(transcript: str, chunks) -> None:
    assert chunks and chunks[0].start == 0 and chunks[-1].end == len(transcript)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before.end == after.start  # contiguous: nothing lost, nothing repeated
    assert all(c.start < c.end for c in chunks)
    assert "".join(c.text(transcript) for c in chunks) == transcript
    assert [c.index for c in chunks] == list(range(len(chunks)))


@settings(max_examples=150, deadline=None)
@given(transcript=_ANY, budget=st.integers(min_value=1, max_value=120))
def test_chunks_cover_the_transcript_exactly_once_in_order_within_the_budget(transcript: str, budget: int) -> None:
    chunks = chunk_transcript(transcript, budget, words)
    _assert_exact_cover(transcript, chunks)
    assert all(words(c.text(transcript)) <= budget for c in chunks)


@settings(max_examples=150, deadline=None)
@given(transcript=_LABELLED, budget=st.integers(min_value=5, max_value=200))
def test_boundaries_fall_on_turns_or_else_sentences(transcript: str, budget: int) -> None:
    chunks = chunk_transcript(transcript, budget, words)
    longest_turn = max(words(line) for line in transcript.split("\n"))
    for chunk in chunks[:-1]:
        cut = chunk.end
        if longest_turn <= budget:
            assert transcript[cut - 1] == "\n"  # every turn fits: every cut is between turns
        else:
            # A turn over the budget is cut between sentences, or between words inside an over-long one.
            assert transcript[cut - 1] in "\n ." or transcript[cut - 2:cut] == ". "


@settings(max_examples=100, deadline=None)
@given(transcript=_ASR, budget=st.integers(min_value=1, max_value=50))
def test_asr_text_without_labels_or_punctuation_is_cut_between_words(transcript: str, budget: int) -> None:
    chunks = chunk_transcript(transcript, budget, words)
    _assert_exact_cover(transcript, chunks)
    for chunk in chunks[:-1]:
        assert transcript[chunk.end - 1] == " " and transcript[chunk.end] != " "


@settings(max_examples=100, deadline=None)
@given(transcript=st.one_of(_LABELLED, _ASR), budget=st.integers(min_value=20, max_value=300))
def test_condensed_text_fits_and_every_kept_span_is_the_original_text(transcript: str, budget: int) -> None:
    fitted = fit_transcript(transcript, budget, words)
    assert words(fitted.text) <= budget or fitted.strategy == "whole"
    if fitted.strategy == "whole":
        assert fitted.text == transcript and words(transcript) <= budget
        return
    chunks = fitted.chunks
    assert chunks[0]["start"] == 0 and chunks[-1]["end"] == len(transcript)
    body = fitted.text.replace(GAP_MARKER, " ")
    for chunk in chunks:
        for start, end in chunk["kept_spans"]:
            assert chunk["start"] <= start < end <= chunk["end"]
            assert transcript[start:end].strip() in body  # the offsets name what the model read


def test_every_part_of_a_long_session_reaches_the_model_and_risk_is_always_kept() -> None:
    turns = [f"Patient: In week {n} my mood was {n % 10} out of ten and I walked {n} minutes." for n in range(900)]
    turns[450] = "Patient: Some nights I wish I just wouldn't wake up."
    transcript = "\n".join(turns)
    fitted = fit_transcript(transcript, 800, words, ["I wish I just wouldn't wake up"])
    assert fitted.strategy == "condensed" and words(fitted.text) <= 800
    assert "I wish I just wouldn't wake up" in fitted.text
    thirds = [0, 0, 0]
    for chunk in fitted.chunks:
        for start, _ in chunk["kept_spans"]:
            thirds[min(3 * start // len(transcript), 2)] += 1
    assert min(thirds) >= max(thirds) * 0.6  # no third is starved


def test_sentences_carry_their_speaker_and_offsets() -> None:
    text = "Therapist: How was the week? Any sleep?\nPatient: Four hours. Bad.\n"
    found = sentences(text)
    assert [(s.speaker, text[s.start:s.end].strip()) for s in found] == [
        ("Therapist", "How was the week?"), ("Therapist", "Any sleep?"), ("Patient", "Four hours."),
        ("Patient", "Bad.")]


def test_the_real_tokenizer_keeps_every_chunk_within_budget(real_engine) -> None:
    transcript = "\n".join(f"Patient: On {day}day I had {n} coffees, slept {n % 7} hours and felt {mood}."
                           for n, (day, mood) in enumerate(zip(["Mon", "Tues", "Wednes"] * 300,
                                                               ["low", "tense", "flat", "ok"] * 225, strict=False)))
    chunks = chunk_transcript(transcript, 600, real_engine.count_tokens)
    _assert_exact_cover(transcript, chunks)
    assert all(real_engine.count_tokens(c.text(transcript)) <= 600 for c in chunks)
    assert all(re.search(r"\n$", c.text(transcript)) for c in chunks[:-1])
