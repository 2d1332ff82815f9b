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
    # --- explicit current disclosures by method, means and aftermath ---
    # active SI: researching the means
    ("Patient: I googled how many of my sleeping tablets it would take.", "suicidal_ideation_active"),
    ("speaker 2 i looked up the lethal dose of my tablets on my phone", "suicidal_ideation_active"),
    # active SI: firearms
    ("Patient: Most nights I sit in the shed with my dad's rifle across my knees.", "suicidal_ideation_active"),
    ("C: I put the gun in my mouth on Sunday and just held it there.", "suicidal_ideation_active"),
    ("speaker 2 i keep the shotgun under the bed and i loaded it on friday night", "suicidal_ideation_active"),
    # active SI: heights, rail, traffic, cars, fumes
    ("Patient: I was on the top floor of the car park looking over the edge for an hour.", "suicidal_ideation_active"),
    ("C: I stood on the ledge of the multi-storey on Tuesday.", "suicidal_ideation_active"),
    ("C: Last night I walked down to the railway line and stood there waiting.", "suicidal_ideation_active"),
    ("i went to the train tracks on monday and sat by the tracks until it got dark", "suicidal_ideation_active"),
    ("Patient: I keep thinking about stepping in front of a lorry on the bypass.", "suicidal_ideation_active"),
    ("C: I've been thinking about driving into the bridge pillar on the way home.", "suicidal_ideation_active"),
    ("Patient: On the motorway I thought, I could just yank the wheel.", "suicidal_ideation_active"),
    ("Patient: I sat in the garage with the engine running for a while on Friday.", "suicidal_ideation_active"),
    ("Patient: I've been thinking about just ending it, honestly.", "suicidal_ideation_active"),
    ("Patient: I can't stop thinking about killing myself.", "suicidal_ideation_active"),
    ("Therapist: Some people in your position think about ending their life. Is that true for you?\n"
     "Patient: [long pause] Yes.", "suicidal_ideation_active"),
    ("speaker 1 have you had thoughts of ending your life\nspeaker 2 um yeah most days", "suicidal_ideation_active"),
    # passive SI
    ("Patient: It'd be easier for everyone if I just wasn't around.", "suicidal_ideation_passive"),
    ("i think itd be simpler to just not be here anymore", "suicidal_ideation_passive"),
    ("C: If I just didn't wake up tomorrow, I'd be okay with that.", "suicidal_ideation_passive"),
    ("Patient: I'd be quite glad not to wake up some mornings.", "suicidal_ideation_passive"),
    ("Patient: I wish I'd died in the accident with her.", "suicidal_ideation_passive"),
    ("Patient: I keep praying he takes me in my sleep.", "suicidal_ideation_passive"),
    ("C: Some days I think I'm worth more dead than alive.", "suicidal_ideation_passive"),
    # self-harm
    ("C: I burnt my thigh with a hot spoon yesterday.", "self_harm"),
    ("Patient: On Saturday I pressed a lit cigarette into my forearm.", "self_harm"),
    ("C: After the argument I locked the bathroom door and I cut.", "self_harm"),
    ("speaker 2 i did cut again on thursday after the exam", "self_harm"),
    ("Patient: I dug my fingernails into my arm till it bled.", "self_harm"),
    ("C: I punched my own legs until they were purple.", "self_harm"),
    ("Patient: I hit my face with my fists in the bathroom.", "self_harm"),
    ("Patient: I used the blade out of a pencil sharpener.", "self_harm"),
    ("speaker 2 i was scratching with a safety pin on my forearm for ages", "self_harm"),
    ("Patient: The cutting is the only thing that calms me down.", "self_harm"),
    ("Patient: I cut my wrist on Sunday, I haven't done that since uni.", "self_harm"),
    # overdose
    ("C: I took about thirty paracetamol and half a bottle of gin.", "overdose"),
    ("speaker 2 i took maybe twelve of my co-codamol with some beers", "overdose"),
    ("Patient: I'd been drinking all afternoon and then I swallowed a handful of diazepam.", "overdose"),
    ("Patient: I couldn't face the night, so I took twenty of my tablets.", "overdose"),
    ("Patient: The first dose didn't touch it, so I took more.", "overdose"),
    ("Patient: My flatmate found me on the floor and couldn't wake me.", "overdose"),
    ("C: Next thing I knew I woke up in resus.", "overdose"),
    ("Patient: They had to give me naloxone in the back of the ambulance.", "overdose"),
    ("C: The doctors said I'd stopped breathing.", "overdose"),
    ("Patient: They put me on the antidote drip for a whole day.", "overdose"),
    ("C: The paramedics were kneeling over me when I came round.", "overdose"),
    # abuse
    ("Patient: My boyfriend pinned me against the fridge last night.", "abuse"),
    ("C: He threw a glass near my head on Sunday.", "abuse"),
    ("Patient: My dad threatened to kill me if I came out.", "abuse"),
    ("Patient: She threatened me with a knife on Friday.", "abuse"),
    ("speaker 2 shes locked me out of the house three times this month", "abuse"),
    ("Patient: He'd... hurt me when mum was at work.", "abuse"),
    ("C: I told him no and he just carried on anyway.", "abuse"),
    ("Patient: He makes me have sex when I'm exhausted.", "abuse"),
    ("Patient: My stepdad hits my little sister when he's drunk.", "abuse"),
    # homicidal ideation and violence
    ("C: I've been rehearsing running my uncle over in the car park.", "homicidal_ideation"),
    ("Patient: I keep imagining putting him in the ground.", "homicidal_ideation"),
    ("C: I've thought about using my dad's gun on him.", "homicidal_ideation"),
    ("T: Are you having any thoughts of hurting him?\nC: (pause) Yeah. Every day.", "homicidal_ideation"),
    ("Patient: I can't stop thinking about hurting her.", "violence"),
    # ideation stated outright stays current even when intent is denied
    ("Patient: I want to kill him. I'd never actually do it.", "homicidal_ideation"),
    ("Patient: I'd run him over if I saw him, I've driven past his house twice this week.", "homicidal_ideation"),
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
    # --- counterparts of the method, means and aftermath phrasings ---
    # other people, history
    "Patient: My uncle shot himself years ago.",
    "Patient: My brother ran his car into a tree years ago, he was fine.",
    "Patient: I used to sit with my dad's shotgun when I was a teenager.",
    "Patient: I thought about ending it back then, before the kids.",
    "Patient: I used to burn my arm with a lighter, haven't done it since.",
    "Patient: My aunt told me she wanted to strangle her husband after the holiday.",
    "Patient: My brother reckons life would be simpler if I wasn't around.",
    # negated, hypothetical, intrusive
    "Patient: I'd never use the gun, it's locked at my dad's.",
    "Patient: I haven't cut since March and I'm proud of that.",
    "Patient: He's never hit me, it's the shouting that scares me.",
    "Patient: He'd never hurt me, he's a big softie.",
    "Patient: What if I pushed someone onto the tracks? I'd never, it horrifies me.",
    "Therapist: If you ever have thoughts of hurting yourself, will you call me?\nPatient: Yes, I promise.",
    "Therapist: Did he ever hurt anyone else?\nPatient: Yes, he hit my mum.",
    "Therapist: Any thoughts of hurting him?\nPatient: (laughs) God no. I love him.",
    "Therapist: Have you had thoughts of killing yourself?\nPatient: Yeah, no, not at all.",
    "speaker 1 have you had any thoughts of ending your life\nspeaker 2 no none",
    "Therapist: Are you thinking about jumping ship to the new company?\nPatient: Yeah, maybe.",
    # idioms, play, everyday
    "Patient: The train was late so I burned the toast.",
    "Patient: She threatened to run me over with a shopping trolley, we were laughing.",
    "Patient: She threw a pillow at me and we were both laughing.",
    "Patient: I'd jump in front of a train for my little girl.",
    "Patient: It would kill my mum if I moved away.",
    "Patient: I nearly died laughing, I wish I'd died laughing honestly.",
    "Patient: I'm thinking about ending it with Sam, we fight all the time.",
    "Patient: I ran her over to the station.",
    "Patient: I'm going to run my brother over to the airport tomorrow.",
    "Patient: I was running things over in my head all night.",
    "Patient: My sister locked me out of the bathroom this morning.",
    "Patient: They tried to push me into doing law.",
    "Patient: He dragged me to his work party.",
    "Patient: I said no to the promotion and he kept going on about it.",
    # everyday uses of the new means and method words
    "Patient: My dad cleans his rifle every Sunday before the shoot.",
    "Patient: I walk past the railway line every morning to get to work.",
    "Patient: We waited at the level crossing for ages.",
    "Patient: I stood at the edge of the dance floor all night.",
    "Patient: I looked over the contract twice before signing.",
    "Patient: I stepped onto the bus and went to town.",
    "Patient: I'm thinking about driving into the city tomorrow.",
    "Patient: My instructor said just turn the wheel to the left when reversing.",
    "Patient: I looked up how many calories are in a flat white.",
    "Patient: It'd be easier if I wasn't here when they move the furniture.",
    "Patient: If I don't wake up for work I'll get fired.",
    "Patient: I wish I'd gone with them to Spain.",
    "Patient: My gran went in her sleep, peacefully.",
    "Patient: I burned my hand on the oven tray, it was an accident.",
    "Patient: The cat scratched me on my arm.",
    "Patient: I was cutting vegetables and the knife slipped on my hand.",
    "Patient: I cut back on coffee.",
    "Patient: I cut a few corners this week.",
    "Patient: I cut my finger chopping onions.",
    "Patient: I took a cutting of her roses.",
    "Patient: I hit my head on the cupboard door this morning.",
    "Patient: I took my tablets with a glass of water.",
    "Patient: I'd been drinking and took my sertraline as usual.",
    "Patient: I woke up in hospital after the knee surgery.",
    "Patient: The paramedics were over me after I fainted at the gym.",
    "Patient: My alarm couldn't wake me this morning.",
    "Patient: My flatmate found me asleep on the sofa and couldn't wake me for work.",
    "Patient: I need to pick up a naloxone kit from the pharmacy.",
    "Patient: I took more time off work this month.",
    # a conditional threat taken back in the same turn
    'Patient: My mate asked what I\'d do if I saw him. I said "I\'d run him over." That\'s not me.',
    "C: Honestly I'd kill him. I would never do it though, I'd just walk away.",
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


def test_covered_risk_is_restated_with_its_severity_and_quote() -> None:
    note = NOTE_NO_RISK.replace("None reported.", "{{RED:Passive SI, no plan.}}")
    result = reconcile_note_with_risks(note, detect_risks("Patient: What's the point of anything."))
    assert red_spans(result.note) == ['MODERATE RISK - passive suicidal ideation ("What\'s the point of anything").']
    assert result.removed_risk_text == ["Passive SI, no plan."] and result.unsupported_claims == []
    assert result.needs_attention and result.attention_reasons == ["current_risk"]


def test_unsupported_red_claim_is_kept_visible_as_unconfirmed() -> None:
    note = NOTE_NO_RISK.replace("None reported.", "{{RED:Homicidal ideation toward boss.}}")
    result = reconcile_note_with_risks(note, detect_risks("Patient: Work was fine, we argued about chores."))
    assert result.unsupported_claims == ["Homicidal ideation toward boss."]
    assert result.note == NOTE_NO_RISK.replace(
        "None reported.", "Unconfirmed (clinician to review): Homicidal ideation toward boss.")
    assert red_spans(result.note) == [] and result.needs_attention
    assert result.attention_reasons == ["unconfirmed_risk_claim"]


@pytest.mark.parametrize("transcript", [
    "Patient: My cousin overdosed last year and I still think about it.",  # someone else's
    "Patient: No, I've never had thoughts of suicide.",  # denied
    "Patient: If I ever felt suicidal I would call you.",  # hypothetical
])
def test_red_claim_contradicted_by_the_transcript_is_demoted(transcript: str) -> None:
    claim = "Overdose risk." if "overdosed" in transcript else "Suicidal ideation."
    note = NOTE_NO_RISK.replace("None reported.", f"{{{{RED:{claim}}}}}")
    result = reconcile_note_with_risks(note, detect_risks(transcript))
    assert result.unsupported_claims == [claim] and red_spans(result.note) == []
    assert claim in result.note


def test_supported_red_claim_is_restated_beside_an_unconfirmed_one() -> None:
    note = NOTE_NO_RISK.replace("None reported.", "{{RED:Passive SI.}} {{RED:Abuse at home.}}")
    result = reconcile_note_with_risks(note, detect_risks("Patient: Honestly, what's the point of anything."))
    assert [span.split(" - ")[0] for span in red_spans(result.note)] == ["MODERATE RISK"]
    assert result.unsupported_claims == ["Abuse at home."]
    assert "Unconfirmed (clinician to review): Abuse at home." in result.note


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
