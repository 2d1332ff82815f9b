"""Deterministic risk detection in transcripts, and reconciliation of a note with it.

Whatever the model writes, a current risk statement in the transcript ends up in the
note's Risk section as ``{{RED:...}}``. The detector is a lexicon of first-person risk
statements with clause-level negation, hypothetical, third-party and history handling.
Therapist turns are skipped: screening questions ("any thoughts of hurting yourself?")
are not findings, and neither are the patient's denials that answer them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from summarizer.sections import RED_CLOSE, RED_OPEN
from summarizer.text import red_spans, unwrap_red_markers
from summarizer.validation import NONE_REPORTED, parse_note, render_note, trim_sections


class RiskSeverity(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRITICAL = "critical"


@dataclass(frozen=True)
class RiskFinding:
    category: str
    severity: RiskSeverity
    evidence: str
    start: int
    end: int
    current: bool = True


@dataclass(frozen=True)
class RiskReconciliation:
    note: str
    added: list[RiskFinding]
    unsupported_claims: list[str]
    intervened: bool


# --- lexicon ----------------------------------------------------------------------------------
_PILLS = (r"(?:pills|tablets|meds|medications?|sleeping\s+pills|painkillers|the\s+bottle|a\s+bottle|paracetamol|"
          r"acetaminophen|tylenol|ibuprofen|aspirin|lithium|insulin|antidepressants|benzos|xanax|valium|"
          r"oxy\w*|heroin|fentanyl|morphine|codeine|tramadol|quetiapine|seroquel|diazepam|alprazolam|lorazepam|"
          r"ativan|clonazepam|klonopin|temazepam|zopiclone|zolpidem|ambien|trazodone|propranolol|sertraline|"
          r"citalopram|fluoxetine|amitriptyline|mirtazapine|pregabalin|gabapentin|co-?codamol|methadone)")
# Sedatives and opioids: taken on top of a night's drinking they are an overdose, whatever the count.
_SEDATIVES = (r"(?:sleeping\s+(?:pills|tablets)|painkillers|benzos|xanax|valium|diazepam|alprazolam|lorazepam|ativan|"
              r"clonazepam|klonopin|temazepam|zopiclone|zolpidem|ambien|trazodone|oxy\w*|heroin|fentanyl|morphine|"
              r"codeine|tramadol|methadone|pregabalin|gabapentin|quetiapine|seroquel|co-?codamol|propranolol)")
_NUMBER = (r"(?:\d{2,}|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
           r"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|hundred)")
# "about twenty", "maybe six or seven", "nearly a hundred"
_AMOUNT = (rf"(?:(?:about|around|roughly|like|maybe|nearly|almost|over|at\s+least|probably|something\s+like)\s+)?"
           rf"(?:a\s+)?{_NUMBER}(?:\s+or\s+{_NUMBER})?")
_ALCOHOL = r"(?:vodka|wine|whisk(?:e)?y|gin|rum|beers?|cider|alcohol|booze|drink|drinks|spirits|tequila|brandy)"
_RELATIVE = (r"(?:husband|wife|boss|dad|father|mother|mom|mum|stepdad|stepfather|brother|sister|ex|"
             r"boyfriend|girlfriend|partner|neighbou?r|coworker|co-worker|teacher|uncle|son|daughter)")
_BODY = (r"(?:(?:own\s+)?(?:left\s+|right\s+|upper\s+|inner\s+|lower\s+)?(?:arm|arms|forearm|forearms|wrist|wrists|"
         r"leg|legs|thigh|thighs|skin|stomach|belly|tummy|abdomen|hand|hands|hip|hips|chest|ankle|ankles|ribs|"
         r"shoulder|shoulders|calf|calves|side|body))")
_FIREARM = r"(?:gun|guns|shotgun|rifle|pistol|revolver|handgun|firearm|glock)"
_WEAPON = rf"(?:{_FIREARM}|knife|hunting\s+knife|machete|hammer|axe|bat|baseball\s+bat|crowbar)"
# Someone else as the subject of what was done to the patient.
_AGENT = rf"(?:he|she|they|my\s+{_RELATIVE}|(?-i:\b(?!(?:The|It|That|This|There|What|Then|I)\b)[A-Z][a-z]+))"

_PATTERNS: list[tuple[str, RiskSeverity, str]] = [
    # active suicidal ideation / plans
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     rf"\b(?:thought|thinking|think|planned|planning|plan|going|want|wanted|wanting|decided|considered|considering)"
     rf"\b[\w\s']{{0,20}}?\b(?:to take|about taking|of taking|on taking)\s+(?:all|every one of|a bunch of|"
     rf"the rest of|the whole)\b[\w\s]{{0,12}}{_PILLS}"),
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\b(?:kill|killing|end|ending|take|taking)\s+my\s*self\b|\bkill\s+me\s*self\b|\b(?:end|take|ending|taking)"
     r"\s+my\s+(?:own\s+)?life\b|\bend(?:ing)?\s+it\s+all\b|\bhang(?:ing)?\s+myself\b|\bshoot(?:ing)?\s+myself\b"
     r"|\bjump(?:ing)?\s+(?:off|in front of)\b"),
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\b(?:wrote|written|writing)\s+(?:a|my)\s+(?:suicide\s+)?(?:note|goodbye letter)\b|\bsuicide\s+plan\b"
     r"|\b(?:bought|got|have)\s+(?:a\s+)?(?:gun|rope)\b[\w\s]{0,20}\b(?:for|to)\s+(?:myself|end|use)"),
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     rf"\b(?:stockpil\w*|hoard(?:ed|ing)\s+(?:my\s+)?{_PILLS}|sav(?:e|ed|ing)\s+(?:up\s+)?(?:my\s+|some\s+|the\s+)?"
     rf"{_PILLS}|putting\s+(?:a\s+few|some|them)\s+aside|got\s+them\s+(?:hidden|in\s+a\s+\w+)\s+under)"),
    ("suicidal_ideation_active", RiskSeverity.HIGH,
     r"\bsuicidal\b(?!\s+ideation\s+denied)|\bactive\s+SI\b|\bsuicide\s+attempt|\battempted\s+suicide\b"
     r"|\btried\s+to\s+kill\s+myself\b|\bwant(?:ed)?\s+to\s+die\b"),
    # researching the means: "looked up how many it would take", "googled the lethal dose"
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\b(?:looked|looking|look|googled|googling|searched|searching|researched|researching|checked|checking)\b"
     r"(?:\s+(?:up|online|them\s+up|it\s+up|on\s+my\s+phone|on\s+the\s+internet|at))*[\w\s,']{0,20}?\bhow\s+"
     r"(?:many|much)\b[\w\s']{0,30}?\b(?:it\s+would\s+take|it'?d\s+take|it\s+takes|(?:you|i)'?d\s+need|(?:you|i)"
     r"\s+would\s+need|would\s+(?:kill|be\s+enough|do\s+it)|(?:is|was|would\s+be)\s+(?:lethal|fatal|enough)|to\s+die)"
     r"|\b(?:looked\s+up|googled|researched|searched(?:\s+for)?)\s+(?:the\s+|a\s+)?(?:lethal|fatal)\s+(?:dose|amount)"),
    # firearms: sitting with the gun, the gun to the head or in the mouth, loading it
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     rf"\b(?:sat|sitting|sit|sits)\s+(?:\w+\s+){{0,5}}?(?:with|holding)\s+(?:the|a|my|his|dad'?s|my\s+\w+'?s)\s+"
     rf"(?:\w+\s+)?{_FIREARM}\b|\b(?:put|putting|held|holding|hold|pressed|pressing|pointed|pointing)\s+(?:the|a|my|"
     rf"his|dad'?s|my\s+\w+'?s)\s+(?:\w+\s+)?(?:{_FIREARM}|barrel)\s+(?:to|against|in|into|under)\s+my\s+(?:head|"
     rf"mouth|temple|chin|chest|heart)\b|\b{_FIREARM}\b[\w\s,']{{0,30}}?\bloaded\s+(?:it|one|a\s+round|the\s+"
     rf"chamber)\b|\bloaded\s+(?:the|a|my|his|dad'?s|my\s+\w+'?s)\s+(?:\w+\s+)?{_FIREARM}\b[\w\s,']{{0,30}}?\b(?:"
     rf"sat|looked\s+at\s+it|held\s+it|myself|last\s+night)|\b(?:thought|thinking|think)\s+(?:about\s+|of\s+)"
     rf"(?:using|getting\s+out|taking\s+out)\s+(?:the|a|my|his|dad'?s|my\s+\w+'?s)\s+(?:\w+\s+)?{_FIREARM}\b"
     rf"(?!\s+on\s+(?:him|her|them|someone|my\s+{_RELATIVE}))"),
    # heights, bridges, train lines, traffic
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\b(?:looked|looking|look|peered|peering|leaned|leaning|stared|staring)\s+over\s+the\s+(?:edge|side|"
     r"railings?|parapet|barrier|balcony)\b|\b(?:looked|looking|peered|leaned|leaning)\s+over\s*$"
     r"|\b(?:stood|standing|stand|sat|sitting|climbed|climbing)\s+(?:up\s+)?(?:on|onto|at|over|right\s+on)\s+the\s+"
     r"(?:ledge|parapet|railings?|wrong\s+side\s+of\s+the\s+(?:railings?|barrier|fence|bridge|parapet|balustrade)|"
     r"edge\s+of\s+the\s+(?:roof|bridge|footbridge|cliff|"
     r"car\s+park|building|balcony|multi-?storey|quarry))\b"
     r"|\b(?:went|walked|drove|cycled|been\s+going|go|going|gone)\s+(?:back\s+)?(?:down\s+|up\s+|out\s+)?(?:to|"
     r"onto)\s+the\s+(?:(?:train|railway|rail)\s+(?:line|lines|tracks?)|tracks)\b"
     r"|\b(?:stood|standing|sat|sitting|waited|waiting|lay|lying|lie|laid)\s+(?:down\s+)?(?:on|by|beside|near|next"
     r"\s+to|at)\s+the\s+(?:(?:train|railway|rail)\s+(?:line|lines|tracks?)|tracks)\b"
     r"|\b(?:throw(?:ing)?|threw|hurl(?:ing|ed)?|fling(?:ing)?|flung)\s+myself\s+(?:off|in\s+front\s+of|under|"
     r"into|onto|from)\b"
     r"|\b(?:thought|thinking|think|planned|planning|plan|urges?|tempted|want(?:ed)?|imagin\w*|pictur\w*|consider"
     r"(?:ed|ing)?)\b[\w\s']{0,25}?\b(?:step(?:ping)?|walk(?:ing)?|jump(?:ing)?|ly(?:ing)?|lie)\s+(?:out\s+)?"
     r"(?:(?:in\s+front\s+of|under)\s+(?:a|the|an|some|oncoming)\s+(?:\w+\s+)?(?:bus|train|lorry|truck|car|tram|tube|"
     r"van)\b(?!\s*(?:park|station|stop|shelter|depot|wash|seat|door|window|journey|ticket|lane))|(?:into|onto)\s+"
     r"(?:the\s+)?(?:oncoming\s+|moving\s+)?(?:traffic|motorway|dual\s+carriageway)\b)"
     r"|\b(?:thought|thinking|think)\s+(?:about|of)\s+(?:just\s+)?(?:crash(?:ing)?|driv(?:e|ing)|steer(?:ing)?|"
     r"swerv(?:e|ing)|plough(?:ing)?|plow(?:ing)?)\b[\w\s]{0,20}?\b(?:off|into)\s+(?:a|the|an|some|oncoming)\s+"
     r"(?:\w+\s+){0,2}?(?:pillar|tree|wall|lorry|truck|bridge|overpass|cliff|river|lake|bus|barrier|"
     r"bollard|embankment|quarry|lamppost)\b|\b(?:planned|planning|plan|going|want(?:ed)?|tempted|urges?)"
     r"\s+to\s+(?:just\s+)?(?:crash|drive|steer|swerve)\b[\w\s]{0,20}?\b(?:off|into)\s+(?:a|the|an)\s+(?:\w+\s+)"
     r"{0,2}?(?:pillar|tree|wall|lorry|truck|bridge|overpass|cliff|river|barrier|bollard|quarry)\b"
     r"|\b(?:could|thought|think|thinking|urges?|tempted)\b[\w\s,']{0,20}?\bjust\s+(?:turn|yank|jerk)\s+the\s+"
     r"(?:steering\s+)?wheel\b(?!\s+(?:to\s+the|left|right|when|while|and\s+reverse))"
     r"|\b(?:in|inside)\s+the\s+(?:closed\s+|shut\s+)?garage\s+with\s+the\s+engine\s+running\b|\bhose(?:pipe)?\s+"
     r"(?:to|into|on|from)\s+the\s+exhaust\b"),
    ("suicidal_ideation_active", RiskSeverity.HIGH,
     r"\b(?:think|thinking|thought)\s+(?:a\s+lot\s+)?about\s+(?:just\s+)?ending\s+it\b(?!\s+(?:with|between|for\s+"
     r"now|early|there|and\s+(?:moving|leaving|starting)|because|cos))"),
    # passive suicidal ideation
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\bwhat'?s\s+the\s+point\b|\bwhats\s+the\s+point\b|\bpassive\s+(?:SI|suicidal)|\bbetter\s+off\s+(?:dead|"
     r"without\s+me)\b|\b(?:go\s+to\s+sleep|sleep|fall\s+asleep)\s+and\s+(?:not|never)\s+wake\s+up\b|\bnot\s+wake"
     r"\s+up\b|\bwish(?:ed|ing)?\s+(?:i|I)\s+(?:was|were|could\s+be)\s+(?:dead|gone|never\s+born)\b|\bdon'?t\s+want"
     r"\s+to\s+(?:be\s+here|be\s+alive|exist|live)\b|\btired"
     r"\s+of\s+(?:living|being\s+alive)\b|\bdisappear\s+(?:forever|for\s+good)\b|\bcease\s+to\s+exist\b"),
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\b(?:wish(?:ed)?|easier|simpler|better)\b[\w\s',]{0,25}?\b(?:i'?d|i\s+had|if\s+i)\s+(?:just\s+)?(?:died|been"
     r"\s+killed)\b(?!\s+(?:laughing|of\s+(?:embarrassment|shame|laughter|boredom)))|\bworth\s+more\s+dead\b|"
     r"\b(?:wouldn'?t\s+mind|ready|wish|hope|"
     r"hoping|pray|praying)\b[\w\s',]{0,30}?\b(?:took|take|takes)\s+me\b[\w\s]{0,10}?\bin\s+(?:the|my)\s+(?:night|"
     r"sleep)\b"),
    # self-harm
    ("self_harm", RiskSeverity.HIGH,
     r"\bself[-\s]?harm(?:ing|ed)?\b|\b(?:hurt|hurting|harm|harming|harmed|hurted|injur(?:e|ing|ed))\s+myself\b"
     r"|\b(?:cut|cutting|cuts|burn|burning|burned|burnt|scratch|scratching|scratched|carve|carving|carved)\s+"
     r"(?:myself|my\s+(?:arm|arms|wrist|wrists|leg|legs|thigh|thighs|skin|stomach|hand|hands))\b"
     r"|\b(?:hit|hitting|punch|punching|punched|bang|banging|banged)\s+(?:myself|my\s+head)\b(?!\s+(?:on|against)\s+"
     r"(?:the|a)\s+(?:door|table|corner|cupboard|cabinet|shelf|car|counter|desk|light|ceiling|beam|bunk))"
     r"|\b(?:started|been|was)\s+cutting\s+again\b|\brelapsed?\s+on\s+cutting\b"),
    ("self_harm", RiskSeverity.HIGH,
     rf"\b(?:cut|cutting|cuts|burn|burning|burned|burnt|scratch|scratching|scratched|carve|carving|carved|slash"
     rf"(?:ed|ing)?)\s+my\s+{_BODY}\b|\b(?:hit|hitting|punch|punching|punched|bang|banging|banged|bash|bashed|"
     rf"bashing)\s+my\s+(?:own\s+)?(?:head|face|stomach|belly|tummy|legs?|thighs?|arms?|chest|ribs|body)\b(?!\s+"
     rf"(?:on|against)\s+(?:the|a)\s+(?:door|table|corner|cupboard|cabinet|shelf|car|counter|desk))"
     # "scratching with the compass ... on my arm", but not "the cat scratched me on my arm"
     rf"|\b(?:scratched|scratching|cutting|carved|carving|burned|burnt|burning|slashed|slashing)\s+(?:at\s+)?with\s+"
     rf"(?:a|an|the|my|her|his)\s+(?:\w+\s+){{0,6}}?(?:on|into|across|at)\s+my\s+{_BODY}\b"
     # "I went home and I cut.", "I did cut on Friday", "I cut again"
     r"|\b(?:i|i've|ive|i\s+have|i\s+had)\s+(?:(?:just|did|also|then|finally|actually|kind\s+of|sort\s+of|ended\s+up"
     r"|went\s+and|started|been)\s+)?(?:cut|cutting)(?=\s*$|\s+(?:again|myself|last|yesterday|today|tonight|this\s+"
     r"(?:morning|week|weekend|time)|on\s+(?:my|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
     r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|a\s+(?:few|couple(?:\s+of)?)\s+times|a\s+(?:bit|"
     r"little|lot)(?!\s+of)|once|twice|deeper|deep|with\s+(?:a|the|my)\s+(?:razor|blade|compass|pin|safety\s+pin|"
     r"sharpener)))"
     r"|\b(?:the|my)\s+cutting\b(?!\s+(?:board|edge|room|floor|list|tool|mat|machine|down|back|out|plan|of|skills|"
     r"remarks|comments|words|hair|garden|roses|plants?))"
     r"|\b(?:dig|digs|digging|dug)\s+my\s+(?:finger)?nails\s+into\s+my\b"
     # burning with a hot object: "pressed a lit cigarette into my forearm"
     rf"|\b(?:pressed|pressing|press|stubbed|stubbing|held|holding|put|putting)\s+(?:a|the|my)\s+(?:lit\s+|hot\s+)?"
     rf"(?:cigarette|lighter|match|iron|hair\s+straighteners|straighteners|spoon|knife|metal)\s+(?:out\s+)?(?:on|"
     rf"into|against|to)\s+my\s+{_BODY}\b"
     r"|\b(?:scratch\w*|pick\w*|dig\w*|dug|claw\w*|rip\w*|tore|tear\w*)\b[\w\s,']{0,40}?\b(?:until|till|til)\s+"
     r"(?:it|they|i|my\s+\w+)\s+(?:bled|bleeds?|was\s+bleeding|were\s+bleeding|started\s+bleeding)\b"
     r"|^\W*(?:and\s+)?(?:(?:really\s+)?hard,?\s+)?(?:until|till|til)\s+(?:it|they)\s+(?:bled|bleeds?)\b"
     r"|\b(?:pencil\s+)?sharpener\s+blades?\b|\b(?:razor|blade)s?\s+(?:blades?\s+)?(?:from|out\s+of)\s+(?:the|a|my)\s+"
     r"(?:pencil\s+)?(?:sharpener|shaver|disposable)\b"),
    # homicidal ideation / violence
    ("homicidal_ideation", RiskSeverity.CRITICAL,
     rf"\b(?:kill|murder|shoot|stab|strangle|choke|killing|murdering|shooting|stabbing|strangling|choking)\s+"
     rf"(?:him|her|them|that\s+guy|my\s+{_RELATIVE}|the\s+{_RELATIVE})\b"
     r"|\bhomicidal\b|\bactive\s+HI\b|\b(?:cav(?:e|ing)|smash(?:ing)?|bash(?:ing)?|kick(?:ing)?)\s+(?:his|her|"
     r"their)\s+(?:head|face|skull)\s+in\b"),
    ("violence", RiskSeverity.HIGH,
     rf"\b(?:hurt|kill|attack|batter|stab|beat\s+up|punch|strangle)\s+(?:him|her|them|that\s+man|that\s+woman|"
     rf"my\s+{_RELATIVE}|the\s+{_RELATIVE})\b(?!\s+(?:feelings|career|chances|reputation))"
     r"|\b(?:put(?:ting)?|throw(?:ing)?|shov(?:e|ing))\s+(?:him|her|them)\s+through\s+(?:a|the|his|her|their)\b"),
    ("violence", RiskSeverity.HIGH,
     rf"\b(?:hurting|attacking|battering|stabbing|punching|strangling|beating\s+up)\s+(?:him|her|them|that\s+man|"
     rf"that\s+woman|my\s+{_RELATIVE}|the\s+{_RELATIVE})\b(?!\s+(?:feelings|career|chances|reputation))"
     rf"|\bbeat(?:ing)?\s+(?:him|her|them)\s+up\b"),
    # "running him over", "put him in the ground", "using the pistol on him"
    ("homicidal_ideation", RiskSeverity.CRITICAL,
     rf"\b(?:run|running|ran|runs|mow(?:ing)?|mowed)\s+(?:him|her|them|that\s+guy|my\s+{_RELATIVE}|the\s+"
     rf"{_RELATIVE}|(?-i:[A-Z][a-z]+))\s+(?:over|down\s+with\s+(?:the|my)\s+(?:car|van|truck|cab|lorry))\b"
     rf"(?!\s+(?:to|there|here|for|tomorrow|later|after|before|now)\b)"
     rf"|\bput(?:ting)?\s+(?:him|her|them|that\s+guy|my\s+{_RELATIVE})\s+in\s+(?:the\s+ground|a\s+coffin|an\s+early"
     rf"\s+grave|a\s+box)\b|\b(?:using|use|used)\s+(?:the|a|my|his|dad'?s|my\s+\w+'?s)\s+(?:\w+\s+)?{_WEAPON}\s+on\s+"
     rf"(?:him|her|them|that\s+guy|my\s+{_RELATIVE}|the\s+{_RELATIVE})\b(?!'s)|\b(?:take|taking|took)\s+(?:the|a|my|"
     rf"his|dad'?s|my\s+\w+'?s)\s+(?:\w+\s+)?{_WEAPON}\s+to\s+(?:him|her|them|that\s+guy)\b"),
    # abuse disclosure
    ("abuse", RiskSeverity.HIGH,
     rf"(?:\b(?:he|she|they|my\s+{_RELATIVE}|him|her)(?:'s|'ve|\s+has|\s+have)?|(?-i:\b(?!(?:The|It|That|This|There|"
     rf"What|Then|Reality|Everything|Something|Nothing|Life|Suddenly)\b)[A-Z][a-z]+))\s+(?:(?!never\b|not\b|wont\b|"
     rf"dont\b|didnt\b|doesnt\b|wouldnt\b)\w+\s+)?(?:hits|hit|beats|beat|punched|punches|slapped|slaps|"
     r"choked|chokes|kicked|kicks|shoved|shoves|pushed|raped|molested|touched|touches|strangled|threw\s+\w+\s+at)"
     r"\s+me\b(?!\s+with\s+(?:narcan|naloxone|the\s+news|a\s+question))|\bgrabbed\s+(?:me|my\s+(?:arm|arms|wrist|neck|throat|hair))\b|\bhands?\s+(?:around|round|on)\s+"
     r"my\s+(?:neck|throat)\b|\b(?:sexually|physically|emotionally)\s+abus|\babus(?:ed|ing|ive)\s+(?:me|us)\b|\b(?:raped|molested)"
     r"\b|\bforced\s+me\s+to\b|\babuse\s+disclos"),
    ("abuse", RiskSeverity.HIGH,
     # "he'd touch me", "she would slap me", "he pinned me against the door"
     rf"\b{_AGENT}(?:'d|\s+would|\s+used\s+to|\s+will|'ll|\s+tries\s+to|\s+tried\s+to)[\s.…,]+(?:(?!never\b|"
     rf"not\b)\w+\s+)?"
     rf"(?:hit|beat|punch|slap|choke|kick|shove|rape|molest|touch|strangle|pin|smack|throttle|hurt)\s+me\b"
     rf"|\b{_AGENT}(?:'s|\s+has)?\s+(?:(?!never\b|not\b)\w+\s+)?(?:(?:pinned|pins|pin|held|holds|slammed|slams|"
     rf"shoved|shoves)\s+me\s+(?:down|against|to\s+the|into\s+the|up\s+against|by\s+(?:the|my)\s+(?:throat|neck|hair"
     rf"|wrists?|arms?))|(?:throttled|smacked|spat\s+on)\s+me|dragged\s+me\s+(?:by\s+(?:my|the)\s+(?:hair|arm|arms|"
     rf"wrist|neck|collar)|across|along\s+the|down\s+the\s+stairs|out\s+of\s+(?:bed|the\s+car))|shook\s+me\s+(?:so\s+"
     rf"hard|hard|by\s+the))\b"
     rf"|\b{_AGENT}(?:'s|\s+has)?\s+(?:(?!never\b|not\b)\w+\s+)?(?:threw|throws|thrown|hurled|chucked|lobbed|"
     rf"smashed)\s+(?:\w+\s+){{1,6}}?(?:at|near|past|towards?)\s+(?:me|my\s+(?:head|face))\b"
     rf"|\b(?:threatened|threatens|threatening)\s+(?:me\s+)?(?:to\s+)?(?:kill|hurt|stab|shoot|strangle|beat|burn|"
     rf"choke|break)\s+(?:me|my|us)\b|\bthreatened\s+to\s+run\s+me\s+over\b|\bthreatened\s+me\s+with\s+(?:a|the|his|"
     rf"her|their)\s+{_WEAPON}"
     rf"|\b{_AGENT}(?:'s|'d|s|\s+has|\s+had)?\s+(?:(?!never\b|not\b)\w+\s+)?(?:locked|locks)\s+me\s+(?:in|out)\b"
     rf"(?!\s+of\s+(?:the\s+|my\s+)?(?:bathroom|toilet|loo|account|group|chat|app|phone|laptop|car)\b)"
     rf"|\b{_AGENT}\s+(?:\w+\s+)?(?:made|makes)\s+"
     rf"me\s+sleep\s+(?:in\s+the\s+(?:garage|car|shed|garden|yard|cold|basement)|outside|on\s+the\s+(?:doorstep|"
     rf"porch))|\b(?:makes?|made|pressur\w+|coerc\w+)\s+me\s+(?:into\s+|to\s+)?(?:have\s+)?(?:sex|sexual)\b"
     rf"|\b{_AGENT}(?:'s|\s+has)?\s+(?:(?!never\b|not\b)\w+\s+)?(?:hits|hit|beats|beat|punched|punches|slapped|slaps|"
     rf"kicked|kicks|smacked|smacks|choked|strangled|shoved|throttled)\s+(?:my\s+(?:little\s+|baby\s+|younger\s+|"
     rf"kid\s+)?(?:brother|sister|son|daughter|kids?|children|baby)|the\s+(?:kids|children|baby))\b"),
    # overdose
    ("overdose", RiskSeverity.CRITICAL,
     rf"\boverdos(?:e|ed|ing)\b|(?-i:\bOD'?d\b|\bODed\b)|\b(?:took|taken|swallowed|downed|necked)\s+{_AMOUNT}\s+"
     rf"(?:\w+\s+){{0,2}}{_PILLS}"
     rf"|\btook\s+[\w\s']{{0,40}}?\bat\s+once\b|\b(?:took|swallowed|downed|necked)\s+(?:a\s+bunch\s+of|"
     rf"all\s+(?:of\s+)?(?:my|the)|too\s+many|"
     rf"a\s+handful\s+of|the\s+whole|way\s+too\s+many|a\s+lot\s+of)\b[\w\s]{{0,12}}{_PILLS}|\bstomach\s+pumped\b"
     r"|\bnarcan\b"),
    ("overdose", RiskSeverity.CRITICAL,
     # pills on top of drink: "took about twenty paracetamol with vodka", "drinking ... so i took the diazepam"
     rf"\b(?:took|swallowed|popped|necked|downed)\s+(?:a\s+handful\s+of|a\s+load\s+of|loads\s+of|a\s+lot\s+of|a\s+"
     rf"bunch\s+of|all\s+(?:of\s+)?|the\s+rest\s+of|{_AMOUNT})\s*(?:my\s+|the\s+|his\s+|her\s+|those\s+)?(?:\w+\s+)"
     rf"{{0,2}}?{_PILLS}\b[\w\s',]{{0,30}}?\b(?:with|and|on\s+top\s+of|washed\s+down\s+with)\s+(?:\w+\s+){{0,4}}?"
     rf"{_ALCOHOL}\b|\b(?:drinking|drunk|had\s+a\s+lot\s+to\s+drink|a\s+bottle\s+of\s+\w+)\b[\w\s',]{{0,60}}?\b(?:i"
     rf"\s+)?(?:took|swallowed|popped|necked)\s+(?:some|a\s+few|a\s+couple|a\s+handful|loads|a\s+load|a\s+lot|"
     rf"more|extra|all|the\s+rest|{_AMOUNT})\s*(?:of\s+)?(?:my\s+|the\s+|his\s+|her\s+|those\s+)?(?:\w+\s+){{0,2}}?"
     rf"{_SEDATIVES}\b"
     # more than prescribed: "so I took more.", "took more than I'm supposed to"
     rf"|(?:(?<=,\sso\s)|(?<=,so\s)|(?<=\bthen\s)|(?<=\band\s))i\s+took\s+(?:some\s+|a\s+few\s+|a\s+couple\s+|"
     rf"even\s+|loads\s+|way\s+|a\s+lot\s+)?"
     rf"more(?:\s+(?:of\s+(?:them|those|it)|{_PILLS}))?\s*$|\btook\s+(?:way\s+|a\s+lot\s+)?more\s+than\s+(?:i\s+"
     rf"(?:should|was\s+supposed|am\s+supposed)|i'?m\s+(?:meant|supposed)|prescribed|the\s+(?:dose|prescribed))"
     # the aftermath: paramedics, A&E, naloxone, "they said I'd stopped breathing"
     r"|\b(?:woke\s+up|came\s+(?:round|around|to))\s+(?:\w+\s+){0,3}?(?:in\s+(?:a\s*(?:&|and)\s*e|the\s+er|er|"
     r"hospital|the\s+hospital|icu|the\s+icu|resus|the\s+ambulance|an\s+ambulance)|with\s+(?:a\s+|"
     r"the\s+)?(?:paramedics?|drip|emts?|an?\s+"
     r"ambulance\s+crew))\b|\bparamedics?\s+(?:was\s+|were\s+)?(?:over|above|standing\s+over|kneeling\s+over)\s+"
     r"me\b|\b(?:gave|given|give|used|did|injected|sprayed|administered)\s+me\b[\w\s]{0,12}?\b(?:narcan|"
     r"naloxone)\b|\b(?:narcan|naloxone)\b(?!\s+kits?\b)[\w\s]{0,60}?\b(?:in|into|up)\s+my\s+(?:leg|arm|thigh|"
     r"nose|nostril|shoulder)\b|\b(?:i'?d|i\s+had)\s+stopped\s+breathing\b"
     # the treatment for one: "they gave me the antidote", "activated charcoal", the NAC drip
     r"|\b(?:gave|give|given|put)\s+me\b[\w\s,']{0,25}?\b(?:antidote|activated\s+charcoal|charcoal|parvolex|"
     r"acetylcysteine)\b|\b(?:on|hooked\s+up\s+to)\s+(?:the|a|an)\s+(?:\w+\s+)?(?:antidote|parvolex|acetylcysteine)"
     r"\b"),
]
# Phrases whose risk meaning *includes* a negation or conditional ("if I just didn't wake up",
# "I don't trust myself in the car"): the negation/hypothetical filter must not cancel them.
_SELF_NEGATING: list[tuple[str, RiskSeverity, str]] = [
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\b(?:rather|easier|better|wouldn'?t\s+(?:matter|mind)|wish|hope|hoping|want|happy|glad|relieved)\b"
     r"[\w\s',]{0,40}?\b(?:didn'?t|did\s+not|not|never|wouldn'?t)\s+(?:to\s+)?(?:wake|waking)\s+up\b|\b(?:think|"
     r"thinking|thought)\s+(?:a\s+lot\s+)?about\s+not\s+"
     r"being\s+(?:here|alive|around)\b|\b(?:don'?t|do\s+not|can'?t)\s+see\s+(?:much\s+|the\s+|any\s+)?point\s+"
     r"(?:in\s+)?(?:carrying\s+on|going\s+on|living|being\s+(?:here|alive)|anymore|of\s+(?:it\s+all|living|"
     r"anything))|\bwish\s+i\s+could\s+(?:just\s+)?(?:switch\s+off|disappear|stop\s+existing|not\s+exist|"
     r"go\s+to\s+sleep\s+forever)|\bno\s+reason\s+to\s+(?:live|keep\s+going|go\s+on|be\s+here)\b"),
    # "if I just didn't wake up one morning, it wouldn't be the worst thing"; not "if I didn't wake up for work"
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\bif\s+i\s+(?:just\s+|simply\s+|never\s+)?(?:didn'?t|did\s+not|don'?t|do\s+not|wouldn'?t|never)\s+(?:wake|woke)"
     r"\s+up\b(?!\s+(?:in\s+time|on\s+time|early|earlier|late|for\b|to\b|until|till|when|because|cos|at\s+\d|at\s+"
     r"(?:five|six|seven|eight|nine)|with\s+(?:the|my|an?)\s+alarm|and\s+(?:missed|miss|was\s+late)))"
     # "it'd be easier if I just wasn't here", "simpler to just not be around"
     r"|\b(?:easier|simpler|better|fine|alright|all\s+right|okay|ok|a\s+relief|kinder|best)\b[\w\s',]{0,30}?\bif"
     r"\s+i\s+(?:just\s+|simply\s+)?(?:wasn'?t|weren'?t|was\s+not|were\s+not|wasnt|werent)\s+(?:here|around|alive|"
     r"in\s+the\s+(?:picture|world))\b(?!\s+(?:when|while|for\s+(?:the|that|this|a)|on\b|at\s+the|during|tonight|"
     r"tomorrow|today|this|next|to\s+see))|\b(?:easier|simpler|better)\s+(?:for\s+everyone\s+)?to\s+(?:just\s+)?"
     r"(?:not\s+be|stop\s+being)\s+(?:here|around|alive)\b"),
    # "I said no and he just kept going": the disclosure is made of a refusal
    ("abuse", RiskSeverity.HIGH,
     r"\bi\s+(?:said|say|kept\s+saying|told\s+(?:him|her))\s+no\b[\w\s,']{0,30}?\b(?:he|she|they)\s+(?:just\s+)?"
     r"(?:kept\s+going|carried\s+on|keeps\s+going|carries\s+on|did\s+it\s+anyway|does\s+it\s+anyway|didn'?t\s+stop|"
     r"wouldn'?t\s+stop|doesn'?t\s+stop|won'?t\s+stop)(?!\s+(?:on\s+about|going\s+on|talking|asking|calling|texting|"
     r"messaging|nagging))|\b(?:he|she|they)\s+(?:doesn'?t|didn'?t|won'?t|wouldn'?t)\s+stop\s+(?:when|even\s+(?:when|"
     r"though))\s+i\s+(?:say|said|tell|told\s+(?:him|her))\s+no\b"),
    # found unrousable: "my wife found me and couldn't wake me up"
    ("overdose", RiskSeverity.CRITICAL,
     rf"\bfound\s+me\b[\w\s,']{{0,40}}?\b(?:unconscious|unresponsive|unrousable|not\s+breathing|barely\s+breathing|"
     rf"(?:turning|turned|gone|going|was|were|lips\s+(?:were|was|had\s+gone)|looked)\s+(?:\w+\s+)?(?:blue|gr[ae]y)|"
     rf"(?:couldn'?t|could\s+not|can'?t)\s+(?:wake|rouse)\s+me(?!\s+(?:up\s+)?(?:for|in\s+time|on\s+time))|"
     rf"(?:called|rang|phoned)\s+(?:an?\s+|the\s+)?"
     rf"(?:ambulance|911|999|111|paramedics))|\b(?:{_AGENT}|paramedics|they)\s+(?:just\s+)?(?:couldn'?t|could\s+"
     rf"not|wasn'?t\s+able\s+to)\s+(?:wake|rouse)\s+me\b(?!\s+(?:up\s+)?(?:for|in\s+time|on\s+time))"),
    ("suicidal_ideation_active", RiskSeverity.HIGH,
     r"\bdon'?t\s+trust\s+myself\s+(?:in\s+the\s+car|alone|not\s+to|with\s+(?:the\s+)?(?:pills|tablets|knife|"
     r"knives|gun|car))"),
]
_COMPILED = [(cat, sev, re.compile(rx, re.IGNORECASE), False) for cat, sev, rx in _PATTERNS] + [
    (cat, sev, re.compile(rx, re.IGNORECASE), True) for cat, sev, rx in _SELF_NEGATING
]

_NEGATORS = re.compile(
    r"\b(?:no|not|never|nope|don'?t|didn'?t|doesn'?t|haven'?t|hasn'?t|won'?t|wouldn'?t|isn'?t|aren'?t|wasn'?t|"
    r"denies|denied|deny|denying|without|none|nor|neither|n't|nothing\s+like|ruled\s+out|absent|negative\s+for)\b"
    r"|n't\b",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(r"\b(?:if|in\s+case|what\s+if|whenever\s+i\s+ever|should\s+i\s+ever|would\s+call|"
                           r"would\s+tell|would\s+reach\s+out|hypothetically|whether|(?:have|had|do)\s+i\s+(?:ever\s+)?"
                           r"(?:had|got|have|been\s+having)\s+any)\b", re.IGNORECASE)
_THIRD_PARTY = re.compile(
    r"\b(?:he|she|they|his|her|their|friend|friends|cousin|brother|sister|mom|mum|mother|dad|father|aunt|uncle|"
    r"roommate|classmate|someone|somebody|people|character|movie|show|news|patient|client|neighbou?r|son|daughter"
    r"|husband|wife|partner|boyfriend|girlfriend)\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(rf"\b(?:he|she|they|my\s+{_RELATIVE}|my\s+friend|people|everyone|everybody)\s+(?:thinks|"
                       r"thought|says|said|reckons|feels|believes|keeps\s+saying|told\s+(?:me|everyone|him|her))\b",
                       re.IGNORECASE)
# Subject pronouns only: "my cousin overdosed" is the cousin's risk, "I overdosed" the patient's.
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|myself)\b", re.IGNORECASE)
_HISTORY = re.compile(r"\b(?:years\s+ago|used\s+to|back\s+then|"
                      r"when\s+i\s+was\s+(?:a\s+kid|younger|little|a\s+teen|\d+)|"
                      r"in\s+high\s+school|as\s+a\s+teenager|back\s+in\s+(?:college|school)|long\s+time\s+ago|"
                      r"haven'?t\s+(?:done\s+(?:that|it)(?!\s+since\s+\w)|since))\b", re.IGNORECASE)
# "burned my hand on the oven tray", "it was an accident": an injury, not self-harm.
_ACCIDENT = re.compile(r"\b(?:accident(?:al(?:ly)?)?|by\s+mistake)\b|\bon\s+(?:the|a)\s+(?:oven|stove|hob|iron|kettle|"
                       r"pan|tray|grill|radiator|barbecue|bbq)\b", re.IGNORECASE)
_DELIBERATE = re.compile(r"\b(?:not|wasn'?t|isn'?t|no)\s+(?:an?\s+)?accident|\bon\s+purpose\b|\bdeliberately\b",
                         re.IGNORECASE)
# Said in play: "she threatened to run me over with a trolley, we were laughing".
_JEST = re.compile(r"\b(?:we\s+were\s+(?:both\s+)?(?:laughing|joking|kidding|messing)|(?:i|we)\s+(?:both\s+)?laughed|"
                   r"i\s+was\s+(?:joking|kidding)|i'?m\s+(?:joking|kidding)|just\s+(?:joking|kidding)|jokingly|in\s+"
                   r"jest|for\s+a\s+laugh|messing\s+(?:about|around)|play[\s-]?fight\w*|(?<!not\s)as\s+a\s+joke)\b",
                   re.IGNORECASE)
# An emergency with no substance in it is a medical event ("woke up in hospital after the crash"), not an overdose.
_SUBSTANCE = re.compile(rf"{_PILLS}|{_ALCOHOL}|overdos\w*|\bOD'?d\b|narcan|naloxone|\bgear\b|\bdrugs?\b"
                        r"|\bus(?:ed|ing)\b", re.IGNORECASE)
_MEDICAL_EVENT = re.compile(r"\b(?:crash\w*|accident|collision|surgery|operation|seizure|epilep\w*|asthma|heart\s+"
                            r"attack|stroke|appendix|labou?r|c-section|birth|fell|fall|fainted|hit\s+by|mugged|"
                            r"attacked|assault\w*|apnoea|apnea|drown\w*|allerg\w*|anaphyla\w*)\b", re.IGNORECASE)
_IDIOMS = re.compile(r"\b(?:throw|threw|jump|step)\s+(?:myself\s+)?(?:in\s+front\s+of|under)\s+(?:a|the)\s+\w+\s+"
                     r"for\s+(?:her|him|them|you|my|the|those)\b|\b(?:it|that|this)\s+(?:would|'d|will|'ll|"
                     r"is\s+going\s+to)\s+"
                     r"(?:kill|destroy)\s+(?:my|her|him|them)\b|\bkilling\s+(?:it|me)\b|\bkill\s+(?:time|for\s+a)\b|"
                     r"\bwould\s+kill\s+for\b|\bdying\s+to\b"
                     r"|\bdead\s+tired\b|\bkiller\b|\bdie\s+(?:of|from)\s+(?:embarrassment|shame|boredom|laughing|"
                     r"laughter|cringe)\b|\bto\s+die\s+for\b", re.IGNORECASE)

# "I'd run him over. ... I'd never do that": a conditional threat the patient takes back in the same turn
# is a figure of speech, not homicidal ideation. Ideation stated outright ("I want to kill him. I'd never
# actually do it") stays current: ideation without intent is still documented.
_CONDITIONAL_TAIL = re.compile(r"\b(?:i'?d|i\s+would)(?:\s+(?:just|probably|totally|literally))?\s*$", re.IGNORECASE)
_RETRACTION = re.compile(r"\b(?:i'?d|i\s+would|i\s+will|i'?ll)\s+never\b|\bi\s+(?:would|could)(?:n'?t|\s+not)\s+"
                         r"(?:ever\s+)?(?:actually\s+|really\s+)?do\s+(?:that|it)\b|\bthat'?s\s+not\s+(?:me|who\s+i\s+am)\b"
                         r"|\bi\s+didn'?t\s+mean\s+it\b|\bnot\s+that\s+i\s+(?:would|'d)\b", re.IGNORECASE)

# ASR output often drops the colon after "speaker 1" / "speaker 2".
_THERAPIST_LABEL = re.compile(r"^\s*(?:speaker\s*(?:1|one)\b\s*:?|(?:therapist|t|counsell?or|clinician|dr\.?\s*\w*|"
                              r"speaker\s*1|interviewer|"
                              r"psychologist|provider)\s*:)", re.IGNORECASE)
_PATIENT_LABEL = re.compile(r"^\s*(?:speaker\s*(?:2|two)\b\s*:?|(?:patient|client|c|p|speaker\s*2|pt)\s*:)",
                            re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"(?:(?<!\.)\.(?!\.)|\.{2,}(?!\.)(?![ \t]*(?-i:[a-z]))|…(?![ \t]*(?-i:[a-z]))|[!?;\n])+"
                           r"|\s(?:but|though|although|except|however|whereas)\s|,\s*(?=but\b)",
                           re.IGNORECASE)
_WINDOW_WORDS = 7
# A negation does not reach past "so I" / "and then I": "I couldn't sleep, so I took twenty".
_SCOPE_BREAK = re.compile(r"(?:,\s*|\s)(?:so|and\s+then|then)\s+(?=(?:i|i'm|im|i've|ive|i'd)\b)"
                          r"|,\s*(?:so|then|and\s+then)\s*$|\s(?:and|so)\s+then\s*$", re.IGNORECASE)
# Not negations: "I can't stop thinking about hurting her", "I couldn't help picturing it".
_NOT_NEGATION = re.compile(r"\b(?:can'?t|cannot|couldn'?t|could\s+not)\s+(?:stop|help)\b|\bnot\s+(?:just|only)\b",
                           re.IGNORECASE)


@dataclass(frozen=True)
class _Utterance:
    is_therapist: bool
    start: int  # first character after the speaker label
    end: int


def _utterances(transcript: str) -> list[_Utterance]:
    """Speaker turns; unlabelled text (e.g. ASR without labels) counts as the patient's."""
    turns: list[_Utterance] = []
    offset = 0
    for line in transcript.splitlines(keepends=True):
        therapist = _THERAPIST_LABEL.match(line)
        patient = _PATIENT_LABEL.match(line)
        label = therapist or patient
        if label or not turns:
            is_therapist = bool(therapist) if label else False
            turns.append(_Utterance(is_therapist, offset + (label.end() if label else 0), offset + len(line)))
        else:  # a continuation line belongs to the current speaker
            turns[-1] = _Utterance(turns[-1].is_therapist, turns[-1].start, offset + len(line))
        offset += len(line)
    return turns


def _clauses(text: str, base: int) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _CLAUSE_SPLIT.finditer(text):
        if match.start() > start:
            yield base + start, base + match.start()
        start = match.end()
    if start < len(text):
        yield base + start, base + len(text)


def _qualifies(
    transcript: str, clause: tuple[int, int], match_start: int, match_end: int, category: str, self_negating: bool
) -> bool:
    clause_start, clause_end = clause
    before_words = transcript[clause_start:match_start].split()[-_WINDOW_WORDS:]
    before = " ".join(before_words)
    matched = transcript[match_start:match_end]
    scope = [m.end() for m in _SCOPE_BREAK.finditer(before)]
    negation_scope = _NOT_NEGATION.sub(" ", before[scope[-1]:] if scope else before)
    if not self_negating and (_NEGATORS.search(negation_scope) or _HYPOTHETICAL.search(before)):
        return False
    if _IDIOMS.search(transcript[max(match_start - 12, 0):match_end + 28]):
        return False
    if not self_negating and re.search(r"\b(?:no|nothing\s+like\s+that)\b", matched, re.IGNORECASE):
        return False
    near = " ".join(before_words[-3:])
    if category in ("overdose", "suicidal_ideation_active", "suicidal_ideation_passive", "self_harm"):
        # "my cousin overdosed", "she tried to kill herself": someone else's risk, not the patient's.
        # But "my son found me", "they said I'd stopped breathing": others acting on the patient's overdose.
        acted_on_patient = category == "overdose" and bool(_FIRST_PERSON.search(matched))
        if _THIRD_PARTY.search(near) and not _FIRST_PERSON.search(near) and not acted_on_patient:
            return False
        # "my sister thinks it'd be easier if I wasn't around": her opinion, not the patient's thought.
        reported = list(_REPORTED.finditer(before))
        if category != "overdose" and reported and not _FIRST_PERSON.search(before[reported[-1].end():]):
            return False
    if category in ("homicidal_ideation", "violence"):
        # "my mom says she wanted to strangle my dad": someone else's anger, reported.
        if _THIRD_PARTY.search(near) and not _FIRST_PERSON.search(near):
            return False
        rest_of_turn = transcript[match_end:match_end + 240].split("\n", 1)[0]
        if _CONDITIONAL_TAIL.search(before) and _RETRACTION.search(rest_of_turn):
            return False
    clause_text = transcript[clause_start:clause_end]
    if category == "self_harm" and _ACCIDENT.search(clause_text) and not _DELIBERATE.search(clause_text):
        return False
    if category in ("homicidal_ideation", "violence", "abuse") and _JEST.search(clause_text):
        return False
    if category == "overdose" and not _SUBSTANCE.search(matched) and _MEDICAL_EVENT.search(clause_text):
        return False
    return True


_SCREENING_QUESTION = re.compile(
    r"\b(?:suicid\w*|kill(?:ing)?\s+yourself|end(?:ing)?\s+(?:your|their)\s+(?:own\s+)?li(?:fe|ves)|take\s+your\s+"
    r"(?:own\s+)?life|not\s+(?:being|be)\s+(?:here|alive)|wish(?:ed)?\s+you\s+were\s+dead|how\s+would\s+you\s+do\s+it|"
    r"have\s+you\s+thought\s+about\s+how|(?:a|any)\s+plan|(?:thinking|thought|thoughts)\s+(?:about|of)\s+jumping"
    r"(?!\s+(?:ship|in|on|at|into\s+(?:the|a)\s+(?:job|pool|deep\s+end))))\b[^?]*\?", re.IGNORECASE)
_SELF_HARM_QUESTION = re.compile(r"\b(?:hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?)\s+yourself\b[^?]*\?", re.IGNORECASE)
_HOMICIDE_QUESTION = re.compile(
    r"\b(?:homicid\w*|(?:thoughts?|urges?|ideas?|fantas\w+|plans?|want(?:ing)?|wish(?:ing)?|feel(?:ing)?\s+like|"
    r"thinking|thought|think)\s+(?:about\s+|of\s+|to\s+)?(?:\w+\s+)?(?:kill(?:ing)?|hurt(?:ing)?|harm(?:ing)?|"
    r"attack(?:ing)?|stab(?:bing)?|shoot(?:ing)?|using\s+the\s+\w+\s+on)\s+(?:him|her|them|someone|anyone|anybody|"
    r"others|other\s+people))\b[^?]*\?", re.IGNORECASE)
# Stage directions and fillers before the answer proper: "(long pause) Kind of.", "um yeah"
_REPLY_PREAMBLE = re.compile(r"^(?:\s*(?:\([^)]{0,40}\)|\[[^\]]{0,40}\])|\W*\b(?:um+|uh+|erm|er|mm+|so|well|i\s+mean)"
                             r"\b)*\W*", re.IGNORECASE)
# "If it gets worse, will you call me?" asks for a commitment; "yes" to it is not a disclosure.
_SAFETY_REQUEST = re.compile(r"(?<!even\s)\bif\b|\b(?:will|would|can|could)\s+you\s+(?:tell|call|let|ring|text|reach|"
                             r"contact|promise|come|go|use|remember|talk)\b", re.IGNORECASE)
_YES_BUT_NO = re.compile(r"^\W*(?:yes|yeah|yep)\W+(?:no|nope|not\s+really|never)\b", re.IGNORECASE)
_AFFIRMATIVE = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|sometimes|a\s+bit|a\s+little|kind\s+of|sort\s+of|i\s+have|i\s+do|i\s+did|maybe|"
    r"honestly|hanging|pills|tablets|jumping|i'?ve\s+thought|i\s+think\s+so|once\s+or\s+twice|a\s+few\s+times|"
    r"most\s+(?:days|nights)|every\s+day|last\s+(?:night|week))\b", re.IGNORECASE)


def _finding(transcript: str, category: str, severity: RiskSeverity, span: tuple[int, int],
             clause: tuple[int, int]) -> RiskFinding:
    text = transcript[clause[0]:clause[1]]
    # An abuse disclosure needs attention however long ago it happened (safeguarding, reporting duties).
    historical = category != "abuse" and bool(_HISTORY.search(text))
    return RiskFinding(category=category, severity=RiskSeverity.LOW if historical else severity,
                       evidence=" ".join(text.split())[:160], start=span[0], end=span[1], current=not historical)


def _asks(question: re.Pattern[str], asked: str) -> bool:
    """Some sentence of the therapist's turn is a screening question, not a request to commit to safety."""
    for match in question.finditer(asked):
        sentence_start = max(asked.rfind(mark, 0, match.start()) for mark in ".?!\n") + 1
        if not _SAFETY_REQUEST.search(asked[sentence_start:match.end()]):
            return True
    return False


def _screening_answer(transcript: str, question: _Utterance, answer: _Utterance) -> RiskFinding | None:
    """A therapist's risk screening question answered in the affirmative ("Hanging.", "Yeah, most nights")."""
    asked = transcript[question.start:question.end]
    if not re.search(r"[.?!]", asked):
        asked = asked.rstrip() + "?"  # ASR output has no punctuation: the whole turn is the question
    reply = _REPLY_PREAMBLE.sub("", transcript[answer.start:answer.end].strip(), count=1)
    if not _AFFIRMATIVE.match(reply) or _NEGATORS.match(reply) or _YES_BUT_NO.match(reply):
        return None
    span = (answer.start, answer.end)
    if _asks(_SCREENING_QUESTION, asked):
        return _finding(transcript, "suicidal_ideation_active", RiskSeverity.HIGH, span, span)
    if _asks(_SELF_HARM_QUESTION, asked):
        return _finding(transcript, "self_harm", RiskSeverity.HIGH, span, span)
    if _asks(_HOMICIDE_QUESTION, asked):
        return _finding(transcript, "homicidal_ideation", RiskSeverity.HIGH, span, span)
    return None


def detect_risks(transcript: str) -> list[RiskFinding]:
    """Current and historical first-person risk statements, in transcript order."""
    findings: list[RiskFinding] = []
    seen: set[tuple[str, int]] = set()
    turns = _utterances(transcript)
    for index, turn in enumerate(turns):
        if turn.is_therapist:
            continue
        if index > 0 and turns[index - 1].is_therapist:
            answer = _screening_answer(transcript, turns[index - 1], turn)
            if answer is not None:
                findings.append(answer)
                seen.add((answer.category, turn.start))
        for clause_start, clause_end in _clauses(transcript[turn.start:turn.end], turn.start):
            clause = transcript[clause_start:clause_end]
            for category, severity, pattern, self_negating in _COMPILED:
                if (category, clause_start) in seen:
                    continue
                for match in pattern.finditer(clause):
                    start, end = clause_start + match.start(), clause_start + match.end()
                    if not _qualifies(transcript, (clause_start, clause_end), start, end, category, self_negating):
                        continue
                    seen.add((category, clause_start))
                    findings.append(_finding(transcript, category, severity, (start, end), (clause_start, clause_end)))
                    break
    return sorted(findings, key=lambda f: f.start)


def summarise_findings(findings: Sequence[RiskFinding]) -> list[dict[str, Any]]:
    return [{"category": f.category, "severity": f.severity.value, "evidence": f.evidence, "current": f.current}
            for f in findings]


# --- reconciliation ---------------------------------------------------------------------------
_FAMILY = {
    "suicidal_ideation_active": "suicide",
    "suicidal_ideation_passive": "suicide",
    "self_harm": "self_harm",
    "homicidal_ideation": "violence",
    "violence": "violence",
    "abuse": "abuse",
    "overdose": "overdose",
}
_FAMILY_WORDS = {
    "suicide": r"\bSI\b|suicid|wake\s+up|what'?s\s+the\s+point|better\s+off|kill(?:ing)?\s+(?:him|her)?self|end(?:ing)?"
               r"\s+(?:it|(?:his|her|their|my)\s+life)|take\s+(?:his|her|their|my)\s+life|want(?:s|ed)?\s+to\s+die"
               r"|\bpills\b|death\s+wish|not\s+(?:be\s+)?(?:here|alive)|hopeless|life\s+(?:isn'?t|not)\s+worth",
    "self_harm": r"self[-\s]?harm|\bcut|\bburn|hurt(?:ing)?\s+(?:him|her|them|my)sel|\bNSSI\b|scratch",
    "violence": r"\bHI\b|homicid|violen|kill|hurt\s+(?:him|her|them|others|someone)|harm\s+(?:to\s+)?others|attack",
    "abuse": r"abus|assault|\bhit|\bbeat|rape|molest|\bDV\b|domestic|violence\s+at\s+home|unsafe\s+at\s+home",
    "overdose": r"overdos|\bOD\b|pills|narcan",
}
_FAMILY_PHRASE = {
    "suicidal_ideation_active": "Active suicidal ideation reported",
    "suicidal_ideation_passive": "Passive suicidal ideation reported",
    "self_harm": "Self-harm reported",
    "homicidal_ideation": "Homicidal ideation reported",
    "violence": "Thoughts of violence toward others reported",
    "abuse": "Abuse disclosed",
    "overdose": "Overdose reported",
}
_NEGATIVE_RISK_TEXT = re.compile(r"^\s*(?:none(?:\s+reported)?|denies[^.]*|no\s+(?:risk|SI)[^.]*|n/?a)\.?\s*$",
                                 re.IGNORECASE)


def _families_in(text: str) -> set[str]:
    return {family for family, rx in _FAMILY_WORDS.items() if re.search(rx, text, re.IGNORECASE)}


def _quote(evidence: str, limit: int = 60) -> str:
    cleaned = re.sub(r"[{}*\"]", "", evidence).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3].rsplit(" ", 1)[0] + "..."


def reconcile_note_with_risks(
    note: str, findings: Sequence[RiskFinding], risk_section: str = "Risk"
) -> RiskReconciliation:
    """Add every current transcript risk the note's RED markers miss; demote unsupported RED claims.

    A RED marker is an urgent-risk flag, so it needs evidence: a model-written marker with no current
    finding of its family in the transcript (none at all, or only denied, hypothetical or someone
    else's) loses its wrapper, keeps its words in the note, and is reported in ``unsupported_claims``
    for the clinician to review. A model that flags freely would make the flag meaningless; the
    tuned 135M model did (bench/RESULTS.md, risk figures).
    """
    from summarizer.sections import MULTI_SESSION_SECTIONS, SESSION_NOTE_SECTIONS

    order = MULTI_SESSION_SECTIONS if risk_section != "Risk" else SESSION_NOTE_SECTIONS
    current = [f for f in findings if f.current]
    supported = {_FAMILY[f.category] for f in current}
    unsupported = [span for span in red_spans(note) if not (_families_in(span) & supported)]
    note = unwrap_red_markers(note, unsupported)
    covered: set[str] = set().union(*(_families_in(span) for span in red_spans(note)))
    missing: list[RiskFinding] = []
    missing_families: set[str] = set()
    for finding in current:
        family = _FAMILY[finding.category]
        if family not in covered and family not in missing_families:
            missing.append(finding)
            missing_families.add(family)
    if not missing:
        return RiskReconciliation(note=note, added=[], unsupported_claims=unsupported, intervened=False)
    parsed = parse_note(note, order)
    sections = {name: parsed.sections.get(name, "") for name in order}
    existing = sections.get(risk_section, "")
    if _NEGATIVE_RISK_TEXT.match(existing or NONE_REPORTED):
        existing = ""  # the transcript contradicts "None reported" / "Denies SI/HI"
    additions = " ".join(
        f"{RED_OPEN}{_FAMILY_PHRASE[f.category]} (\"{_quote(f.evidence)}\").{RED_CLOSE}" for f in missing
    )
    sections[risk_section] = f"{additions} {existing}".strip()
    # The added risk text must not push the note past its word budget: trim the other sections.
    sections = trim_sections(sections, order, protected=(risk_section,))
    return RiskReconciliation(note=render_note(sections, order), added=missing, unsupported_claims=unsupported,
                              intervened=True)
