"""Is this a word? The English dictionary and clinical lexicon behind the non-word checks.

A small model sometimes decodes tokens into things that are no word at all ("prioritrations",
"SCAMBUSH"). The evaluator counts them (training/faithfulness.py) and grounding drops the clause that
holds one (summarizer/grounding.py), so both read the same lists from here.

Word list: pyspellchecker's English dictionary (about 160k words, pinned in requirements.txt), held
as one newline-joined string rather than a set of 160k str objects: the worker pays ~2 MB, not ~15.
Plain Python, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

# Words a clinician writes about any session whatever the patient said: the note's own headings,
# reporting verbs, the risk vocabulary the Risk section must use, and the names of what the therapist
# did. They are not evidence of invention, so the content metric does not count them.
CLINICAL_VOCABULARY: frozenset[str] = frozenset({
    # who and what
    "patient", "client", "session", "sessions", "therapist", "clinician", "mood", "affect",
    # reporting verbs
    "reports", "reported", "denies", "denied", "states", "stated", "describes", "described", "discussed",
    "explored", "validated", "reviewed", "review", "noted", "presents", "presented", "endorses", "endorsed",
    "identified", "agreed",
    # headings and risk vocabulary ("self-harm" and "follow-up" are split into words by the tokenizer)
    "plan", "intervention", "risk", "assessment", "ideation", "suicidal", "si", "hi", "homicidal", "self", "harm",
    "safety", "none", "current", "follow", "up",
    # modalities and techniques
    "cbt", "dbt", "act", "emdr", "erp", "mi", "psychoeducation", "homework", "validation", "reframing",
    "socratic", "grounding", "mindfulness",
})

# Medications a note may name: common psychiatric drugs, opioid-treatment drugs and analgesics. Each
# group is one drug: brand and generic names support each other ("Zoloft" in the transcript supports
# "sertraline" in the note).
MEDICATIONS: tuple[frozenset[str], ...] = tuple(frozenset(group.split()) for group in (
    "sertraline zoloft lustral", "fluoxetine prozac", "citalopram celexa cipramil", "escitalopram lexapro cipralex",
    "paroxetine paxil seroxat", "venlafaxine effexor", "duloxetine cymbalta", "mirtazapine remeron",
    "bupropion wellbutrin", "amitriptyline elavil", "nortriptyline", "trazodone", "vortioxetine trintellix",
    "lithium", "lamotrigine lamictal", "valproate depakote", "carbamazepine tegretol",
    "quetiapine seroquel", "olanzapine zyprexa", "risperidone risperdal", "aripiprazole abilify",
    "haloperidol haldol", "clozapine clozaril", "diazepam valium", "lorazepam ativan", "alprazolam xanax",
    "clonazepam klonopin", "temazepam", "zopiclone", "zolpidem ambien", "propranolol", "hydroxyzine",
    "melatonin", "methylphenidate ritalin concerta", "lisdexamfetamine vyvanse elvanse",
    "amphetamine adderall", "atomoxetine strattera", "buprenorphine suboxone subutex", "methadone",
    "naltrexone vivitrol", "naloxone narcan", "disulfiram antabuse", "acamprosate", "gabapentin neurontin",
    "pregabalin lyrica", "paracetamol acetaminophen tylenol", "ibuprofen advil nurofen", "naproxen",
    "aspirin", "codeine", "co-codamol", "tramadol", "morphine", "oxycodone oxycontin", "hydrocodone vicodin",
    "fentanyl",
))
MEDICATION_GROUP: dict[str, int] = {name: index for index, group in enumerate(MEDICATIONS) for name in group}

# Real clinical words and acronyms that a general English dictionary lacks. Only the non-word check
# uses this list: it decides "is this a word at all", not "did the transcript say it".
CLINICAL_LEXICON: frozenset[str] = CLINICAL_VOCABULARY | frozenset(MEDICATION_GROUP) | frozenset({
    "ptsd", "cptsd", "ocd", "gad", "adhd", "asd", "bpd", "mdd", "sud", "suds", "aud", "nssi", "dv", "ipv", "csa",
    "cpt", "ipt", "sfbt", "ipsrt", "fbt", "tf", "ba", "moud", "mat", "iop", "phq", "voc", "gp", "ed", "tipp",
    "psychodynamic", "psychoeducational", "defusion", "nervosa", "bulimia", "dystonic", "egodystonic",
    "hypervigilance", "hypervigilant", "hypomania", "hypomanic", "euthymic", "dysthymia", "anhedonia",
    "anhedonic", "amotivation", "dysregulated", "dysregulation", "interoceptive", "cognitions", "parentified",
    "parentification", "genogram", "disinhibition", "catastrophising", "catastrophizing", "externalising",
    "avoidant", "decisional", "hyperarousal", "depersonalisation", "derealisation", "ruminative",
    "benzodiazepine", "benzodiazepines", "benzos", "nsaids", "ssri", "ssris", "snri", "intubation",
    "unrousable", "misgendering", "reframe", "reframed", "vivo", "bac", "ii", "mg", "mcg", "ml", "kg",
})


# Relation words a note may use about people in the patient's life, each with the transcript words
# that support it ("mum" supports "mother"; "girlfriend" supports "partner").
_PARTNER = "partner partners spouse husband wife girlfriend boyfriend fiance fiancee fiancé fiancée"
RELATIONS: dict[str, frozenset[str]] = {word: frozenset(support.split()) for words, support in (
    ("mother mothers mum mom mam", "mother mothers mum mom mam mummy mommy ma mama"),
    ("father fathers dad", "father fathers dad daddy pa papa"),
    ("stepmother stepmum stepmom", "stepmother stepmum stepmom"),
    ("stepfather stepdad", "stepfather stepdad"),
    ("parent parents", "parent parents mother mum mom mam father dad"),
    ("sister sisters", "sister sisters sis"),
    ("brother brothers", "brother brothers bro"),
    ("sibling siblings", "sibling siblings sister sisters brother brothers"),
    ("son sons", "son sons"),
    ("daughter daughters", "daughter daughters"),
    ("child children kids", "child children kid kids son sons daughter daughters"),
    ("grandmother grandma gran nan nana", "grandmother grandma gran granny nan nana nanna"),
    ("grandfather grandpa grandad granddad", "grandfather grandpa grandad granddad gramps"),
    ("aunt auntie", "aunt aunts auntie"),
    ("uncle", "uncle uncles"),
    ("cousin cousins", "cousin cousins"),
    ("husband", "husband"),
    ("wife", "wife wives"),
    ("girlfriend", "girlfriend girl"),
    ("boyfriend", "boyfriend"),
    ("partner partners spouse", _PARTNER),
    ("ex", "ex"),
    ("fiance fiancee", "fiance fiancee fiancé fiancée"),
    ("friend friends", "friend friends mate mates buddy pal"),
    ("roommate flatmate housemate", "roommate flatmate housemate roomie"),
    ("boss manager supervisor", "boss manager supervisor"),
    ("coworker coworkers colleague colleagues", "coworker coworkers colleague colleagues workmate workmates work"),
    ("neighbour neighbor", "neighbour neighbor neighbours neighbors"),
    ("teacher", "teacher teachers"),
) for word in words.split()}



# A word as both non-word checks read it: letters, apostrophes join ("didn't"), hyphens and digits split.
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def word_tokens(text: str) -> list[str]:
    """The words of ``text`` as written, curly apostrophes made straight."""
    return [word.replace("’", "'") for word in WORD.findall(text)]


def spoken_words(text: str) -> frozenset[str]:
    """Every word of ``text`` (lowercased by the caller when wanted) and every apostrophe-split part of one
    ("didn't" -> "didn", "t"): what a note may repeat without being a non-word."""
    words = word_tokens(text)
    return frozenset(words) | {part for word in words for part in word.split("'")}


class WordList:
    """A large word list in little memory: words grouped by their first two letters, each group one
    newline-delimited string, so a lookup searches a few kilobytes."""

    def __init__(self, words: Iterable[str]) -> None:
        groups: dict[str, list[str]] = {}
        for word in words:
            groups.setdefault(word[:2], []).append(word)
        self._groups = {key: "\n" + "\n".join(sorted(group)) + "\n" for key, group in groups.items()}
        self.size = sum(len(group) for group in groups.values())

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not word or "\n" in word:
            return False
        group = self._groups.get(word[:2])
        return group is not None and f"\n{word}\n" in group

    def __len__(self) -> int:
        return self.size


@cache
def dictionary() -> WordList:
    """pyspellchecker's English word list (lowercase, about 160k words)."""
    from spellchecker import SpellChecker

    return WordList(SpellChecker(language="en", distance=1).word_frequency.keys())


# British spellings: pyspellchecker's list is American ("behavior", "generalized", "centered").
_BRITISH = [(re.compile(p), r) for p, r in (
    (r"our", "or"), (r"is(?=e|ed|es|ing|ation|ations|er|ers|able)", "iz"), (r"ys(?=e|ed|es|ing)", "yz"),
    (r"tre$", "ter"), (r"tres$", "ters"), (r"tred$", "tered"), (r"tring$", "tering"), (r"ogue$", "og"),
    (r"ll(?=ed$|ing$|er$|ers$|or$|ors$)", "l"), (r"ae", "e"), (r"oe", "e"), (r"ence$", "ense"),
    (r"^scept", "skept"),
)]
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "ers", "ness", "ful", "ment", "al")
_PREFIXES = ("un", "re", "non", "dis", "mis", "over", "under", "hyper", "hypo", "inter", "pre", "post", "self",
             "co", "anti", "de", "sub", "super", "counter", "out", "multi", "semi", "pseudo")


def _spelled(word: str) -> bool:
    known = dictionary()
    if word in known or word in CLINICAL_LEXICON:
        return True
    variants = {rx.sub(r, word) for rx, r in _BRITISH}
    combined = word
    for rx, r in _BRITISH:
        combined = rx.sub(r, combined)
    return any(v in known for v in variants | {combined})


def _inflected(word: str) -> bool:
    """A regular inflection of a known word ("texting", "reframed", "cognitions")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            candidates = {base, base + "e"}
            if len(base) >= 2 and base[-1] == base[-2]:
                candidates.add(base[:-1])  # "stopped" -> "stop"
            if base.endswith("i"):
                candidates.add(base[:-1] + "y")  # "worried" -> "worry"
            if any(_spelled(c) for c in candidates):
                return True
    return False


@lru_cache(maxsize=100_000)
def is_english_word(word: str) -> bool:
    """In the dictionary or clinical lexicon, allowing British spelling, regular inflection and common
    prefixes. No compound splitting: "scambush" would pass as "scam" + "bush"."""
    word = word.lower().replace("’", "'")
    if word.endswith(("'s", "s'")):
        word = word[:-2] if word.endswith("'s") else word[:-1]
    if _spelled(word) or _inflected(word):
        return True
    if word.endswith("n't") and _spelled(word[:-3]):  # "didn't" -> "did"
        return True
    if "'" in word:
        return all(_spelled(part) or len(part) <= 2 for part in word.split("'"))
    for prefix in _PREFIXES:
        rest = word[len(prefix):]
        if word.startswith(prefix) and len(rest) >= 4 and (_spelled(rest) or _inflected(rest)):
            return True
    return False


