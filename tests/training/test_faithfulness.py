"""Faithfulness metrics (training/faithfulness.py): hand-written notes against hand-written transcripts,
properties over generated ones, and the evaluator's calibration rows (no model needed)."""

from __future__ import annotations

import csv
import json
import string
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from training.faithfulness import (
    FactSet,
    TranscriptEvidence,
    assess_note,
    assess_notes,
    is_english_word,
    load_fact_set,
    nonwords,
    number_mentions,
    risk_polarity,
    score_facts,
    transcript_sha256,
    unsupported_content,
    unsupported_entities,
    unsupported_numbers,
)

TRANSCRIPT = (
    "Therapist: How have things been since last week?\n"
    "Patient: Rough. I slept maybe four hours a night and I missed work twice.\n"
    "Therapist: On a scale from zero to ten, how low has your mood been?\n"
    "Patient: About a seven most days. I stayed in and watched television.\n"
    "Therapist: Let's plan two short walks this week and keep a sleep diary.\n"
    "Patient: Okay, I can try that.\n"
)
# The same session, but the patient names the people and the medication.
TRANSCRIPT_WITH_ENTITIES = TRANSCRIPT + (
    "Patient: My sister drove me to see Dr Patel on Sunday.\n"
    "Patient: He started me on sertraline, fifty milligrams in the morning.\n"
)

GOOD_NOTE = (
    "**Chief Complaint:** Poor sleep, about 4 hours a night; missed work twice.\n"
    "**Emotional State:** Low mood, rated 7/10 most days.\n"
    "**Risk:** None reported.\n"
    "**Intervention:** Behavioural activation; sleep diary introduced.\n"
    "**Plan:** Two short walks this week; keep a sleep diary."
)


def evidence(transcript: str = TRANSCRIPT, findings: list[FakeFinding] | None = None) -> TranscriptEvidence:
    # Findings are given explicitly (the detector is tested in tests/summarizer); [] means "none found".
    return TranscriptEvidence.build(transcript, findings=findings or [])


@dataclass(frozen=True)
class FakeFinding:
    category: str
    current: bool = True


# --- numbers --------------------------------------------------------------------------------------


def test_good_note_has_no_unsupported_numbers() -> None:
    assert unsupported_numbers(evidence(), GOOD_NOTE) == []


def test_invented_number_is_flagged() -> None:
    note = GOOD_NOTE.replace("about 4 hours", "about 3 hours")
    assert unsupported_numbers(evidence(), note) == ["3"]


def test_digits_and_number_words_support_each_other() -> None:
    # transcript "four" supports note "4"; transcript "50 mg" supports note "fifty"
    assert unsupported_numbers(evidence(), "**Plan:** Sleep 4 hours, then four more.") == []
    assert unsupported_numbers(evidence("Patient: I take 50 mg."), "**Plan:** Continue fifty milligrams.") == []
    assert unsupported_numbers(evidence("Patient: I take 50 mg."), "**Plan:** Continue sixty milligrams.") == ["sixty"]


def test_ratio_needs_both_numbers() -> None:
    assert unsupported_numbers(evidence(), "Mood 7/10.") == []
    assert unsupported_numbers(evidence(), "Mood 9/10.") == ["9/10"]


@pytest.mark.parametrize(("text", "values"), [
    ("25%", [(25.0,)]), ("7.5 hours", [(7.5,)]), ("$2,000", [(2000.0,)]), ("3-4 drinks", [(3.0, 4.0)]),
    ("twenty-five", [(25.0,)]), ("three hundred bucks", [(300.0,)]), ("seven and a half", [(7.5,)]),
    ("a hundred and ten", [(110.0,)]), ("PHQ-9 done", []), ("no one came", []),
    ("one two three", [(1.0,), (2.0,), (3.0,)]),
])
def test_number_mentions(text: str, values: list[tuple[float, ...]]) -> None:
    assert sorted(m.values for m in number_mentions(text)) == sorted(values)


# --- content words --------------------------------------------------------------------------------


def test_unsupported_content_counts_words_the_transcript_lacks() -> None:
    missing, total = unsupported_content(evidence(), "**Plan:** Patient reports gardening and sleep problems.")
    # "patient"/"reports" are clinical vocabulary, "plan" a header; "sleep" is in the transcript
    assert missing == ["gardening", "problems"] and total == 5


def test_relation_synonyms_support_content_words() -> None:
    missing, _ = unsupported_content(evidence("Patient: My mum called."), "Mother called.")
    assert missing == []


# --- non-words ------------------------------------------------------------------------------------


def test_nonwords_flag_gibberish_entities_and_mojibake() -> None:
    note = "**Chief Complaint:** Patient reports SCAMBUSH at work.\n**Plan:** Patient&#39;s faÃ§ade review."
    found = nonwords(evidence(), note)
    assert "SCAMBUSH" in found and "&#39;" in found and "Ã§" in found


def test_dictionary_words_are_not_nonwords() -> None:
    note = ("**Emotional State:** Tearful, ashamed and exhausted; behaviour generalised to colleagues. "
            "**Intervention:** CBT, psychoeducation, cognitive restructuring; didn't minimise. "
            "**Plan:** Practise grounding, texting a neighbour, recognised progress.")
    assert nonwords(evidence(), note) == []
    assert is_english_word("organised") and is_english_word("counsellor") and not is_english_word("scambush")


def test_transcript_words_are_not_nonwords() -> None:
    assert nonwords(evidence("Patient: we call it the zorblat."), "Discussed the zorblat.") == []


# --- entities -------------------------------------------------------------------------------------

ENTITY_NOTE = ("**Chief Complaint:** Low mood. Seen by Dr. Patel, who started sertraline 50 mg. "
               "**Plan:** Visit her sister on Sunday.")


def test_entities_absent_from_transcript_are_flagged() -> None:
    found = {(e.kind, e.text) for e in unsupported_entities(evidence(), ENTITY_NOTE)}
    assert {("name", "Dr. Patel"), ("medication", "sertraline"), ("dose", "50 mg"), ("relation", "her sister"),
            ("name", "Sunday")} <= found


def test_entities_present_in_transcript_are_not_flagged() -> None:
    assert unsupported_entities(evidence(TRANSCRIPT_WITH_ENTITIES), ENTITY_NOTE) == []


def test_brand_name_supports_generic_and_sentence_start_is_not_a_name() -> None:
    ev = evidence("Patient: The Zoloft helps, 50 mg.")
    assert unsupported_entities(ev, "**Plan:** Continue sertraline 50 mg. Review soon.") == []


# --- risk polarity --------------------------------------------------------------------------------


def test_risk_asserted_without_current_finding() -> None:
    note = GOOD_NOTE.replace("None reported.", "{{RED:Active suicidal ideation with a plan.}}")
    result = risk_polarity(evidence(), note)
    assert result.asserted_unsupported == ("suicide",) and result.denied_current == ()


@pytest.mark.parametrize("risk", ["Denies SI or self-harm.", "No suicidal ideation; self-harm denied.",
                                  "None reported.", "SI: none. Low risk.", "Denies SI, self-harm or HI."])
def test_negated_risk_is_not_an_assertion(risk: str) -> None:
    assert risk_polarity(evidence(), GOOD_NOTE.replace("None reported.", risk)).asserted_unsupported == ()


def test_negation_does_not_reach_across_an_unrelated_comma() -> None:
    note = GOOD_NOTE.replace("None reported.", "No weapons at home, reports urges to self-harm.")
    assert risk_polarity(evidence(), note).asserted_unsupported == ("self_harm",)


def test_history_is_supported_by_a_past_finding() -> None:
    note = GOOD_NOTE.replace("None reported.", "History of self-harm as a teenager.")
    assert risk_polarity(evidence(findings=[FakeFinding("self_harm", current=False)]), note).asserted_unsupported == ()
    assert risk_polarity(evidence(), note).asserted_unsupported == ("self_harm",)


@pytest.mark.parametrize("risk", ["None reported.", "Denies SI.", "Low risk; no SI."])
def test_current_finding_denied(risk: str) -> None:
    ev = evidence(findings=[FakeFinding("suicidal_ideation_passive")])
    result = risk_polarity(ev, GOOD_NOTE.replace("None reported.", risk))
    assert result.denied_current == ("suicide",) and result.asserted_unsupported == ()


def test_current_finding_documented_is_neither() -> None:
    ev = evidence(findings=[FakeFinding("suicidal_ideation_passive"), FakeFinding("violence", current=False)])
    result = risk_polarity(ev, GOOD_NOTE.replace("None reported.", "{{RED:Passive SI}}, no plan or intent."))
    assert result.asserted_unsupported == () and result.denied_current == ()


def test_red_marker_is_not_a_denial() -> None:
    # the note documents something urgent in words the term list may not know: not "only denies"
    ev = evidence(findings=[FakeFinding("abuse")])
    note = GOOD_NOTE.replace("None reported.", "{{RED:Pushed against the wall on Friday.}} No suicidal intent.")
    assert risk_polarity(ev, note).denied_current == ()


def test_risk_polarity_uses_the_real_detector() -> None:
    transcript = "Therapist: How have you been?\nPatient: I want to kill myself. I think about ending my life."
    result = assess_note(transcript, GOOD_NOTE).risk
    assert "suicide" in result.detector_families and result.denied_current == ("suicide",)


# --- key facts ------------------------------------------------------------------------------------


def write_facts(path: Path, transcript: str = TRANSCRIPT) -> Path:
    entry = {"id": "s1", "source": "test_split", "row": 0, "transcript_sha256": transcript_sha256(transcript),
             "facts": [{"id": "f1", "text": "sleeps about four hours", "patterns": [r"\b(?:four|4)\s+hours\b"]},
                       {"id": "f2", "text": "missed work", "patterns": [r"missed work", r"absent from work"]}],
             "wrong_claims": [{"id": "w1", "text": "sleeping well", "patterns": [r"sleep(?:ing)? well"]},
                              {"id": "w2", "text": "brother visited", "patterns": [r"\bbrother\b"]}]}
    path.write_text(json.dumps(entry) + "\n\n", encoding="utf-8")
    return path


def test_fact_scorer_good_note(tmp_path: Path) -> None:
    facts = load_fact_set(write_facts(tmp_path / "facts.jsonl"))
    entry = facts.for_transcript(TRANSCRIPT)
    assert entry is not None and facts.for_transcript(TRANSCRIPT_WITH_ENTITIES) is None
    score = score_facts(entry, GOOD_NOTE)
    assert score.recall == 1.0 and score.contradiction_rate == 0.0 and score.facts_missed == ()


def test_fact_scorer_wrong_note(tmp_path: Path) -> None:
    entry = load_fact_set(write_facts(tmp_path / "facts.jsonl")).for_transcript(TRANSCRIPT)
    assert entry is not None
    wrong = "**Chief Complaint:** {{RED:Sleeping well}}; her **brother** visited."
    score = score_facts(entry, wrong)
    assert score.wrong_claims_hit == ("w1", "w2") and score.contradiction_rate == 1.0
    assert score.facts_missed == ("f1", "f2") and score.recall == 0.0


def test_fact_set_rejects_bad_patterns(tmp_path: Path) -> None:
    path = tmp_path / "facts.jsonl"
    path.write_text(json.dumps({"id": "x", "transcript_sha256": "ab", "facts": [{"id": "f", "patterns": ["("]}]}),
                    encoding="utf-8")
    with pytest.raises(ValueError, match="facts.jsonl:1"):
        load_fact_set(path)


def test_aggregates_over_notes(tmp_path: Path) -> None:
    facts: FactSet = load_fact_set(write_facts(tmp_path / "facts.jsonl"))
    rows = [evidence(), evidence(TRANSCRIPT_WITH_ENTITIES)]
    bad = GOOD_NOTE.replace("about 4 hours", "about 3 hours") + " Patient reports SCAMBUSH."
    summary = assess_notes(rows, [GOOD_NOTE, bad], facts)
    assert summary.n == 2 and summary.fact_sessions == 1 and summary.fact_recall == 1.0
    assert summary.contradiction_rate == 0.0
    assert summary.unsupported_numbers_total == 1 and summary.notes_with_unsupported_number == 1
    assert summary.nonwords_total == 1 and summary.notes_with_nonword == 1
    assert 0.0 < summary.unsupported_content_rate < 1.0 and len(summary.details) == 2


# --- properties -----------------------------------------------------------------------------------

_NUMBER_TOKENS = st.one_of(st.integers(0, 5000).map(str), st.sampled_from(
    ["four", "twenty", "twenty-five", "three hundred", "7.5", "10/10", "25%", "seven and a half", "1,200"]))
_WORD_TOKENS = st.one_of(
    st.sampled_from(["sleep", "mood", "work", "walked", "sister", "anxious", "therapy", "the", "and", "felt",
                     "Monday", "Risk", "Plan", "tablets", "mg", "hours"]),
    st.text(alphabet=string.ascii_letters, min_size=1, max_size=9),
)
_SENTENCES = st.lists(st.one_of(_WORD_TOKENS, _NUMBER_TOKENS), min_size=1, max_size=12).map(
    lambda tokens: " ".join(tokens) + ".")
_SECTIONS = ("Chief Complaint", "Emotional State", "Risk", "Intervention", "Plan")


def _render(sentences: list[str]) -> str:
    """A five-section note whose bodies are whole transcript sentences."""
    bodies = [" ".join(sentences[i::5]) or "." for i in range(5)]
    return "\n".join(f"**{name}:** {body}" for name, body in zip(_SECTIONS, bodies, strict=True))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sentences=st.lists(_SENTENCES, min_size=1, max_size=10), data=st.data())
def test_note_made_of_transcript_sentences_is_fully_supported(sentences: list[str], data: st.DataObject) -> None:
    transcript = "\n".join(f"Patient: {s}" for s in sentences)
    chosen = data.draw(st.lists(st.sampled_from(sentences), min_size=1, max_size=8))
    note = _render(chosen)
    result = assess_note(evidence(transcript), note)
    assert result.unsupported_numbers == ()
    assert result.nonwords == ()
    assert result.unsupported_content_rate == 0.0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sentences=st.lists(_SENTENCES, min_size=1, max_size=8),
       number=st.one_of(st.integers(0, 10**6).map(str), st.integers(0, 10_000).map(lambda n: f"{n / 10:.1f}"),
                        st.sampled_from(["eleven", "sixteen", "ninety", "forty-two", "two hundred"])))
def test_appended_absent_number_is_always_flagged(sentences: list[str], number: str) -> None:
    transcript = "\n".join(f"Patient: {s}" for s in sentences)
    ev = evidence(transcript)
    [mention] = number_mentions(number)
    assume(any(v not in ev.numbers for v in mention.values))
    note = _render(sentences) + f" Also slept {number} hours."
    assert number in unsupported_numbers(ev, note)


# --- the evaluator's calibration rows (no model) --------------------------------------------------


def _csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["session_transcription", "session_summary"])
        writer.writerow([TRANSCRIPT, GOOD_NOTE])
        writer.writerow([TRANSCRIPT_WITH_ENTITIES, GOOD_NOTE.replace("None reported.", "Denies SI.")])
    return path


def test_evaluator_calibration_rows_and_faithfulness_report(tmp_path: Path) -> None:
    from training.evaluate import EvalConfig, ModelEvaluator

    out = tmp_path / "report"
    config = EvalConfig(test_csv=_csv(tmp_path / "test.csv"), models=(), output_dir=out,
                        facts_path=write_facts(tmp_path / "facts.jsonl"))
    run = ModelEvaluator(config).run_all()
    reference, fallback = run.calibration
    assert (reference.name, fallback.name) == ("reference", "extractive-fallback") and run.facts_loaded
    assert reference.rougeL is None and fallback.rougeL is not None and reference.p50_seconds is None
    assert reference.fact_sessions == 1 and reference.fact_recall == 1.0 and fallback.unsupported_numbers_total == 0
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in saved["calibration"]] == ["reference", "extractive-fallback"]
    assert saved["calibration"][0]["unsupported_content_rate"] == reference.unsupported_content_rate
    details = saved["faithfulness"]["per_note"]["reference"]
    assert len(details) == 2 and details[0]["transcript_sha256"] == transcript_sha256(TRANSCRIPT)
    assert {"unsupported_numbers", "nonwords", "unsupported_entities", "facts_missed", "wrong_claims_hit"} <= set(
        details[0])
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Faithfulness" in report and "| reference | 0 |" in report and "| rougeL | — |" in report
    assert (out / "faithfulness.png").is_file()


def test_evaluator_without_fact_file_leaves_fact_columns_empty(tmp_path: Path) -> None:
    from training.cli_format import faithfulness_line
    from training.evaluate import EvalConfig, ModelEvaluator

    config = EvalConfig(test_csv=_csv(tmp_path / "test.csv"), models=(), output_dir=tmp_path / "report",
                        facts_path=tmp_path / "missing.jsonl")
    run = ModelEvaluator(config).run_all()
    assert not run.facts_loaded and all(r.fact_recall is None and r.fact_sessions == 0 for r in run.calibration)
    assert "not found" in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "facts recall n/a" in faithfulness_line(run.calibration[0])


class _StubEngine:
    """Stands in for LlamaInferenceEngine: the bundled GGUF is not needed to test the report plumbing."""

    def __init__(self, config: object) -> None:
        self.identity = self

    def load(self) -> None: ...

    def unload(self) -> None: ...

    def as_dict(self) -> dict[str, str | None]:
        return {"model_file": "stub.gguf", "adapter_file": None}


@dataclass
class _StubOutcome:
    text: str
    completion_tokens: int = 20
    fallback: bool = False


def test_model_row_gets_faithfulness_next_to_calibration_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import training.evaluate as evaluate

    invented = GOOD_NOTE.replace("about 4 hours", "about 3 hours").replace("Two short", "Two SCAMBUSH")
    monkeypatch.setattr(evaluate, "LlamaInferenceEngine", _StubEngine)
    monkeypatch.setattr(evaluate, "summarize_single_session", lambda engine, text, options: _StubOutcome(invented))
    out = tmp_path / "report"
    config = evaluate.EvalConfig(test_csv=_csv(tmp_path / "test.csv"), output_dir=out,
                                 models=(evaluate.ModelSpec("stub", "stub.gguf"),))
    [report] = evaluate.ModelEvaluator(config).run()  # run() still returns the models only
    assert report.kind == "model" and report.rougeL is not None
    assert report.unsupported_numbers_total == 2 and report.notes_with_unsupported_number == 2
    assert report.nonwords_total == 2 and report.fact_recall is None and report.fact_sessions == 0
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved["models"][0]["notes_with_unsupported_number"] == 2
    assert saved["faithfulness"]["per_note"]["stub"][0]["unsupported_numbers"] == ["3"]
    assert [r["name"] for r in saved["calibration"]] == ["reference", "extractive-fallback"]
    table = (out / "report.md").read_text(encoding="utf-8").split("## Faithfulness")[1]
    assert "| stub | 2 | 2 |" in table and "| reference |" in table and "| extractive-fallback |" in table
