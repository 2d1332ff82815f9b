"""Clause-level grounding: every statement of a note tied to the transcript spans it rests on.

A small model paraphrases and invents ("sleeps 7 hours" for "about four hours", "SIAD/copper
abuse"). After generation each clause of the note (outside the Risk section, which the risk safety
net owns) is scored against the transcript:
- its content words (stopwords out, light stemming) are looked up in the transcript; the one or
  two transcript sentences covering most of them are its evidence, and the covered share is its
  support score;
- every number in it (digits or number words) must be said in the transcript;
- a token that is neither in the transcript nor ordinary note vocabulary, and looks made up
  (HTML entities, mojibake, capitalised hyphen compounds like "SELF-SCAMBUSH"), is a non-word.
Outside the Risk section, a clause naming a risk (self-harm, SI, overdose...) the detector does not
find current is unsupported too. A clause with an invented number, a non-word, or support below
``MIN_SUPPORT`` is removed and
listed in ``unsupported_claims``; a section left empty says "Not documented in the transcript."
Nothing is ever added from outside the transcript. Evidence spans are character offsets into the
transcript string exactly as given, so ``transcript[start:end]`` is the quoted text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from summarizer.risk_reconcile import families_in, is_denial, sentences
from summarizer.sections import SESSION_NOTE_SECTIONS
from summarizer.text import strip_markup
from summarizer.validation import parse_note, render_note
from summarizer.words import (
    MEDICATION_GROUP,
    MEDICATIONS,
    RELATIONS,
    WORD,
    is_english_word,
    spoken_words,
    word_tokens,
)

MIN_SUPPORT = 0.5
NOT_DOCUMENTED = "Not documented in the transcript."
# Words a note may use that a transcript rarely says: the clinician's register, not facts.
NOTE_VOCABULARY = frozenset("""
patient client therapist clinician reports reported reporting report describes described describing states stated
notes noted endorses endorsed denies denied deny discussed discussion explored reviewed review reviewing agreed
identified practised practiced continue continued continues ongoing session sessions week weekly next plan plans
planned homework goal goals intervention interventions psychoeducation validation validated support supportive
cbt dbt act emdr erp mi cognitive behavioural behavioral therapy restructuring reframing thought record records
exposure activation scheduling coping skills strategies strategy safety mood affect low anxious anxiety depressed
depression stress stressed symptoms symptom concerns concern presenting complaint emotional state risk none
reported current currently recent recently history follow follow-up up
assess assessed assessment monitor monitoring check check-in encouraged encourage using use used use practice
worksheet diary log tracking track relaxation breathing mindfulness grounding sleep hygiene medication
ptsd adhd ocd gad mdd bpd phq suds nssi ipv ed complete completed automatically extracted identifiable
""".split())
_STOPWORDS = frozenset("""
a an the and or but if then so of to in on at by for with from as into about over after before than that this
these those it its is are was were be been being am do does did done have has had having i me my mine we our you
your he him his she her they them their there here what which who whom when where why how all any both each few
more most other some such no nor not only own same too very can will just should would could may might must
also up out off again further once per via s t re ve ll d m not n't
""".split())
_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "half": 0.5,
}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
# "sixty-five" is 65, not 60 and 5.
_NUMBER = re.compile(rf"\d+(?:\.\d+)?|\b(?:{_TENS})[-\s](?:{_UNITS})\b|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b",
                     re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"(?<=[.;!?])\s+|;\s*|\s+-\s+")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_LABEL = re.compile(r"^\s*(?:[A-Za-z][A-Za-z .']{0,24}?|speaker\s*\d+)\s*:\s*", re.IGNORECASE)
# HTML entities, mojibake, CAPITALISED-COMPOUNDS, and tokens of symbol junk or a script the note is not in
# ("|2019/", "##_S.D._TIP|#;"); a token the transcript itself contains is never made up.
_MADE_UP = re.compile(r"&#?\w+;|[ÃÂâ][\x80-\xbf\w]|\b[A-Z]{2,}(?:-[A-Z]{2,})+\b|\b[A-Z]{4,}\b"
                      r"|\S*(?:[|#_\\<>^~`]|[^\x00-\u024f\u2010-\u2027\s])\S*")


@dataclass(frozen=True)
class StatementSupport:
    section: str
    text: str
    support: float
    spans: list[tuple[int, int]]
    supported: bool
    unsupported_numbers: list[str] = field(default_factory=list)
    reason: str = ""
    # Multi-session summaries: the session whose text the spans point into. source: "transcript" (or
    # "notes" when a summary read a session's stored note); "extractive" when grounding replaced the
    # model's unsupported section with the transcript's own sentence.
    session: int | None = None
    source: str = "transcript"

    def as_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["spans"] = [list(span) for span in self.spans]
        return record


@dataclass(frozen=True)
class GroundingReport:
    note: str
    statements: list[StatementSupport]

    @property
    def unsupported_claims(self) -> list[dict[str, Any]]:
        return [{"section": s.section, "text": s.text, "reason": s.reason, "support": s.support}
                for s in self.statements if not s.supported]


def _stem(word: str) -> str:
    for suffix in ("ingly", "edly", "ing", "ied", "ies", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix in ("ied", "ies") else "")
    return word


def content_stems(text: str) -> list[str]:
    words = _WORD.findall(text.lower().replace("’", "'"))
    # Tokens with digits ("2026-11-09", "phq-9") are left to the number check.
    return [_stem(w) for w in words if w not in _STOPWORDS and not any(c.isdigit() for c in w) and len(w) > 1]


def number_values(text: str) -> list[tuple[str, float]]:
    found = []
    for match in _NUMBER.finditer(text):
        token = match.group(0).lower()
        parts = re.split(r"[-\s]", token)
        if len(parts) == 2:
            value = float(_NUMBER_WORDS[parts[0]] + _NUMBER_WORDS[parts[1]])
        else:
            value = float(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else float(token)
        found.append((match.group(0), value))
    return found


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    stems: frozenset[str]


class TranscriptIndex:
    """The transcript's sentences (with offsets into the string as given), stems and numbers."""

    def __init__(self, transcript: str, extra_numbers: Sequence[float] = ()) -> None:
        self.transcript = transcript
        self.lowered = transcript.lower()
        self.words = spoken_words(self.lowered)
        self.sentences: list[_Sentence] = []
        for line in re.finditer(r"[^\n]+", transcript):
            label = _LABEL.match(line.group(0))
            offset = line.start() + (label.end() if label and len(label.group(0)) < 30 else 0)
            for sentence in _SENTENCE.finditer(transcript, offset, line.end()):
                text = sentence.group(0)
                if text.strip():
                    left = len(text) - len(text.lstrip())
                    right = len(text.rstrip())
                    self.sentences.append(_Sentence(sentence.start() + left, sentence.start() + right,
                                                    frozenset(content_stems(text))))
        self.stems = frozenset().union(*(s.stems for s in self.sentences)) if self.sentences else frozenset()
        # Numbers the note may state without the transcript saying them (a summary's session dates).
        self.numbers = {value for _, value in number_values(transcript)} | set(extra_numbers)

    def best_spans(self, stems: Sequence[str], limit: int = 2) -> tuple[list[tuple[int, int]], set[str]]:
        """Up to ``limit`` sentences that together cover most of ``stems`` (greedy)."""
        wanted = set(stems)
        chosen: list[_Sentence] = []
        covered: set[str] = set()
        for _ in range(limit):
            best = max(self.sentences, key=lambda s: len((s.stems & wanted) - covered), default=None)
            if best is None or not (best.stems & wanted) - covered:
                break
            chosen.append(best)
            covered |= best.stems & wanted
        return sorted((s.start, s.end) for s in chosen), covered


def assess_statement(
    index: TranscriptIndex, section: str, text: str, current_families: Collection[str] | None = None
) -> StatementSupport:
    """Support of one clause. With ``current_families`` (outside the Risk section), a clause that names a
    risk family the detector does not find current is unsupported whatever its words."""
    plain = strip_markup(text)
    stems = [s for s in content_stems(plain) if s not in NOTE_VOCABULARY]
    invented = [raw for raw, value in number_values(plain) if value not in index.numbers]
    made_up = made_up_tokens(index, plain)
    invented_people = unsupported_entities(index, plain)
    spans, covered = index.best_spans(stems)
    support = 1.0 if not stems else round(len(covered) / len(set(stems)), 3)
    risk_claim = current_families is not None and not is_denial(plain) and bool(
        families_in(plain) - set(current_families))
    reversed_words = _negated_in(index, spans) & set(stems) if not _NEGATION.search(plain) else set()
    reason = ("invented number" if invented else "non-word" if made_up
              else "unsupported entity" if invented_people else "unsupported risk claim" if risk_claim
              else "contradicts transcript" if reversed_words else "fragment" if is_fragment(plain)
              else "low support" if support < MIN_SUPPORT else "")
    return StatementSupport(section=section, text=plain.strip(), support=support, spans=spans,
                            supported=not reason, unsupported_numbers=invented, reason=reason)


def unsupported_entities(index: TranscriptIndex, text: str) -> list[str]:
    """People and medications the clause names that the transcript never does: a "sister" when nobody in the
    session mentions a sister (or a sibling), "sertraline" when no name of that drug is said. The relation
    and drug lists, and what supports each, are the evaluator's (summarizer/words.py)."""
    words = {w.lower().removesuffix("'s").removesuffix("'") for w in word_tokens(text)}
    found = [w for w in sorted(words) if w in RELATIONS and not RELATIONS[w] & index.words]
    for name in sorted(words & set(MEDICATION_GROUP)):
        group = MEDICATIONS[MEDICATION_GROUP[name]]
        if not any(other in index.words or ("-" in other and other in index.lowered) for other in group):
            found.append(name)
    return found


# A clause the model stopped in the middle of: it ends on a word that needs what follows ("Ask manager for
# check-ins about.", "review of),") or leaves a bracket or quote open. Its words may all be the transcript's;
# what it says is not a statement.
_DANGLING_END = re.compile(
    r"\b(?:of|about|with|to|for|and|or|but|nor|the|a|an|from|into|onto|at|by|than|because|if|as|via|per|"
    r"between|during|without|within|towards?|my|your|his|her|their|our|its|is|are|was|were|be|will|would|"
    r"can|could|should|very|more|most|such|this|these|those|which|who|whose|whom)\W*$", re.IGNORECASE)
_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"), ("“", "”"))


# A quote the note itself shortened ('"So: naloxone on you and your mum knows, prescriber review of..."',
# the extractive note's clip) ends on an elision mark inside its closing quote: shortened, not cut off.
_ELIDED_QUOTE = re.compile(r"(?:\.\.\.|…)[\"”]\W*$")


def is_fragment(clause: str) -> bool:
    text = clause.strip()
    if not text:
        return False
    if (_DANGLING_END.search(text) and not _ELIDED_QUOTE.search(text)) or text.count('"') % 2:
        return True
    return any(text.count(opening) != text.count(closing) for opening, closing in _PAIRS)


def made_up_tokens(index: TranscriptIndex, text: str) -> list[str]:
    """What no note should say unless the transcript does: garbled shapes (entities, mojibake, symbol
    junk, CAPITALISED-COMPOUNDS) and words that are in no English dictionary or clinical lexicon
    ("prioritrations"), the same test the evaluator's non-word count applies (summarizer/words.py)."""
    shapes = [m.group(0) for m in _MADE_UP.finditer(text)
              if m.group(0).lower() not in index.lowered and m.group(0).lower() not in NOTE_VOCABULARY]
    words = [word for word in WORD.findall(text)
             if len(word) >= 2 and (lower := word.lower().replace("’", "'")) not in index.words
             and lower not in NOTE_VOCABULARY and not is_english_word(lower)
             and not any(word in shape for shape in shapes)]
    return shapes + words


# "no email after 9 pm" in the transcript, "check email before bed" in the note: the words are there,
# the meaning is reversed. A clause that drops the negation of its own evidence contradicts it.
_NEGATION = re.compile(r"\b(?:no|not|never|don'?t|didn'?t|doesn'?t|won'?t|without|stop|stopped|avoid\w*|denies|"
                       r"denied|nor|none)\b|n't\b", re.IGNORECASE)
_NEGATED_WORD = re.compile(r"\b(?:no|not|never|don'?t|didn'?t|won'?t|without|stop|avoid)\s+(?:more\s+)?([a-z]{3,})",
                           re.IGNORECASE)


def _negated_in(index: TranscriptIndex, spans: Sequence[tuple[int, int]]) -> set[str]:
    words: set[str] = set()
    for start, end in spans:
        for match in _NEGATED_WORD.finditer(index.transcript[start:end]):
            words.add(_stem(match.group(1).lower()))
    return words - NOTE_VOCABULARY


def _clauses(body: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(body) if c and c.strip(" .;")]


def _as_sentence(clause: str) -> str:
    sentence = clause[:1].upper() + clause[1:]
    return sentence if sentence.endswith((".", "!", "?", "}}")) else sentence + "."


def ground_note(
    note: str,
    transcript: str,
    sections: Sequence[str] = SESSION_NOTE_SECTIONS,
    keep: Sequence[str] = ("Risk",),
    fill: Mapping[str, str] | None = None,
    current_families: Collection[str] = (),
    augment: Mapping[str, Sequence[str]] | None = None,
) -> GroundingReport:
    """Score every clause of ``note`` against ``transcript`` and drop the unsupported ones.

    Sections in ``keep`` (the Risk section) are scored and reported but never changed here: the risk
    safety net decides what they say. A section left with nothing supported takes its text from
    ``fill`` (the extractive note: the transcript's own sentences) when that is supported itself,
    else says ``NOT_DOCUMENTED``. ``augment`` adds transcript sentences to a section (the therapist's
    plan-setting sentences to the Plan) after what the model wrote, when they are supported and say
    something the section does not already say: evidence selected first, so a fact the model dropped
    is still in the note.
    """
    index = TranscriptIndex(transcript)
    parsed = parse_note(note, sections)
    rebuilt: dict[str, str] = {}
    statements: list[StatementSupport] = []
    for name in sections:
        body = parsed.sections.get(name, "")
        if name in keep:
            rebuilt[name] = _ground_kept_section(index, name, body, statements)
            continue
        kept: list[str] = []
        for clause in _clauses(body):
            statement = assess_statement(index, name, clause, current_families)
            statements.append(statement)
            if statement.supported:
                kept.append(_as_sentence(clause))
        if not kept and fill and fill.get(name):
            extracted = [assess_statement(index, name, clause, current_families) for clause in _clauses(fill[name])]
            if extracted and all(statement.supported for statement in extracted):
                statements.extend(replace(e, source="extractive") for e in extracted)
                kept = [fill[name]]
        for sentence in (augment or {}).get(name, ()):
            known = set(content_stems(" ".join(kept)))
            statement = assess_statement(index, name, sentence, current_families)
            if statement.supported and len(set(content_stems(sentence)) - known) >= MIN_NEW_STEMS:
                statements.append(replace(statement, source="extractive"))
                kept.append(_as_sentence(sentence))
        rebuilt[name] = " ".join(kept) if kept else NOT_DOCUMENTED
    return GroundingReport(note=render_note(rebuilt, sections), statements=statements)


# An added transcript sentence must bring at least this many content words the section lacks.
MIN_NEW_STEMS = 3


_RED_ITEM = re.compile(r"\{\{RED:[^{}]*\}\}")


def _ground_kept_section(index: TranscriptIndex, name: str, body: str, statements: list[StatementSupport]) -> str:
    """The Risk section: its RED items (the safety net's lines) stay whole, and so does what it kept
    of the model's words, except invented numbers and made-up words, which go; a kept sentence left
    with nothing else goes too. Low support is no reason here: "None reported" quotes nothing."""
    pieces: list[str] = []
    position = 0
    for match in [*_RED_ITEM.finditer(body), None]:
        end = match.start() if match else len(body)
        for sentence in sentences(body[position:end]):
            sentence = sentence.lstrip("•‣◦*- ")  # a list marker the model put before "None reported"
            if not sentence:
                continue
            statement = assess_statement(index, name, sentence)
            cleaned = sentence
            # Only a flagged sentence loses tokens; a supported one keeps every word.
            flagged = [*statement.unsupported_numbers, *made_up_tokens(index, sentence)] if statement.reason else []
            for token in flagged:
                cleaned = re.sub(rf"(?<!\w){re.escape(token)}%?(?!\w)", "", cleaned)
            cleaned = " ".join(cleaned.split())
            claim = cleaned.split(":")[-1]  # after an "Unconfirmed (clinician to review):" prefix
            dropped = bool(statement.reason) and not [w for w in content_stems(claim) if w not in NOTE_VOCABULARY]
            statements.append(replace(statement, supported=not dropped, reason=statement.reason if dropped else ""))
            if not dropped:
                pieces.append(cleaned)
        if match:
            pieces.append(match.group(0))
            statements.append(StatementSupport(section=name, text=strip_markup(match.group(0)), support=1.0,
                                               spans=[], supported=True))
            position = match.end()
    return " ".join(pieces)


@dataclass(frozen=True)
class SessionSource:
    session_number: int
    text: str
    source: str = "transcript"  # or "notes" when the stored note stood in for the transcript
    extra_numbers: tuple[float, ...] = ()


def ground_summary(
    note: str, sources: Sequence[SessionSource], sections: Sequence[str], keep: Sequence[str],
) -> GroundingReport:
    """``ground_note`` for a multi-session summary: each clause is tied to the session whose text
    supports it best (the latest on ties), with spans into that session's text."""
    # Any session's number or date may be stated in any clause ("Latest Session: 3 (2026-11-09)").
    shared_numbers = tuple(n for source in sources for n in source.extra_numbers)
    indexes = [(source, TranscriptIndex(source.text, shared_numbers)) for source in sources]
    parsed = parse_note(note, sections)
    rebuilt: dict[str, str] = {}
    statements: list[StatementSupport] = []
    for name in sections:
        body = parsed.sections.get(name, "")
        kept: list[str] = []
        for clause in _clauses(body):
            candidates = [
                replace(assess_statement(index, name, clause), session=source.session_number, source=source.source)
                for source, index in indexes
            ] or [assess_statement(TranscriptIndex(""), name, clause)]
            best = max(reversed(candidates), key=lambda c: (c.supported, c.support))
            if name in keep:
                best = replace(best, supported=True, reason="")
            statements.append(best)
            if best.supported:
                kept.append(_as_sentence(clause))
        rebuilt[name] = body if name in keep else (" ".join(kept) if kept else NOT_DOCUMENTED)
    return GroundingReport(note=render_note(rebuilt, sections), statements=statements)
