"""Text normalisation for risk matching that keeps every character offset.

Patients (and ASR, and people evading filters) write risk in forms a lexicon misses:
full-width or accented look-alikes, Cyrillic letters inside Latin words ("kіll" with U+0456),
digits and symbols for letters ("k1ll", "su1c1de", "s*icide", "self h@rm"), and quoted note
markup. Matching runs on a copy of the transcript of exactly the same length, so a finding's
offsets and evidence quote always point at the original text.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that render like Latin ones (Unicode's confusables for the Latin alphabet, the
# Cyrillic and Greek ones that appear in practice). NFKC does not fold these.
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l", "ɩ": "i",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J",
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Ε": "E", "Ι": "I", "Κ": "K", "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
})
# Digits and symbols used for letters, applied only inside a word that also has letters.
_LEET = str.maketrans({"1": "i", "!": "i", "|": "i", "0": "o", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s",
                       "7": "t", "+": "t"})
_MIXED_WORD = re.compile(r"(?=[\w@$!|*+]*[a-zA-Z])(?=[\w@$!|*+]*[0-9@$!|*+])[\w@$!|*+]{3,}")
# The risk words a masked or leet spelling ("s*icide", "k1ll", "h@rm") is unfolded into. Only these:
# "10pm" or "mp3" must stay as written.
_MASKED_TARGETS = ("suicide", "suicidal", "kill", "killing", "myself", "harm", "cutting", "overdose", "die",
                   "dead", "hang", "unalive", "self", "hurt", "murder", "pills", "cut", "end", "life")
# Quoted note markup in a transcript is the patient's words, never our markup: blank its brackets.
_MARKUP = re.compile(r"\{\{|\}\}|\*\*")


def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        return char  # ligatures and the like would change the length: keep them
    base = unicodedata.normalize("NFKD", folded)[0]  # "é" -> "e" only where a Latin base exists
    return base if base.isascii() and base.isalpha() else folded


def _unmask(word: str) -> str:
    lowered = word.lower()
    if "*" in lowered:
        for target in _MASKED_TARGETS:
            if len(target) == len(lowered) and all(c in ("*", t) for c, t in zip(lowered, target, strict=True)):
                return target
    leet = lowered.translate(_LEET)
    return leet if leet in _MASKED_TARGETS else word


def normalise_for_matching(text: str) -> str:
    """A same-length copy of ``text`` with look-alike letters, leetspeak and markup folded."""
    folded = "".join(_fold_char(c) for c in text).translate(_CONFUSABLES)
    folded = _MIXED_WORD.sub(lambda m: _unmask(m.group(0)), folded)
    folded = _MARKUP.sub(lambda m: " " * len(m.group(0)), folded)
    assert len(folded) == len(text)
    return folded
