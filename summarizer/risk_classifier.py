"""The second risk signal: a sentence classifier over patient utterances.

A lexicon only finds the phrasings someone wrote down. This classifier (character and word
n-gram TF-IDF, logistic regression; scikit-learn) is trained on labelled patient utterances in
``data/risk_sentences/`` (``sentences.csv``, ``sentences_more.csv``, ``sentences_third.csv``: three authors;
English and the other covered languages, with many hard negatives: denials, idioms, someone else's risk, the
past, OCD intrusive thoughts). Its findings are fused with the lexicon's for recall: a segment it scores above
``CLASSIFIER_THRESHOLD`` for a risk class becomes a finding unless a lexicon finding of the same
family already covers it. The thresholds, the minimum segment length and C were chosen on the risk
sets (data/risk_eval and the held-out sets d-g, bench/risk_bench.py), whose transcripts the classifier never
trains on, and on the detector's table tests (no everyday phrasing may be flagged); set_h measured the choice
once: see bench/RESULTS.md.

It trains in about a second from the CSV the first time it is needed in a process (the worker
warms it at start-up), so there is no pickled model to trust or to keep in step with the data.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from summarizer import risk_lexicon as lx
from summarizer.risk_normalise import normalise_for_matching
from summarizer.risk_types import CATEGORY_TRAITS, FAMILY, RiskFinding, RiskSeverity

SENTENCES_DIR = Path(__file__).resolve().parent.parent / "data" / "risk_sentences"
# Hand-labelled utterances, and ordinary patient turns of no-risk corpus sessions (training/risk_negatives.py).
TRAINING_FILES = ("sentences.csv", "sentences_more.csv", "sentences_third.csv", "corpus_negatives.csv")
CLASSIFIER_THRESHOLD = 0.45
# A segment of one sentence is held to more: alone, a sentence that shares its shape with a risk ("I wouldn't
# mind if I didn't see Christmas at my in-laws") scores up to 0.67 on the shape; with more said around it, the
# classifier reads the context too.
SINGLE_SENTENCE_THRESHOLD = 0.70
# Class label -> (category, severity) of the finding it makes.
LABELS: dict[str, tuple[str, RiskSeverity]] = {
    "passive_si": ("suicidal_ideation_passive", RiskSeverity.MODERATE),
    "active_si": ("suicidal_ideation_active", RiskSeverity.HIGH),
    "si_plan": ("suicidal_ideation_active", RiskSeverity.CRITICAL),
    "self_harm": ("self_harm", RiskSeverity.HIGH),
    "overdose": ("overdose", RiskSeverity.CRITICAL),
    "violence": ("violence", RiskSeverity.HIGH),
    "abuse": ("abuse", RiskSeverity.HIGH),
}
NO_RISK = "none"
# What a label's segment must also say for its finding to stand: the classifier reads "I lined the pills up"
# as an overdose, but without anything taken or treated none happened.
LABEL_EVIDENCE: dict[str, re.Pattern[str]] = {"overdose": lx.INGESTION}
# ... and what it must not say: pills taken somewhere, not swallowed ("took all my mum's old tablets to the pharmacy").
LABEL_COUNTER_EVIDENCE: dict[str, re.Pattern[str]] = {"overdose": re.compile(
    r"\b(?:to\s+the\s+(?:pharmacy|chemist|surgery|doctor'?s?|gp)|get\s+rid\s+of|(?:gave|give|took|take)\s+(?:them|it)\s+"
    r"back|hand(?:ed)?\s+(?:them\s+|it\s+)?in|threw\s+(?:them|it)\s+(?:away|out)|flush(?:ed)?\s+(?:them|it))\b",
    re.IGNORECASE)}
# Long turns (and ASR runs) are cut into overlapping windows of this many words.
_WINDOW_WORDS = 40
_WINDOW_STRIDE = 20
# Shorter segments are the lexicon's alone: on a single short sentence the classifier leans on one
# word ("I cut back on coffee", "the cat scratched me on my arm" scored as self-harm at 0.9).
_MIN_WORDS = 13


_SOMEONE_AS_OBJECT = re.compile(r"\b(?:him|her|them|his|he|she)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    start: int
    end: int


@lru_cache(maxsize=1)
def _model() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    texts, labels = load_training_sentences()
    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                  token_pattern=r"(?u)\b\w[\w']*\b")),
    ])
    model = make_pipeline(features, LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced"))
    model.fit([prepare(t) for t in texts], labels)
    return model


def load_training_sentences(directory: Path = SENTENCES_DIR) -> tuple[list[str], list[str]]:
    rows: list[tuple[str, str]] = []
    for name in TRAINING_FILES:
        with (directory / name).open(encoding="utf-8", newline="") as handle:
            found = [(row["text"], row["label"]) for row in csv.DictReader(handle) if row.get("text")]
        unknown = {label for _, label in found} - set(LABELS) - {NO_RISK}
        if unknown:
            raise ValueError(f"{directory / name}: unknown labels {sorted(unknown)}")
        rows.extend(found)
    return [text for text, _ in rows], [label for _, label in rows]


def prepare(text: str) -> str:
    return " ".join(normalise_for_matching(text).lower().split())


def warm() -> None:
    """Train now (the worker calls this at start-up, so the first job does not pay for it)."""
    _model()


def classify(texts: Sequence[str]) -> list[tuple[str, float]]:
    """(most likely label, its probability) for each text."""
    if not texts:
        return []
    model = _model()
    probabilities = model.predict_proba([prepare(t) for t in texts])
    classes = list(model.classes_)
    return [(classes[row.argmax()], float(row.max())) for row in probabilities]


def segments(text: str, spans: Sequence[tuple[int, int]]) -> list[Segment]:
    """Each patient turn whole, or as overlapping word windows when it is long: a risk told over
    several short sentences ("I've been saving my zopiclone. When Joan's away I'll take the lot")
    is only recognisable together."""
    found: list[Segment] = []
    for turn_start, turn_end in spans:
        found.extend(_windows(text, turn_start, turn_end))
    return found


def _windows(text: str, start: int, end: int) -> list[Segment]:
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    if len(words) < _MIN_WORDS:
        return []
    if len(words) <= _WINDOW_WORDS:
        return [Segment(words[0][0], words[-1][1])]
    return [Segment(words[i][0], words[min(i + _WINDOW_WORDS, len(words)) - 1][1])
            for i in range(0, len(words) - _WINDOW_STRIDE, _WINDOW_STRIDE)]


def _plan_against_others(category: str, text: str, segment: Segment, lexicon: Sequence[RiskFinding]) -> bool:
    """A plan read as suicidal beside a plan to harm someone else ("now I've got the date, I bought a box of
    shells"; "going round there with the hammer") is that plan: a plan's words (a date, a weapon, "it's
    sorted") are the same whoever it is for. Beside means a critical one anywhere in the session, or any
    in the segment itself; unless the segment turns the harm on the patient ("and then myself")."""
    said = text[segment.start:segment.end]
    if not CATEGORY_TRAITS[category].suicidal or lx.SELF_DIRECTED.search(said):
        return False
    # A segment whose harm has someone else as its object ("I've not gone near him") belongs to a harm-to-others
    # finding anywhere in the session, whatever its severity.
    about_someone = bool(_SOMEONE_AS_OBJECT.search(said))
    return any(f.current and f.traits.intent_escalates and (
        f.severity == RiskSeverity.CRITICAL or about_someone or segment.start <= f.start < segment.end)
        for f in lexicon)


def _done_by_someone_else(category: str, segment: Segment, lexicon: Sequence[RiskFinding]) -> bool:
    """An injury the lexicon read as abuse in this segment ("she held a cushion over my face") was done to the
    patient: the classifier's self-harm reading of the same words is that abuse."""
    return FAMILY[category] == "self_harm" and any(
        f.current and f.family == "abuse" and segment.start <= f.start < segment.end for f in lexicon)


_SENTENCE_END = re.compile(r"[.!?]+(?=\s+\S)")


def threshold_for(segment_text: str) -> float:
    return CLASSIFIER_THRESHOLD if _SENTENCE_END.search(segment_text.strip()) else SINGLE_SENTENCE_THRESHOLD


def classifier_findings(
    original: str,
    text: str,
    patient_spans: Sequence[tuple[int, int]],
    lexicon: Sequence[RiskFinding],
    rejected: Sequence[tuple[int, int]] = (),
) -> list[RiskFinding]:
    """Findings the classifier adds: confident risk segments no lexicon finding of that family covers.

    A segment holding a risk phrase the lexicon read as negated, hypothetical, someone else's or an
    idiom ("I have never thought about killing myself") is left to the lexicon: the two signals are
    fused for recall, but a reading of negation the lexicon made explicitly is not overruled."""
    candidates = segments(text, patient_spans)
    found: list[RiskFinding] = []
    for segment, (label, probability) in zip(candidates, classify([text[s.start:s.end] for s in candidates]),
                                             strict=True):
        if label == NO_RISK or probability < threshold_for(text[segment.start:segment.end]):
            continue
        category, severity = LABELS[label]
        if any(FAMILY[f.category] == FAMILY[category] and f.start < segment.end and segment.start < f.end + 200
               for f in [*lexicon, *found]):
            continue
        if lx.IDIOMS.search(text[segment.start:segment.end]):
            continue
        if _plan_against_others(category, text, segment, lexicon) or _done_by_someone_else(category, segment, lexicon):
            continue
        needed, counter = LABEL_EVIDENCE.get(label), LABEL_COUNTER_EVIDENCE.get(label)
        if needed is not None and not needed.search(text[segment.start:segment.end]):
            continue
        if counter is not None and counter.search(text[segment.start:segment.end]):
            continue
        if any(segment.start <= start and end <= segment.end for start, end in rejected):
            continue
        evidence = original[segment.start:segment.end]
        historical = not CATEGORY_TRAITS[category].lasting and bool(lx.HISTORY.search(evidence))
        found.append(RiskFinding(
            category=category, severity=RiskSeverity.LOW if historical else severity,
            evidence=" ".join(evidence.split())[:160], start=segment.start, end=segment.end,
            current=not historical, source="classifier",
        ))
    return found
