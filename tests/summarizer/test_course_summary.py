"""Course-of-treatment summaries composed from the sessions' notes: every statement names its session, the
risk trajectory is told per session, a risk current at the latest session is RED, nothing is invented."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.course_summary import SessionPart, compose_course_summary, score_trajectories
from summarizer.notes import EARLIER_RISK_REASON, NoteOptions, SessionInput, summarize_sessions
from summarizer.sections import MULTI_SESSION_SECTIONS
from summarizer.validation import parse_note, render_note
from tests.summarizer.fakes import ScriptedEngine


def note(cc: str, risk: str = "Denies suicidal ideation.", intervention: str = "Activity scheduling.") -> str:
    return render_note({"Chief Complaint": cc, "Emotional State": "Flat.", "Risk": risk,
                        "Intervention": intervention, "Plan": "Walk daily."})


def test_scores_said_in_the_sessions_become_a_trajectory_with_session_numbers() -> None:
    parts = [SessionPart(1, "2026-03-02", note("Low mood; PHQ-9 18."), "Therapist: Your PHQ-9 today is 18."),
             SessionPart(2, "2026-03-09", note("Slightly better."), "Therapist: PHQ-9 came out at 15 this week."),
             SessionPart(3, "2026-03-16", note("Better; PHQ-9 11."), "")]
    assert score_trajectories(parts) == {"PHQ-9": [(1, 18), (2, 15), (3, 11)]}
    progress = parse_note(compose_course_summary(parts).text, MULTI_SESSION_SECTIONS).sections["Progress"]
    assert progress.startswith("PHQ-9 fell from 18 to 11: 18 (session 1), 15 (session 2), 11 (session 3).")


def test_a_risk_that_resolved_is_told_with_its_sessions_and_not_flagged_red() -> None:
    parts = [SessionPart(1, "2026-03-02", note("Low mood."), "Patient: I'm low."),
             SessionPart(2, "2026-03-09", note("Worse.", "{{RED:Passive wish not to wake up.}}"),
                         "Patient: Some nights I wish I just wouldn't wake up."),
             SessionPart(3, "2026-03-16", note("Better."), "Patient: Those thoughts have gone.")]
    risk = parse_note(compose_course_summary(parts).text, MULTI_SESSION_SECTIONS).sections["Risk Assessment"]
    assert "Session 2:" in risk and "No longer present from session 3" in risk and "{{RED:" not in risk


def test_a_risk_current_at_the_latest_session_is_red_even_when_only_the_note_knows_it() -> None:
    inputs = [SessionInput(1, "2026-03-02", "Patient: Things are fine at home.", note("Stress.")),
              SessionInput(2, "2026-03-09", "Patient: Work was busy this week and I felt tense.",
                           note("Tense.", "{{RED:New urges to cut; blade at home.}}"))]
    outcome = summarize_sessions(ScriptedEngine(text="unused"), inputs, NoteOptions())
    risk = parse_note(outcome.text, MULTI_SESSION_SECTIONS).sections["Risk Assessment"]
    assert "{{RED:" in risk and "urges to cut" in risk
    assert outcome.sources == ["notes", "notes"] and not outcome.fallback


def test_sessions_without_notes_get_their_note_written_first_and_sources_say_so() -> None:
    engine = ScriptedEngine(text=note("Work stress and poor sleep.", intervention="Thought record."))
    transcripts = ["Patient: I have been sleeping maybe four hours a night because of work stress.",
                   "Patient: Sleep is a bit better, five hours, and work stress is easing a little."]
    inputs = [SessionInput(n, f"2026-03-0{n}", t) for n, t in enumerate(transcripts, start=1)]
    outcome = summarize_sessions(engine, inputs, NoteOptions())
    assert engine.calls == 2  # one note per session, then composition (no summary prompt)
    assert outcome.sources == ["transcript (note written for this summary)"] * 2
    assert {item["session"] for item in outcome.evidence} <= {1, 2} and outcome.evidence


def test_earlier_risk_that_is_not_current_now_asks_for_a_look() -> None:
    inputs = [SessionInput(1, "2026-03-02", "Patient: Some nights I wish I just wouldn't wake up in the morning.",
                           note("Low.", "{{RED:Passive SI.}}")),
              SessionInput(2, "2026-03-09", "Patient: I have been going for walks and feel a bit brighter.",
                           note("Brighter."))]
    outcome = summarize_sessions(ScriptedEngine(text="unused"), inputs, NoteOptions())
    assert EARLIER_RISK_REASON in outcome.attention_reasons and outcome.needs_attention


def test_earlier_risk_is_told_plainly_and_a_long_summary_keeps_every_section_whole() -> None:
    # Eight sessions of a resolving risk make a summary well over a session note's 150 words. The trajectory
    # stands on the earlier sessions (no "Unconfirmed" prefix), and no section is cut to make room for it.
    risky = "Patient: I cut my arm again on Saturday night, twice this week."
    calm = "Patient: I went running with a friend and joined the art club this week."
    inputs = [SessionInput(n, f"2026-03-{n:02d}", risky if n <= 4 else calm,
                           note(f"Session {n} complaint about school exclusion and sleep, mood {n} out of ten.",
                                f"{{{{RED:Cut her forearm with a hidden blade on Saturday night, session {n}, no "
                                f"plan or intent to die, mother has locked the sharps away.}}}}" if n <= 4
                                else "No self-harm this week.",
                                f"Chain analysis of the episode and cold water skill, session {n}."))
              for n in range(1, 9)]
    outcome = summarize_sessions(ScriptedEngine(text="unused"), inputs, NoteOptions())
    sections = parse_note(outcome.text, MULTI_SESSION_SECTIONS).sections
    assert len(outcome.text.split()) > 150 and outcome.violations == []
    assert "Session 1:" in sections["Risk Assessment"] and "Unconfirmed" not in sections["Risk Assessment"]
    assert not any(body.rstrip().endswith("...") for body in sections.values())
    assert sections["Chief Complaint"].startswith("At session 1: Session 1 complaint about school exclusion")


_CC = st.lists(st.from_regex(r"[a-z]{3,9}", fullmatch=True), min_size=1, max_size=6).map(
    lambda w: " ".join(w).capitalize() + ".")


@settings(max_examples=100, deadline=None)
@given(complaints=st.lists(_CC, min_size=3, max_size=8))
def test_every_section_is_present_complete_and_made_of_the_notes_words(complaints: list[str]) -> None:
    parts = [SessionPart(n, f"2026-01-{n:02d}", note(cc), f"Patient: {cc}") for n, cc in enumerate(complaints, 1)]
    summary = compose_course_summary(parts).text
    parsed = parse_note(summary, MULTI_SESSION_SECTIONS)
    assert parsed.order == list(MULTI_SESSION_SECTIONS)
    assert all(re.search(r"[.!?)}]$", body) for body in parsed.sections.values())  # no cut-off section
    source_words = set(re.findall(r"[a-z]+", " ".join(p.note.lower() for p in parts)))
    framing = {"session", "at", "no", "current", "risk", "found", "in", "any", "clinician", "to", "confirm",
               "none", "reported", "latest", "chief", "complaint", "emotional", "state", "assessment",
               "intervention", "progress", "plan"}
    assert set(re.findall(r"[a-z]+", summary.lower())) <= source_words | framing
    assert parsed.sections["Chief Complaint"].endswith(complaints[0])
    assert complaints[-1] in parsed.sections["Latest Session"]
