"""Risks told by what was done rather than by a risk word: the second part of the English lexicon.

summarizer/risk_lexicon.py holds the risk words and the filters; this module holds risks a patient
tells as acts and their structure, written as general shapes rather than phrases:
- lethality in abuse: hands or an arm on the neck, being choked (high; critical when the patient
  lost consciousness); a threat to kill tied to leaving or telling, a weapon held to the patient
  (critical, as in DV risk assessments);
- a child hurt by a parent, told by the adult who saw the marks;
- self-injury without the word: striking a hard surface until the body breaks, a heated object
  pressed to the skin;
- death welcomed in plain words: relief if a bus hit me, not sorry not to see the spring, tired of
  being around, worth more gone;
- the gun on the body without a verb ("sat with the barrel under my chin").
The same (category, severity, regex) shape as the main lexicon; summarizer/risk.py applies both.
"""

from __future__ import annotations

import re

from summarizer.risk_lexicon import AGENT, BODY, FIREARM, INTENT, PILLS, WEAPON
from summarizer.risk_types import RiskSeverity

_KILL = r"(?:kill|murder|stab|shoot|strangle|bury|finish)"
# The threatened killing: "kill me", "set fire to the house with me in it".
_KILL_ME = (rf"(?:{_KILL}\s+(?:me|us)\b|(?:set\s+fire\s+to|burn(?:\s+down)?)\s+(?:the\s+)?(?:house|flat|place|car)"
            r"(?:\s+down)?\s+with\s+(?:me|us)\s+in\s+it\b|set\s+fire\s+to\s+(?:me|us)\b)")
# What a threat to kill is made conditional on: the patient leaving, telling, reporting, taking the children.
_LEAVING = (r"(?:(?:try\s+to\s+|tried\s+to\s+)?(?:leave|left|leaving)(?!\s+(?:the\s+(?:dishes|washing|lights?|door|"
            r"mess|kitchen|office|job|room|bins?)|it|early|work|a\s+mess|my\s+(?:job|stuff|things|shoes|phone))\b)|(?:tell|"
            r"told)\s+(?:anyone|anybody|someone|a\s+soul|the\s+police|social\s+services|the\s+school)|report(?:ed)?\s+"
            r"(?:him|her|them)|call(?:ed)?\s+the\s+police|go\s+to\s+the\s+police|go\s+(?:back\s+)?to\s+my\s+(?:parents|mum|mom|dad|"
            r"family|sister|brother|friend)\w*'?s?|take\s+the\s+(?:kids|children|baby)|"
            r"divorce\s+(?:him|her)|move\s+out)")
_PARENT = r"(?:dad|daddy|father|stepdad|stepfather|mum|mummy|mom|mommy|mother|stepmum|stepmom|stepmother)"
_CHILD_MARK = (r"(?:grandson|granddaughter|grandchild\w*|nephew|niece|my\s+(?:son|daughter|boy|girl|little\s+one)|"
               r"(?:he|she)(?:'s|\s+is)\s+(?:only\s+)?(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
               r"twelve)\b|years?\s+old|nursery|primary\s+school|bath\s*time|his\s+bath|her\s+bath|wets?\s+the\s+bed)")
_HARD_SURFACE = r"(?:walls?|doors?|brick\w*|breeze\s*blocks?|block\s+wall|concrete|mirrors?|windows?|radiators?|floor)"
_HEATED = r"(?:knife|butter\s+knife|spoon|metal|coin|key|blade|pin|needle|fork|paperclip|poker|iron|lighter)"
_PLACE_VERB = r"(?:press\w*|put|putting|puts|hold|holds|held|holding|touch\w*|stick|sticks|stuck|push\w*|lay|laid)"
# What a ligature is made of: anything that goes round a neck.
_LIGATURE = (r"(?:belt|cord|cable|rope|scarf|tie|lead|leash|ligature|sheet|wire|flex|charger|strap|tights|shoelaces?|"
             r"dressing\s+gown\s+cord)")
# A pack taken whole: "a whole strip of", "the full box" (ASR mangles the drug's name; the pack says enough).
# Medicine's own packaging is enough ("a whole strip of ..."); a box or a bottle must hold pills.
_WHOLE_PACK = (rf"(?:a|the|my)\s+(?:whole|full|entire)\s+(?:(?:strip|blister|sheet)s?\b|(?:packet|pack|box|bottle|tub|"
               rf"jar)\s+of\s+(?:my\s+|the\s+|his\s+|her\s+)?(?:\w+'s\s+)?(?:\w+\s+)?{PILLS})")
_ROUND_NECK = rf"\b{_LIGATURE}\b[^.?!\n]{{0,60}}?\b(?:round|around)\s+my\s+(?:own\s+)?neck\b"
# What makes a ligature lethal: a fixed point to hang from, tightening, the drop.
_SUSPENSION = (r"\b(?:banister|bannister|beam|rafters?|hook|door\s*(?:frame|handle)|wardrobe\s+rail|clothes\s+rail|"
               r"loft\s+hatch|wardrobe|got\s+scared|lost\s+my\s+nerve|chickened\s+out|stopped\s+myself|tree|branch|pipe|curtain\s+(?:pole|rail)|bunk|light\s+fitting|(?:pulled|pull|yanked)\s+(?:it\s+)?"
               r"tight|tightened|tighter|couldn'?t\s+breathe|went\s+(?:dizzy|fuzzy|black)|stepped\s+off|kicked\s+(?:the\s+|"
               r"away\s+the\s+)?(?:chair|stool)|stood\s+on\s+(?:the|a)\s+(?:chair|stool))\b")
_VEHICLE = r"(?:bus|car|lorry|truck|train|van|tram|taxi|motorbike)"

_STRANGLED = (rf"\b(?:his|her|their|{AGENT}'s)\s+(?:\w+\s+)?(?:hands?|arms?|forearm|fingers|thumbs?)\s+(?:tight\s+)?"
              r"(?:around|round|on|across|over|against)\s+my\s+(?:neck|throat|windpipe)\b"
              rf"|\b{AGENT}(?:'s|\s+has|\s+had)?\s+(?:\w+\s+)?(?:choked|chokes|strangled|strangles|throttled|throttles)\s+"
              r"me\b(?!\s+up\b)|\b(?:held|holds|holding|grabbed|grabs|pinned|pins|lifted)\s+me\s+(?:up\s+)?(?:by|round|"
              r"around)\s+(?:the|my)\s+(?:neck|throat)\b(?!\s+of\b)"
              # smothering: "he put the pillow over my face and held it there"
              rf"|\b{AGENT}(?:'s|\s+has|\s+had)?\s+(?:\w+\s+)?(?:put|held|holds|pressed|presses|pushed|clamped)\s+(?:a|the|"
              r"his|her|their)\s+(?:pillow|cushion|hand|hands|bag|towel)\s+over\s+my\s+(?:face|mouth|nose|head)\b")
# Unconsciousness after strangulation: the mark of the most lethal assaults.
_PASSED_OUT = (r"(?:blacked\s+out|black\s+out|passed\s+out|pass\s+out|lost\s+consciousness|went\s+unconscious|"
               r"knocked\s+(?:me\s+)?(?:out|unconscious)|everything\s+went\s+black|came\s+(?:round|to)\s+on\s+the\s+floor)")

PATTERNS: list[tuple[str, RiskSeverity, str]] = [
    # Strangulation told in any words: critical, as DV risk assessments (DASH, the Danger Assessment) rate it,
    # whether or not the patient lost consciousness.
    ("abuse", RiskSeverity.CRITICAL, _STRANGLED),
    # A weapon held to the patient by someone else: "he held the knife to my throat".
    ("abuse", RiskSeverity.CRITICAL,
     rf"\b{AGENT}(?:'s|\s+has|\s+had)?\s+(?:\w+\s+)?(?:held|holds|put|puts|pressed|presses|pointed|points|had)\s+(?:a|"
     rf"the|his|her|their)\s+(?:\w+\s+){{0,2}}?(?:knife|blade|{FIREARM})\s+(?:to|at|against|on|under|in)\s+(?:me|my)\b"
     rf"|\bthreatened\s+(?:to\s+)?{_KILL}\s+me\b|\bthreatened\s+me\s+with\s+(?:a|the|his|her|their)\s+(?:\w+\s+)?"
     rf"(?:knife|blade|{FIREARM})\b"),
    # A threat to kill tied to leaving or telling: "if I ever try to leave with the kids he'll kill me". The
    # condition is the threat, so the match starts at "if" and the hypothetical filter, reading only what comes
    # before, does not cancel it ("my mum'll kill me if I'm late" names no leaving and is not matched).
    ("abuse", RiskSeverity.CRITICAL,
     rf"\bif\s+i\s+(?:ever\s+)?(?:even\s+)?(?:try\s+to\s+|tried\s+to\s+|dare\s+)?{_LEAVING}\b[^.?!\n]{{0,60}}?\b(?:he|"
     rf"she|they)(?:'ll|'d|\s+will|\s+would|\s+is\s+going\s+to|'s\s+going\s+to)\s+(?:\w+\s+)?{_KILL_ME}"
     rf"|\b(?:he|she|they)(?:'ll|'d|\s+will|\s+would)\s+(?:\w+\s+)?{_KILL_ME}[^.?!\n]{{0,30}}?\bif\s+i\s+"
     rf"(?:ever\s+)?(?:try\s+to\s+|tried\s+to\s+)?{_LEAVING}\b"),
    # Striking a hard surface until the body breaks: "punch the block wall till my knuckles split".
    ("self_harm", RiskSeverity.HIGH,
     rf"\b(?:punch\w*|hit|hits|hitting|smash\w*|bang\w*|slam\w*|head[\s-]?butt\w*)\s+(?:\w+\s+){{0,5}}?{_HARD_SURFACE}\b"
     r"[^.?!\n]{0,40}?\b(?:till|until|til)\s+(?:(?:i|my\s+\w+)\s+(?:get|got|gets|had)\s+a\s+(?:nosebleed|bruise|lump|"
     r"black\s+eye|cut|gash)|my\s+(?:knuckles?|hands?|fists?|fingers?|skin|head|forehead)\s+(?:\w+\s+)?"
     r"(?:split|splits|bled|bleeds?|bleeding|broke|cracked|swelled|swell|went\s+numb)|(?:it|they|i)\s+(?:bled|was\s+"
     r"bleeding|were\s+bleeding|started\s+bleeding)|(?:it|they|my\s+\w+)\s+(?:broke|cracked|snapped|went\s+crunch))\b"),
    # A heated object pressed to the skin: "heat the tip of a knife with my lighter and press it on my hip".
    ("self_harm", RiskSeverity.HIGH,
     rf"\b(?:heat|heats|heated|heating)\s+(?:up\s+)?(?:\w+\s+){{0,5}}?{_HEATED}\b[^.?!\n]{{0,60}}?\b{_PLACE_VERB}\s+"
     rf"(?:it|them)\s+(?:on|onto|into|against|to)\s+my\s+(?:{BODY}|skin)\b"
     rf"|\b(?:hot|heated|red[\s-]hot)\s+(?:\w+\s+)?{_HEATED}\b[^.?!\n]{{0,30}}?\b(?:on|onto|into|against|to)\s+my\s+"
     rf"(?:{BODY}|skin)\b(?=[^.?!\n]{{0,60}}?\b(?:on\s+purpose|again|every|blister|mark|scar|so\s+it)\b)"),
    # An edge held to the skin: "hold the kitchen knife against my wrist", "pressed the blade to my throat".
    ("self_harm", RiskSeverity.HIGH,
     r"\bi(?:'ve|\s+have|'d|\s+had)?\s+(?:\w+\s+){0,2}?(?:hold|held|holding|press|pressed|pressing|put|putting|rest\w*)"
     r"\s+(?:a|the|my)\s+(?:\w+\s+)?(?:knife|blade|razor|scissors|shard|broken\s+glass|glass)\s+(?:against|to|on|into)\s+"
     r"my\s+(?:wrists?|throat|neck|arms?|skin|thighs?|stomach)\b(?!\s+to\s+(?:cut|peel|remove|take|get)\b)"),
    # A pack taken whole, or all of someone's pills: "took a whole strip of my pregabalin", "swallowed all my mum's
    # diazepam".
    ("overdose", RiskSeverity.CRITICAL,
     rf"\b(?:took|taken|swallowed|downed|necked)\s+(?:like\s+|about\s+)?{_WHOLE_PACK}\b"
     rf"|\b(?:took|taken|swallowed|downed|necked)\s+(?:all|the\s+rest)\s+(?:of\s+)?(?:my|the)\s+"
     rf"(?:\w+'s\s+)?(?:\w+\s+)?{PILLS}\b(?!\s+(?:to|back|with\s+me|home|out|in|into|off|down|up|away)\b)"),
    # Someone slamming the patient's head or face into something: "slammed my head into the car door".
    ("abuse", RiskSeverity.HIGH,
     rf"\b{AGENT}(?:'s|\s+has|\s+had)?\s+(?:\w+\s+)?(?:slammed|slams|smashed|smashes|banged|bangs|bashed|bashes|"
     r"shoved|pushed|rammed|cracked)\s+my\s+(?:head|face)\s+(?:into|against|on|off)\b"),
    # Marks made into the body: "carving lines into my stomach", "stubbing cigarettes out on the back of my hand".
    ("self_harm", RiskSeverity.HIGH,
     rf"\b(?:carv|etch|slash|gouge)\w*\s+(?:\w+\s+){{0,4}}?(?:into|on|onto|across|along)\s+(?:the\s+(?:back|inside|top|"
     rf"front)\s+of\s+)?my\s+{BODY}\b|\bstub\w*\s+(?:\w+\s+){{0,3}}?(?:out\s+)?(?:on|into|against)\s+(?:the\s+(?:back|"
     rf"inside|top)\s+of\s+)?my\s+{BODY}\b|\b(?:cut|cutting|burn\w*|scratch\w*)\s+(?:lines|marks|words|letters|"
     rf"patterns|shapes|his\s+name|her\s+name)\s+(?:into|on|onto|across)\s+my\s+{BODY}\b"),
    # A method's ease imagined: "I think about how easy it'd be to just step forward".
    ("suicidal_ideation_active", RiskSeverity.HIGH,
     r"\b(?:think|thinking|thought|imagine|imagining)\s+(?:about\s+)?how\s+easy\s+(?:it'?d|it\s+would)\s+be\s+to\s+"
     r"(?:just\s+)?(?:step\s+(?:forward|off|out\s+in\s+front|in\s+front)|jump|lean\s+(?:over|forward)|fall\s+(?:forward|off|"
     r"in)|swerve|let\s+go|go\s+over|drive\s+(?:off|into)|walk\s+(?:into\s+the\s+(?:sea|river|traffic)|in\s+front|off)|take\s+"
     r"(?:them\s+all|the\s+lot|all\s+of\s+them))\b"),
    # Going to the target with a weapon: "I'm going to go round there with the axe".
    ("violence", RiskSeverity.CRITICAL,
     rf"\b{INTENT}(?:go\s+)?(?:round|over|down|up)\s+(?:there|to\s+(?:his|hers|her|their)\b[\w\s']{{0,12}}?)\s+with\s+"
     rf"(?:the|a|my)\s+(?:\w+\s+)?{WEAPON}\b"),
    # A weapon or means turned on the patient: "use my dad's gun on myself", "using the rope on myself".
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     rf"\b(?:use|using|used|turn|turning|turned)\s+(?:the|a|my|his|her|dad'?s|mum'?s|\w+'s|my\s+\w+'?s)\s+(?:\w+\s+)?"
     rf"(?:{WEAPON}|rope|belt|blade|razor|{PILLS})\s+on\s+myself\b"),
    # The patient's own body hurt on purpose, in any verb: "I hurt my hand on purpose", "burnt my arm deliberately".
    ("self_harm", RiskSeverity.HIGH,
     rf"\b(?:hurt|hurting|injur\w*|hit|hitting|punch\w*|burn\w*|cut|cutting|bang\w*|smash\w*|slam\w*|br[oe]ke?|"
     rf"breaking|scratch\w*|bruis\w*)\s+my\s+(?:own\s+)?(?:{BODY}|head|face|knuckles?|fists?|fingers?)\b"
     r"[^.?!\n]{0,30}?\b(?:on\s+purpose|deliberately|intentionally)\b"),
    # The gun on the body, no verb needed: "sit in the recliner with the barrel under my chin".
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     rf"\b(?:the|a|my)\s+(?:\w+\s+)?(?:barrel|muzzle|{FIREARM})\s+(?:under|against|in|into|to)\s+my\s+(?:chin|head|"
     r"mouth|temple|jaw|chest)\b"),
    # Worth more, or everyone better off, with the patient gone: "the farm's worth more with me gone".
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\b(?:worth\s+more|better\s+off|easier|happier)\s+(?:\w+\s+){0,2}?with\s+me\s+(?:gone|dead|out\s+of\s+the\s+"
     r"(?:way|picture))\b(?!\s+(?:on|to|for|from|away|abroad|at|in|travelling|camping|this|next)\b)|\bworth\s+more\s+gone\b"
     # Tired of being alive in other words: "I'm tired of being around", not "tired of being around people".
     r"|\b(?:hope|hoping|wish|wishing|pray|praying)\s+(?:that\s+)?(?:my\s+heart\s+(?:just\s+)?(?:stops|gives\s+out)|i\s+"
     r"(?:just\s+)?(?:die|pass\s+away|go)\s+in\s+my\s+sleep)\b(?![^.?!\n]{0,20}\b(?:when\s+i'?m|one\s+day|old\s+age|"
     r"not\s+before|at\s+(?:ninety|a\s+hundred))\b)"
     r"|\b(?:like|want|wish|prefer)\s+to\s+(?:just\s+)?(?:not\s+exist|stop\s+existing)\b(?!\s+(?:on|in|at|online|as)\b)"
     r"|\b(?:tired|sick|weary)\s+of\s+(?:being\s+(?:around|here|alive)|existing)\b(?!\s+(?:people|him|"
     r"her|them|you|my|the|this|that|those|these|with|in|at|on|like|so|as)\b)"),
]

# Patterns carrying their own negation or condition (see risk_lexicon.SELF_NEGATING).
SELF_NEGATING: list[tuple[str, RiskSeverity, str]] = [
    # "I don't want to wake up tomorrow" (not "to wake up early", "wake up at six for work").
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\b(?:don'?t|do\s+not|dont)\s+want\s+to\s+(?:ever\s+)?wake\s+up\b(?!\s+(?:early|at|for|before|so|this|that|to|in\s+"
     r"time|on\s+time|when|and\s+(?:go|have)|with|next\s+to|alone|in\s+(?:a|the|this)\s+(?:strange|different|new|cold|hospital|mess|panic|sweat)|the|my|him|her|them|you|anyone|"
     r"everyone|everybody|(?-i:[A-Z])\w+)\b)"),
    # Relief at an accidental death: "if a bus hit me right now I'd be relieved".
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     rf"\bif\s+(?:a|the|some)\s+(?:\w+\s+)?{_VEHICLE}\s+(?:just\s+)?(?:hit|hits|took|takes|ran\s+(?:me\s+)?over|runs\s+"
     r"(?:me\s+)?over|knocked\s+me\s+(?:down|over))\s*(?:me)?\b[\w\s,']{0,30}?\b(?:i'?d|id|i\s+would|i'?ll|it'?d)\s+(?:\w+"
     r"\s+)?be\s+(?:relieved|glad|grateful|thankful|happy|pleased)\b"
     # Not sorry not to see the next season: "I'd not be sorry if I didn't see the spring".
     r"|\b(?:wouldn'?t|would\s+not|'d\s+not|won'?t|will\s+not)\s+(?:be\s+(?:sorry|sad|upset|bothered)|mind|care)\s+"
     r"if\s+i\s+(?:didn'?t|did\s+not|never|don'?t|won'?t)\s+(?:see|make\s+it\s+to|live\s+to\s+see|get\s+to\s+see|reach)"
     r"\s+(?:the\s+|another\s+|next\s+|this\s+)?(?:spring|summer|autumn|winter|christmas|birthday|new\s+year|year|"
     r"easter|morning)\b(?!\s+(?:at|with|in|party|dinner|market|lights|film|show|there)\b)"),
]

# Read across a patient turn: a child hurt by a parent, told by the adult ("He said Daddy hits him when he wets the
# bed. He's six."). "Daddy"/"Mummy" is a child's word; "his dad hits him" needs a child named in the turn.
_CHILD_HURT = (rf"(?:daddy|mummy|mommy|(?:his|her)\s+{_PARENT})\s+(?:\w+\s+)?(?:hits|hit|beats|smacks|slaps|kicks|"
               r"punches|burns|chokes|shakes|hurts|locks|shuts)\s+(?:him|her)\b")
TURN_PATTERNS: list[tuple[str, RiskSeverity, re.Pattern[str]]] = [
    # A ligature round the neck with something to hang from or tightening ("tied the cord round the banister and
    # round my neck", "the belt round my neck and pulled it tight"); a bag over the head taped or tied. A scarf
    # round the neck is only a scarf.
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     re.compile(rf"{_ROUND_NECK}[^\n]{{0,150}}?{_SUSPENSION}|{_SUSPENSION}[^\n]{{0,150}}?{_ROUND_NECK}"
                r"|\bbag\s+over\s+my\s+(?:head|face)\b[^.?!\n]{0,60}?\b(?:tape\w*|tied|sealed|couldn'?t\s+breathe|round\s+my"
                r"\s+neck|elastic)|\b(?:taped|tied)\s+(?:a|the)\s+(?:plastic\s+|carrier\s+)?bag\s+over\s+my\s+(?:head|face)\b",
                re.IGNORECASE)),
    ("abuse", RiskSeverity.CRITICAL,
     re.compile(rf"(?:{_STRANGLED})[^\n]{{0,200}}?\b{_PASSED_OUT}\b|\b{_PASSED_OUT}\b[^\n]{{0,200}}?(?:{_STRANGLED})",
                re.IGNORECASE)),
    ("abuse", RiskSeverity.HIGH,
     re.compile(rf"\b(?:daddy|mummy|mommy)\s+(?:\w+\s+)?(?:hits|hit|beats|smacks|slaps|kicks|punches|burns|chokes|"
                rf"shakes|hurts|locks|shuts)\s+(?:him|her)\b|\b{_CHILD_MARK}\b[^\n]{{0,400}}?\b{_CHILD_HURT}"
                rf"|\b{_CHILD_HURT}[^\n]{{0,400}}?\b{_CHILD_MARK}\b", re.IGNORECASE)),
]

COMPILED = [(cat, sev, re.compile(rx, re.IGNORECASE), False) for cat, sev, rx in PATTERNS] + [
    (cat, sev, re.compile(rx, re.IGNORECASE), True) for cat, sev, rx in SELF_NEGATING
]
