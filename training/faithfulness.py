"""Faithfulness metrics: does a note say only what its transcript supports?

ROUGE against a reference rewards overlap with one clinician's wording; it cannot tell a note that
invents "sertraline 50 mg" or "her sister" from one that paraphrases well. These metrics compare the
note with its own transcript instead, and need no model:

1. unsupported numbers: numbers (digits or English number words) whose value the transcript never says;
2. unsupported content rate: share of the note's content words (stopwords out, Porter-stemmed) that the
   transcript does not contain, a short clinical vocabulary excepted;
3. non-words: tokens in neither the transcript, an English dictionary nor the clinical lexicon, plus
   HTML entities, mojibake and odd characters (garbled decoding, not clinical prose);
4. unsupported entities: names, relations, medications and doses the transcript does not mention;
5. risk polarity: the Risk section asserting a risk the transcript's detector does not find as current,
   or denying one it does;
6. key facts: recall of hand-written facts and hits on hand-written wrong claims (``data/facts``).

Plain Python, no Django; dataclasses in and out. Word lists: the English dictionary and clinical lexicon
of summarizer/words.py (shared with grounding's run-time check) and scikit-learn's ENGLISH_STOP_WORDS;
nltk's PorterStemmer needs no corpus download.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from summarizer.risk import detect_risks
from summarizer.risk_types import RiskFinding
from summarizer.sections import SESSION_NOTE_SECTIONS
from summarizer.text import red_spans, strip_markup
from summarizer.validation import parse_note
from summarizer.words import (
    CLINICAL_LEXICON,
    CLINICAL_VOCABULARY,
    MEDICATION_GROUP,
    MEDICATIONS,
    RELATIONS,
    WORD,
    is_english_word,
    spoken_words,
    word_tokens,
)

logger = logging.getLogger(__name__)

# --- vocabularies ---------------------------------------------------------------------------------


_NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())} | {w: 10 * i for i, w in enumerate(
        "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_SCALES: dict[str, int] = {"hundred": 100, "thousand": 1000}
# Ordinals only SUPPORT numbers (transcript "second time" supports note "2nd"): as note claims, "first"
# and "second" are mostly discourse words ("first session"), not numbers.
_ORDINALS: dict[str, int] = {w: i for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1)}

# --- text preparation -----------------------------------------------------------------------------

_HEADER = re.compile(r"(?:^|(?<=\s))(?:" + "|".join(re.escape(s) for s in SESSION_NOTE_SECTIONS) + r")\s*:")
_LETTERS = re.compile(r"[^\W\d_]+")
_HTML_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# UTF-8 read as Latin-1/cp1252: a lead byte shown as Â..ï followed by continuation bytes shown as
# \x80-\xbf or their cp1252 glyphs ("Ã§" for "ç", "â€™" for "’"), and the replacement character.
_CONTINUATION = ("\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d"
                 "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178")
_MOJIBAKE = re.compile(rf"[\u00c2-\u00df][{_CONTINUATION}]|[\u00e0-\u00ef][{_CONTINUATION}]{{2}}|\ufffd")
# Anything outside letters, digits, whitespace and the punctuation of ordinary prose.
_ODD_CHAR = re.compile(r"[^\w\s.,;:!?'\"’‘“”()\[\]/\\%$£€+&*#@=<>~–—\-…°]")


def note_text(note: str) -> str:
    """The note's words: markup stripped, section headers replaced by line breaks.

    The line break keeps the header a sentence boundary, so the first word of a section is not
    mistaken for a mid-sentence capitalised name.
    """
    return _HEADER.sub("\n", strip_markup(note)).strip()


def _letter_runs(text: str) -> list[str]:
    """Lowercase alphabetic runs of two letters or more (apostrophes and hyphens split words)."""
    return [w for w in _LETTERS.findall(text.lower()) if len(w) >= 2]


@cache
def _stemmer() -> Any:
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return str(_stemmer().stem(word.lower()))


@cache
def stopwords() -> frozenset[str]:
    """scikit-learn's English stopword list (318 words; scikit-learn is in requirements.txt)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


# --- numbers --------------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?"
# "4", "7.5", "10/10", "3-4", "10:30", "25%", "$300", "1,000"; not the 9 of "PHQ-9" or the 2 of "v2".
_DIGIT_MENTION = re.compile(rf"(?<![\w.])(?<![A-Za-z]-)[$£€]?(?:{_NUM})(?:\s*[/:–-]\s*(?:{_NUM}))*(?:\s*%)?")
_DIGITS = re.compile(_NUM)
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(sorted([*_NUMBER_WORDS, *_SCALES], key=len, reverse=True)) + r")\b",
                          re.IGNORECASE)
_HALF = re.compile(r"\s+and\s+a\s+half\b", re.IGNORECASE)
# "no one", "each one", "the one": a pronoun, not a count.
_PRONOUN_ONE = re.compile(r"\b(?:no|every|any|each|that|this|the|which|another|other|last|next|a)\s*$",
                          re.IGNORECASE)


@dataclass(frozen=True)
class NumberMention:
    text: str
    values: tuple[float, ...]  # every value must be supported ("10/10": both tens)


def _can_join(previous: str, current: str) -> bool:
    """Whether two adjacent number words form one number ("twenty five", "three hundred", "hundred and ten")."""
    prev_value, cur_value = _NUMBER_WORDS.get(previous), _NUMBER_WORDS.get(current)
    if current in _SCALES:
        return previous in _NUMBER_WORDS or (previous == "hundred" and current == "thousand")
    if previous in _SCALES:
        return cur_value is not None
    return prev_value is not None and prev_value >= 20 and prev_value % 10 == 0 and cur_value is not None \
        and 0 < cur_value < 10


def _word_value(words: Sequence[str]) -> float:
    total, current = 0, 0
    for word in words:
        if word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total, current = total + (current or 1) * 1000, 0
        else:
            current += _NUMBER_WORDS[word]
    return float(total + current)


def _word_groups(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """Runs of number words that form one number: (start, end, words)."""
    group: list[str] = []
    start = end = 0
    for match in _NUMBER_WORD.finditer(text):
        word = match.group(0).lower()
        gap = text[end:match.start()]
        joined = bool(group) and (re.fullmatch(r"\s+|\s*-\s*", gap) is not None
                                  or (re.fullmatch(r"\s+and\s+", gap, re.IGNORECASE) is not None
                                      and group[-1] in _SCALES))
        if joined and _can_join(group[-1], word):
            group.append(word)
        else:
            if group:
                yield start, end, group
            group, start = [word], match.start()
        end = match.end()
    if group:
        yield start, end, group


def number_mentions(text: str) -> list[NumberMention]:
    """Numbers in ``text``, digits and English number words ("seven and a half" is 7.5)."""
    mentions = [NumberMention(m.group(0), tuple(float(d.replace(",", "")) for d in _DIGITS.findall(m.group(0))))
                for m in _DIGIT_MENTION.finditer(text)]
    for start, end, words in _word_groups(text):
        if words == ["one"] and (_PRONOUN_ONE.search(text[:start]) or re.match(r"\s+(?:another|of)\b", text[end:])):
            continue
        value, surface = _word_value(words), text[start:end]
        half = _HALF.match(text, end)
        if half:
            value, surface = value + 0.5, text[start:half.end()]
        mentions.append(NumberMention(surface, (value,)))
    return mentions


def supported_values(transcript: str) -> frozenset[float]:
    """Every value the transcript says, leniently: compound values, their parts and ordinals, so that
    parse ambiguity ("twenty, five") never turns into a false alarm."""
    values: set[float] = set()
    for mention in number_mentions(transcript):
        values.update(mention.values)
    values.update(float(v) for w, v in _NUMBER_WORDS.items() if re.search(rf"\b{w}\b", transcript, re.IGNORECASE))
    values.update(float(v) for w, v in {**_ORDINALS, **_SCALES}.items()
                  if re.search(rf"\b{w}\b", transcript, re.IGNORECASE))
    values.update(float(d.replace(",", "")) for d in _DIGITS.findall(transcript))
    return frozenset(values)


# --- transcript evidence --------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptEvidence:
    """What a transcript says, computed once and shared by every note scored against it."""

    transcript: str
    sha256: str
    tokens: frozenset[str]
    stems: frozenset[str]
    numbers: frozenset[float]
    findings: tuple[RiskFinding, ...]

    @classmethod
    def build(cls, transcript: str, findings: Sequence[RiskFinding] | None = None) -> TranscriptEvidence:
        tokens = spoken_words(transcript.lower()) | set(_letter_runs(transcript))
        return cls(transcript=transcript, sha256=transcript_sha256(transcript), tokens=frozenset(tokens),
                   stems=frozenset(stem(t) for t in tokens), numbers=supported_values(transcript),
                   findings=tuple(detect_risks(transcript) if findings is None else findings))

    def mentions_medication(self, name: str) -> bool:
        """Any name of the same drug; hyphenated names ("co-codamol") are split by the tokenizer, so they
        are looked up in the raw text."""
        group = MEDICATIONS[MEDICATION_GROUP[name]]
        return any(n in self.tokens or ("-" in n and n in self.transcript.lower()) for n in group)


# --- 1. numbers -----------------------------------------------------------------------------------


def unsupported_numbers(evidence: TranscriptEvidence, note: str) -> list[str]:
    """Numbers in the note whose value (any value of a "10/10" or "3-4") the transcript never says."""
    return [m.text.strip() for m in number_mentions(note_text(note))
            if any(v not in evidence.numbers for v in m.values)]


# --- 2. content words -----------------------------------------------------------------------------


@cache
def _clinical_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in CLINICAL_VOCABULARY)


def content_words(note: str) -> list[str]:
    """Lowercase alphabetic tokens of the note, stopwords removed."""
    stop = stopwords()
    return [w for w in _letter_runs(note_text(note)) if w not in stop]


def unsupported_content(evidence: TranscriptEvidence, note: str) -> tuple[list[str], int]:
    """(content words whose stem the transcript lacks, number of content words)."""
    words = content_words(note)
    clinical = _clinical_stems()
    missing = [w for w in words if w not in CLINICAL_VOCABULARY and stem(w) not in evidence.stems
               and stem(w) not in clinical and not (w in RELATIONS and RELATIONS[w] & evidence.tokens)]
    return missing, len(words)


# --- 3. non-words ---------------------------------------------------------------------------------


def nonwords(evidence: TranscriptEvidence, note: str) -> list[str]:
    """HTML entities, mojibake, tokens with odd characters, and words that are in neither the transcript,
    the dictionary nor the clinical lexicon."""
    text = note_text(note)
    found = _HTML_ENTITY.findall(text) + _MOJIBAKE.findall(text)
    text = _MOJIBAKE.sub(" ", _HTML_ENTITY.sub(" ", text))
    found += [chunk for chunk in text.split() if _ODD_CHAR.search(chunk)]
    text = _ODD_CHAR.sub(" ", text)
    for word in word_tokens(text):
        lower = word.lower()
        if len(lower) < 2 or lower in evidence.tokens or is_english_word(lower):
            continue
        found.append(word)
    return found


# --- 4. entities ----------------------------------------------------------------------------------

_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "doctor", "nurse"})
_SENTENCE_END = frozenset(".!?:;")
_OPENERS = "\"'“‘([-•*"
_RELATION_PHRASE = re.compile(r"\b(?:(?:my|his|her|their|the|a|an|patient's|client's)\s+)?"
                              r"(?:(?:older|younger|little|big|elder|late|new|former|best|close)\s+)?"
                              r"(?P<word>[a-z]+)\b", re.IGNORECASE)
_DOSE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:mg|mcg|µg|ug|ml|g|milligrams?|micrograms?|grams?)\b",
                   re.IGNORECASE)


@dataclass(frozen=True)
class UnsupportedEntity:
    kind: str  # "name" | "relation" | "medication" | "dose"
    text: str


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t")
    if not before or before.endswith("\n"):
        return True
    stripped = before.rstrip(_OPENERS).rstrip(" \t")
    if stripped != before:  # an opening quote or bracket starts quoted speech or a list item
        return True
    return before[-1] in _SENTENCE_END


def _is_title_case(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word[1:])


def _names(text: str) -> Iterator[tuple[str, list[str]]]:
    """(surface, name parts) of capitalised names: after a title ("Dr. Patel"), mid-sentence capitalised
    words, and sentence-initial capitalised words that are not English words. Consecutive capitalised
    words make one name ("Sarah Jones")."""
    tokens = list(WORD.finditer(text))
    index = 0
    while index < len(tokens):
        token = tokens[index]
        word = token.group(0)
        lower = word.lower()
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if (lower in _TITLES and word[0].isupper() and following is not None and _is_title_case(following.group(0))
                and re.fullmatch(r"\.?\s+", text[token.end():following.start()])):
            parts: list[str] = []
            start, index = token.start(), index + 1
        elif (_is_title_case(word) and len(word) >= 2 and not lower.startswith("i'") and lower not in CLINICAL_LEXICON
              and (not _sentence_initial(text, token.start()) or not is_english_word(lower))):
            start, parts = token.start(), []
        else:
            index += 1
            continue
        end = token.end()
        while index < len(tokens) and _is_title_case(tokens[index].group(0)) \
                and (not parts or re.fullmatch(r"\s+", text[end:tokens[index].start()])):
            parts.append(tokens[index].group(0))
            end = tokens[index].end()
            index += 1
        yield text[start:end], parts


def unsupported_entities(evidence: TranscriptEvidence, note: str) -> list[UnsupportedEntity]:
    """Names, relation words, medications and doses in the note that the transcript does not mention."""
    text = note_text(note)
    found: list[UnsupportedEntity] = []
    for surface, parts in _names(text):
        if any(p.lower().replace("’", "'").removesuffix("'s") not in evidence.tokens for p in parts):
            found.append(UnsupportedEntity("name", surface))
    for match in _RELATION_PHRASE.finditer(text):
        word = match.group("word").lower()
        if word in RELATIONS and not RELATIONS[word] & evidence.tokens:
            found.append(UnsupportedEntity("relation", match.group(0)))
    lowered = text.lower()
    for name in MEDICATION_GROUP:
        if re.search(rf"\b{re.escape(name)}\b", lowered) and not evidence.mentions_medication(name):
            found.append(UnsupportedEntity("medication", name))
    for match in _DOSE.finditer(text):
        if float(match.group(1)) not in evidence.numbers:
            found.append(UnsupportedEntity("dose", match.group(0)))
    # One entry per entity: a note that says "partner" three times invented one partner, not three.
    unique: dict[tuple[str, str], UnsupportedEntity] = {}
    for entity in found:
        key = entity.text.lower().split()[-1] if entity.kind == "relation" else entity.text.lower()
        unique.setdefault((entity.kind, key), entity)
    return list(unique.values())


# --- 5. risk polarity -----------------------------------------------------------------------------

# Detector categories -> families the note's Risk section is compared on. A category this map does not
# know (summarizer.risk may grow) is ignored rather than guessed.
RISK_FAMILIES: dict[str, str] = {
    "suicidal_ideation_active": "suicide", "suicidal_ideation_passive": "suicide", "self_harm": "self_harm",
    "overdose": "overdose", "homicidal_ideation": "violence", "violence": "violence", "abuse": "abuse",
}
_SELF = r"(?:him|her|them|my)sel(?:f|ves)"
_RISK_TERMS: dict[str, re.Pattern[str]] = {family: re.compile("|".join(alternatives), re.IGNORECASE)
                                           for family, alternatives in {
    "suicide": [
        r"\bsuicid\w*", r"(?-i:\bSI\b)", rf"\bkill(?:ing|s)?\s+{_SELF}\b",
        r"\bend(?:ing|s)?\s+(?:his|her|their|my)\s+(?:own\s+)?life\b",
        r"\b(?:wish\w*|want\w*)\s+to\s+(?:die|be\s+dead)\b",
        r"\bdeath\s+wish\b", r"\bnot\s+(?:wanting|want)\s+to\s+(?:be\s+(?:here|alive)|live|wake\s+up)\b",
    ],
    "self_harm": [
        r"\bself[-\s]?harm\w*", r"\bself[-\s]?injur\w*", r"(?-i:\bNSSI\b)",
        r"\bcutting\b(?!\s+(?:back|down|out|off|ties|corners))",  # not "cutting back on drinking"
        rf"\b(?:cut|cuts|burn\w*|hurt\w*|hit\w*|scratch\w*)\s+{_SELF}\b",
        r"\bpunch\w*\s+(?:the\s+|a\s+)?(?:walls?|mirror)\b",
        r"\bhead[-\s]?bang\w*|\bbang\w*\s+(?:his\s+|her\s+|their\s+)?head\b",
        r"\bscratch\w*\s+(?:to\s+|on\s+)?(?:his\s+|her\s+|their\s+)?(?:arms?|forearms?|wrists?|legs?|thighs?|skin)\b",
    ],
    "overdose": [r"\boverdos\w*", r"(?-i:\bOD\b)", r"\btook\s+(?:an?\s+)?(?:excess|too\s+many|handful)\b"],
    "violence": [
        r"\bhomicid\w*", r"(?-i:\bHI\b)", r"(?<!domestic\s)\bviolen\w*",
        r"\b(?:harm|hurt|kill)\w*\s+(?:others|someone|somebody)\b",
        r"\bthreat\w*\s+to\s+(?:harm|hurt|kill)\b",
        r"(?<!sexual\s)(?<!sexually\s)\bassault\w*(?!\s+by\b)",  # the patient's own: "fantasies of assault"
        r"\b(?:urges?|thoughts?|intent)\s+(?:of|about|to)\s+(?:hurt|harm|kill|attack|stab|shoot)\w*\s+"
        r"(?:him|her|them|his|a)\b",
    ],
    "abuse": [
        # not "substance abuse" / "abusing alcohol": that is use, not abuse of the patient
        r"(?<!substance\s)(?<!alcohol\s)(?<!drug\s)\babus\w*(?!\s+(?:of\s+)?(?:alcohol|drugs?|substances?|cannabis|"
        r"opioids?|benzo\w*|stimulants?|prescription))",
        r"\bdomestic\s+violence\b", r"(?-i:\b(?:DV|IPV|CSA)\b)", r"\bsexual(?:ly)?\s+assault\w*", r"\bassaulted\s+by\b",
        r"\brap(?:e|ed)\b", r"\bmolest\w*", r"\bcoerc\w*",
        # "hit by her partner", not "hit by a bus"
        r"\b(?:hit|beaten|choked|strangled|slapped|punched|kicked)\s+by\s+(?:(?:his|her|their|the|an?)\s+)?"
        r"(?!bus\b|car\b|train\b|truck\b|van\b|lorry\b|bike\b|ball\b)\w+",
    ],
}.items()}
_CLAUSE = re.compile(r"[.;!?\n]+|\s(?:but|however|although|though|whereas)\s", re.IGNORECASE)
_NEGATION_BEFORE = re.compile(r"\b(?:denies|denied|deny|denying|no|not|none|nil|never|without|negative\s+for|"
                              r"low\s+risk|minimal\s+risk|not\s+at\s+risk)\b", re.IGNORECASE)
_NEGATION_AFTER = re.compile(r"^[\s,/:–-]*(?:(?:and|or|/)?\s*[\w-]+\s*){0,3}?\b(?:denied|not\s+(?:reported|endorsed|"
                             r"present|disclosed|indicated|elicited)|absent|ruled\s+out|none|nil|negative|"
                             r"risk\s+(?:is\s+|assessed\s+as\s+|judged\s+(?:as\s+)?)?(?:low|minimal))\b", re.IGNORECASE)
# "Friend's past self-harm", "sister's overdose": someone else's risk, not the patient's.
_THIRD_PARTY = re.compile(r"\b(?:friend|sister|brother|mother|father|mum|mom|dad|partner|cousin|son|daughter|husband|"
                          r"wife|peer|classmate|roommate|colleague|parent|uncle|aunt)(?:'s|s'|’s)", re.IGNORECASE)
_HISTORICAL = re.compile(r"\b(?:history\s+of|hx|past|previous|previously|prior|years?\s+ago|historic\w*|"
                         r"used\s+to|as\s+a\s+(?:teen|teenager|child))\b", re.IGNORECASE)
_DENIAL = re.compile(r"^\s*(?:none|n/?a|nil)\b|\bnone\s+reported\b|\bdeni(?:es|ed)\b|\bno\s+(?:current\s+|acute\s+|"
                     r"active\s+|immediate\s+)?(?:risk|si|concerns?|safety\s+concerns?|suicidal|self[-\s]?harm)\b|"
                     r"\blow\s+risk\b|\bminimal\s+risk\b|\bnot\s+at\s+risk\b|\bno\s+risk\b", re.IGNORECASE)


@dataclass(frozen=True)
class RiskPolarity:
    asserted_unsupported: tuple[str, ...]  # families the note asserts that the detector has no current finding of
    denied_current: tuple[str, ...]  # current detector families the Risk section only denies or minimises
    note_families: tuple[str, ...]  # families the note asserts as current
    detector_families: tuple[str, ...]  # families of the detector's current findings


_LIST_FILLER = re.compile(r"\b(?:or|and|nor|any|active|passive|current|thoughts?|urges?|ideation|intent|plans?|of)\b|"
                          r"[\s/&]+", re.IGNORECASE)


def _negated_before(prefix: str) -> bool:
    """Whether a negator governs the term that follows ``prefix``. It reaches back across commas only
    through a list of risk terms: "Denies SI, self-harm or HI" negates all three, but "No weapons at
    home, reports urges to self-harm" negates nothing."""
    for segment in reversed(prefix.split(",")):
        if _NEGATION_BEFORE.search(segment):
            return True
        for pattern in _RISK_TERMS.values():
            segment = pattern.sub(" ", segment)
        if _LIST_FILLER.sub("", segment):
            return False
    return False


def _risk_assertions(risk_text: str) -> tuple[set[str], set[str], set[str]]:
    """(asserted current, asserted historical, negated) families in a Risk section."""
    current: set[str] = set()
    historical: set[str] = set()
    negated: set[str] = set()
    for clause in _CLAUSE.split(risk_text):
        for family, pattern in _RISK_TERMS.items():
            for match in pattern.finditer(clause):
                if _THIRD_PARTY.search(clause[:match.start()]):
                    continue
                if _negated_before(clause[:match.start()]) or _NEGATION_AFTER.match(clause[match.end():]):
                    negated.add(family)
                elif _HISTORICAL.search(clause):
                    historical.add(family)
                else:
                    current.add(family)
    return current, historical, negated


def risk_polarity(evidence: TranscriptEvidence, note: str) -> RiskPolarity:
    """Compare the note's Risk section with the detector's findings on the transcript.

    A historical mention ("history of self-harm") is supported by any finding of its family, current or
    not; a missing Risk section is left to the section-completeness metric. A current finding counts as
    denied when the note negates its family, or when the section asserts nothing (no risk term, no
    ``{{RED:...}}`` marker) and denies or minimises ("None reported.", "Low risk").
    """
    parsed = parse_note(note, SESSION_NOTE_SECTIONS)
    raw_risk = parsed.sections.get("Risk", "")
    risk_text = strip_markup(raw_risk)
    detected = {RISK_FAMILIES[f.category] for f in evidence.findings if f.current and f.category in RISK_FAMILIES}
    any_detected = {RISK_FAMILIES[f.category] for f in evidence.findings if f.category in RISK_FAMILIES}
    current, historical, negated = _risk_assertions(risk_text)
    unsupported = (current - detected) | (historical - any_detected)
    denied: set[str] = set()
    if "Risk" in parsed.sections:
        only_denies = not (current or historical or red_spans(raw_risk)) and (
            not risk_text.strip(" .-") or bool(_DENIAL.search(risk_text)))
        denied = {f for f in detected - current if f in negated or only_denies}
    return RiskPolarity(tuple(sorted(unsupported)), tuple(sorted(denied)), tuple(sorted(current)),
                        tuple(sorted(detected)))


# --- 6. key facts ---------------------------------------------------------------------------------


def transcript_sha256(transcript: str) -> str:
    return hashlib.sha256(transcript.encode("utf-8")).hexdigest()


def fact_text(note: str) -> str:
    """The note as fact patterns see it: bold marks removed, RED wrappers removed, words kept."""
    return note.replace("**", "").replace("{{RED:", "").replace("}}", "")


@dataclass(frozen=True)
class FactProbe:
    id: str
    text: str
    patterns: tuple[re.Pattern[str], ...]

    def matches(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


@dataclass(frozen=True)
class FactEntry:
    id: str
    source: str  # "test_split" | "new_sessions"
    row: int | None
    transcript_sha256: str
    facts: tuple[FactProbe, ...]
    wrong_claims: tuple[FactProbe, ...]


@dataclass(frozen=True)
class FactSet:
    path: Path
    entries: Mapping[str, FactEntry]  # by transcript sha256

    def for_transcript(self, transcript: str) -> FactEntry | None:
        return self.entries.get(transcript_sha256(transcript))


def _probes(items: Iterable[Mapping[str, Any]], where: str) -> tuple[FactProbe, ...]:
    probes = []
    for item in items:
        try:
            patterns = tuple(re.compile(p, re.IGNORECASE) for p in item["patterns"])
        except re.error as exc:
            raise ValueError(f"{where}: bad pattern in {item.get('id')!r}: {exc}") from exc
        if not patterns:
            raise ValueError(f"{where}: {item.get('id')!r} has no patterns")
        probes.append(FactProbe(str(item["id"]), str(item.get("text", "")), patterns))
    return tuple(probes)


def load_fact_set(path: Path) -> FactSet:
    """Read facts.jsonl (one session a line). A malformed line is an authoring bug: it raises ValueError
    naming the line rather than silently scoring against fewer facts."""
    entries: dict[str, FactEntry] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
            entry = FactEntry(id=str(raw["id"]), source=str(raw.get("source", "")), row=raw.get("row"),
                              transcript_sha256=str(raw["transcript_sha256"]).lower(),
                              facts=_probes(raw.get("facts", []), where),
                              wrong_claims=_probes(raw.get("wrong_claims", []), where))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{where}: malformed fact entry: {exc}") from exc
        if entry.transcript_sha256 in entries:
            logger.warning("%s: transcript of %s already has entry %s; keeping the first", where, entry.id,
                           entries[entry.transcript_sha256].id)
            continue
        entries[entry.transcript_sha256] = entry
    return FactSet(path=path, entries=entries)


@dataclass(frozen=True)
class FactScore:
    entry_id: str
    facts_total: int
    facts_missed: tuple[str, ...]  # ids
    wrong_claims_total: int
    wrong_claims_hit: tuple[str, ...]  # ids

    @property
    def facts_stated(self) -> int:
        return self.facts_total - len(self.facts_missed)

    @property
    def recall(self) -> float | None:
        return self.facts_stated / self.facts_total if self.facts_total else None

    @property
    def contradiction_rate(self) -> float | None:
        return len(self.wrong_claims_hit) / self.wrong_claims_total if self.wrong_claims_total else None


def score_facts(entry: FactEntry, note: str) -> FactScore:
    text = fact_text(note)
    return FactScore(entry_id=entry.id, facts_total=len(entry.facts),
                     facts_missed=tuple(f.id for f in entry.facts if not f.matches(text)),
                     wrong_claims_total=len(entry.wrong_claims),
                     wrong_claims_hit=tuple(c.id for c in entry.wrong_claims if c.matches(text)))


# --- per note and aggregate -----------------------------------------------------------------------


@dataclass(frozen=True)
class NoteFaithfulness:
    unsupported_numbers: tuple[str, ...]
    content_words: int
    unsupported_content: tuple[str, ...]
    nonwords: tuple[str, ...]
    unsupported_entities: tuple[UnsupportedEntity, ...]
    risk: RiskPolarity
    facts: FactScore | None = None

    @property
    def unsupported_content_rate(self) -> float:
        return len(self.unsupported_content) / self.content_words if self.content_words else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready details for report.json."""
        return {
            "unsupported_numbers": list(self.unsupported_numbers),
            "unsupported_content_rate": round(self.unsupported_content_rate, 4),
            "unsupported_content": list(self.unsupported_content),
            "nonwords": list(self.nonwords),
            "unsupported_entities": [{"kind": e.kind, "text": e.text} for e in self.unsupported_entities],
            "risk_asserted_unsupported": list(self.risk.asserted_unsupported),
            "risk_denied_current": list(self.risk.denied_current),
            "fact_entry": self.facts.entry_id if self.facts else None,
            "facts_missed": list(self.facts.facts_missed) if self.facts else [],
            "wrong_claims_hit": list(self.facts.wrong_claims_hit) if self.facts else [],
        }


def assess_note(transcript: str | TranscriptEvidence, note: str, facts: FactEntry | None = None) -> NoteFaithfulness:
    """Every faithfulness metric of one note against its transcript (raw text or prebuilt evidence)."""
    evidence = transcript if isinstance(transcript, TranscriptEvidence) else TranscriptEvidence.build(transcript)
    missing, total = unsupported_content(evidence, note)
    return NoteFaithfulness(
        unsupported_numbers=tuple(unsupported_numbers(evidence, note)), content_words=total,
        unsupported_content=tuple(missing), nonwords=tuple(nonwords(evidence, note)),
        unsupported_entities=tuple(unsupported_entities(evidence, note)), risk=risk_polarity(evidence, note),
        facts=score_facts(facts, note) if facts else None)


@dataclass(frozen=True)
class FaithfulnessSummary:
    n: int
    unsupported_numbers_total: int
    notes_with_unsupported_number: int
    unsupported_content_rate: float  # mean over notes
    nonwords_total: int
    notes_with_nonword: int
    unsupported_entities_total: int
    risk_asserted_unsupported: int  # notes
    risk_denied_current: int  # notes
    fact_recall: float | None  # stated facts / facts over the notes with a fact entry; None without one
    contradiction_rate: float | None  # matched wrong claims / wrong-claim probes
    fact_sessions: int
    details: list[NoteFaithfulness] = field(default_factory=list, repr=False, compare=False)


def summarise(assessments: Sequence[NoteFaithfulness]) -> FaithfulnessSummary:
    scored = [a.facts for a in assessments if a.facts is not None]
    facts_total = sum(s.facts_total for s in scored)
    claims_total = sum(s.wrong_claims_total for s in scored)
    return FaithfulnessSummary(
        n=len(assessments),
        unsupported_numbers_total=sum(len(a.unsupported_numbers) for a in assessments),
        notes_with_unsupported_number=sum(bool(a.unsupported_numbers) for a in assessments),
        unsupported_content_rate=statistics.fmean(a.unsupported_content_rate for a in assessments)
        if assessments else 0.0,
        nonwords_total=sum(len(a.nonwords) for a in assessments),
        notes_with_nonword=sum(bool(a.nonwords) for a in assessments),
        unsupported_entities_total=sum(len(a.unsupported_entities) for a in assessments),
        risk_asserted_unsupported=sum(bool(a.risk.asserted_unsupported) for a in assessments),
        risk_denied_current=sum(bool(a.risk.denied_current) for a in assessments),
        fact_recall=sum(s.facts_stated for s in scored) / facts_total if facts_total else None,
        contradiction_rate=sum(len(s.wrong_claims_hit) for s in scored) / claims_total if claims_total else None,
        fact_sessions=len(scored), details=list(assessments),
    )


def assess_notes(evidence: Sequence[TranscriptEvidence], notes: Sequence[str],
                 fact_set: FactSet | None = None) -> FaithfulnessSummary:
    """Score one row of notes (a model or a calibration row) against prebuilt transcript evidence."""
    return summarise([
        assess_note(ev, note, fact_set.entries.get(ev.sha256) if fact_set else None)
        for ev, note in zip(evidence, notes, strict=True)
    ])
