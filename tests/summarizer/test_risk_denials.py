"""Screening questions the patient denied are stated in the Risk section with the patient's words, and only
where that cannot soften a risk (summarizer/risk_denials.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.notes import summarize_single_session
from summarizer.risk import detect_risks
from summarizer.risk_denials import denying_replies, screening_denials, with_screening_denials
from summarizer.risk_normalise import normalise_for_matching
from summarizer.risk_turns import dialogue_turns, utterances
from summarizer.text import normalise_whitespace
from summarizer.validation import parse_note
from tests.summarizer.fakes import ScriptedEngine

NOTE = ("**Chief Complaint:** Work stress.\n**Emotional State:** Anxious, tired.\n**Risk:** None reported.\n"
        "**Intervention:** Thought record.\n**Plan:** Review next Thursday.")
ASKED = "Therapist: Have you had any thoughts of hurting yourself, or that life isn't worth living?\n"
OPENING = ("Therapist: How has the week been?\nPatient: Rough. I've been sleeping about four hours and work keeps "
           "piling up.\n")


def _risk(note: str) -> str:
    return parse_note(note).sections["Risk"]


def _documented(transcript: str, note: str = NOTE) -> tuple[str, list[str]]:
    return with_screening_denials(note, screening_denials(transcript), detect_risks(transcript))


def test_a_denied_screening_question_is_stated_with_the_patients_words() -> None:
    transcript = OPENING + ASKED + "Patient: No, nothing like that. I'm stressed, not hopeless.\n"
    note, families = _documented(transcript)
    assert families == ["suicide", "self_harm"]
    assert _risk(note) == ('Denies suicidal ideation and self-harm when asked ("No, nothing like that. '
                           'I\'m stressed, not hopeless.").')
    assert "None reported" not in note  # the bare denial gave way to the quoted one


def test_a_question_about_acting_only_is_denied_as_active_ideation() -> None:
    # "No" to "do you think about ending your life?" leaves passive ideation unasked.
    transcript = OPENING + "Therapist: Do you ever think about ending your life?\nPatient: No, never.\n"
    note, _ = _documented(transcript)
    assert _risk(note).startswith("Denies active suicidal ideation when asked")


@pytest.mark.parametrize("reply", [
    "No. Well, sometimes at night I think about it.",  # the denial turns back
    "Yeah, sometimes.",  # a yes
    "I don't know.",  # no answer
    "I'd rather not say.",  # no answer either
])
def test_a_reply_that_does_not_deny_outright_documents_nothing(reply: str) -> None:
    note, families = _documented(OPENING + ASKED + f"Patient: {reply}\n")
    assert families == [] and _risk(note) != "" and "Denies" not in _risk(note)


def test_nothing_is_documented_beside_a_current_risk() -> None:
    transcript = (OPENING + ASKED + "Patient: No, nothing like that.\nTherapist: And at home?\n"
                  "Patient: He hit me again on Saturday and I'm scared to go back.\n")
    findings = detect_risks(transcript)
    assert any(f.current for f in findings)
    note, families = with_screening_denials(NOTE, screening_denials(transcript), findings)
    assert families == [] and note == NOTE


def test_risk_talk_elsewhere_blocks_the_denial_even_when_the_detector_found_nothing() -> None:
    # The patient sat with the blades; a quoted "no" to the self-harm question would mislead.
    transcript = (OPENING + "Patient: On Saturday I sat on the bathroom floor with the old tin of blades.\n"
                  + ASKED + "Patient: No. Not once.\n")
    assert screening_denials(transcript) == []


def test_the_model_risk_text_that_is_not_a_denial_stays_after_the_quoted_denial() -> None:
    note = NOTE.replace("None reported.", "None reported. Unconfirmed (clinician to review): low mood.")
    documented, _ = _documented(OPENING + ASKED + "Patient: No, nothing like that.\n", note)
    assert _risk(documented).endswith("Unconfirmed (clinician to review): low mood.")


def test_the_session_note_states_the_denial_and_the_job_result_records_it() -> None:
    transcript = OPENING + ASKED + "Patient: No, nothing like that. I want things to get better.\n"
    outcome = summarize_single_session(ScriptedEngine(text=NOTE), transcript)
    assert _risk(outcome.structured_note).startswith("Denies suicidal ideation and self-harm when asked")
    assert outcome.job_result()["risk_screening"]["denied"] == ["suicide", "self_harm"]
    statement = next(s for s in outcome.evidence if s["section"] == "Risk")
    assert statement["supported"] is True


_FILLER = st.sampled_from([
    "Work has been hard.", "I slept badly.", "We argued about money.", "I went for a walk.", "It was fine, mostly.",
    "My manager wants the report.", "I tried the breathing.", "Not sure.",
])
_QUESTION = st.sampled_from([
    "Any thoughts of suicide?", "Have you thought about hurting yourself?", "Any thoughts of harming anyone else?",
    "Has anyone at home hurt you?", "Do you ever wish you were dead?", "How is your sleep?",
])
_REPLY = st.sampled_from(["No.", "No, never.", "Nope, nothing like that.", "Yes, sometimes.", "Not really, but",
                          "I don't know.", "God no.", "Mm."])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_FILLER, _QUESTION, _REPLY), min_size=1, max_size=5))
def test_every_denial_quotes_the_transcript_and_none_stands_beside_a_current_risk(
        turns: list[tuple[str, str, str]]) -> None:
    transcript = "".join(f"Patient: {filler}\nTherapist: {question}\nPatient: {reply}\n"
                         for filler, question, reply in turns)
    denials = screening_denials(transcript)
    for denial in denials:
        assert transcript[denial.start:denial.end].strip() == denial.evidence
    findings = detect_risks(normalise_whitespace(transcript))
    note, families = with_screening_denials(NOTE, denials, findings)
    if any(f.current for f in findings):
        assert note == NOTE and families == []
    assert set(families) <= {d.family for d in denials}
    assert not set(families) & {f.family for f in findings}


@pytest.mark.parametrize("reply", [
    # The classifier alone scores this one as active ideation (0.5+): a denial's "I want to ..." reads as intent.
    "No, none. I only want to get back to how I was. I want to drive to work on my own again.",
    "No. None at all. I just want my old life back, I want to take the kids to the coast this summer.",
    "No, never. I want to be around to see my daughter finish school and get through this job.",
    "Honestly no. Nothing like that. I just want things to feel normal again and sleep through the night.",
])
def test_an_outright_denial_is_never_read_as_the_risk_it_denies(reply: str) -> None:
    transcript = f"Therapist: Are you having any thoughts of ending your life?\nPatient: {reply}"
    assert [f for f in detect_risks(transcript) if f.current] == []
    text = normalise_for_matching(transcript)
    (start, end, families), = denying_replies(text, dialogue_turns(text, utterances(text)))
    assert "suicide" in families and transcript[start:end].strip() == reply
