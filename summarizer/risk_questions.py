"""The dialogue lexicon: speaker labels, the therapist's risk questions and the patient's answers.

Data, not logic: summarizer/risk_dialogue.py pairs a therapist turn with the patient's reply and
applies these. A risk is often disclosed only as an answer: the therapist names it ("So you're
planning to jump from the car park on the thirtieth?", "Did Jamie do that to your eye?") and
the patient confirms ("Yes.", "Yeah that's it", "With his fist."). The question then says what
the risk is and how severe; the reply only says whether it is true.
"""

from __future__ import annotations

import re

from summarizer.risk_lexicon import BODY, PILLS, RELATIVE

# --- speaker labels -------------------------------------------------------------------------------
# ASR output often drops the colon after "speaker 1" / "speaker 2". Labels in the other covered
# languages too, so a non-English therapist's questions are not read as the patient's speech.
# Matched on the normalised text ("Thérapeute" -> "Therapeute", "Cliënt" -> "Client") and on the
# raw text (language screening), hence the optional accents.
THERAPIST_LABEL = re.compile(
    r"^\s*(?:speaker\s*(?:1|one)\b\s*:?|(?:therapist|t|counsell?or|clinician|dr\.?\s*\w*|speaker\s*1|interviewer|"
    r"psychologist|provider|terapeuta|th[eé]rapeute|therapeut(?:in)?|terapeut[ak]?|psic[oó]log[oa]|psychologue|"
    r"psycholo(?:ge|gin|og)|behandelaar|hulpverlener)\s*:)", re.IGNORECASE)
PATIENT_LABEL = re.compile(
    r"^\s*(?:speaker\s*(?:2|two)\b\s*:?|(?:patient(?:e|in)?|client[ea]?|cli[eë]nt[ea]?|c|p|speaker\s*2|pt|paciente|"
    r"paziente|pacjent(?:ka)?|klient(?:in)?)\s*:)", re.IGNORECASE)
# ASR output that writes the role without a colon ("therapist okay so ...", "client um yeah"): read as
# labels only when both roles open several lines, so a line merely starting "Patient safety ..." is not one.
BARE_THERAPIST_LABEL = re.compile(r"^\s*(?:therapist|counsell?or|clinician|interviewer)\b(?!\s*:)", re.IGNORECASE)
BARE_PATIENT_LABEL = re.compile(r"^\s*(?:patient|client)\b(?!\s*:)", re.IGNORECASE)
BARE_LABELS_MIN_LINES = 2

# --- what a question is about ---------------------------------------------------------------------
# Intent put to the patient: "are you planning to", "you're going to", "you've decided to".
_ASKED_INTENT = (r"(?:planning|plan|planned|going|gonna|intend(?:ing|ed)?|decided|mean(?:ing)?)\s+"
                 r"(?:on\s+)?to")
# A lethal method named in a question or a reply ("jump from the car park", "go off it", "hang").
METHOD = (rf"(?:jump(?:ing)?\s+(?:off|from|in\s+front\s+of|under)|go(?:ing)?\s+off\s+(?:it|there|the\s+(?:bridge|"
          rf"edge|roof|top|cliff|side|ledge|balcony))|driv(?:e|ing)\s+(?:off|into)\s+(?:the|a)\s+(?:bridge|cliff|"
          rf"river|sea|quarry|wall|tree|lorry|truck|traffic)|hang(?:ing)?\s+(?:yourself|myself)|throw(?:ing)?\s+"
          rf"(?:yourself|myself)\s+(?:off|in\s+front|under)|step(?:ping)?\s+(?:out\s+)?(?:in\s+front\s+of|under)"
          rf"\s+(?:a|the)\s+(?:train|bus|lorry|truck|car)|drown(?:ing)?\s+(?:yourself|myself)|take\s+(?:them\s+all|"
          rf"all\s+of\s+them)\b(?!\s+(?:to|with|out|home|back|off|down|up))|tak(?:e|ing)\s+(?:all|the\s+rest)\s+(?:of\s"
          rf"+)?(?:your|my|the)"
          rf"\s+{PILLS}|tak(?:e|ing)\s+an\s+overdose)")
# "rather not be around your in-laws" is about them, not about being alive.
_NOT_SOMEONE = r"(?!\s+(?:your|my|his|her|the|them|him|people|anyone|those|these|that|this)\b)"
_DEATH = (rf"(?:not\s+(?:be\s+)?(?:alive|here|around){_NOT_SOMEONE}|die|be\s+dead|end\s+(?:it|your\s+life)|kill\s+"
          rf"yourself|{METHOD})")
# When: a day, a date, an occasion ("after next tuesday", "on the thirtieth", "when the lease runs out").
WHEN = (r"(?:(?:on|after|before|by|next|this|from)\s+(?:the\s+)?(?:next\s+)?(?:monday|tuesday|wednesday|thursday|"
        r"friday|saturday|sunday|weekend|week|month|\d{1,2}(?:st|nd|rd|th)?|first|second|third|\w+teenth|twentieth|"
        r"thirtieth|twenty-\w+|thirty-first)|(?:on|after|before|by)\s+(?:your|my|the)\s+(?:birthday|anniversary|wedding"
        r"|"
        r"exams?|funeral|court\s+date|hearing|christmas|new\s+year)|tonight|tomorrow|when\s+(?:the|your|my)\s+\w+\s+"
        r"(?:runs?\s+out|ends?|expires?|is\s+(?:away|out|gone)))\b")

# "ending it" as a life, not a relationship or a call.
_ENDING_IT = r"end(?:ing)?\s+it(?:\s+all)?\b(?!\s+(?:with|between|there|for\s+now|early|off|on))"
SCREENING_QUESTION = re.compile(
    rf"\b(?:suicid\w*|kill(?:ing)?\s+yourself|end(?:ing)?\s+(?:your|their)\s+(?:own\s+)?li(?:fe|ves)|{_ENDING_IT}|"
    rf"tak(?:e|ing)\s+your\s+(?:own\s+)?life|not\s+(?:being|be)\s+(?:here|alive)|wish(?:ed)?\s+you\s+were\s+dead|how\s+"
    rf"would\s+you\s+do\s+it|"
    rf"have\s+you\s+thought\s+about\s+how|(?:a|any)\s+plan|(?:thinking|thought|thoughts)\s+(?:about|of)\s+jumping"
    rf"(?!\s+(?:ship|in|on|at|into\s+(?:the|a)\s+(?:job|pool|deep\s+end)))|rather\s+(?:not\s+be\s+(?:alive|here|"
    rf"around){_NOT_SOMEONE}|be\s+dead)|want(?:ing|ed)?\s+to\s+(?:be\s+gone|die|be\s+dead)|(?:{_ASKED_INTENT}|(?:thinki"
    rf"ng|thought|"
    rf"thoughts)\s+(?:about|of))\s+(?:\w+\s+){{0,2}}?{_DEATH})\b[^?]*\?", re.IGNORECASE)
# Asked only about wishing to be dead (not about acting): a "yes" is passive ideation.
PASSIVE_QUESTION = re.compile(
    rf"\b(?:not\s+(?:being|be)\s+(?:here|alive|around)|wish(?:ed)?\s+you\s+were\s+dead|better\s+off\s+(?:dead|without"
    rf"\s+you)|not\s+wak(?:e|ing)\s+up|life\s+(?:isn'?t|wasn'?t|is\s+not)\s+worth|rather\s+(?:not\s+be\s+\w+"
    rf"{_NOT_SOMEONE}|be\s+dead)|want(?:ing|ed)?\s+to\s+be\s+(?:gone|dead))\b", re.IGNORECASE)
ACTIVE_QUESTION = re.compile(
    rf"\b(?:suicid\w*|kill(?:ing)?\s+yourself|end(?:ing)?\s+(?:your|their)\s+(?:own\s+)?li(?:fe|ves)|{_ENDING_IT}|"
    rf"tak(?:e|ing)\s+your\s+"
    rf"(?:own\s+)?life|plan|how\s+would\s+you|jumping|want(?:ing|ed)?\s+to\s+die|{_ASKED_INTENT}\s+"
    rf"(?:\w+\s+){{0,2}}?{_DEATH})\b", re.IGNORECASE)
# Asked about a method, a plan or when: a "yes" means the patient has one, which is critical.
PLAN_QUESTION = re.compile(
    rf"\b(?:how\s+would\s+you\s+do\s+it|how\s+you\s+would\s+do\s+it|thought\s+about\s+how|(?:a|any)\s+plan|made\s+"
    rf"(?:a\s+)?plans?|a\s+(?:date|method|time\s+in\s+mind)|(?:{_ASKED_INTENT}|(?:thinking|thought|thoughts)\s+"
    rf"(?:about|of))\s+(?:\w+\s+){{0,2}}?{METHOD}|"
    rf"{_ASKED_INTENT}\s+(?:\w+\s+){{0,2}}?{_DEATH}\b[^?]{{0,60}}?\b{WHEN})", re.IGNORECASE)
# The open form: "what are you planning to do?" after the patient named a place or a time. A method in
# reply is the plan.
OPEN_PLAN_QUESTION = re.compile(r"\bwhat\s+(?:are|were)\s+you\s+(?:planning|going|intending|meaning)\s+(?:on\s+)?"
                                r"(?:to\s+do|doing)\b|\bwhat\s+do\s+you\s+(?:plan|intend)\s+to\s+do\b", re.IGNORECASE)
# Someone else as the one who hurt the patient: a family member, a partner, a named person.
_ASKED_AGENT = rf"(?:he|she|they|someone|anyone|your\s+(?:{RELATIVE}|\w+)|(?-i:(?!You\b|It\b|That\b)[A-Z][a-z]+))"
_ASKED_RELATION = rf"(?:he|she|they|your\s+{RELATIVE}|(?-i:(?!You\b|It\b|That\b|This\b)[A-Z][a-z]+))"
ABUSE_QUESTION = re.compile(
    rf"\b(?:did|has|does|is|was)\s+{_ASKED_AGENT}\s+(?:ever\s+)?(?:hit|hurt|push|shove|punch|slap|kick|choke|strangl|"
    rf"threaten|force|hold|pin)\w*\s+(?:you|down)\b[^?]*\?"
    # the reflection: "Are you saying your dad hit you?"
    rf"|\b(?:saying|telling\s+me|mean)\s+(?:that\s+)?{_ASKED_AGENT}\s+(?:\w+\s+)?(?:hit|hurt|push|shove|punch|slap|"
    rf"kick|choke|strangl|threaten|force|pin|rape|touch)\w*\s+you\b[^?]*\?"
    # the cover story questioned: "Did Jamie do that to your eye?", "Was it your husband who did that?"
    rf"|\b(?:did|has|was\s+it)\s+{_ASKED_RELATION}\s+(?:who\s+)?(?:do|did|done)\s+(?:that|this|it)\s+to\s+"
    rf"(?:you|your\s+(?:{BODY}|eye|eyes|face|lip|nose|head|neck|cheek|jaw|mouth|ear|tooth|teeth|back))\b[^?]*\?|\bdid\s"
    rf"+(?:he|she|they)\s+do\s+(?:that|this)\s*\?|\bwas\s+it\s+{_ASKED_RELATION}\s+who\s+(?:did|caused)\s+(?:that|this"
    rf"|it)\b[^?]*\?",
    re.IGNORECASE)
SELF_HARM_QUESTION = re.compile(r"\b(?:hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?|burn(?:ing)?)\s+yourself\b[^?]*\?"
                                r"|\bdid\s+you\s+do\s+(?:that|this|it)\s+to\s+yourself\b[^?]*\?",
                                re.IGNORECASE)
HOMICIDE_QUESTION = re.compile(
    r"\b(?:homicid\w*|(?:thoughts?|urges?|ideas?|fantas\w+|plans?|want(?:ing)?|wish(?:ing)?|feel(?:ing)?\s+like|"
    r"thinking|thought|think|planning|going|intend(?:ing)?)\s+(?:about\s+|of\s+|to\s+|on\s+)?(?:\w+\s+)?(?:kill(?:ing)?"
    r"|"
    r"hurt(?:ing)?|harm(?:ing)?|attack(?:ing)?|stab(?:bing)?|shoot(?:ing)?|using\s+the\s+\w+\s+on)\s+(?:him|her|them|"
    r"someone|anyone|anybody|others|other\s+people))\b[^?]*\?", re.IGNORECASE)
# "If it gets worse, will you call me?" asks for a commitment; "yes" to it is not a disclosure.
SAFETY_REQUEST = re.compile(r"(?<!even\s)\bif\b|\b(?:will|would|can|could)\s+you\s+(?:tell|call|let|ring|text|reach|"
                            r"contact|promise|come|go|use|remember|talk)\b|\bis\s+that\s+(?:okay|ok|alright|all\s+ri"
                            r"ght)\b|"
                            r"\b(?:write|make|put\s+together|draw\s+up|go\s+through|update)\s+(?:down\s+)?(?:a|the|y"
                            r"our)\s+"
                            r"(?:safety\s+)?plan\b|\bsafety\s+plan\b|\bwould\s+you\s+like\b|\bshall\s+we\b|\blet'?s\b",
                            re.IGNORECASE)

# --- the answer -----------------------------------------------------------------------------------
# Stage directions and fillers before the answer proper: "(long pause) Kind of.", "um yeah"
REPLY_PREAMBLE = re.compile(r"^(?:\s*(?:\([^)]{0,40}\)|\[[^\]]{0,40}\])|\W*\b(?:um+|uh+|erm|er|mm+|so|well|i\s+mean)"
                            r"\b)*\W*", re.IGNORECASE)
AFFIRMATIVE = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|ja|si|oui|sim|sometimes|a\s+bit|a\s+little|kind\s+of|sort\s+of|i\s+have|i\s+do|i\s+did|"
    r"maybe|honestly|hanging|pills|tablets|jumping|i'?ve\s+thought|i\s+think\s+so|once\s+or\s+twice|"
    r"a\s+few\s+times|most\s+(?:days|nights)|every\s+day|last\s+(?:night|week)|mm+(?:[\s-]*hmm+)?|mhm+|uh[\s-]*huh|"
    r"exactly|correct|pretty\s+much|that'?s\s+(?:it|right|what\s+i\s+(?:mean|said))|i\s+(?:guess|suppose)(?!\s+not)|"
    # a cover story dropped by naming how: "With his fist."
    r"with\s+(?:his|her|their)\s+(?:fist|hand|hands|belt|foot|boot|knee|elbow))\b",
    re.IGNORECASE)
# A "yes" that goes on to deny: "Yes, I read it properly. Zero. I haven't had any thoughts like that."
REPLY_DENIAL = re.compile(r"\b(?:zero|haven'?t\s+had\s+any|no\s+thoughts|not\s+at\s+all|none\s+at\s+all|never\s+(?:ha"
                          r"d|have)|nothing\s+like\s+that|god\s+no|of\s+course\s+not)\b", re.IGNORECASE)
YES_BUT_NO = re.compile(r"^\W*(?:yes|yeah|yep)\W+(?:no|nope|not\s+really|never)\b", re.IGNORECASE)
# A method given as the answer to "what are you planning to do?": the reply opens with it.
METHOD_REPLY = re.compile(rf"^\W*(?:\w+\W+){{0,3}}?(?:to\s+)?{METHOD}(?!\s+(?:a|the)\s+(?:train|bus|plane|queue|"
                          rf"call|gun|shower))\b", re.IGNORECASE)
# An unlabelled transcript's line that is the therapist speaking: it addresses the patient as "you".
ADDRESSES_PATIENT = re.compile(r"\byou(?:'?re|'?d|'?ve|r|rs)?\b", re.IGNORECASE)
