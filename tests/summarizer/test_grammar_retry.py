"""THERAPY_NOTES_GRAMMAR_MODE=on_failure: notes are written unconstrained, and only one that fails validation is
written again under the section grammar (summarizer/notes.py _generate_checked)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest
from django.test import override_settings

from summarizer.notes import NoteOptions, summarize_single_session
from tests.conftest import SAMPLE_TRANSCRIPT
from tests.summarizer.fakes import ScriptedEngine
from therapy_notes.env import env_choice

GOOD = ("**Chief Complaint:** Poor sleep for two weeks, sleeping maybe four hours, worried about work.\n"
        "**Emotional State:** Anxious and tired, low mood most days this week.\n"
        "**Risk:** No current risk was discussed in this session.\n"
        "**Intervention:** Thought record about the performance review.\n"
        "**Plan:** Practise breathing exercise daily; review at next Thursday session.")
# Grounding off: the outcome's text is then the model's note, which the tests tell apart.
RETRY = NoteOptions(use_grammar=False, grammar_retry=True, ground_statements=False)
UNSTRUCTURED = "Patient talked about work and sleep and the manager and many other things."


@dataclass
class GrammarAwareEngine(ScriptedEngine):
    """Writes ``unconstrained`` without a grammar and ``text`` with one; records the grammar of each call."""

    unconstrained: str = UNSTRUCTURED
    grammars: list[str | None] = field(default_factory=list)

    def generate(self, messages: list[dict[str, str]], **kwargs: object) -> object:
        grammar = kwargs.get("grammar")
        self.grammars.append(grammar if isinstance(grammar, str) else None)
        result = super().generate(messages)
        return result if grammar else replace(result, text=self.unconstrained)  # type: ignore[type-var]


def test_a_note_that_fails_validation_is_rewritten_under_the_grammar() -> None:
    engine = GrammarAwareEngine(text=GOOD)
    outcome = summarize_single_session(engine, SAMPLE_TRANSCRIPT, RETRY)
    assert engine.grammars[0] is None and engine.grammars[1] is not None and len(engine.grammars) == 2
    assert not outcome.fallback
    assert "thought record" in outcome.text.lower()  # the constrained rewrite's note, not the fallback


def test_a_valid_unconstrained_note_is_kept_with_one_call() -> None:
    engine = GrammarAwareEngine(text="unused", unconstrained=GOOD)
    outcome = summarize_single_session(engine, SAMPLE_TRANSCRIPT, RETRY)
    assert engine.grammars == [None]
    assert not outcome.fallback and "thought record" in outcome.text.lower()


@pytest.mark.parametrize("options", [NoteOptions(use_grammar=False), NoteOptions(use_grammar=True, grammar_retry=True)])
def test_no_second_call_without_retry_or_when_already_constrained(options: NoteOptions) -> None:
    engine = GrammarAwareEngine(text=UNSTRUCTURED, unconstrained=UNSTRUCTURED)
    summarize_single_session(engine, SAMPLE_TRANSCRIPT, options)
    assert len(engine.grammars) == 1
    assert (engine.grammars[0] is not None) == options.use_grammar


def test_an_engine_configured_without_grammar_is_never_given_one() -> None:
    engine = GrammarAwareEngine(text=GOOD)
    engine.config = replace(engine.config, use_grammar=False)
    summarize_single_session(engine, SAMPLE_TRANSCRIPT, RETRY)
    assert engine.grammars == [None]


@pytest.mark.parametrize(("mode", "constrained", "retry"), [("always", True, False), ("on_failure", False, True)])
def test_the_worker_reads_the_grammar_mode(mode: str, constrained: bool, retry: bool) -> None:
    from sessions.job_execution import _options
    from sessions.models import NoteJob

    with override_settings(THERAPY_NOTES_GRAMMAR_MODE=mode, THERAPY_NOTES_USE_GRAMMAR=True):
        options = _options(NoteJob(parameters={}))
    assert (options.use_grammar, options.grammar_retry) == (constrained, retry)


def test_an_unknown_grammar_mode_stops_start_up_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THERAPY_NOTES_GRAMMAR_MODE", "sometimes")
    with pytest.raises(ValueError, match="THERAPY_NOTES_GRAMMAR_MODE='sometimes'"):
        env_choice("THERAPY_NOTES_GRAMMAR_MODE", "always", ("always", "on_failure"))
    monkeypatch.setenv("THERAPY_NOTES_GRAMMAR_MODE", "on_failure")
    assert env_choice("THERAPY_NOTES_GRAMMAR_MODE", "always", ("always", "on_failure")) == "on_failure"
