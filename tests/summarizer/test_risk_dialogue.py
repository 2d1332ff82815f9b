"""Risks told across turns and in plain words: answers to the therapist's reflections and cover-story
questions, plans recognised by their structure, narrated overdoses, instruments on the body, indirect
passive ideation. Every sentence here is written for these tests (none is from data/risk_eval)."""

from __future__ import annotations

import pytest

from summarizer import risk
from summarizer.risk import RiskSeverity, detect_risks
from summarizer.risk_dialogue import plan_findings
from summarizer.risk_normalise import normalise_for_matching
from summarizer.risk_turns import utterances
from summarizer.risk_types import CATEGORY_TRAITS, FAMILY, most_severe_per_family

CRITICAL, HIGH, MODERATE = RiskSeverity.CRITICAL, RiskSeverity.HIGH, RiskSeverity.MODERATE


def _current(transcript: str) -> dict[str, RiskSeverity]:
    return {f.family: f.severity for f in most_severe_per_family(detect_risks(transcript))}


def _plans(transcript: str) -> list[str]:
    text = normalise_for_matching(transcript)
    return [f.evidence for f in plan_findings(transcript, text, utterances(text)) if f.current]


POSITIVE: list[tuple[str, dict[str, RiskSeverity]]] = [
    # a reflection naming intent and a time or method, confirmed
    ("Therapist: So what you're telling me is you're planning to not be here after your birthday?\n"
     "Patient: Yeah. That's it.", {"suicide": CRITICAL}),
    ("Therapist: Are you saying you intend to jump off the viaduct?\nPatient: Mm.", {"suicide": CRITICAL}),
    ("speaker 1 so youre going to hang yourself in the garage\nspeaker 2 mm hmm", {"suicide": CRITICAL}),
    ("Therapist: Are you saying you'd rather not be alive?\nPatient: I guess so, yeah.", {"suicide": MODERATE}),
    ("Therapist: I need to ask, are you thinking of ending it?\nPatient: Sometimes, yeah.", {"suicide": HIGH}),
    ("Therapist: Have you thought about taking your own life?\nPatient: Yes.", {"suicide": HIGH}),
    ("T: you've said before you'd rather not be around, is that still there\nC: yeah", {"suicide": MODERATE}),
    ("Therapist: It sounds like you've decided to end your life on Friday?\nPatient: Yeah.", {"suicide": CRITICAL}),
    ("Therapist: Are you telling me you've been thinking about taking all your tablets?\nPatient: Yes.",
     {"suicide": CRITICAL}),
    ("Therapist: Have you been thinking about jumping off the bridge?\nPatient: Most days, yeah.",
     {"suicide": CRITICAL}),
    # the cover story questioned
    ("Therapist: Did your boyfriend do that to your arm?\nPatient: (quiet) Yeah. With his hand.", {"abuse": HIGH}),
    ("Therapist: That bruise on your cheek. Was it Marcus who did that?\nPatient: Yes.", {"abuse": HIGH}),
    ("Therapist: Did you do that to yourself?\nPatient: Yeah. With a compass.", {"self_harm": HIGH}),
    ("Therapist: That cut on your lip. Did he do that?\nPatient: (nods) Yes.", {"abuse": HIGH}),
    ("Therapist: Are you saying your dad hit you?\nPatient: Yeah. With his belt.", {"abuse": HIGH}),
    # an open plan question about a lethal place, answered with a method
    ("Therapist: When you say you're going up to the top deck of the car park, what are you planning to do?\n"
     "Patient: Jump off it.", {"suicide": CRITICAL}),
    # a plan without risk words
    ("Patient: I've made my mind up. The rope's in the loft and I tested it on the beam, it takes my weight.",
     {"suicide": CRITICAL}),
    ("Patient: I've decided. Next Friday I'm going to the cliffs past the lighthouse. I don't see another way out.",
     {"suicide": CRITICAL}),
    ("Patient: I know what I'm doing now.\nTherapist: Go on.\nPatient: Saturday, when the kids are at their dad's, "
     "I'm going to the top floor of the multi-storey and I'm not coming back down.", {"suicide": CRITICAL}),
    # a narrated overdose, and the wish to die beside it (an attempt)
    ("Patient: I took all my lithium on Tuesday and they pumped my stomach.", {"overdose": CRITICAL}),
    ("Patient: I took every tablet in the house and I wasn't planning to wake up.",
     {"overdose": CRITICAL, "suicide": CRITICAL}),
    ("Patient: I swallowed the whole packet of co-codamol, I just wanted to be gone.",
     {"overdose": CRITICAL, "suicide": CRITICAL}),
    # instruments on the body
    ("Patient: I've been using a lighter on my thigh most nights.", {"self_harm": HIGH}),
    ("Patient: Last night I ran a blade across my forearm again.", {"self_harm": HIGH}),
    # indirect passive ideation
    ("Patient: Honestly I'd rather not be alive most days.", {"suicide": MODERATE}),
    ("Patient: If it turned out to be cancer I wouldn't fight it.", {"suicide": MODERATE}),
    ("Patient: If it just happened in my sleep that would be a relief.", {"suicide": MODERATE}),
    # transcripts without labels, and ASR role words without a colon
    ("how are you today\nnot great\nare you saying you would rather not be alive\nyeah kind of",
     {"suicide": MODERATE}),
    ("therapist so how are you\nclient ok i guess\ntherapist are you thinking of ending your life\n"
     "client yeah most days", {"suicide": HIGH}),
    # "used to" before a noun is habit, not the past
    ("Patient: I've started cutting again, I'm sort of used to it now.", {"self_harm": HIGH}),
]

NEGATIVE: list[str] = [
    # reflections denied, or about something else
    "Therapist: Are you saying you'd rather not be alive?\nPatient: No, no. I just want a break.",
    "Therapist: Are you planning to end your life?\nPatient: God no.",
    "Therapist: So you're planning to jump from the diving board at the lido on Saturday?\nPatient: Yes! Terrified.",
    "Therapist: Have you been thinking about jumping off the top board at the pool?\nPatient: Yes, I want to try it.",
    "Therapist: It sounds like you've decided to end your contract on Friday?\nPatient: Yeah.",
    "Therapist: Are you planning to take all your leave before March?\nPatient: I think so.",
    "T: you said you'd rather not be around your in-laws this christmas, is that still true\nC: yeah",
    "Therapist: Are you going to hang out with them on Friday?\nPatient: Yeah.",
    "Therapist: Are you thinking of ending it with him?\nPatient: Yeah, I think so.",
    "Therapist: Are you planning to take all your holidays in August?\nPatient: Yes.",
    "Therapist: If you ever planned to jump off something, would you tell me?\nPatient: Yes.",
    # cover-story questions about things, not the patient
    "Therapist: Did Sam do that to your car?\nPatient: Yes, he reversed into it.",
    "Therapist: Did your sister do that to your hair?\nPatient: Yeah, she cut it in the kitchen.",
    "Therapist: Did you do that on purpose?\nPatient: Yeah, I burned the toast to annoy him.",
    "Therapist: Did he hurt you?\nPatient: No, he'd never.",
    # agreeing with a reflection of an absence
    "Therapist: So it sounds like it was never about wanting to die, more about getting some sleep?\nPatient: Yeah.",
    "Therapist: Did he do that?\nPatient: No, I fell off my bike.",
    "Therapist: Are you saying your dad hit the car?\nPatient: Yeah, reversing.",
    # an open plan question with no lethal place, and a method answer to it
    "Therapist: What are you planning to do on the roof of the shed?\nPatient: Take all of them off, the old tiles.",
    # everyday senses of the new phrasings
    "Patient: I'd rather be dead than go to that party.",
    "Patient: I used the razor on my legs this morning.",
    "Patient: I used the knife on my hand by accident chopping onions.",
    "Patient: I want to be gone by five so I miss the traffic.",
    "Patient: I wasn't planning to wake up early on Sunday, I'm knackered.",
    "Patient: If it was something bad I'd fight it with everything, I want to see my grandkids.",
    "Patient: My mum found me on the floor after I fainted.",
    "Patient: I put the lighter to the candle and it wouldn't light.",
    # unlabelled lines that ask and answer something else
    "how was work\nfine\ndo you want to get a coffee after\nyeah",
    "Patient safety was the topic of the training day.\nPatient records were the other one.\nIt went fine.",
]

PLAN_NEGATIVE: list[str] = [
    # the marks of a plan, in sport, play, DIY and days out
    "Patient: At the climbing wall I tested the rope, it takes my weight, and I've decided to do the hard route.",
    "Patient: I tied a rope to the beam for the kids' swing on Sunday and tested it takes my weight.",
    "Patient: I've decided. On Saturday I'm taking my nephew to the rail bridge to see the steam special, "
    "I checked the times.",
    # the past, fiction, someone else
    "Patient: Three years ago I'd made my mind up, tied a rope in the garage and tested it. I'm well now.",
    "Patient: In the film he decides on Friday, tests the rope and it takes his weight.",
    "Patient: My dad's decided he's going to the multi-storey on Friday, he doesn't see another way to park.",
    # negated
    "Patient: I haven't tested anything and I'm not going to the rail bridge, I've decided to stay with Mum.",
]


@pytest.mark.parametrize(("transcript", "expected"), POSITIVE)
def test_risk_told_across_turns_or_in_plain_words_is_found(transcript: str, expected: dict[str, RiskSeverity]) -> None:
    assert _current(transcript) == expected


@pytest.mark.parametrize("transcript", NEGATIVE)
def test_denied_leisure_and_everyday_phrasings_are_not_findings(transcript: str) -> None:
    assert [f for f in detect_risks(transcript) if f.current] == []


@pytest.mark.parametrize("transcript", PLAN_NEGATIVE)
def test_marks_of_a_plan_without_a_patient_s_lethal_plan_are_not_a_plan(transcript: str) -> None:
    assert _plans(transcript) == []


def test_a_plan_found_by_its_structure_quotes_the_means() -> None:
    found = _plans("Patient: It's all sorted. I've tied the rope in the barn and tested it takes my weight.\n"
                   "Therapist: When?\nPatient: Next Tuesday when nobody's about.")
    assert len(found) == 1 and "tested it takes my weight" in found[0]


def test_a_place_needs_finality_to_be_a_plan() -> None:
    said = "Patient: I've made my mind up, on Friday I'm going to the rail bridge, I checked the times."
    assert _plans(said) == []
    assert _plans(said + " It would be quick, the driver wouldn't have time to stop.") != []


def test_a_screening_answer_is_read_from_the_question_before_it_only() -> None:
    transcript = ("Therapist: Are you saying you're planning to end your life on Sunday?\nPatient: No.\n"
                  "Therapist: How's work?\nPatient: Yeah, fine.")
    assert _current(transcript) == {}


def test_a_plan_to_harm_someone_else_is_not_also_read_as_suicidal() -> None:
    transcript = ("Patient: I'm going to stab him when he comes out of the pub on Friday. I've had the knife in my "
                  "coat all week, I know which door he uses and what time he leaves, it's all sorted now.")
    assert _current(transcript) == {"violence": CRITICAL}
    said = ("Patient: Truthfully? I keep thinking about walking into his office with the crowbar from the boot and "
            "smashing his face in. I sat in the car park with it on my lap for an hour on Tuesday.")
    assert "suicide" not in _current(said)


def test_every_category_has_traits_and_every_named_check_exists() -> None:
    assert set(CATEGORY_TRAITS) == set(FAMILY)
    assert {name for traits in CATEGORY_TRAITS.values() for name in traits.checks} <= set(risk._CHECKS)


def test_a_classifier_overdose_needs_something_taken_or_treated() -> None:
    from summarizer.risk_classifier import LABEL_EVIDENCE

    needed = LABEL_EVIDENCE["overdose"]
    assert needed.search("after the row i just swallowed whatever was in the cabinet")
    assert needed.search("next thing I remember is the paramedics and the drip")
    assert not needed.search("i lined the boxes up on the side and counted them and then put them all back")
    assert not needed.search("and last week he took my bank card and my keys")


# --- structure that generalises: follow-up questions, attempts, lethality, acts, past scope -----------
# Each mechanism with the everyday phrasing that must not set it off beside it.
STRUCTURE_POSITIVE: list[tuple[str, dict[str, RiskSeverity]]] = [
    # a reflection that names a method or a rehearsal, confirmed
    ("Therapist: Are you telling me you've been practising hanging yourself in the loft?\nPatient: Yeah.",
     {"suicide": CRITICAL}),
    ("speaker 1 are you saying youve been going up there to jump off the bridge\nspeaker 2 mm hm",
     {"suicide": CRITICAL}),
    # an attempt asked about and confirmed
    ("Therapist: When you took them, were you trying to kill yourself?\nPatient: Yes.", {"suicide": CRITICAL}),
    # a confirmed risk asked after: planning it, or when
    ("Therapist: Have you been thinking about killing yourself?\nPatient: Yeah, a lot.\n"
     "Therapist: Is that something you're planning to do?\nPatient: Yeah.", {"suicide": CRITICAL}),
    ("Therapist: Are you thinking of ending your life?\nPatient: Sometimes.\nTherapist: Have you thought about when?\n"
     "Patient: When my husband's away in March.", {"suicide": CRITICAL}),
    # a plan to harm a named person put back to the patient
    ("Therapist: Are you telling me you're going to set fire to Gary's van with him in it?\nPatient: Aye.",
     {"violence": CRITICAL}),
    # a count given to "how many did you take?"
    ("Therapist: How many do you think you took?\nPatient: Dunno, maybe fifteen of the codeine.",
     {"overdose": CRITICAL}),
    # the wish to die said in the turn after the overdose is an attempt
    ("Patient: On Monday I swallowed twenty of my sertraline.\nTherapist: What did you want to happen?\n"
     "Patient: I wanted to be dead.", {"overdose": CRITICAL, "suicide": CRITICAL}),
    # lethality in abuse
    ("Patient: She had her hands round my neck and I passed out on the kitchen floor.", {"abuse": CRITICAL}),
    ("Patient: He grabbed me by the throat against the fridge.", {"abuse": CRITICAL}),
    ("Patient: He told me if I ever go to the police he'll kill me.", {"abuse": CRITICAL}),
    ("Patient: My partner held the knife to my face while he shouted.", {"abuse": CRITICAL}),
    ("Patient: When I was bathing my grandson I saw the welts. He said his dad hits him with a belt.",
     {"abuse": HIGH}),
    # self-injury without the word
    ("Patient: I smashed my fist into the brick wall till my knuckles bled.", {"self_harm": HIGH}),
    ("Patient: I heat a spoon over the hob and hold it against my thigh.", {"self_harm": HIGH}),
    # firearm on the body
    ("Patient: I sat in the truck with the muzzle against my temple for a while.", {"suicide": CRITICAL}),
    # death welcomed in plain words
    ("Patient: If a lorry knocked me down tomorrow I'd be glad, honestly.", {"suicide": MODERATE}),
    ("Patient: I wouldn't mind if I didn't see another Christmas.", {"suicide": MODERATE}),
    ("Patient: Everyone's better off with me gone.", {"suicide": MODERATE}),
    ("Patient: I'm just tired of being here.", {"suicide": MODERATE}),
    # a staged accident with a vehicle, with a rehearsal and the abort given up
    ("Patient: If the van goes into that wall at eighty it looks like an accident and the insurance pays out.\n"
     "Therapist: Have you tried it?\nPatient: I drove at it last week and pulled off at the last second. Next time "
     "I won't pull off.", {"suicide": CRITICAL}),
    # a ligature with something to hang from, a bag taped over the head, an edge held to the skin
    ("Patient: I looped the charger cable round my neck and tied it to the curtain pole.", {"suicide": CRITICAL}),
    ("Patient: I had a bag over my head and taped it round my neck.", {"suicide": CRITICAL}),
    ("Patient: At night I hold the blade against my wrist for a while.", {"self_harm": HIGH}),
    # a pack taken whole, or all of someone's pills
    ("Patient: I swallowed a whole strip of them on Tuesday.", {"overdose": CRITICAL}),
    ("Patient: I took all my dad's painkillers after the party.", {"overdose": CRITICAL}),
    # someone slamming the patient's head
    ("Patient: My girlfriend smashed my face against the wardrobe.", {"abuse": HIGH}),
    # death welcomed as natural
    ("Patient: Most nights I pray my heart just stops.", {"suicide": MODERATE}),
    ("Patient: I don't want to wake up in the morning, honestly.", {"suicide": MODERATE}),
    # a place chosen beside ideation
    ("Therapist: Have you had thoughts of suicide?\nPatient: Yes. I've chosen the bridge.", {"suicide": CRITICAL}),
    # "how would you do it?" after a confirmed risk, answered with a means
    ("Therapist: Are you still having thoughts of killing yourself?\nPatient: Yes.\nTherapist: Do you know how "
     "you'd do it?\nPatient: The pills in my bedside drawer.", {"suicide": CRITICAL}),
    # "how much?" answered with a count, smothering, a threat to burn the patient, marks made into the body
    ("Therapist: How much did you take and drink?\nPatient: A bottle of rum and about thirty of the aspirin.",
     {"overdose": CRITICAL}),
    ("Patient: She held a cushion over my face on the sofa until I was kicking.", {"abuse": CRITICAL}),
    ("Patient: He says if I leave he'll burn the flat down with me in it.", {"abuse": CRITICAL}),
    ("Patient: I've been etching letters into my forearm with a pin.", {"self_harm": HIGH}),
    # a method's ease imagined, wanting not to exist, going to the target with a weapon
    ("Patient: On the platform I think about how easy it would be to just fall forward.", {"suicide": HIGH}),
    ("Patient: Mostly I'd like to just stop existing.", {"suicide": MODERATE}),
    ("Patient: I'm going round there with the crowbar tonight.", {"violence": CRITICAL}),
    # a ligature with a nerve lost
    ("Patient: I tied the dog lead round my neck on Friday and then I lost my nerve.", {"suicide": CRITICAL}),
    # a turn that opens in the past and comes back to now
    ("Patient: When I was fifteen I cut my arms. I've started cutting my arms again since June.",
     {"self_harm": HIGH}),
]

STRUCTURE_NEGATIVE: list[str] = [
    # idiomatic threats and play
    "Patient: If I forget her birthday again she'll kill me.",
    "Patient: If I leave the dishes one more night she'll kill me, honestly.",
    "Patient: My mum'll kill me if I tell her I failed.",
    "Patient: This tie is choking me, and the smoke in the pub was choking me too.",
    # hard surfaces and heat without the patient's body
    "Patient: My son punched the wall till it cracked.",
    "Patient: I heat up a wheat bag in the microwave and hold it on my stomach for the cramps.",
    "Patient: I dropped a hot spoon on my hand by accident.",
    # guns in someone else's hands, bus relief in other senses, seasons with people
    "Patient: I'd be relieved if the bus came on time for once.",
    "Patient: I wouldn't mind if I didn't see Christmas at my in-laws this year.",
    "Patient: I'm tired of being around people all day at work.",
    # follow-ups and counts about something else
    "Therapist: Do you ever think about ending your life?\nPatient: No.\nTherapist: Is that something you're "
    "planning to do, the course?\nPatient: Yeah.",
    "Therapist: How many did you take?\nPatient: Two, like it says on the box.",
    "Therapist: Are you planning to shoot her a message later?\nPatient: Yeah.",
    "Therapist: Are you saying you jumped off the diving board at the pool?\nPatient: Yeah.",
    # neck, head and skin in everyday senses
    "Patient: I put a scarf around my neck because it was freezing out.",
    "Patient: I tied my tie round my neck for the interview.",
    "Patient: I put the bag over my head when it started raining.",
    "Patient: The nurse put the scissors to my arm to cut the cast off.",
    "Patient: I held the knife to my thumb to peel the apple.",
    # packs and pills going somewhere, someone else's tablets
    "Patient: I took a whole packet of crisps to the park.",
    "Patient: I took all my mum's old tablets to the pharmacy to get rid of them.",
    "Patient: At work we had a lady who'd taken all her tablets and we got her in in time.",
    # waking others, dying old, away on holiday
    "Patient: I don't want to wake up the baby so I tiptoe.",
    "Patient: Everyone at work is better off with me gone on holiday for a week.",
    "Therapist: How many did you take in the end, photos I mean?\nPatient: About fifty at the wedding.",
    # counts, ease and existence in everyday senses
    "Therapist: How much did you spend and take home?\nPatient: About forty quid, and the rest I saved.",
    "Patient: I think about how easy it would be to just walk out of that job and travel.",
    "Patient: I'd like to stop existing on social media for a month, it's too much.",
    "Patient: We're going round there with the cake tonight for her birthday.",
    "Patient: I'm carving a pumpkin on my kitchen table with the kids.",
    # the past told as the past
    "Patient: Years ago I took an overdose. I was in hospital for a week. I've not had thoughts like that since.",
    "Patient: When I was nineteen I tried to end my life. I took a load of tablets that summer.",
]


@pytest.mark.parametrize(("transcript", "expected"), STRUCTURE_POSITIVE)
def test_risk_told_by_structure_is_found(transcript: str, expected: dict[str, RiskSeverity]) -> None:
    assert _current(transcript) == expected


@pytest.mark.parametrize("transcript", STRUCTURE_NEGATIVE)
def test_everyday_phrasings_of_the_same_structures_are_not_findings(transcript: str) -> None:
    assert [f for f in detect_risks(transcript) if f.current] == []


def test_someone_else_holding_a_gun_to_the_patient_is_abuse_not_suicide() -> None:
    assert _current("Patient: He held the gun to my head in the car.") == {"abuse": CRITICAL}


def test_a_present_risk_after_a_past_story_stays_current() -> None:
    said = "Patient: Years ago I overdosed once. I took ten of my tablets last night."
    assert _current(said) == {"overdose": CRITICAL}


def test_harm_to_others_without_a_plan_is_not_read_as_a_suicide_plan() -> None:
    transcript = ("Patient: I think about stabbing him every day.\nTherapist: Any plan?\n"
                  "Patient: No. No plan. I've stayed away from his street, I even changed my route to work so I "
                  "don't pass his house, and I've told my brother to keep me away from him on Friday.")
    assert _current(transcript) == {"violence": HIGH}
