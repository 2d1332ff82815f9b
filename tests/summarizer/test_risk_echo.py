"""A risk the therapist names in their own words and the patient confirms (summarizer/risk_echo.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.risk import detect_risks
from summarizer.risk_echo import first_person
from summarizer.risk_types import RiskSeverity, most_severe_per_family

HIGH, CRITICAL = RiskSeverity.HIGH, RiskSeverity.CRITICAL


@pytest.mark.parametrize(("asked", "said"), [
    ("You've decided to end your life, even if you haven't decided how.", "I've decided to end my life, even if I "
                                                                           "haven't decided how."),
    ("Are you telling me you intend to end your life?", "I intend to end my life"),
    ("Jordan, are you planning to use your dad's gun on yourself on Friday?",
     "Jordan, I am planning to use my dad's gun on myself on Friday"),
    ("Did he hit you?", "Did he hit me"),
    ("I'm calling an ambulance now. Are you at home?", "I am at home"),
    ("I'm going to call your GP.", ""),
])
def test_a_question_is_read_as_the_patient_would_say_it(asked: str, said: str) -> None:
    assert first_person(asked) == said


@pytest.mark.parametrize(("transcript", "expected"), [
    ("T: You've decided to end your life, even if you haven't decided how.\nC: Aye. Near enough. It's a relief.",
     {"suicide": HIGH}),
    ("Therapist: Jordan, are you planning to use your dad's gun on yourself on Friday?\n"
     "Patient: (long pause) Yeah. I wrote stuff for my sister.", {"suicide": CRITICAL}),
    ("T: You're having thoughts of hurting Carl.\nC: When you say it like that it sounds mad. But yeah.",
     {"violence": HIGH}),
    ("Counsellor: I'm wondering if you've been having thoughts about ending your life.\nClient: Aye.",
     {"suicide": HIGH}),
    ("T: Are you thinking about actually hurting Derek?\nC: Yeah, I think about it all the time.", {"violence": HIGH}),
    ("T: You hurt your hand on purpose.\nC: Yeah. It's the only thing that shuts my head up.", {"self_harm": HIGH}),
])
def test_a_confirmed_reflection_is_the_patients_risk(transcript: str, expected: dict[str, RiskSeverity]) -> None:
    found = {f.family: f.severity for f in most_severe_per_family(detect_risks(transcript))}
    assert found == expected


@pytest.mark.parametrize("transcript", [
    "T: You've decided to end your life?\nC: No. God, no. I just feel flat.",
    "T: Are you thinking about actually hurting Derek?\nC: No, I'd never. I just want him off my back.",
    "T: Have you been thinking about jumping off the top board at the pool?\nC: Yes, I want to try it.",
    "T: Are you planning to shoot her a message later?\nC: Yeah.",
    "T: You hurt your hand on purpose?\nC: No, it was the car door, honestly, an accident.",
    "T: I'd worry if you ever thought of ending your life. Is sleep any better?\nC: Yeah, a bit better.",
    "T: Had you ever thought of ending your life back then?\nC: Yeah, years ago, in my twenties. Not since.",
])
def test_a_denied_or_unrelated_reflection_is_no_current_risk(transcript: str) -> None:
    assert [f for f in detect_risks(transcript) if f.current] == []


_WORDS = st.sampled_from(["you", "your", "yourself", "you're", "you've", "you'd", "are", "do", "did", "have",
                          "thinking", "about", "ending", "life", "hurting", "him", "planning", "to", "on", "Friday",
                          "it", "and", "so", "at", "home", "I", "me", "my", "we", "sounds", "like", ",", "."])


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=14))
def test_a_rewritten_question_never_still_speaks_to_the_patient(words: list[str]) -> None:
    rewritten = first_person(" ".join(words) + "?")
    assert not any(w.lower().strip(",.?") in {"you", "your", "yourself", "you're", "you've", "you'd"}
                   for w in rewritten.split())


@pytest.mark.parametrize(("transcript", "expected"), [
    # A plan answered with its day is a dated plan.
    ("Therapist: Are you saying you plan to go there and attack Derek?\nClient: Thursday. He's on lates Thursday.",
     {"violence": CRITICAL}),
    # "Not thinking: decided" is more than a yes; the means named after "Have you decided how?" makes it a plan.
    ("Therapist: Are you thinking of ending your life?\nOllie: I'm not thinking about it. I've decided.\n"
     "Therapist: Have you decided how?\nOllie: I've bought what I need. Charcoal and tape.", {"suicide": CRITICAL}),
])
def test_an_answer_that_gives_more_than_a_yes(transcript: str, expected: dict[str, RiskSeverity]) -> None:
    found = {f.family: f.severity for f in most_severe_per_family(detect_risks(transcript))}
    assert found == expected


@pytest.mark.parametrize("transcript", [
    # The patient under their name beside a therapist with a role label.
    "Therapist: How did the handover go?\nGavin: He pushed me down the stairs on Sunday.",
    # A role the label list knows beyond "therapist".
    "Youth worker: What happened?\nLeila: He pushed me down the stairs on Sunday.",
    # Two named speakers: the one asking the questions is the therapist.
    "Ms. Rahman: How was the week?\nZoe: Bad. He pushed me down the stairs on Sunday.\nMs. Rahman: Who did?\n"
    "Zoe: My stepdad. Again.",
])
def test_a_patient_speaking_under_their_name_is_read(transcript: str) -> None:
    assert {f.family for f in detect_risks(transcript) if f.current} == {"abuse"}


def test_the_therapist_of_two_named_speakers_is_not_read_as_the_patient() -> None:
    transcript = ("Ms. Rahman: When you say you want to kill yourself, is that an expression?\n"
                  "Zoe: No no, it's just a thing everyone says. I'm not actually like that.\n"
                  "Ms. Rahman: Have you ever had thoughts of hurting yourself, for real?\nZoe: No, never.")
    assert [f for f in detect_risks(transcript) if f.current] == []
