"""Languages the risk layer reads, and the non-English risk lexicons.

A transcript in a language the detector does not cover must never pass as "no risk found": the
job says risk screening was not performed and needs a clinician. The lexicons below cover the
core first-person risk statements in Spanish, French, German, Portuguese, Italian and Dutch; every
lexicon runs on every transcript, so mixed-language sessions are read in each covered language.

Patterns are written without accents: they run on ``normalise_for_matching`` text, which folds
"é" to "e" and "ü" to "u" while keeping offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from summarizer.risk_types import RiskSeverity

COVERED_LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "pt", "it", "nl")
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "ar": "Arabic",
    "zh-cn": "Chinese", "zh-tw": "Chinese", "ja": "Japanese", "ko": "Korean", "hi": "Hindi", "ro": "Romanian",
    "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish", "cs": "Czech", "el": "Greek",
    "hu": "Hungarian", "vi": "Vietnamese", "fa": "Persian", "he": "Hebrew",
}
# Below this many words the language guess is noise; the transcript is read with every lexicon.
_MIN_WORDS_FOR_LANGUAGE = 12
_MIN_PROBABILITY = 0.85


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # ISO 639-1 (langdetect's codes), "und" when too short to tell
    probability: float
    languages: tuple[str, ...]


@lru_cache(maxsize=1)
def _factory_seeded() -> None:
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0  # langdetect samples; a fixed seed makes the guess repeatable


def guess_language(text: str) -> LanguageGuess:
    """The main language of ``text`` (patient speech), and every language with a real share."""
    from langdetect import detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    if len(re.findall(r"[^\W\d_]{2,}", text)) < _MIN_WORDS_FOR_LANGUAGE:
        return LanguageGuess("und", 0.0, ())
    _factory_seeded()
    try:
        ranked = detect_langs(text)
    except LangDetectException:
        return LanguageGuess("und", 0.0, ())
    languages = tuple(r.lang for r in ranked if r.prob >= 0.15)
    top = ranked[0]
    if top.prob < _MIN_PROBABILITY:
        return LanguageGuess("und", top.prob, languages)
    return LanguageGuess(top.lang, top.prob, languages)


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


# --- lexicons -------------------------------------------------------------------------------------
_WEEKDAYS = (r"(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|lundi|mardi|mercredi|jeudi|vendredi|samedi|"
             r"dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|segunda|terca|quarta|quinta|sexta|"
             r"lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|"
             r"(?:maan|dins|woens|donder|vrij|zater|zon)dag(?:avond|nacht|ochtend|middag)?)")

# English time words count as a plan only next to an intent ("Thursday I'll be waiting by his car",
# "I'm going to go next week, probably Tuesday"), not as a mere date ("at my lad's football on Saturday").
_EN_WHEN = (r"(?:(?:on|this|next)\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|tonight|tom"
            r"orrow|"
            r"the\s+(?:night\s+of\s+the\s+)?(?:\d{1,2}(?:st|nd|rd|th)|first|fourteenth|fifteenth|twentieth|thirtieth|"
            r"twenty-\w+))\b")
_EN_INTENT = (r"(?:going\s+to|gonna|i'?ll|i\s+will|planning|plan\s+(?:is|to)|decided|i'?m\s+going|that'?s\s+when|"
              r"i\s+was\s+going|made\s+my\s+mind\s+up|i\s+was\s+thinking)\b")
INTENT = re.compile(rf"\b(?:{_EN_INTENT}|voy\s+a|je\s+vais|ich\s+werde|vou|vado\s+a|ik\s+ga)", re.IGNORECASE)

# (language, category, severity, pattern)
_LEXICON: list[tuple[str, str, RiskSeverity, str]] = [
    # Spanish
    ("es", "suicidal_ideation_active", RiskSeverity.HIGH,
     r"\b(?:suicidarme|matarme|quitarme\s+la\s+vida|acabar\s+con\s+mi\s+(?:propia\s+)?vida|me\s+quiero\s+(?:matar|"
     r"suicidar|morir)|quiero\s+(?:morirme|morir)|(?:tirarme|lanzarme|aventarme)\s+(?:del|de\s+un|de\s+una|de\s+la|al|"
     r"a\s+las?|por\s+la|bajo)\b|(?:pensamientos?|ideas?)\s+suicidas?|acabar\s+con\s+todo)\b"),
    ("es", "suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\b(?:intente|intento\s+de)\s+(?:suicidarme|matarme|quitarme\s+la\s+vida|suicidio)\b|\b(?:tomarme|tragarme)\s+"
     r"todas\s+las\s+(?:pastillas|pildoras)\b"),
    ("es", "suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\bno\s+quiero\s+(?:seguir\s+)?(?:vivir|viviendo|estar\s+aqui|despertar(?:me)?)\b|\bojala\s+(?:no\s+(?:me\s+)?"
     r"despertara|no\s+despertar|(?:estuviera|estar)\s+muert[oa]|me\s+muriera|desaparecer)\b|\bestarian\s+mejor\s+si"
     r"n\s+"
     r"mi\b|\bmejor\s+(?:sin\s+mi|muert[oa])\b|\bpara\s+que\s+seguir\s+(?:viviendo|aqui)\b|\bno\s+(?:le\s+)?veo\s+"
     r"(?:el\s+)?sentido\s+a\s+(?:la\s+vida|vivir|seguir)\b|\bganas\s+de\s+(?:morir|desaparecer)\b"),
    ("es", "self_harm", RiskSeverity.HIGH,
     r"\bme\s+(?:corto|corte|he\s+cortado|cortaba|quemo|queme|he\s+quemado|lastimo|lastime|hago\s+dano|hice\s+dano|h"
     r"e\s+"
     r"hecho\s+dano)\b(?!\s+(?:el\s+(?:pelo|cabello|dedo|flequillo)|las\s+unas|con\s+(?:un\s+)?papel|cocinando|sin\s+"
     r"querer))|\b(?:cortarme|quemarme|lastimarme|hacerme\s+dano)\b(?!\s+(?:el\s+pelo|el\s+cabello))|\bautolesi\w*"),
    ("es", "overdose", RiskSeverity.CRITICAL,
     r"\bsobredosis\b|\bme\s+(?:tome|trague)\s+(?:todas?\s+las|una\s+caja|un\s+bote|un\s+frasco|un\s+blister|muchas|"
     r"\d{2,}|veinte|treinta)\b|\blavado\s+de\s+estomago\b"),
    ("es", "violence", RiskSeverity.HIGH,
     r"\b(?:matarlo|matarla|matarle|(?:lo|la|le)\s+voy\s+a\s+matar|voy\s+a\s+matar(?:lo|la|le)|quiero\s+matar(?:lo|la"
     r"|le)|"
     r"hacerle\s+dano)\b"),
    ("es", "abuse", RiskSeverity.HIGH,
     r"\bme\s+(?:pega|pego|golpea|golpeo|empuja|empujo|amenaza|amenazo|ahorca|ahorco|estrangula|estrangulo|viola|violo|"
     r"obliga\s+a|obligo\s+a|encierra|encerro|patea|pateo|ha\s+(?:pegado|golpeado|amenazado|violado|ahorcado))\b"
     r"(?!\s+(?:el|un|una|la)\s+(?:resfriado|gripe|virus|susto))"),
    # French
    ("fr", "suicidal_ideation_active", RiskSeverity.HIGH,
     r"\b(?:me\s+suicider|me\s+tuer|en\s+finir(?!\s+avec\s+(?:ce|cette|ces|cet|son|sa|ses|mon|ma|mes|le|les|ton|ta)\b)|"
     r"mettre\s+fin\s+a\s+(?:mes\s+jours|ma\s+vie)|me\s+foutre\s+en\s+l'?air|me\s+jeter\s+(?:du|d'un|d'une|sous|par|"
     r"dans)|(?:pensees|idees)\s+suicidaires|j'?ai\s+envie\s+de\s+mourir|je\s+veux\s+mourir|me\s+pendre)\b"),
    ("fr", "suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\b(?:tentative\s+de\s+suicide|j'?ai\s+essaye\s+de\s+me\s+(?:tuer|suicider)|je\s+me\s+suis\s+(?:ouvert\s+les\s+"
     r"veines|pendu))\b"),
    ("fr", "suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\bmieux\s+sans\s+moi\b|\b(?:ne\s+plus|ne\s+pas|pas)\s+me\s+reveiller\b|\ba\s+quoi\s+bon\s+(?:vivre|continuer)\b"
     r"|\bplus\s+envie\s+de\s+vivre\b|\bdisparaitre\s+pour\s+(?:toujours|de\s+bon)\b|\bj'?aimerais\s+(?:etre\s+mort|"
     r"disparaitre)\b"),
    ("fr", "self_harm", RiskSeverity.HIGH,
     r"\b(?:me\s+scarifier|je\s+me\s+scarifie|scarifications?|automutilation|me\s+faire\s+du\s+mal|je\s+me\s+fais\s+d"
     r"u\s+"
     r"mal|je\s+me\s+(?:suis\s+)?(?:coupee?|brulee?|mutilee?)s?\b(?!\s+(?:les\s+cheveux|le\s+doigt|en\s+cuisinant|"
     r"par\s+accident)))"),
    ("fr", "overdose", RiskSeverity.CRITICAL,
     r"\b(?:surdose|lavage\s+d'?estomac)\b|\bj'?ai\s+(?:pris|avale)\s+(?:toute\s+la\s+boite|toutes?\s+(?:mes|les)"
     r"\s+(?:cachets|comprimes|medicaments|pilules)|une\s+boite|(?:\d{2,}|vingt|trente)\s+(?:cachets|comprimes|pilule"
     r"s))"),
    ("fr", "violence", RiskSeverity.HIGH,
     r"\b(?:le\s+tuer|la\s+tuer|les\s+tuer|le\s+buter|la\s+buter|envie\s+de\s+(?:le|la)\s+(?:tuer|frapper)|lui\s+fair"
     r"e\s+du"
     r"\s+mal)\b"),
    ("fr", "abuse", RiskSeverity.HIGH,
     r"\b(?:il|elle)\s+me\s+(?:frappe|bat|menace|etrangle|viole|enferme|pousse|gifle)\b|\bm'?a\s+(?:frappee?|battue?|"
     r"menacee?|etranglee?|violee?|giflee?|enfermee?|poussee?)\b"),
    # German
    ("de", "suicidal_ideation_active", RiskSeverity.HIGH,
     r"\b(?:mich\s+umbringen|mich\s+umzubringen|bringe\s+mich\s+um|mir\s+das\s+leben\s+(?:zu\s+)?nehmen|selbstmord"
     r"(?:gedanken)?|suizid\w*|ich\s+will\s+(?:nicht\s+mehr\s+leben|sterben)|will\s+nur\s+noch\s+sterben|mich\s+"
     r"(?:erhangen|erschiessen|aufhangen)|(?:mich\s+)?vor\s+(?:den|einen)\s+zug\s+(?:werfen|springen))\b"),
    ("de", "suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\bnicht\s+mehr\s+aufwachen\b|\bbesser\s+ohne\s+mich\b|\bwa(?:e)?re\s+(?:lieber|besser)\s+tot\b|\beinfach\s+"
     r"verschwinden\b|\blieber\s+tot\b|\bhat\s+(?:doch\s+)?(?:alles\s+)?keinen\s+sinn\s+mehr\b"),
    ("de", "self_harm", RiskSeverity.HIGH,
     r"\b(?:ritze\s+mich|mich\s+(?:zu\s+)?(?:ritzen|verletzen|selbst\s+verletzen)|selbstverletz\w*|habe\s+mich\s+"
     r"(?:wieder\s+)?(?:geritzt|verbrannt|selbst\s+verletzt))\b"),
    ("de", "overdose", RiskSeverity.CRITICAL,
     r"\b(?:uberdosis|magen\s+ausgepumpt|alle\s+(?:meine\s+)?tabletten\s+(?:geschluckt|genommen)|(?:\d{2,}|zwanzig|"
     r"dreissig)\s+tabletten\s+(?:geschluckt|genommen))\b"),
    ("de", "violence", RiskSeverity.HIGH,
     r"\b(?:ihn|sie)\s+(?:umbringen|umzubringen|abstechen|erschiessen|toten)\b|\bbringe\s+(?:ihn|sie)\s+um\b"),
    ("de", "abuse", RiskSeverity.HIGH,
     r"\b(?:er|sie)\s+(?:schlagt|schlug|wurgt|wurgte|bedroht|bedrohte|tritt|trat)\s+mich\b|\bhat\s+mich\s+(?:\w+\s+)?"
     r"(?:geschlagen|gewurgt|bedroht|vergewaltigt|eingesperrt|getreten)\b"),
    # Portuguese
    ("pt", "suicidal_ideation_active", RiskSeverity.HIGH,
     r"\b(?:me\s+matar|me\s+suicidar|suicidar-me|matar-me|tirar\s+(?:a\s+)?minha\s+(?:propria\s+)?vida|acabar\s+com\s+"
     r"(?:a\s+minha\s+vida|tudo)|quero\s+morrer|(?:pensamentos?|ideias?)\s+suicidas?|me\s+jogar\s+(?:da|de|do|na\s+"
     r"frente))\b"),
    ("pt", "suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\btentei\s+(?:me\s+matar|suicidio|o\s+suicidio|me\s+suicidar)\b|\btentativa\s+de\s+suicidio\b"),
    ("pt", "suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\bnao\s+quero\s+mais\s+viver\b|\bnao\s+quero\s+(?:acordar|estar\s+aqui)\b|\bmelhor(?:es)?\s+sem\s+mim\b|\bqueria"
     r"\s+(?:estar\s+morta?|desaparecer|nao\s+acordar|sumir)\b|\bsem\s+sentido\s+(?:viver|continuar)\b"),
    ("pt", "self_harm", RiskSeverity.HIGH,
     r"\b(?:me\s+cortar|me\s+cortei|me\s+corto|me\s+machuc\w+|me\s+queimei|automutila\w*|auto-?lesao|me\s+ferir|me\s+"
     r"feri)\b(?!\s+(?:o\s+cabelo|o\s+dedo|cozinhando|sem\s+querer))"),
    ("pt", "overdose", RiskSeverity.CRITICAL,
     r"\b(?:lavagem\s+(?:estomacal|gastrica))\b|\btomei\s+(?:todos?\s+(?:os|as|meus|minhas)|uma\s+caixa|"
     r"(?:\d{2,}|vinte|trinta)\s+)|\btomei\s+(?:uma|um)\s+(?:cartela|caixa|frasco|vidro)\s+inteir[ao]\b"),
    ("pt", "violence", RiskSeverity.HIGH,
     r"\b(?:mata-l[oa]|matar\s+(?:ele|ela)|vou\s+mata-l[oa]|machucar\s+(?:ele|ela))\b"),
    ("pt", "abuse", RiskSeverity.HIGH,
     r"\b(?:ele|ela)\s+me\s+(?:bate|bateu|agride|agrediu|ameaca|ameacou|estrangulou|enforcou|empurrou|forcou|estuprou|"
     r"tranca|trancou)\b|\bme\s+(?:bate|bateu|agrediu|ameacou|estuprou)\b"),
    # Italian
    ("it", "suicidal_ideation_active", RiskSeverity.HIGH,
     r"\b(?:uccidermi|ammazzarmi|suicidarmi|togliermi\s+la\s+vita|farla\s+finita|voglio\s+morire|pensieri\s+suicid\w+|"
     r"buttarmi\s+(?:dal|da|sotto))\b"),
    ("it", "suicidal_ideation_active", RiskSeverity.CRITICAL, r"\b(?:tentato\s+(?:il\s+)?suicidio)\b"),
    ("it", "suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\bnon\s+voglio\s+piu\s+vivere\b|\bmeglio\s+senza\s+(?:di\s+)?me\b|\bnon\s+svegliarmi\s+piu\b|\bvorrei\s+(?:ess"
     r"ere"
     r"\s+mort[oa]|sparire|scomparire|non\s+svegliarmi)\b|\bche\s+senso\s+ha\s+vivere\b"),
    ("it", "self_harm", RiskSeverity.HIGH,
     r"\b(?:tagliarmi|mi\s+(?:taglio|sono\s+tagliat[oa])|autolesion\w*|farmi\s+del\s+male|mi\s+faccio\s+del\s+male|"
     r"bruciarmi|mi\s+brucio)\b(?!\s+(?:i\s+capelli|il\s+dito))"),
    ("it", "overdose", RiskSeverity.CRITICAL,
     r"\b(?:lavanda\s+gastrica)\b|\bho\s+preso\s+(?:tutte\s+le|una\s+scatola|(?:\d{2,}|venti|trenta)\s+)"),
    ("it", "violence", RiskSeverity.HIGH,
     r"\b(?:ucciderlo|ucciderla|ammazzarlo|ammazzarla|lo\s+ammazzo|la\s+ammazzo|fargli\s+del\s+male)\b"),
    ("it", "abuse", RiskSeverity.HIGH,
     r"\bmi\s+(?:picchia|ha\s+picchiat[oa]|minaccia|ha\s+minacciat[oa]|strangola|ha\s+strangolat[oa]|violenta|ha\s+"
     r"violentat[oa]|spinge|ha\s+spint[oa])\b"),
    # Dutch
    ("nl", "suicidal_ideation_active", RiskSeverity.HIGH,
     r"\b(?:zelfmoord(?:gedachten|plannen)?|mezelf\s+(?:van\s+kant\s+(?:te\s+)?maken|om\s+(?:te\s+)?brengen|"
     r"(?:te\s+)?doden|op\s+(?:te\s+)?hangen|(?:te\s+)?verdrinken)|(?:een\s+)?einde\s+aan\s+(?:mijn|m'n)\s+(?:eigen\s+)"
     r"?"
     r"leven\s+(?:te\s+)?maken|ik\s+wil\s+(?:dood|sterven|niet\s+meer\s+leven)|er\s+een\s+einde\s+aan\s+maken|"
     r"voor\s+(?:de|een)\s+trein\s+(?:springen|gaan\s+(?:staan|liggen)))\b"),
    ("nl", "suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\b(?:zelfmoordpoging|geprobeerd\s+(?:om\s+)?(?:mezelf\s+(?:van\s+kant\s+te\s+maken|te\s+doden|om\s+te\s+brengen)"
     r"|"
     r"zelfmoord\s+te\s+plegen|een\s+einde\s+aan\s+mijn\s+leven\s+te\s+maken)|neem\s+ik\s+ze\s+allemaal\s+in|"
     r"(?:alle|al\s+(?:mijn|de))\s+(?:\w+\s+)?(?:pillen|slaappillen|tabletten|medicijnen)\s+(?:in\s*(?:te\s+)?nemen|"
     r"(?:te\s+)?slikken)|afscheidsbrie(?:f|ven))\b"),
    ("nl", "suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\b(?:wou|wilde|zou\s+willen)\s+dat\s+ik\s+(?:dood\s+was|niet\s+meer\s+wakker\s+werd|er\s+niet\s+meer\s+was)\b"
     r"|\bniet\s+meer\s+wakker\s+(?:te\s+)?worden\b|\bbeter\s+af\s+zonder\s+mij\b|\bliever\s+dood\b|\b(?:het\s+"
     r"leven|alles|het\s+allemaal)\s+heeft\s+geen\s+zin\s+meer\b|\bgewoon\s+(?:willen\s+)?verdwijnen\b"),
    ("nl", "self_harm", RiskSeverity.HIGH,
     r"\b(?:snij|sneed|kras|kraste|brand|brandde)\s+(?:ik\s+)?mezelf\b(?!\s+in\s+(?:mijn|m'n|de)\s+(?:vinger|duim))"
     r"|\bmezelf\s+(?:\w+\s+)?(?:snijden|krassen|pijn\s+(?:te\s+)?doen|verwonden|beschadigen|gesneden|gekrast|verwond|"
     r"pijn\s+gedaan)\b|\bzelfbeschadiging\b"),
    ("nl", "overdose", RiskSeverity.CRITICAL,
     r"\boverdosis\b|\bmaag\s+(?:is\s+)?(?:leeggepompt|laten\s+leegpompen)\b|\b(?:alle|al\s+mijn|een\s+hele\s+"
     r"(?:strip|doos)|\d{2,}|twintig|dertig)\s+(?:\w+\s+)?(?:pillen|tabletten|slaappillen|medicijnen)\s+(?:ingenomen|"
     r"geslikt)\b"),
    ("nl", "violence", RiskSeverity.HIGH,
     r"\b(?:hem|haar)\s+(?:vermoorden|dood\s*maken|neersteken|iets\s+aan\s*doen)\b|\bik\s+vermoord\s+(?:hem|haar)\b"),
    ("nl", "abuse", RiskSeverity.HIGH,
     r"\b(?:hij|zij|ze)\s+(?:slaat|sloeg|schopt|schopte|wurgt|wurgde|bedreigt|bedreigde|duwt|duwde|verkracht\w*)\s+"
     r"(?:mij|me)\b|\b(?:hij|zij|ze)\s+heeft\s+(?:mij|me)\s+(?:\w+\s+)?(?:geslagen|geschopt|gewurgd|bedreigd|"
     r"verkracht|geduwd|opgesloten)\b"),
]
COMPILED: list[tuple[str, str, RiskSeverity, re.Pattern[str]]] = [
    (lang, cat, sev, re.compile(rx, re.IGNORECASE)) for lang, cat, sev, rx in _LEXICON
]

# Negation words that cancel a match when they come shortly before it in the same clause.
NEGATORS = {
    "es": re.compile(r"\b(?:no|nunca|jamas|ni|niega|niego|tampoco|ningun[ao]?|nada\s+de\s+eso)\b", re.IGNORECASE),
    "fr": re.compile(r"\b(?:ne|pas|jamais|aucune?|nie|sans|ni)\b|\bn'", re.IGNORECASE),
    "de": re.compile(r"\b(?:nicht|nie|niemals|kein\w*|nein|verneint|ohne)\b", re.IGNORECASE),
    "pt": re.compile(r"\b(?:nao|nunca|jamais|nem|nega|nenhum\w*|sem)\b", re.IGNORECASE),
    "it": re.compile(r"\b(?:non|mai|nessun\w*|nega|senza|ne)\b", re.IGNORECASE),
    "nl": re.compile(r"\b(?:niet|nooit|geen|nee|niks|niets|zonder|ontken\w*)\b", re.IGNORECASE),
}
# Conditionals, someone else's risk and the past, per language: the finding is not current.
NOT_CURRENT = {
    "es": re.compile(r"\b(?:si\s+(?:alguna\s+vez|algun\s+dia|un\s+dia|volviera|llegara)|en\s+caso\s+de|mi\s+(?:amig[o"
                     r"a]|"
                     r"herman[oa]|prim[oa]|madre|mama|padre|papa|ti[oa]|vecin[oa]|hij[oa])|hace\s+(?:\w+\s+)?anos|"
                     r"cuando\s+era\s+(?:nin[oa]|joven|adolescente)|de\s+adolescente)\b", re.IGNORECASE),
    "fr": re.compile(r"\b(?:si\s+(?:un\s+jour|jamais)|au\s+cas\s+ou|mon\s+(?:ami|frere|cousin|pere|oncle|voisin|fils)|"
                     r"ma\s+"
                     r"(?:amie|soeur|cousine|mere|tante|voisine|fille)|il\s+y\s+a\s+(?:\w+\s+)?ans|a\s+l'?epoque|autr"
                     r"efois|quand\s+j'?etais\s+"
                     r"(?:petite?|jeune|ado\w*))\b", re.IGNORECASE),
    "de": re.compile(r"\b(?:falls|wenn\s+ich\s+(?:jemals|je)|(?:sie|er)\s+hat\s+(?:mir\s+)?(?:\w+\s+){0,4}?(?:geschri"
                     r"eben|"
                     r"gesagt)|schrieb|sagte|mein(?:e|er|em|en)?\s+(?:freund\w*|bruder|schwester|cousin\w*|"
                     r"vater|mutter|onkel|tante|nachbar\w*|sohn|tochter)|vor\s+(?:\w+\s+)?jahren|als\s+ich\s+(?:jung|"
                     r"klein|teenager|ein\s+kind))\b", re.IGNORECASE),
    "pt": re.compile(r"\b(?:se\s+(?:um\s+dia|algum\s+dia|alguma\s+vez)|caso\s+eu|meu\s+(?:amigo|irmao|primo|pai|tio|v"
                     r"izinho|"
                     r"filho)|minha\s+(?:amiga|irma|prima|mae|tia|vizinha|filha)|ha\s+(?:\w+\s+)?anos|quando\s+eu\s+era"
                     r"\s+(?:crianca|jovem|adolescente))\b", re.IGNORECASE),
    "it": re.compile(r"\b(?:se\s+(?:mai|un\s+giorno)|nel\s+caso|mio\s+(?:amico|fratello|cugino|padre|zio|vicino|figli"
                     r"o)|mia\s+"
                     r"(?:amica|sorella|cugina|madre|zia|vicina|figlia)|anni\s+fa|quando\s+ero\s+(?:piccol[oa]|giovane|"
                     r"ragazz[oa]))\b", re.IGNORECASE),
    "nl": re.compile(r"\b(?:als\s+ik\s+ooit|mocht\s+ik|stel\s+dat|per\s+ongeluk|mijn\s+(?:vriend\w*|broer|zus|neef|"
                     r"nicht|vader|moeder|oom|tante|buur\w*|zoon|dochter)|jaren\s+geleden|toen\s+ik\s+(?:jong|klein|"
                     r"een\s+kind|tiener))\b", re.IGNORECASE),
}
# A plan, date or means near active ideation makes it critical, in any covered language.
PLAN_OR_MEANS = re.compile(
    # (the date may be its own sentence: "I'm going to kill myself. On the 12th.")
    rf"\b(?:{_EN_INTENT}[^\n]{{0,80}}?\b{_EN_WHEN}|{_EN_WHEN}[^.!?\n]{{0,60}}?\b{_EN_INTENT}|"
    # preparations: goodbye letters, possessions given away, the means within reach
    r"(?:written|wrote|writing|left)\s+(?:a\s+|the\s+|my\s+|some\s+)?(?:goodbye\s+)?(?:letters?|notes?)\s+(?:to|for)\b|"
    r"(?:gave|given|giving)\s+(?:away\s+)?(?:my|\w+'s)\s+(?:[\w']+\s+){0,2}?\w+\s+to\b|(?:gave|given|giving)\s+away\s+my\b|"
    r"it'?s\s+(?:all\s+)?sorted|(?:can|could)\s+get\s+to\s+(?:it|them)\b|"
    r"my\s+plan|a\s+plan|planned|planning\s+to|the\s+date|a\s+date|worked\s+out\s+how|(?:picked|chosen|chose)\s+(?:a|the|my)\s+(?:spot|"
    r"place|day|date|time|bridge|building|tree|method|way|car\s+park|cliff|train|line|night)|(?:have|'ve\s+got|got|bought|kept|keep|saved|stashed|hid|hidden|collected|saving)\s+(?:up\s+)?"
    r"(?:a\s+|the\s+|my\s+|some\s+|all\s+(?:my|the)\s+)?(?:full\s+|whole\s+|new\s+)?(?:bottle|gun|rope|noose|pills|"
    r"tablets|stash|knife|blades?|box\s+of|pack\s+of|packets|strip\s+of|charcoal|hose|shotgun|rifle|pistol)|"
    rf"(?:el|la|le|der|am|na|no|il)\s+{_WEEKDAYS}|{_WEEKDAYS}|esta\s+noche|ce\s+soir|heute\s+nacht|stasera|hoje\s+a\s"
    rf"+noite|"
    r"ya\s+tengo|guardad[oa]s|j'?ai\s+(?:deja\s+)?(?:les|des)\s+(?:cachets|medicaments|comprimes)|de\s+cote|gesammelt|"
    r"ja\s+tenho|guardei|messo\s+da\s+parte|(?:op)?gespaard|verzameld|ik\s+heb\s+(?:de|een|het)\s+(?:pillen|touw|mes)|("
    r"?:tengo|j'?ai|habe|tenho|ho)\s+(?:las?|les|une?|eine?|die|um|uma|as|os|le|"
    r"una|un)\s+(?:pastillas|pistola|cuerda|cuchillo|arma|corde|arme|fusil|pistolet|seil|waffe|tabletten|corda|arma|"
    r"pillole|pastiglie)"
    # targeted violence: a weapon kept ready, the target's movements known, lying in wait
    r"|(?:bat|crowbar|knife|blade|machete|hammer|gun|rifle|shotgun)\b[\w\s']{0,30}?\b(?:in\s+the\s+(?:boot|trunk|car|"
    r"van|glovebox)|under\s+the\s+seat|in\s+my\s+(?:jacket|coat|bag|pocket))|know\s+(?:when|where)\s+(?:he|she|they)"
    r"\s+(?:finishes|leaves|lives|parks|walks|goes|works)|(?:waiting|wait|waited|sat)\s+(?:outside|by|for)\s+(?:his|"
    r"her|their|him|her)\b)\b",
    re.IGNORECASE,
)
# Risk screening questions in the other covered languages: (question, category, severity of a "yes").
SCREENING_QUESTIONS: tuple[tuple[re.Pattern[str], str, RiskSeverity], ...] = (
    (re.compile(r"\b(?:zelfmoord\w*|einde\s+aan\s+(?:je|jouw)\s+(?:eigen\s+)?leven|jezelf\s+(?:van\s+kant\s+(?:te\s+)?"
                r"maken|iets\s+aan\s+(?:te\s+)?doen|(?:te\s+)?doden|om\s+(?:te\s+)?brengen)|niet\s+meer\s+(?:willen\s+)"
                r"?"
                r"leven)\b[^?]*\?", re.IGNORECASE), "suicidal_ideation_active", RiskSeverity.HIGH),
)
