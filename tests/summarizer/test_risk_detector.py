"""The deterministic risk detector: a table of positive and negated phrasings, severities,
and reconciliation of notes with transcript findings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.risk import RiskSeverity, detect_risks, reconcile_note_with_risks
from summarizer.text import red_spans
from summarizer.validation import marker_violations, validate_note

POSITIVE: list[tuple[str, str]] = [
    # passive suicidal ideation
    ("Patient: Sometimes I just think, what's the point of any of it.", "suicidal_ideation_passive"),
    ("C: I had a fleeting thought of what's the point.", "suicidal_ideation_passive"),
    ("Patient: Some nights I wish I could go to sleep and not wake up.", "suicidal_ideation_passive"),
    ("Patient: Honestly everyone would be better off without me.", "suicidal_ideation_passive"),
    ("C: I wish I was dead sometimes.", "suicidal_ideation_passive"),
    ("Patient: I don't want to be alive anymore, not like this.", "suicidal_ideation_passive"),
    ("Patient: There's no reason to keep going.", "suicidal_ideation_passive"),
    ("Patient: I'm so tired of living.", "suicidal_ideation_passive"),
    ("Patient: It wouldn't matter much if I just didn't wake up.", "suicidal_ideation_passive"),
    ("C: Part of me thinks it would be easier if I just didn't wake up one morning.", "suicidal_ideation_passive"),
    ("C: I think about not being here a lot. Most nights.", "suicidal_ideation_passive"),
    ("i just wish i could switch off like permanently you know", "suicidal_ideation_passive"),
    ("Patient: Clinician noted passive SI last week and it's still there.", "suicidal_ideation_passive"),
    ("um i dont see much point carrying on without her", "suicidal_ideation_passive"),
    ("whats the point honestly like whats the point of getting up", "suicidal_ideation_passive"),
    ("Patient: I'd like to disappear forever.", "suicidal_ideation_passive"),
    # active suicidal ideation
    ("C: I thought about taking all my pills last night.", "suicidal_ideation_active"),
    ("Patient: I've been thinking about killing myself.", "suicidal_ideation_active"),
    ("Patient: I want to end my life.", "suicidal_ideation_active"),
    ("Patient: I've been planning to end it all after the wedding.", "suicidal_ideation_active"),
    ("C: I looked at the bridge and thought about jumping off.", "suicidal_ideation_active"),
    ("Patient: I wrote a note to my kids on Sunday.", "suicidal_ideation_active"),
    ("Patient: I've been stockpiling my sleeping pills in a shoebox.", "suicidal_ideation_active"),
    ("speaker 2 ive been putting a few aside each week since june", "suicidal_ideation_active"),
    ("C: I've been saving up my tablets.", "suicidal_ideation_active"),
    ("Patient: I feel suicidal most days.", "suicidal_ideation_active"),
    ("Patient: I want to die.", "suicidal_ideation_active"),
    ("Patient: I tried to kill myself in March.", "suicidal_ideation_active"),
    ("Patient: I'm not planning a date, but I don't trust myself in the car.", "suicidal_ideation_active"),
    ("T: Are you having thoughts of suicide?\nC: Yeah, most nights.", "suicidal_ideation_active"),
    ("Therapist: Have you thought about how you would do it?\nPatient: Hanging.", "suicidal_ideation_active"),
    ("i keep thinking about hanging myself in the garage", "suicidal_ideation_active"),
    # self-harm
    ("um yeah i cut my arm last week and it helped", "self_harm"),
    ("Patient: I've been burning my arm with a lighter.", "self_harm"),
    ("C: I started cutting again on Friday.", "self_harm"),
    ("Patient: When it gets bad I hit my head against the wall.", "self_harm"),
    ("Patient: I've been hurting myself when nobody's home.", "self_harm"),
    ("Speaker 2: I scratched my arms until they bled.", "self_harm"),
    ("Patient: I self-harmed on Tuesday.", "self_harm"),
    ("T: Any urges to hurt yourself this week?\nC: Yeah, a few times.", "self_harm"),
    # homicidal ideation and violence
    ("Patient: I want to kill him honestly.", "homicidal_ideation"),
    ("C: Some days I think about how I'd murder my stepdad.", "homicidal_ideation"),
    ("Patient: I've been thinking about caving his head in with the hammer.", "homicidal_ideation"),
    ("spk1 honestly i want to hurt him like i want to kill him", "homicidal_ideation"),
    ("Patient: I keep picturing myself stabbing my boss.", "homicidal_ideation"),
    ("Patient: I've been having homicidal thoughts about my neighbour.", "homicidal_ideation"),
    ("C: Emotion mind is saying hurt him.", "violence"),
    ("C: I keep imagining putting him through his front window.", "violence"),
    ("Patient: I'm going to beat up my brother when I see him.", "violence"),
    # abuse
    ("C: He hits me when he drinks.", "abuse"),
    ("Patient: Darren hits me.", "abuse"),
    ("Patient: He's pushed me. Grabbed my arm hard enough to leave marks.", "abuse"),
    ("Patient: Once he put his hand on my throat.", "abuse"),
    ("Patient: My uncle molested me when I was little and he still visits.", "abuse"),
    ("Speaker 2: my stepdad slapped me again on saturday", "abuse"),
    ("Patient: She's emotionally abusive and screams at me every night.", "abuse"),
    ("Patient: He forced me to have sex with him.", "abuse"),
    # overdose
    ("Patient: I took a bunch of pills on Friday.", "overdose"),
    ("C: I took the whole week's lithium at once.", "overdose"),
    ("Patient: I took sixteen tablets and then called my sister.", "overdose"),
    ("Patient: I overdosed on Saturday night.", "overdose"),
    ("C: They gave me Narcan twice in the ambulance.", "overdose"),
    ("Patient: I OD'd last weekend.", "overdose"),
    ("Patient: I had to get my stomach pumped.", "overdose"),
]

NEGATED: list[str] = [
    "Patient: No suicidal ideation.",
    "Patient: I deny SI and HI.",
    "Therapist: Client denies SI/HI.",
    "Patient: I would never hurt myself.",
    "Patient: No, nothing like that. I'd never hurt myself.",
    "Patient: I'm not suicidal, just exhausted.",
    "Patient: I'm stressed, not suicidal.",
    "Patient: I have never thought about killing myself.",
    "Patient: I don't want to die, I want things to change.",
    "Patient: I wouldn't kill myself, my kids need me.",
    "Patient: My friend self-harmed years ago and I worried about her.",
    "Patient: My cousin overdosed years ago.",
    "Patient: She tried to kill herself when we were teenagers.",
    "Patient: My brother used to cut himself.",
    "Patient: If I ever felt like that I'd call the crisis line.",
    "Patient: If it ever got that bad I would tell you.",
    "Patient: This traffic is killing me.",
    "Patient: I'm killing it at work lately.",
    "Patient: I could kill for a coffee right now.",
    "Patient: I nearly died of embarrassment.",
    "Patient: I wanted to die of embarrassment when I tripped.",
    "Patient: This job is going to be the death of me, ha.",
    "Patient: I'm dying to go on holiday.",
    "Patient: I'm dead tired.",
    "Patient: Some people would kill for this apartment.",
    "T: Any thoughts of hurting yourself?\nC: No, never.",
    "T: Have you had thoughts of suicide?\nC: No, none at all.",
    "T: Any thoughts of ending your life?\nC: Nope.",
    "Therapist: Do you ever think about killing yourself?\nPatient: No. I want to see my daughter grow up.",
    "Therapist: Are you safe at home?\nPatient: Yes, totally safe.",
    "Patient: I took my tablets this morning like you said.",
    "Patient: I took two paracetamol for my headache.",
    "Patient: He never hit anyone, he just shouts at the TV.",
    "Patient: Nobody hurts me, it's not like that.",
    "Patient: The realisation hit me on the train.",
    "Patient: It hit me that I'd been avoiding her.",
    "Patient: I don't want to hurt her feelings.",
    "Patient: I used to cut when I was fifteen but not anymore.",
    "Patient: I haven't self-harmed in eight years.",
    "Patient: I'm not going to hurt anyone.",
    "Patient: I'd never hurt him, I just get angry.",
    "Patient: I'm worried I'll fail the exam.",
    "Patient: We argued about chores all week.",
    "Patient: The point of the exercise was to sit with the anxiety.",
    "Patient: I slept badly and skipped the gym.",
    "Patient: My dog died last month and I miss her.",
    "Patient: Diego's been sleeping better.",
    "Patient: My grandmother passed away peacefully.",
    "Patient: I watched a show about an overdose case.",
    "Patient: I cut my hair short, feels like a fresh start.",
    "Patient: I burned the dinner, again.",
    "Patient: I cut down to three drinks a week.",
    "Patient: no thoughts of harming myself or anyone else",
    "i dont have any thoughts of hurting myself no",
    "no i would never do anything like that to myself",
    "Patient: I deny any intent to harm others.",
    "Patient: No plan, no intent, no thoughts of it at all.",
    "Patient: What if I stabbed my wife? That thought horrifies me, I'd never do it.",
    "Patient: I'm not having any thoughts of suicide.",
    "Patient: Without any thoughts of self-harm this month.",
    "Patient: I told my sister I'm not suicidal.",
]


def test_table_sizes() -> None:
    assert len(POSITIVE) >= 60 and len(NEGATED) >= 60


@pytest.mark.parametrize(("text", "category"), POSITIVE)
def test_positive_phrasing_is_a_current_finding(text: str, category: str) -> None:
    findings = [f for f in detect_risks(text) if f.current]
    assert category in {f.category for f in findings}, findings


@pytest.mark.parametrize("text", NEGATED)
def test_negated_hypothetical_third_party_and_idioms_are_not_findings(text: str) -> None:
    assert [f for f in detect_risks(text) if f.current] == []


def test_severity_levels() -> None:
    def severity(text: str) -> RiskSeverity:
        return max((f.severity for f in detect_risks(text)), key=list(RiskSeverity).index)

    assert severity("Patient: What's the point.") == RiskSeverity.MODERATE
    assert severity("Patient: I thought about taking all my pills.") == RiskSeverity.CRITICAL
    assert severity("Patient: I took a bunch of pills.") == RiskSeverity.CRITICAL
    assert severity("Patient: I cut my arm yesterday.") == RiskSeverity.HIGH
    assert severity("Patient: He hits me.") == RiskSeverity.HIGH


def test_therapist_questions_are_not_findings() -> None:
    text = "Therapist: Have you had thoughts of killing yourself or of taking all your pills?\nPatient: "
    assert detect_risks(text + "I'd rather talk about work.") == []


def test_history_is_recorded_but_not_current() -> None:
    findings = detect_risks("Patient: Years ago I took a bunch of pills, when I was in high school.")
    assert findings and all(not f.current and f.severity == RiskSeverity.LOW for f in findings)


NOTE_NO_RISK = (
    "**Chief Complaint:** Low mood after job loss.\n**Emotional State:** Tearful, hopeless.\n"
    "**Risk:** None reported.\n**Intervention:** CBT thought record.\n**Plan:** Activity schedule; review next week."
)


def test_missing_risk_is_added_in_red_and_flagged() -> None:
    findings = detect_risks("Patient: Some nights I wish I could go to sleep and not wake up.")
    result = reconcile_note_with_risks(NOTE_NO_RISK, findings)
    assert result.intervened and [f.category for f in result.added] == ["suicidal_ideation_passive"]
    risk_line = next(line for line in result.note.splitlines() if line.startswith("**Risk:**"))
    assert "{{RED:" in risk_line and "None reported" not in risk_line
    others = [line for line in result.note.splitlines() if not line.startswith("**Risk:**")]
    assert others == [line for line in NOTE_NO_RISK.splitlines() if not line.startswith("**Risk:**")]
    assert marker_violations(result.note) == []
    assert {v.code for v in validate_note(result.note).violations} <= {"too_short", "too_long"}


def test_covered_risk_is_left_alone() -> None:
    note = NOTE_NO_RISK.replace("None reported.", "{{RED:Passive SI, no plan.}}")
    result = reconcile_note_with_risks(note, detect_risks("Patient: What's the point of anything."))
    assert not result.intervened and result.note == note and result.unsupported_claims == []


def test_unsupported_red_claim_is_reported_not_removed() -> None:
    note = NOTE_NO_RISK.replace("None reported.", "{{RED:Homicidal ideation toward boss.}}")
    result = reconcile_note_with_risks(note, detect_risks("Patient: Work was fine, we argued about chores."))
    assert result.unsupported_claims == ["Homicidal ideation toward boss."]
    assert result.note == note


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([p for p, _ in POSITIVE] + NEGATED), min_size=1, max_size=6),
       st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_risk_keyword_formatting_is_well_formed(lines: list[str], noise: str) -> None:
    transcript = "\n".join(lines) + "\n" + noise
    result = reconcile_note_with_risks(NOTE_NO_RISK, detect_risks(transcript))
    assert marker_violations(result.note) == []
    assert all("{" not in span and "}" not in span for span in red_spans(result.note))
    current = [f for f in detect_risks(transcript) if f.current]
    assert bool(red_spans(result.note)) == bool(current)
