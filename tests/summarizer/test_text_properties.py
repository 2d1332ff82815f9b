"""Property tests for text normalisation, markers and word counting."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text import count_words, normalise_whitespace, red_spans, strip_markup

EXAMPLES = settings(max_examples=200, deadline=None)
marker_text = st.text(alphabet=st.characters(blacklist_characters="{}\n\r", blacklist_categories=("Cs",)),
                      min_size=1, max_size=40).filter(lambda t: t.strip())
messy_text = st.text(alphabet=st.sampled_from(list("ab ci\t\n\r\u00a0\u2003.,{}:*RED")), max_size=200)


@EXAMPLES
@given(messy_text)
def test_normalise_whitespace_is_idempotent(text: str) -> None:
    once = normalise_whitespace(text)
    assert normalise_whitespace(once) == once


@EXAMPLES
@given(messy_text)
def test_normalise_whitespace_leaves_no_runs_or_edges(text: str) -> None:
    out = normalise_whitespace(text)
    assert "  " not in out and "\t" not in out and "\r" not in out and "\n\n\n" not in out
    assert out == out.strip()
    assert all(line == line.strip() for line in out.split("\n"))


@EXAMPLES
@given(st.lists(st.tuples(messy_text, marker_text), min_size=1, max_size=4), messy_text)
def test_red_markers_survive_normalisation(pieces: list[tuple[str, str]], tail: str) -> None:
    text = "".join(f"{before.replace('{', '').replace('}', '')}{{{{RED:{inner}}}}}" for before, inner in pieces)
    text += tail.replace("{", "").replace("}", "")
    # normalise_whitespace drops zero-width characters and collapses spaces, inside markers too.
    expected = [" ".join(normalise_whitespace(inner).split()) for _, inner in pieces]
    assert [" ".join(span.split()) for span in red_spans(normalise_whitespace(text))] == expected


@EXAMPLES
@given(st.lists(st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True), max_size=60))
def test_count_words_ignores_markup(words: list[str]) -> None:
    plain = " ".join(words)
    marked = f"**Risk:** {{{{RED:{plain}}}}}" if words else "**Risk:**"
    assert count_words(marked) == len(words) + 1
    assert "{{RED:" not in strip_markup(marked) and "**" not in strip_markup(marked)
