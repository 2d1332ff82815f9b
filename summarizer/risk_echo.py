"""A therapist's question or reflection, turned into what the patient says by agreeing to it.

Therapists name a risk in their own words and the patient only agrees: "You've decided to end your
life, even if you haven't decided how." / "Aye." or "Are you planning to use your dad's gun on
yourself on Friday?" / "(long pause) Yeah." The screening-question lexicon (risk_questions.py) knows
the common questions; every other phrasing would need a question pattern of its own. Instead the
question is rewritten in the first person ("I've decided to end my life, even if I haven't decided
how") and read by the same lexicon that reads the patient's own words, so whatever the lexicon
knows how to find in a statement it also finds in a question the patient confirmed.

Only sentences that address the patient and say nothing in the therapist's own first person are
rewritten: "I'm going to call an ambulance" is the therapist's act, not a question to agree to.
"""

from __future__ import annotations

import re

# What a reflection is wrapped in ("It sounds like you...", "Are you telling me that you..."): the
# statement proper follows it.
_WRAPPER = re.compile(
    r"^\W*(?:(?:so|and|okay|ok|right|then|but)\W+)*(?:[A-Z][a-z]+,\s+)?"
    r"(?:it\s+sounds\s+(?:like|as\s+if)|(?:are|were)\s+you\s+(?:telling\s+me|saying)|you'?re\s+(?:telling\s+me|saying)"
    r"|what\s+i'?m\s+hearing\s+is|i(?:'?m|\s+am)\s+hearing|do\s+you\s+mean|you\s+mean|i\s+think|"
    r"i(?:'?m|\s+am)\s+wondering(?:\s+(?:if|whether))?|i\s+wonder(?:ed)?(?:\s+(?:if|whether))?|"
    r"i\s+(?:want|need|have)\s+to\s+(?:ask|check)(?:\s+(?:you\s+)?(?:if|whether))?|can\s+i\s+ask(?:\s+(?:if|whether))?|"
    r"(?:is|was)\s+(?:it|that)\s+(?:that|because))\s+(?:that\s+)?",
    re.IGNORECASE)
# A question's inverted opening, in the statement's order ("are you planning" -> "I am planning").
_INVERSIONS = (
    (r"are\s+you", "I am"), (r"were\s+you", "I was"), (r"have\s+you", "I have"), (r"had\s+you", "I had"),
    (r"do\s+you", "I do"), (r"did\s+you", "I did"), (r"will\s+you", "I will"), (r"would\s+you", "I would"),
    (r"could\s+you", "I could"), (r"can\s+you", "I can"),
)
_INVERTED = re.compile(r"\b(?:" + "|".join(f"(?P<i{n}>{rx})" for n, (rx, _) in enumerate(_INVERSIONS)) + r")\b",
                       re.IGNORECASE)
# Second person to first person. "you" is the subject before a verb and the object after one.
_PRONOUNS = {"you're": "I'm", "youre": "I'm", "you've": "I've", "you'd": "I'd", "you'll": "I'll",
             "yourself": "myself", "your": "my", "yours": "mine"}
_SECOND_PERSON = re.compile(r"\b(?:you(?:'re|re|'ve|'d|'ll|rself|rs|r)?)\b", re.IGNORECASE)
_OBJECT_FOLLOWS = re.compile(
    r"^\s*(?:$|[.,;:?!)]|(?:at|in|on|with|again|when|if|and|or|there|now|too|back|so|up|down|off|out|like|"
    r"that|this|every|last|before|after|because|about|into|anymore|any\s+more)\b)", re.IGNORECASE)
# The therapist speaking of themself: that sentence is not the patient's to agree to.
_THERAPIST_SELF = re.compile(r"\b(?:i|i'm|im|i've|i'd|i'll|me|my|myself|we|we're|we'll|let's|us|our)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*")


def first_person(asked: str) -> str:
    """The sentences of a therapist's turn that address the patient, as the patient would say them
    ("" when there are none)."""
    statements = []
    for sentence in _SENTENCE.findall(asked):
        unwrapped = _WRAPPER.sub("", sentence.strip(), count=1)
        if not _SECOND_PERSON.search(unwrapped) or _THERAPIST_SELF.search(unwrapped):
            continue
        statements.append(_to_first_person(unwrapped).rstrip("?").strip())
    return ". ".join(s for s in statements if s)


def _to_first_person(sentence: str) -> str:
    def invert(match: re.Match[str]) -> str:
        return next(_INVERSIONS[int(name[1:])][1] for name, value in match.groupdict().items() if value)

    sentence = _INVERTED.sub(invert, sentence)

    def swap(match: re.Match[str]) -> str:
        word = match.group(0).lower()
        if word in _PRONOUNS:
            return _PRONOUNS[word]
        return "me" if _OBJECT_FOLLOWS.match(sentence[match.end():]) else "I"

    return _SECOND_PERSON.sub(swap, sentence)
