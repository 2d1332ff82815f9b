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
    r"doctor|nurse|cpn|gp|psychiatrist|psychotherapist|social\s+worker|key\s*worker|case\s*(?:manager|worker)|"
    r"(?:youth|support|outreach|peer\s+support)\s+worker|school\s+counsell?or|teacher|mentor|chaplain|midwife|"
    r"health\s+visitor|advocate|terapist|psikolog|"
    r"psychologist|provider|terapeuta|th[eé]rapeute|therapeut(?:in)?|terapeut[ak]?|psic[oó]log[oa]|psychologue|"
    r"psycholo(?:ge|gin|og)|behandelaar|hulpverlener)\s*:)", re.IGNORECASE)
PATIENT_LABEL = re.compile(
    r"^\s*(?:speaker\s*(?:2|two)\b\s*:?|(?:patient(?:e|in)?|client[ea]?|cli[eë]nt[ea]?|c|p|speaker\s*2|pt|paciente|"
    r"paziente|pacjent(?:ka)?|klient(?:in)?|dan[ıi][sş]an|hasta|young\s+person|student|pupil|service\s+user|"
    r"resident|caller)\s*:)", re.IGNORECASE)
# A speaker named rather than given a role ("Sunita: Haan, theek hai."): in a dialogue whose therapist has a role
# label, the patient. Not a heading a note or a transcript export might carry.
NAMED_SPEAKER_LABEL = re.compile(
    r"^\s*(?-i:(?!(?:Note|Notes|Session|Date|Time|Summary|Plan|Risk|Subjective|Objective|Assessment|Transcript|"
    r"Interpreter|Translator|Mother|Father|Mum|Mom|Dad|Partner|Husband|Wife|Parent)\b)(?:(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+)?"
    r"[A-Z][\w'-]{1,20}(?:\s+[A-Z][\w'-]{1,20})?)\s*:")
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
# A self-directed method put to the patient in a reflection: "shooting yourself", "step out in front of a lorry".
_SELF_METHOD = (rf"(?:{METHOD}|shoot(?:ing)?\s+yourself|gas(?:sing)?\s+yourself|poison(?:ing)?\s+yourself|"
                rf"(?:cut|cutting|slit|slitting)\s+your\s+(?:wrists?|throat)|suffocat\w*\s+yourself)")
# The reflection frame: "are you saying you've been ...", "you're telling me you ...".
_REFLECTION = r"(?:saying|telling\s+me|mean|describing|sounds\s+like|hearing)\s+(?:that\s+)?(?:you|you'?re|you'?ve)\b"
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
    rf"thoughts)\s+(?:about|of))\s+(?:\w+\s+){{0,2}}?{_DEATH}|{_REFLECTION}[^?.]{{0,60}}?{_SELF_METHOD}|"
    rf"(?:trying|tried|meant|meaning|wanted|wanting)\s+to\s+(?:kill\s+yourself|end\s+(?:your\s+(?:own\s+)?life|it)|"
    rf"die))\b[^?]*\?", re.IGNORECASE)
# Asked only about wishing to be dead (not about acting): a "yes" is passive ideation.
PASSIVE_QUESTION = re.compile(
    rf"\b(?:not\s+(?:being|be|wanting\s+to\s+be)\s+(?:here|alive|around)|wish(?:ed)?\s+you\s+were\s+dead|better\s+off\s+(?:dead|without"
    rf"\s+you)|not\s+wak(?:e|ing)\s+up|life\s+(?:isn'?t|wasn'?t|is\s+not)\s+worth|rather\s+(?:not\s+be\s+\w+"
    rf"{_NOT_SOMEONE}|be\s+dead)|want(?:ing|ed)?\s+to\s+be\s+(?:gone|dead))\b", re.IGNORECASE)
# The same, put as a question ("...or that life isn't worth living?"): a "no" to it denies suicidal thoughts.
PASSIVE_SCREENING_QUESTION = re.compile(PASSIVE_QUESTION.pattern + r"[^?]*\?", re.IGNORECASE)
ACTIVE_QUESTION = re.compile(
    rf"\b(?:suicid\w*|{_SELF_METHOD}|trying\s+to|kill(?:ing)?\s+yourself|end(?:ing)?\s+(?:your|their)\s+(?:own\s+)?li(?:fe|ves)|{_ENDING_IT}|"
    rf"tak(?:e|ing)\s+your\s+"
    rf"(?:own\s+)?life|plan|how\s+would\s+you|jumping|want(?:ing|ed)?\s+to\s+die|{_ASKED_INTENT}\s+"
    rf"(?:\w+\s+){{0,2}}?{_DEATH})\b", re.IGNORECASE)
# Asked about a method, a plan or when: a "yes" means the patient has one, which is critical.
PLAN_QUESTION = re.compile(
    rf"\b(?:how\s+would\s+you\s+do\s+it|how\s+you(?:\s+would|'?d|\s+might)\s+do\s+it|thought\s+about\s+how|(?:a|any)\s+plan|made\s+"
    rf"(?:a\s+)?plans?|a\s+(?:date|method|time\s+in\s+mind)|(?:{_ASKED_INTENT}|(?:thinking|thought|thoughts)\s+"
    rf"(?:about|of))\s+(?:\w+\s+){{0,2}}?{METHOD}|"
    rf"{_ASKED_INTENT}\s+(?:\w+\s+){{0,2}}?{_DEATH}\b[^?]{{0,60}}?\b{WHEN}"
    # a rehearsal, or going somewhere to do it: "practising shooting yourself", "going there to step out"
    rf"|(?:practi[sc]\w*|rehears\w*|testing|going\s+(?:there|down\s+there|up\s+there)\s+to|been\s+going\s+\w+\s+to)"
    rf"\s+(?:\w+\s+){{0,2}}?{_SELF_METHOD}"
    # intent with the means named: "planning to end your life with your insulin"
    rf"|{_ASKED_INTENT}\s+(?:\w+\s+){{0,2}}?{_DEATH}\s+(?:with|using|by\s+taking)\s+(?:your|the|those|that|a)\b"
    # an attempt: "were you trying to end your life?", "did you mean to die?"
    rf"|(?:were|was)\s+you\s+(?:trying|meaning|wanting)\s+to\s+(?:kill\s+yourself|end\s+(?:your\s+(?:own\s+)?life|"
    rf"it)|die)|did\s+you\s+(?:mean|want|intend)\s+to\s+(?:die|kill\s+yourself|end\s+your\s+life))", re.IGNORECASE)
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
    r"someone|anyone|anybody|others|other\s+people))\b(?!\s+(?:a\s+(?:message|text|line|look)|an?\s+email|with\s+kindn"
    r"ess|feelings))[^?]*\?", re.IGNORECASE)
# A plan to harm someone put to the patient: "Are you telling me you're planning to set fire to Lee's flat with him
# inside?" A "yes" is intent against a target: critical.
_HARM_ACT = (r"(?:kill|murder|hurt|harm|stab|shoot|attack|strangle|run\s+(?:him|her|them)\s+over|set\s+fire\s+to|"
             r"set\s+(?:light|alight)\s+to|burn(?:ing)?\s+down|torch|petrol\s+bomb|batter|beat\s+up)")
HOMICIDE_PLAN_QUESTION = re.compile(
    rf"\b(?:planning|plan|planned|going|gonna|intend(?:ing|ed)?|decided|mean(?:ing)?)\s+(?:on\s+)?to\s+(?:\w+\s+){{0,2}}?"
    rf"{_HARM_ACT}\s+(?:him|her|them|someone|his|her|their|{_ASKED_RELATION}(?:'s)?)\b(?!\s+(?:a\s+(?:message|text|"
    rf"line|look)|an?\s+email|with\s+kindness|at\s+(?:chess|tennis|cards|pool)|feelings))[^?]*\?", re.IGNORECASE)
# A follow-up about the risk the patient has just confirmed: "Is that something you're planning to do?", "Have you
# thought about when?". Answered yes (or with a time), the confirmed risk has a plan: critical.
# How it would be done, asked after a risk just confirmed: "Have you decided how?", "And how?" (not "how often").
HOW_QUESTION = re.compile(r"\b(?:decided|worked\s+out|thought\s+about|know)\s+how\s*\?|^\W*(?:and\s+)?how\s*\?|"
                          r"\bhow\s+(?:would|will|were|are)\s+you\s+(?:do|going\s+to\s+do)\s+it\b", re.IGNORECASE)
FOLLOW_UP_PLAN_QUESTION = re.compile(
    r"\b(?:is\s+(?:that|it|this)\s+something\s+you'?r?e?\s*(?:are\s+)?(?:planning|going|intending|meaning)|(?:are|"
    r"were)\s+you\s+(?:planning|going|intending)\s+(?:on\s+)?to\s+(?:do|act\s+on)\s+(?:it|that|this)|(?:thought|"
    r"decided|worked\s+out)\s+(?:about\s+)?(?:when|where|how)(?:\s+(?:you'?d|you\s+would|you\s+might)\s+(?:do\s+it|do\s+"
    r"that|act\s+on\s+it))?\s*(?=\?)|(?:do|did)\s+you\s+(?:have|know)\s+(?:a\s+)?(?:when|"
    r"date|day|time)|when\s+(?:would|will|were)\s+you\s+(?:do|planning)|do\s+you\s+intend\s+to\s+act|"
    r"^\W*(?:and\s+)?(?:when|how|where)\s*\?)",
    re.IGNORECASE)
# A means given as the answer to "how would you do it?" after a confirmed risk: "The tablets in the drawer."
MEANS_REPLY = re.compile(
    rf"\b(?:{PILLS}|tablets|rope|belt|cord|ligature|noose|gun|shotgun|rifle|knife|blade|razor|bridge|train|tracks|cliff|"
    r"roof|car\s+park|motorway|river|sea|car|exhaust|hose|jump\w*|hang\w*|overdos\w*|drown\w*|cut\w*|shoot\w*|"
    r"charcoal|(?:bought|got|have|'ve\s+got)\s+(?:what|everything|all)\s+i\s+need|pesticide|weedkiller|poison|"
    r"gas|helium|bag)\b",
    re.IGNORECASE)
# A time given as the answer to "when?": "the last weekend of the month", "Friday, when she's at work".
TIME_REPLY = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|tonight|tomorrow|next\s+\w+|end\s+of\s+"
    r"(?:the\s+)?(?:week|month|term|year)|(?:first|last)\s+(?:weekend|week|day)|the\s+\d{1,2}(?:st|nd|rd|th)?|the\s+"
    r"\w+(?:th|st|nd)\b|birthday|anniversary|christmas|when\s+(?:\w+\s+)?\w+(?:'?s|\s+is|\s+are|'re)\s+(?:away|out|"
    r"gone|at)|\w+(?:'?s|\s+is|\s+are|'re)\s+away|(?:in|by|at\s+the\s+end\s+of)\s+(?:january|february|march|april|may|"
    r"june|july|august|september|october|november|december)|have\s+the\s+(?:flat|house|place)\s+to\s+myself)\b",
    re.IGNORECASE)
# "How many did you take?" answered with a count: the count is an overdose when it is a handful or more.
QUANTITY_QUESTION = re.compile(r"\bhow\s+(?:many|much)\b[^?]{0,40}?\b(?:did\s+you\s+(?:\w+\s+and\s+)?(?:take|swallow)|"
                               r"(?:you|had|have)\s+"
                               r"(?:took|taken|swallowed))\b", re.IGNORECASE)
NOT_PILLS = re.compile(r"\b(?:photos?|pictures?|shots?|selfies|steps|breaths|calls|lessons|classes|days\s+off|pages)\b",
                       re.IGNORECASE)
QUANTITY_REPLY = re.compile(
    r"\b(?:\d{2,}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|"
    r"fifty|hundred|(?:a\s+)?(?:whole|full|entire)\s+(?:strip|packet|pack|box|bottle|blister|sheet)|all\s+of\s+them|the\s+"
    r"lot|everything)\b", re.IGNORECASE)
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
    r"^\W*(?:yes|yeah|yep|yup|aye|yea|ya|ja|si|oui|sim|that'?s\s+the\s+plan|sometimes|a\s+bit|a\s+little|kind\s+of|sort\s+of|i\s+have|i\s+do|i\s+did|"
    r"maybe|honestly|hanging|pills|tablets|jumping|i'?ve\s+thought|i\s+think\s+so|once\s+or\s+twice|"
    r"a\s+few\s+times|most\s+(?:days|nights)|every\s+day|last\s+(?:night|week)|mm+(?:[\s-]*hmm+)?|mhm+|uh[\s-]*huh|"
    r"exactly|correct|pretty\s+much|more\s+or\s+less|near\s+enough|you\s+could\s+say\s+that|something\s+like\s+that|"
    r"that'?s\s+about\s+(?:the\s+size\s+of\s+it|right|it)|i\s+think\s+i\s+(?:will|might|would)\b|"
    r"that'?s\s+(?:it|right|what\s+i\s+(?:mean|said))|i\s+(?:guess|suppose)(?!\s+not)|"
    # a cover story dropped by naming how: "With his fist."
    r"with\s+(?:his|her|their)\s+(?:fist|hand|hands|belt|foot|boot|knee|elbow))\b",
    re.IGNORECASE)
# A "yes" after a hedge, opening a later sentence of the first few: "I don't really want to say it like that. But yeah."
HEDGED_YES = re.compile(r"^(?:[^.?!]{0,120}[.?!]+\s+){1,2}(?:but\s+|and\s+)?(?:yes|yeah|yep|aye)\b"
                        r"(?!\W+(?:no|nope|not)\b)", re.IGNORECASE)
# A "no" that goes further than yes: "I'm not thinking about it. I've decided."
DECIDED_REPLY = re.compile(r"^(?:[^.?!]{0,60}[.?!]+\s+)?(?:i'?ve|i\s+have)\s+(?:already\s+)?(?:decided|made\s+up\s+"
                           r"my\s+mind|made\s+my\s+(?:mind\s+up|decision))\b", re.IGNORECASE)
# A "yes" that goes on to deny: "Yes, I read it properly. Zero. I haven't had any thoughts like that."
REPLY_DENIAL = re.compile(r"\b(?:zero|haven'?t\s+had\s+any|no\s+thoughts|not\s+at\s+all|none\s+at\s+all|never\s+(?:ha"
                          r"d|have)|nothing\s+like\s+that|god\s+no|of\s+course\s+not)\b", re.IGNORECASE)
YES_BUT_NO = re.compile(r"^\W*(?:yes|yeah|yep)\W+(?:no|nope|not\s+really|never)\b", re.IGNORECASE)
# A method given as the answer to "what are you planning to do?": the reply opens with it.
METHOD_REPLY = re.compile(rf"^\W*(?:\w+\W+){{0,3}}?(?:to\s+)?{METHOD}(?!\s+(?:a|the)\s+(?:train|bus|plane|queue|"
                          rf"call|gun|shower))\b", re.IGNORECASE)
# An unlabelled transcript's line that is the therapist speaking: it addresses the patient as "you".
ADDRESSES_PATIENT = re.compile(r"\byou(?:'?re|'?d|'?ve|r|rs)?\b", re.IGNORECASE)
