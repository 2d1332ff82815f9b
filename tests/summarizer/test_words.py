"""The word list behind both non-word checks: a compact store that answers like a set."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.words import WordList, dictionary, is_english_word

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz'", min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.sets(_WORD, max_size=40), _WORD)
def test_a_word_list_answers_exactly_as_the_set_it_was_built_from(words: set[str], probe: str) -> None:
    listed = WordList(words)
    assert len(listed) == len(words)
    assert all(word in listed for word in words)
    assert (probe in listed) == (probe in words)


def test_newlines_and_non_strings_are_never_words() -> None:
    listed = WordList(["mood", "sleep"])
    assert "mood\nsleep" not in listed and "" not in listed and 3 not in listed


def test_the_english_dictionary_is_loaded_and_knows_british_and_clinical_words() -> None:
    assert len(dictionary()) > 100_000
    assert is_english_word("organised") and is_english_word("counsellor") and is_english_word("sertraline")
    assert not is_english_word("prioritrations") and not is_english_word("scambush")
