"""The English risk lexicon: first-person risk statements and the filters that qualify them.

Data, not logic: summarizer/risk.py walks a transcript's patient turns and applies these.
Each pattern is (category, severity, regex); ``SELF_NEGATING`` patterns carry their own
negation ("if I just didn't wake up") so the negation filter must not cancel them.
"""

from __future__ import annotations

import re

from summarizer.risk_types import RiskSeverity

# --- lexicon ----------------------------------------------------------------------------------
PILLS = (r"(?:pills|tablets|meds|medications?|sleeping\s+pills|painkillers|the\s+bottle|a\s+bottle|paracetamol|"
          r"acetaminophen|tylenol|ibuprofen|aspirin|lithium|insulin|antidepressants|benzos|xanax|valium|"
          r"oxy\w*|heroin|fentanyl|morphine|codeine|tramadol|quetiapine|seroquel|diazepam|alprazolam|lorazepam|"
          r"ativan|clonazepam|klonopin|temazepam|zopiclone|zolpidem|ambien|trazodone|propranolol|sertraline|"
          r"citalopram|fluoxetine|amitriptyline|mirtazapine|pregabalin|gabapentin|co-?codamol|methadone)")
# Sedatives and opioids: taken on top of a night's drinking they are an overdose, whatever the count.
SEDATIVES = (r"(?:sleeping\s+(?:pills|tablets)|painkillers|benzos|xanax|valium|diazepam|alprazolam|lorazepam|ativan|"
              r"clonazepam|klonopin|temazepam|zopiclone|zolpidem|ambien|trazodone|oxy\w*|heroin|fentanyl|morphine|"
              r"codeine|tramadol|methadone|pregabalin|gabapentin|quetiapine|seroquel|co-?codamol|propranolol)")
NUMBER = (r"(?:\d{2,}|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
           r"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|hundred)")
# "about twenty", "maybe six or seven", "nearly a hundred"
AMOUNT = (rf"(?:(?:about|around|roughly|like|maybe|nearly|almost|over|at\s+least|probably|something\s+like)\s+)?"
           rf"(?:a\s+)?{NUMBER}(?:\s+or\s+{NUMBER})?")
ALCOHOL = r"(?:vodka|wine|whisk(?:e)?y|gin|rum|beers?|cider|alcohol|booze|drink|drinks|spirits|tequila|brandy)"
RELATIVE = (r"(?:husband|wife|boss|dad|father|mother|mom|mum|stepdad|stepfather|brother|sister|ex|"
             r"boyfriend|girlfriend|partner|neighbou?r|coworker|co-worker|teacher|uncle|son|daughter)")
BODY = (r"(?:(?:own\s+)?(?:left\s+|right\s+|upper\s+|inner\s+|lower\s+)?(?:arm|arms|forearm|forearms|wrist|wrists|"
         r"leg|legs|thigh|thighs|skin|stomach|belly|tummy|abdomen|hand|hands|hip|hips|chest|ankle|ankles|ribs|"
         r"shoulder|shoulders|calf|calves|side|body))")
FIREARM = r"(?:gun|guns|shotgun|rifle|pistol|revolver|handgun|firearm|glock)"
WEAPON = rf"(?:{FIREARM}|knife|hunting\s+knife|machete|hammer|axe|bat|baseball\s+bat|crowbar)"
# Someone else as the subject of what was done to the patient.
AGENT = rf"(?:he|she|they|my\s+{RELATIVE}|(?-i:\b(?!(?:The|It|That|This|There|What|Then|I)\b)[A-Z][a-z]+))"

# Someone else as the object of harm: a pronoun, a relative, or a person named ("hurting Derek"). Not after
# "kill", where a name is mostly a jest ("I'll kill Tom if he's late again").
VICTIM = (rf"(?:him|her|them|that\s+guy|that\s+man|that\s+woman|my\s+{RELATIVE}|the\s+{RELATIVE}|"
          rf"(?-i:(?!(?:The|It|That|This|There|What|Then|I|Time|Myself|Everyone|Everything)\b)[A-Z][a-z]+\b(?!')))")
WEAPON_READY = (r"(?:(?:bat|crowbar|knife|blade|machete|hammer|gun|rifle|shotgun|pistol|handgun|glock|nine)\b[\w\s']{"
                r"0,40}?"
                r"\b(?:in\s+the\s+(?:boot|trunk|car|van|glovebox)|on\s+the\s+passenger\s+seat|under\s+(?:the|my)\s+(?"
                r":seat|bed)|"
                r"sewn\s+into|in\s+(?:my|the)\s+(?:jacket|coat|bag|pocket|lining))|(?:got|have|bought|borrowed)\s+(?:"
                r"my\s+\w+'s\s+|"
                r"a\s+|the\s+)?(?:gun|nine|pistol|handgun|shotgun|rifle|glock|knife|machete|crowbar))")
TARGETING = (r"(?:wait(?:ing)?\s+(?:by|outside|for)\s+(?:his|her|their|him)|know\s+(?:when|where)\s+(?:he|she)|(?:he|"
             r"she)\s+"
             r"(?:finishes|gets\s+off|leaves|is\s+on\s+(?:her|his)\s+own)|walking\s+past\s+(?:his|her)|(?:sat|watched|"
             r"watching)\s+(?:across|outside|the\s+(?:house|flat|bedroom))|next\s+time\s+i'?m\s+(?:going\s+in|not\s+w"
             r"alking))")
# Intent before a method: "my plan is to", "I'm going to", "I've decided to", "I want to".
INTENT = (r"(?:plan(?:ning|ned)?(?:\s+is)?|going|gonna|decided|will|'ll|want(?:ed)?|intend(?:ing|ed)?|mean(?:ing)?|"
          r"tempted|urges?|ready|thinking\s+(?:about|of)|thought\s+(?:about|of)|think\s+about)\s+(?:to\s+)?(?:just\s+"
          r")?")

PATTERNS: list[tuple[str, RiskSeverity, str]] = [
    # active suicidal ideation / plans
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     rf"\b(?:thought|thinking|think|planned|planning|plan|going|want|wanted|wanting|decided|considered|considering)"
     rf"\b[\w\s']{{0,20}}?\b(?:to take|about taking|of taking|on taking)\s+(?:all|every one of|a bunch of|"
     rf"the rest of|the whole)\b[\w\s]{{0,12}}{PILLS}"),
    # Ideation in words is high; a method named ("hang myself", "jump off") is a plan, critical. A plan,
    # date or means said nearby escalates the high ones (summarizer/risk.py, _escalate).
    ("suicidal_ideation_active", RiskSeverity.HIGH,
     r"\b(?:kill|killing|end|ending|take|taking)\s+my\s*self\b|\bkill\s+me\s*self\b|\b(?:end|take|ending|taking)"
     r"\s+my\s+(?:own\s+)?life\b|\bend(?:ing)?\s+it\s+all\b|\bwant(?:ed)?\s+to\s+be\s+dead\b|\b(?:do|doing)\s+it\s+"
     r"myself\b"
     # dying as the purpose of an act: "crash on purpose so that I die", "so I'd be dead by the morning"
     r"|\bso\s+(?:that\s+)?i(?:\s+would|'?d|\s+will|'?ll|\s+can|\s+could)?\s+(?:die|be\s+dead|not\s+wake\s+up)\b"),
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\bhang(?:ing)?\s+myself\b|\bshoot(?:ing)?\s+myself\b|\bjump(?:ing)?\s+(?:off|in front of)\b"
     r"|\b(?:keep\s+going|drive|driving|go|going)\s+(?:straight\s+|right\s+)?over\s+the\s+(?:lip|edge|cliff|side\s+of"
     r"\s+the\s+(?:bridge|cliff|quarry))\b|\bhose(?:pipe)?\b[\w\s,']{0,40}?\btape\b|\btake\s+the\s+lot\b"
     r"|\b(?:weeks?|months?)'?\s+worth\b[\w\s,']{0,30}?\b(?:pills|tablets|meds|of\s+(?:my\s+)?\w+)"
     r"|\b(?:putting|put|keeping|saving)\s+(?:my|the)\s+\w+\s+(?:in|into)\s+(?:an?|the|my)\s+(?:envelope|drawer|box|t"
     r"in|"
     r"jar|bag)\s+instead\s+of\s+taking"),
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\b(?:wrote|written|writing)\s+(?:a|my)\s+(?:suicide\s+)?(?:note|goodbye letter)\b|\bsuicide\s+plan\b"
     r"|\b(?:bought|got|have)\s+(?:a\s+)?(?:gun|rope)\b[\w\s]{0,20}\b(?:for|to)\s+(?:myself|end|use)"),
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     rf"\b(?:stockpil\w*|hoard(?:ed|ing)\s+(?:my\s+)?{PILLS}|sav(?:e|ed|ing)\s+(?:up\s+)?(?:my\s+|some\s+|the\s+)?"
     rf"{PILLS}|putting\s+(?:a\s+few|some|them)\s+aside|got\s+them\s+(?:hidden|in\s+a\s+\w+)\s+under)"),
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
     rf"(?:\w+\s+)?{FIREARM}\b|\b(?:put|putting|held|holding|hold|pressed|pressing|pointed|pointing)\s+(?:the|a|my|"
     rf"his|dad'?s|my\s+\w+'?s)\s+(?:\w+\s+)?(?:{FIREARM}|barrel)\s+(?:to|against|in|into|under)\s+my\s+(?:head|"
     rf"mouth|temple|chin|chest|heart)\b|\b{FIREARM}\b[\w\s,']{{0,30}}?\bloaded\s+(?:it|one|a\s+round|the\s+"
     rf"chamber)\b|\bloaded\s+(?:the|a|my|his|dad'?s|my\s+\w+'?s)\s+(?:\w+\s+)?{FIREARM}\b[\w\s,']{{0,30}}?\b(?:"
     rf"sat|looked\s+at\s+it|held\s+it|myself|last\s+night)|\b(?:thought|thinking|think)\s+(?:about\s+|of\s+)"
     rf"(?:using|getting\s+out|taking\s+out)\s+(?:the|a|my|his|dad'?s|my\s+\w+'?s)\s+(?:\w+\s+)?{FIREARM}\b"
     rf"(?!\s+on\s+(?:him|her|them|someone|my\s+{RELATIVE}))"),
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
     r"without\s+me)\b|\b(?:go\s+to\s+sleep|sleep|fall\s+asleep)\s+and\s+(?:not|never)\s+wake\s+up\b(?!\s+(?:till|until)\b)|\bnot\s+wake"
     r"\s+up\b(?!\s+(?:till|until)\b)|\bwish(?:ed|ing)?\s+(?:i|I)\s+(?:was|were|could\s+be)\s+(?:dead|gone|never\s+born)\b|\bdon'?t\s+want"
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
     # Habitual head-banging is deliberate ("I've been banging my head on the door frame"); a single
     # "banged my head on the cupboard" is an accident.
     r"|\b(?:been|keep|kept|started)\s+(?:banging|hitting|bashing)\s+my\s+head\b"
     r"|\b(?:hit|hitting|punch|punching|punched|bang|banging|banged)\s+(?:myself|my\s+head)\b(?!\s+(?:on|against)\s+"
     r"(?:the|a)\s+(?:door|table|corner|cupboard|cabinet|shelf|car|counter|desk|light|ceiling|beam|bunk))"
     r"|\b(?:started|been|was)\s+cutting\s+again\b|\brelapsed?\s+on\s+cutting\b"),
    ("self_harm", RiskSeverity.HIGH,
     rf"\b(?:cut|cutting|cuts|burn|burning|burned|burnt|scratch|scratching|scratched|carve|carving|carved|slash"
     rf"(?:ed|ing)?)\s+my\s+{BODY}\b|\b(?:hit|hitting|punch|punching|punched|bang|banging|banged|bash|bashed|"
     rf"bashing)\s+my\s+(?:own\s+)?(?:head|face|stomach|belly|tummy|legs?|thighs?|arms?|chest|ribs|body)\b(?!\s+"
     rf"(?:on|against)\s+(?:the|a)\s+(?:door|table|corner|cupboard|cabinet|shelf|car|counter|desk))"
     # "scratching with the compass ... on my arm", but not "the cat scratched me on my arm"
     rf"|\b(?:scratched|scratching|cutting|carved|carving|burned|burnt|burning|slashed|slashing)\s+(?:at\s+)?with\s+"
     rf"(?:a|an|the|my|her|his)\s+(?:\w+\s+){{0,6}}?(?:on|into|across|at)\s+my\s+{BODY}\b"
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
     rf"into|against|to)\s+my\s+{BODY}\b"
     r"|\b(?:scratch\w*|pick\w*|dig\w*|dug|claw\w*|rip\w*|tore|tear\w*)\b[\w\s,']{0,40}?\b(?:until|till|til)\s+"
     r"(?:it|they|i|my\s+\w+)\s+(?:bled|bleeds?|was\s+bleeding|were\s+bleeding|started\s+bleeding)\b"
     r"|^\W*(?:and\s+)?(?:(?:really\s+)?hard,?\s+)?(?:until|till|til)\s+(?:it|they)\s+(?:bled|bleeds?)\b"
     r"|\b(?:pencil\s+)?sharpener\s+blades?\b|\b(?:razor|blade)s?\s+(?:blades?\s+)?(?:from|out\s+of)\s+(?:the|a|my|m"
     r"y\s+\w+'s)\s+"
     r"(?:pencil\s+)?(?:sharpener|shaver|disposable)\b"),
    # homicidal ideation / violence
    ("homicidal_ideation", RiskSeverity.HIGH,
     rf"\b(?:kill|murder|shoot|stab|strangle|choke|killing|murdering|shooting|stabbing|strangling|choking)\s+"
     rf"(?:him|her|them|that\s+guy|my\s+{RELATIVE}|the\s+{RELATIVE})\b(?!\s+(?:a|an)\s+(?:\w+\s+)?(?:message|text|email|"
     r"line|note|look|dm|smile))|\bwant\s+(?:him|her|them)\s+dead\b"
     r"|\bhomicidal\b|\bactive\s+HI\b|\b(?:cav(?:e|ing)|smash(?:ing)?|bash(?:ing)?|kick(?:ing)?)\s+(?:his|her|"
     r"their)\s+(?:head|face|skull)\s+in\b"),
    ("violence", RiskSeverity.HIGH,
     rf"\b(?:hurt|attack|batter|stab|beat\s+up|punch|strangle)\s+{VICTIM}(?!\w)"
     r"(?!\s+(?:feelings|career|chances|reputation))"
     rf"|\bkill\s+(?:him|her|them|that\s+man|that\s+woman|my\s+{RELATIVE}|the\s+{RELATIVE})\b"
     r"|\b(?:put(?:ting)?|throw(?:ing)?|shov(?:e|ing))\s+(?:him|her|them)\s+through\s+(?:a|the|his|her|their)\b"),
    ("violence", RiskSeverity.HIGH,
     rf"\b(?:hurting|attacking|battering|stabbing|punching|strangling|beating\s+up)\s+{VICTIM}(?!\w)"
     r"(?!\s+(?:feelings|career|chances|reputation))"
     rf"|\bbeat(?:ing)?\s+(?:him|her|them)\s+up\b"),
    # "running him over", "put him in the ground", "using the pistol on him"
    ("homicidal_ideation", RiskSeverity.CRITICAL,
     rf"\b(?:run|running|ran|runs|mow(?:ing)?|mowed)\s+(?:him|her|them|that\s+guy|my\s+{RELATIVE}|the\s+"
     rf"{RELATIVE}|(?-i:[A-Z][a-z]+))\s+(?:over|down\s+with\s+(?:the|my)\s+(?:car|van|truck|cab|lorry))\b"
     rf"(?!\s+(?:to|there|here|for|tomorrow|later|after|before|now)\b)"
     rf"|\bput(?:ting)?\s+(?:him|her|them|that\s+guy|my\s+{RELATIVE})\s+in\s+(?:the\s+ground|a\s+coffin|an\s+early"
     rf"\s+grave|a\s+box)\b|\b(?:using|use|used)\s+(?:the|a|my|his|dad'?s|my\s+\w+'?s)\s+(?:\w+\s+)?{WEAPON}\s+on\s+"
     rf"(?:him|her|them|that\s+guy|my\s+{RELATIVE}|the\s+{RELATIVE})\b(?!'s)|\b(?:take|taking|took)\s+(?:the|a|my|"
     rf"his|dad'?s|my\s+\w+'?s)\s+(?:\w+\s+)?{WEAPON}\s+to\s+(?:him|her|them|that\s+guy)\b"),
    # abuse disclosure
    ("abuse", RiskSeverity.HIGH,
     rf"(?:\b(?:he|she|they|my\s+{RELATIVE}|him|her)(?:'s|'ve|\s+has|\s+have)?|(?-i:\b(?!(?:The|It|That|This|There|"
     rf"What|Then|Reality|Everything|Something|Nothing|Life|Suddenly)\b)[A-Z][a-z]+))\s+(?:(?!never\b|not\b|wont\b|"
     rf"dont\b|didnt\b|doesnt\b|wouldnt\b)\w+\s+)?(?:hits|hit|beats|beat|punched|punches|slapped|slaps|"
     r"choked|chokes|kicked|kicks|shoved|shoves|pushed|raped|molested|touched|touches|strangled|threw\s+\w+\s+at)"
     r"\s+me\b(?!\s+with\s+(?:narcan|naloxone|the\s+news|a\s+question))|\bgrabbed\s+(?:me|my\s+(?:arm|arms|wrist|neck"
     r"|throat|hair))\b|\bhands?\s+(?:around|round|on)\s+"
     r"my\s+(?:neck|throat)\b|\b(?:sexually|physically|emotionally)\s+abus|\babus(?:ed|ing|ive)\s+(?:me|us)\b|\b(?:ra"
     r"ped|molested)"
     r"\b|\bforced\s+me\s+to\b|\babuse\s+disclos"),
    ("abuse", RiskSeverity.HIGH,
     # "he'd touch me", "she would slap me", "he pinned me against the door"
     rf"\b{AGENT}(?:'d|\s+would|\s+used\s+to|\s+will|'ll|\s+tries\s+to|\s+tried\s+to)[\s.…,]+(?:(?!never\b|"
     rf"not\b)\w+\s+)?"
     rf"(?:hit|beat|punch|slap|choke|kick|shove|rape|molest|touch|strangle|pin|smack|throttle|hurt)\s+me\b"
     rf"|\b{AGENT}(?:'s|\s+has)?\s+(?:(?!never\b|not\b)\w+\s+)?(?:(?:pinned|pins|pin|held|holds|slammed|slams|"
     rf"shoved|shoves)\s+me\s+(?:down|against|to\s+the|into\s+the|up\s+against|by\s+(?:the|my)\s+(?:throat|neck|hair"
     rf"|wrists?|arms?))|(?:throttled|smacked|spat\s+on)\s+me|dragged\s+me\s+(?:by\s+(?:my|the)\s+(?:hair|arm|arms|"
     rf"wrist|neck|collar)|across|along\s+the|down\s+the\s+stairs|out\s+of\s+(?:bed|the\s+car))|shook\s+me\s+(?:so\s+"
     rf"hard|hard|by\s+the))\b"
     rf"|\b{AGENT}(?:'s|\s+has)?\s+(?:(?!never\b|not\b)\w+\s+)?(?:threw|throws|thrown|hurled|chucked|lobbed|"
     rf"smashed)\s+(?:\w+\s+){{1,6}}?(?:at|near|past|towards?)\s+(?:me|my\s+(?:head|face))\b"
     rf"|\b(?:threatened|threatens|threatening)\s+(?:me\s+)?(?:to\s+)?(?:kill|hurt|stab|shoot|strangle|beat|burn|"
     rf"choke|break)\s+(?:me|my|us)\b|\bthreatened\s+to\s+run\s+me\s+over\b|\bthreatened\s+me\s+with\s+(?:a|the|his|"
     rf"her|their)\s+{WEAPON}"
     rf"|\b{AGENT}(?:'s|'d|s|\s+has|\s+had)?\s+(?:(?!never\b|not\b)\w+\s+)?(?:locked|locks)\s+me\s+(?:in|out)\b"
     rf"(?!\s+of\s+(?:the\s+|my\s+)?(?:bathroom|toilet|loo|account|group|chat|app|phone|laptop|car)\b)"
     rf"|\b{AGENT}\s+(?:\w+\s+)?(?:made|makes)\s+"
     rf"me\s+sleep\s+(?:in\s+the\s+(?:garage|car|shed|garden|yard|cold|basement)|outside|on\s+the\s+(?:doorstep|"
     rf"porch))|\b(?:makes?|made|pressur\w+|coerc\w+)\s+me\s+(?:into\s+|to\s+)?(?:have\s+)?(?:sex|sexual)\b"
     rf"|\b{AGENT}(?:'s|\s+has)?\s+(?:(?!never\b|not\b)\w+\s+)?(?:hits|hit|beats|beat|punched|punches|slapped|slaps|"
     rf"kicked|kicks|smacked|smacks|choked|strangled|shoved|throttled)\s+(?:my\s+(?:little\s+|baby\s+|younger\s+|"
     rf"kid\s+)?(?:brother|sister|son|daughter|kids?|children|baby)|the\s+(?:kids|children|baby))\b"),
    # overdose
    ("overdose", RiskSeverity.CRITICAL,
     rf"\boverdos(?:e|ed|ing)\b|(?-i:\bOD'?d\b|\bODed\b)|\b(?:took|taken|swallowed|downed|necked)\s+{AMOUNT}\s+"
     rf"(?:\w+\s+){{0,2}}{PILLS}"
     rf"|\btook\s+[\w\s']{{0,40}}?\bat\s+once\b|\b(?:took|swallowed|downed|necked)\s+(?:a\s+bunch\s+of|"
     rf"all\s+(?:of\s+)?(?:my|the)|too\s+many|"
     rf"a\s+handful\s+of|the\s+whole|way\s+too\s+many|a\s+lot\s+of)\b[\w\s]{{0,12}}{PILLS}|\bstomach\s+pumped\b"
     r"|\bnarcan\b"),
    ("overdose", RiskSeverity.CRITICAL,
     # pills on top of drink: "took about twenty paracetamol with vodka", "drinking ... so i took the diazepam"
     rf"\b(?:took|swallowed|popped|necked|downed)\s+(?:a\s+handful\s+of|a\s+load\s+of|loads\s+of|a\s+lot\s+of|a\s+"
     rf"bunch\s+of|all\s+(?:of\s+)?|the\s+rest\s+of|{AMOUNT})\s*(?:my\s+|the\s+|his\s+|her\s+|those\s+)?(?:\w+\s+)"
     rf"{{0,2}}?{PILLS}\b[\w\s',]{{0,30}}?\b(?:with|and|on\s+top\s+of|washed\s+down\s+with)\s+(?:\w+\s+){{0,4}}?"
     rf"{ALCOHOL}\b|\b(?:drinking|drunk|had\s+a\s+lot\s+to\s+drink|a\s+bottle\s+of\s+\w+)\b[\w\s',]{{0,60}}?\b(?:i"
     rf"\s+)?(?:took|swallowed|popped|necked)\s+(?:some|a\s+few|a\s+couple|a\s+handful|loads|a\s+load|a\s+lot|"
     rf"more|extra|all|the\s+rest|{AMOUNT})\s*(?:of\s+)?(?:my\s+|the\s+|his\s+|her\s+|those\s+)?(?:\w+\s+){{0,2}}?"
     rf"{SEDATIVES}\b"
     # more than prescribed: "so I took more.", "took more than I'm supposed to"
     rf"|(?:(?<=,\sso\s)|(?<=,so\s)|(?<=\bthen\s)|(?<=\band\s))i\s+took\s+(?:some\s+|a\s+few\s+|a\s+couple\s+|"
     rf"even\s+|loads\s+|way\s+|a\s+lot\s+)?"
     rf"more(?:\s+(?:of\s+(?:them|those|it)|{PILLS}))?\s*$|\btook\s+(?:way\s+|a\s+lot\s+)?more\s+than\s+(?:i\s+"
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
    # Abuse told in plain words: someone in the sentence did it to the patient ("he shouted ... and pushed me"),
    # a weapon or fist aimed at them, threats reported, a belt used on a child, sex forced after a refusal.
    ("abuse", RiskSeverity.HIGH,
     r"\b(?:he|she)\b[^.!?\n]{0,60}?\band\s+(?:then\s+)?(?:pushed|shoved|punched|slapped|kicked|hit|choked|strangled|"
     r"throttled|grabbed)\s+me\b|\b(?:came|comes|went|goes|lunged)\s+(?:at|for)\s+me\s+with\b|\b(?:fist|hand)\s+"
     r"through\s+the\s+(?:\w+\s+)?(?:door|wall|window)\b[\w\s,']{0,20}?\b(?:by|near|next\s+to|beside)\s+my\s+(?:head|"
     r"face)\b|\b(?:said|says|told\s+me|threatened)\s+(?:that\s+)?(?:he|she|they)'?d\s+(?:cut|kill|hurt|stab|burn|"
     r"strangle|shoot)\s+me\b|\b(?:he|she)\s+(?:said|says|told\s+me)\b[^.\n]{0,80}?\bi'?ll\s+kill\s+you\b|"
     r"\buses?\s+(?:his|her|a|the)\s+(?:belt|cane|stick|slipper)\s+on\s+(?:me|him|her|them|my)\b"),
    ("overdose", RiskSeverity.CRITICAL,
     r"\btook\s+everything\s+(?:in\s+the|i\s+had|from\s+the)\b|\b(?:took|swallowed|downed)\s+(?:every|each)\s+"
     r"(?:single\s+)?(?:pill|tablet|capsule)\b|\b(?:annoyed|angry|gutted|disappointed|sorry|upset)\s+"
     r"(?:that\s+)?it\s+didn'?t\s+work\b"),
    # Plans and methods in plain words, with no risk keyword: "my plan is to drive my car off the bridge on
    # Sunday", "I'm going to walk into the sea", "I keep the noose in the shed now".
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     rf"\b{INTENT}(?:\w+\s+){{0,2}}?(?:drive|driving|crash|crashing|steer|steering|swerve|swerving|jump|jumping|"
     rf"throw\s+myself|throwing\s+myself|fling\s+myself|go|going)\s+(?:my\s+car\s+|the\s+car\s+|it\s+|myself\s+)?"
     rf"(?:straight\s+|right\s+)?(?:off|from)\s+(?:the|a|an|that|this)\s+(?:\w+\s+){{0,2}}?(?:bridge|cliffs?|roof|"
     rf"ledge|balcony|car\s+park|parking\s+(?:garage|structure)|multi-?storey|overpass|viaduct|pier|tower\s+block|"
     rf"building|quarry|edge|dam|flyover)\b"
     rf"|\b{INTENT}(?:\w+\s+){{0,2}}?(?:drive|driving|crash|crashing|steer|steering|swerve|swerving|plough|walk|"
     rf"walking|wade|wading|step|stepping)\s+(?:my\s+car\s+|the\s+car\s+|it\s+|myself\s+)?(?:straight\s+|right\s+"
     rf")?into\s+(?:the|a|an|some|that|oncoming)\s+(?:\w+\s+){{0,2}}?(?:sea|ocean|river|lake|reservoir|canal|quarry|"
     rf"traffic|lorry|truck|train|motorway|freeway)\b"
     rf"|\b{INTENT}(?:\w+\s+){{0,2}}?(?:step|stepping|walk|walking|jump|jumping|throw\s+myself|lie\s+down|lie|lying)"
     rf"\s+(?:in\s+front\s+of|under|onto)\s+(?:the|a|an|some)\s+(?:\w+\s+){{0,2}}?(?:train|tracks|bus|lorry|truck|"
     rf"tram|express|freight)\b"
     r"|\b(?:tied|made|bought|got|have|keep|kept|hid|hidden|hung|put\s+up)\s+(?:a|the|my)\s+(?:noose|ligature)\b"
     r"|\bnoose\b[\w\s,']{0,30}?\b(?:for\s+me|for\s+myself|ready|in\s+the\s+(?:garage|shed|loft|attic|wardrobe|"
     r"cupboard|basement))"),
    # Slang, ASR spellings and plain words for suicide: "unalive myself", "kms", "sewer slide", "thinking about suicide"
    ("suicidal_ideation_active", RiskSeverity.HIGH,
     r"\bunalive\s+(?:my\s*self|me)\b|\bkms\b|\bsewer\s*slide\b|\bsue\s+a?side\b|\b(?:commit(?:ting)?|attempt"
     r"(?:ing)?)\s+suicide\b|\b(?:thinking|thought|thoughts|think|considering|considered|contemplating|contemplated|r"
     r"eading|googling|"
     r"research(?:ed|ing)?)\s+(?:\w+\s+){0,2}?(?:about|of|on)\s+(?:suicide|killing\s+myself|unaliving\s+myself|"
     r"ending\s+my\s+(?:own\s+)?life|taking\s+my\s+(?:own\s+)?life|ending\s+(?:it|things)\s+(?:all|for\s+good))\b"),
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\b(?:thinking|thought|think)\s+(?:a\s+lot\s+)?(?:about|of)\s+(?:dying|being\s+dead|my\s+own\s+death)\b"
     r"(?!\s+(?:of|from)\s+(?:embarrassment|shame|laughter|boredom))"
     r"|\b(?:no\s+one|nobody)\s+would\s+(?:miss|notice|care)\s+(?:me|if\s+i\s+(?:was|were)\s+gone)\b"
     r"|\beveryone(?:'d|\s+would)\s+be\s+(?:better|happier)\s+(?:off\s+)?(?:without\s+me|if\s+i\s+(?:was|were)"
     r"\s+gone)\b"),
    # Instruments on the body: "I used the lighter on my arm again", "took a blade to my thigh". Not a razor
    # (shaving) and not a needle (injections).
    ("self_harm", RiskSeverity.HIGH,
     rf"\b(?:used|use|using|uses|took|take|taking|put|putting|ran|run|running|dragged|dragging)\s+(?:a|an|the|my|"
     rf"that|this)\s+(?:\w+\s+)?(?:lighter|lit\s+match|match|cigarette|blade|razor\s+blade|knife|compass|pin|"
     rf"safety\s+pin|broken\s+glass|glass|shard|scissors)\s+(?:on|to|against|across|into|over)\s+(?:my\s+{BODY}|"
     rf"myself)\b"),
    ("overdose", RiskSeverity.CRITICAL,
     r"\bpumped\s+my\s+stomach\b|\b(?:i\s+)?had\s+my\s+stomach\s+pumped\b"),
    # A wish to be gone: "I wanted to be gone, I wanted it to stop" (not "gone by five", "gone from that house").
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\b(?:want(?:ed)?|wanting|wish(?:ed)?)\s+to\s+(?:just\s+)?be\s+gone\b(?!\s+(?:by|before|for|from|when|at|in|"
     r"early|soon|out|already|so|on))"),
]
# Patterns read across a whole patient turn, for risks told over several sentences.
TURN_PATTERNS: list[tuple[str, RiskSeverity, re.Pattern[str]]] = [
    # Targeted violence told without a violent verb: a weapon kept ready and the target's movements
    # watched ("He finishes at the depot at ten on Thursdays ... My old cricket bat's been in the boot").
    ("violence", RiskSeverity.CRITICAL,
     re.compile(rf"\b{WEAPON_READY}[^\n]{{0,300}}?\b{TARGETING}|\b{TARGETING}[^\n]{{0,300}}?\b{WEAPON_READY}",
                re.IGNORECASE)),
]

# Phrases whose risk meaning *includes* a negation or conditional ("if I just didn't wake up",
# "I don't trust myself in the car"): the negation/hypothetical filter must not cancel them.
SELF_NEGATING: list[tuple[str, RiskSeverity, str]] = [
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\b(?:rather|easier|better|wouldn'?t\s+(?:matter|mind)|wish|hope|hoping|want|happy|glad|relieved)\b"
     r"[\w\s',]{0,40}?\b(?:didn'?t|did\s+not|not|never|wouldn'?t)\s+(?:to\s+)?(?:wake|waking)\s+up\b|\b(?:think|"
     r"thinking|thought)\s+(?:a\s+lot\s+)?about\s+not\s+"
     r"being\s+(?:here|alive|around)\b|\b(?:don'?t|do\s+not|can'?t)\s+see\s+(?:much\s+|the\s+|any\s+)?point\s+"
     r"(?:in\s+)?(?:carrying\s+on|going\s+on|living|being\s+(?:here|alive)|anymore|of\s+(?:it\s+all|living|"
     r"anything))|\bwish\s+i\s+could\s+(?:just\s+)?(?:switch\s+off|disappear|stop\s+existing|not\s+exist|"
     r"go\s+to\s+sleep\s+forever)|\bno\s+reason\s+to\s+(?:live|keep\s+going|go\s+on|be\s+here)\b"),
    # "if a bus hit me on the way in I wouldn't mind": welcoming an accidental death
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\bif\s+(?:a|the|some)\s+(?:\w+\s+)?(?:bus|car|lorry|truck|train|van|tram)\s+(?:just\s+)?(?:hit|hits|took|takes|"
     r"ran\s+(?:me\s+)?over|runs\s+(?:me\s+)?over)\s*(?:me)?\b[\w\s,']{0,40}?\b(?:(?:i\s+)?(?:wouldn'?t|would\s+not|"
     r"wouldnt)\s+(?:mind|care)|(?:it\s+)?(?:would|'d)\s+be\s+(?:okay|ok|fine|alright|a\s+relief)|i'?d\s+not\s+"
     r"mind)\b"),
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
    # "I said no three times and he pinned my wrists and did it anyway"
    ("abuse", RiskSeverity.HIGH,
     r"\bpinned\s+(?:me|my\s+(?:wrists?|arms?|hands?))\b|\b(?:said|say|saying)\s+no\b[\w\s,']{0,80}?\bdid\s+it\s+"
     r"anyway\b"),
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
     rf"(?:ambulance|911|999|111|paramedics))|\b(?:{AGENT}|paramedics|they)\s+(?:just\s+)?(?:couldn'?t|could\s+"
     rf"not|wasn'?t\s+able\s+to)\s+(?:wake|rouse)\s+me\b(?!\s+(?:up\s+)?(?:for|in\s+time|on\s+time))"),
    ("suicidal_ideation_active", RiskSeverity.HIGH,
     r"\bdon'?t\s+trust\s+myself\s+(?:in\s+the\s+car|alone|not\s+to|with\s+(?:the\s+)?(?:pills|tablets|knife|"
     r"knives|gun|car))"),
    # Intent to die said as a plan not to wake: "I wasn't planning to wake up" (beside an overdose, an attempt).
    ("suicidal_ideation_active", RiskSeverity.HIGH,
     r"\b(?:wasn'?t|wasnt|was\s+not|weren'?t|not)\s+(?:planning|intending|expecting|meaning|going)\s+(?:on\s+)?"
     r"to\s+wake\s+(?:up|back\s+up)\b(?!\s+(?:early|on\s+time|in\s+time|for|before|until|till|at))"),
    # "I'd rather not be alive", "I'd sooner be dead" (not "rather be dead than go to that party").
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\b(?:i'?d|id|i\s+would)\s+(?:just\s+)?(?:rather|sooner)\s+(?:not\s+be\s+(?:alive|here|around)|be\s+dead|not\s+"
     r"exist)\b(?!\s+(?:than|your|my|his|her|the|them|him|people|anyone|those|these|that|this)\b)"
     # Welcoming death by illness: "if it was something bad I wouldn't fight it", "if it happened on its own
     # that would be okay"
     r"|\bif\s+(?:it\s+(?:was|were|is|turned\s+out\s+to\s+be|came\s+back\s+as)\s+(?:something\s+)?(?:bad|serious|"
     r"cancer|terminal)|i\s+(?:got|had|get)\s+(?:cancer|something\s+(?:bad|serious|terminal)))\b[\w\s,']{0,30}?\bi"
     r"\s+(?:wouldn'?t|would\s+not|won'?t|wouldnt)\s+(?:fight\s+it|have\s+(?:the\s+)?treatment|do\s+the\s+chemo)\b"
     r"|\bif\s+(?:it|i|death)\s+(?:just\s+)?(?:happened|came|died)\s+(?:on\s+its\s+own|naturally|in\s+my\s+sleep)"
     r"\b[\w\s,']{0,12}?\b(?:that|it)\s+(?:would|'d|wd)\s+be\s+(?:okay|ok|fine|alright|all\s+right|a\s+relief)\b"),
]
COMPILED = [(cat, sev, re.compile(rx, re.IGNORECASE), False) for cat, sev, rx in PATTERNS] + [
    (cat, sev, re.compile(rx, re.IGNORECASE), True) for cat, sev, rx in SELF_NEGATING
]

NEGATORS = re.compile(
    r"\b(?:no|not|never|nope|don'?t|didn'?t|doesn'?t|haven'?t|hasn'?t|won'?t|wouldn'?t|isn'?t|aren'?t|wasn'?t|"
    r"denies|denied|deny|denying|without|none|nor|neither|n't|nothing\s+like|ruled\s+out|absent|negative\s+for)\b"
    r"|n't\b",
    re.IGNORECASE,
)
HYPOTHETICAL = re.compile(r"\b(?:if|in\s+case|what\s+if|whenever\s+i\s+ever|should\s+i\s+ever|would\s+call|"
                           r"would\s+tell|would\s+reach\s+out|hypothetically|whether|(?:have|had|do)\s+i\s+(?:ever\s+)?"
                           r"(?:had|got|have|been\s+having)\s+any)\b", re.IGNORECASE)
THIRD_PARTY = re.compile(
    r"\b(?:he|she|they|his|her|their|friend|friends|cousin|brother|sister|mom|mum|mother|dad|father|aunt|uncle|"
    r"roommate|classmate|someone|somebody|people|character|movie|show|news|patient|client|neighbou?r|son|daughter"
    r"|husband|wife|partner|boyfriend|girlfriend"
    # people whose work puts instruments to the patient's body
    r"|nurse|doctor|gp|dentist|paramedics?|medic|surgeon|physio|hairdresser|barber|tattooist|beautician"
    # people met at work or in the street ("a lady who'd taken all her tablets")
    r"|lady|woman|man|guy|bloke|lad|girl|boy|kid|child|person|customer|passenger)\b",
    re.IGNORECASE,
)
REPORTED = re.compile(rf"\b(?:he|she|they|my\s+{RELATIVE}|my\s+friend|people|everyone|everybody)\s+(?:thinks|"
                       r"thought|says|said|reckons|feels|believes|keeps\s+saying|told\s+(?:me|everyone|him|her))\b",
                       re.IGNORECASE)
# Subject pronouns only: "my cousin overdosed" is the cousin's risk, "I overdosed" the patient's.
FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|myself)\b", re.IGNORECASE)
# "used to" before a verb is the past ("I used to cut"); before a noun it is habit ("getting used to it").
HISTORY = re.compile(r"\b(?:years\s+ago|used\s+to(?!\s+(?:it|this|that|the|them|being|having|my|him|her)\b)|"
                     r"back\s+then|"
                      r"when\s+i\s+was\s+(?:a\s+kid|younger|little|a\s+teen(?:ager)?|a\s+student|at\s+school|\d+|"
                      r"(?:eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|"
                      r"twenty-\w+|in\s+my\s+(?:teens|twenties)))|at\s+(?:the\s+)?age\s+(?:of\s+)?(?:\d+|\w+teen|twenty\w*)|"
                      r"in\s+high\s+school|as\s+a\s+teenager|back\s+in\s+(?:college|school)|long\s+time\s+ago|"
                      r"haven'?t\s+(?:done\s+(?:that|it)(?!\s+since\s+\w)|since)|(?:in|back\s+in)\s+(?:19|20)\d\d|a"
                      r"t\s+uni(?:versity)?|that\s+was\s+(?:when|the\s+time)"
                      r"|in\s+my\s+(?:first|second|third|final)\s+year|back\s+when)\b", re.IGNORECASE)
# Abuse that is over, said in the same turn: "He hit me ... But it's over. He moved to Spain, I feel safe."
ABUSE_RESOLVED = re.compile(r"\b(?:it'?s\s+(?:over|behind\s+me)|i\s+feel\s+safe|i'?m\s+safe\s+now|non-molestation|res"
                            r"training"
                            r"\s+order|(?:hasn'?t|has\s+not)\s+(?:contacted|been\s+in\s+touch)|(?:years|months)\s+ago"
                            r")\b",
                            re.IGNORECASE)
RECENT = re.compile(r"\b(?:again|last\s+(?:night|week|weekend|month|time)|yesterday|this\s+(?:week|morning|weekend)|"
                    r"on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|keeps?|every\s+(?:day|night|w"
                    r"eek))\b",
                    re.IGNORECASE)
# An explicit time in the past that opens a story ("When I was nineteen", "Years ago", "Back in 2009"): the rest of
# the turn is told there until something makes it current. Not "used to", which is a habit, not a time.
PAST_SCOPE = re.compile(r"\b(?:years\s+ago|back\s+then|long\s+time\s+ago|back\s+when|when\s+i\s+was\s+(?:a\s+kid|"
                        r"younger|little|a\s+teen(?:ager)?|a\s+student|at\s+school|\d+|eleven|twelve|thirteen|fourteen|fifteen|"
                        r"sixteen|seventeen|eighteen|nineteen|twenty|twenty-\w+|in\s+my\s+(?:teens|twenties))|at\s+(?:the\s+)?"
                        r"age\s+(?:of\s+)?(?:\d+|\w+teen|twenty\w*)|as\s+a\s+teenager|in\s+high\s+school|(?:in|back\s+in)\s+"
                        r"(?:19|20)\d\d)\b", re.IGNORECASE)
# What keeps a sentence current after a turn opened in the past ("When I was fifteen I cut. I've started again.").
CURRENT = re.compile(
    rf"{RECENT.pattern}|\b(?:now|nowadays|lately|recently|still|these\s+days|at\s+the\s+moment|currently|this\s+"
    r"(?:year|month|time)|today|tonight|since\s+then)\b|\bi\s+(?:want|wanna|am|feel|keep|think|plan|can'?t|have\s+"
    r"been|'ve\s+been|ve\s+been)\b|\bi'?m\b", re.IGNORECASE)
# "I overdosed on mince pies": a figure of speech when what was overdone is no substance.
OVERDOSE_IDIOM = re.compile(r"\boverdos\w*\s+on\s+(?!(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the\s+"
                            r"(?:weekend|night|\d)|last|new\s+year|christmas|my\s+birthday|\d)\b)"
                            r"(?!(?:my\s+|the\s+|his\s+|her\s+|some\s+|a\s+few\s+)?(?:\w+\s+)?(?:pills|tablets|meds|"
                            r"medication|paracetamol|heroin|fentanyl|insulin|drugs|sleeping|painkillers|oxy\w*|xanax|"
                            r"benzos|"
                            r"methadone|codeine|morphine|ibuprofen|aspirin|antidepressants|opioids|sertraline)\b)"
                            r"\w+", re.IGNORECASE)
# Something was taken, or treated: an overdose happened ("I lined them up and put them back" is no overdose).
INGESTION = re.compile(r"\b(?:i|i'?d|i'?ve|i\s+had|i\s+just)\s+(?:\w+\s+)?(?:took|taken|swallowed|downed|necked|"
                       r"overdosed|od'?d)\b|\b(?:hospital|ambulance|a\s*(?:&|and)\s*e|paramedics?|stomach|narcan|naloxo"
                       r"ne|charcoal|"
                       r"antidote|icu|resus|hdu|drip)\b", re.IGNORECASE)
# Words that turn a harm on the patient: "and then myself", "I won't be around after".
SELF_DIRECTED = re.compile(r"\b(?:myself|my\s+(?:own\s+)?life|suicid\w*|kill\s+me|(?:i'?ll|i\s+will|i\s+want\s+to|i"
                           r"'?d)\s+(?:just\s+)?(?:die|be\s+dead|be\s+gone)|wake\s+up|not\s+(?:be\s+)?(?:here|around|"
                           r"alive)|end\s+it\s+all|goodbye)\b", re.IGNORECASE)
# "burned my hand on the oven tray", "it was an accident": an injury, not self-harm.
ACCIDENT = re.compile(r"\b(?:accident(?:al(?:ly)?)?|by\s+mistake)\b|\bon\s+(?:the|a)\s+(?:oven|stove|hob|iron|kettle|"
                       r"pan|tray|grill|radiator|barbecue|bbq)\b", re.IGNORECASE)
DELIBERATE = re.compile(r"\b(?:not|wasn'?t|isn'?t|no)\s+(?:an?\s+)?accident|\bon\s+purpose\b|\bdeliberately\b",
                         re.IGNORECASE)
# Said in play: "she threatened to run me over with a trolley, we were laughing".
JEST = re.compile(r"\b(?:we\s+were\s+(?:both\s+)?(?:laughing|joking|kidding|messing)|(?:i|we)\s+(?:both\s+)?laughed|"
                   r"i\s+was\s+(?:joking|kidding)|i'?m\s+(?:joking|kidding)|just\s+(?:joking|kidding)|jokingly|in\s+"
                   r"jest|for\s+a\s+laugh|messing\s+(?:about|around)|play[\s-]?fight\w*|(?<!not\s)as\s+a\s+joke)\b",
                   re.IGNORECASE)
# An emergency with no substance in it is a medical event ("woke up in hospital after the crash"), not an overdose.
SUBSTANCE = re.compile(rf"{PILLS}|{ALCOHOL}|overdos\w*|\bOD'?d\b|narcan|naloxone|\bgear\b|\bdrugs?\b"
                        r"|\bus(?:ed|ing)\b", re.IGNORECASE)
MEDICAL_EVENT = re.compile(r"\b(?:crash\w*|accident|collision|surgery|operation|seizure|epilep\w*|asthma|heart\s+"
                            r"attack|stroke|appendix|labou?r|c-section|birth|fell|fall|fainted|hit\s+by|mugged|"
                            r"attacked|assault\w*|apnoea|apnea|drown\w*|allerg\w*|anaphyla\w*)\b", re.IGNORECASE)
IDIOMS = re.compile(r"\b(?:throw|threw|jump|step)\s+(?:myself\s+)?(?:in\s+front\s+of|under)\s+(?:a|the)\s+\w+\s+"
                     r"for\s+(?:her|him|them|you|my|the|those)\b|\b(?:it|that|this)\s+(?:would|'d|will|'ll|"
                     r"is\s+going\s+to)\s+"
                     r"(?:kill|destroy)\s+(?:my|her|him|them)\b|\bkilling\s+(?:it|me)\b|\bkill\s+(?:time|for\s+a)\b|"
                     r"\bwould\s+kill\s+for\b|\bdying\s+to\b"
                     r"|\bdead\s+tired\b|\bkiller\b|\bdie\s+(?:of|from)\s+(?:embarrassment|shame|boredom|laughing|"
                     r"laughter|cringe)\b|\bto\s+die\s+for\b", re.IGNORECASE)

# "I'd run him over. ... I'd never do that": a conditional threat the patient takes back in the same turn
# is a figure of speech, not homicidal ideation. Ideation stated outright ("I want to kill him. I'd never
# actually do it") stays current: ideation without intent is still documented.
CONDITIONAL_TAIL = re.compile(r"\b(?:i'?d|i\s+would)(?:\s+(?:just|probably|totally|literally))?\s*$", re.IGNORECASE)
RETRACTION = re.compile(r"\b(?:i'?d|i\s+would|i\s+will|i'?ll)\s+never\b|\bi\s+(?:would|could)(?:n'?t|\s+not)\s+"
                         r"(?:ever\s+)?(?:actually\s+|really\s+)?do\s+(?:that|it)\b|\bthat'?s\s+not\s+(?:me|who\s+i\s"
                         r"+am)\b"
                         r"|\bi\s+didn'?t\s+mean\s+it\b|\bnot\s+that\s+i\s+(?:would|'d)\b", re.IGNORECASE)
CLAUSE_SPLIT = re.compile(r"(?:(?<!\.)\.(?!\.)|\.{2,}(?!\.)(?![ \t]*(?-i:[a-z]))|…(?![ \t]*(?-i:[a-z]))|[!?;\n])+"
                           r"|\s(?:but|though|although|except|however|whereas)\s|,\s*(?=but\b)",
                           re.IGNORECASE)
WINDOW_WORDS = 7
# A negation does not reach past "so I" / "and then I": "I couldn't sleep, so I took twenty".
SCOPE_BREAK = re.compile(r"(?:,\s*|\s)(?:so|and\s+then|then)\s+(?=(?:i|i'm|im|i've|ive|i'd)\b)"
                          r"|,\s*(?:so|then|and\s+then)\s*$|\s(?:and|so)\s+then\s*$", re.IGNORECASE)
# Not negations: "I can't stop thinking about hurting her", "I couldn't help picturing it".
NOT_NEGATION = re.compile(r"\b(?:can'?t|cannot|couldn'?t|could\s+not)\s+(?:stop|help)\b|\bnot\s+(?:just|only)\b",
                           re.IGNORECASE)
