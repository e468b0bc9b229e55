"""English tokenizer rules: contractions, possessives, abbreviations and bound prefixes, following UD English."""
from __future__ import annotations

import plait.core.lang.base as base
from plait.core.tokenizer import TokenizerRules

APOSTROPHES = "'’`"

# Clitics cut from the end of a word: "don't" -> do n't, "can't" -> ca n't, "I'm" -> I 'm, "Bob's" -> Bob 's.
CLITIC_SUFFIXES = (
    rf"(?<={base.ALPHA})(?i:n[{APOSTROPHES}]t)",
    rf"(?<={base.ALPHA})[{APOSTROPHES}](?i:s|m|d|ll|re|ve)",
)

# Hyphenated words whose first part cannot stand alone stay one token ("e-mail", "non-violence", "re-elect").
BOUND_PREFIXES = (
    "e", "anti", "bi", "co", "counter", "cross", "de", "ex", "hyper", "intra", "macro", "micro", "mid",
    "mis", "multi", "neo", "non", "over", "post", "pre", "pro", "pseudo", "psycho", "quasi", "re", "semi", "sub",
    "trans", "tri", "ultra", "un", "uni",
)
TOKEN_MATCH = (rf"(?i:(?:{'|'.join(BOUND_PREFIXES)})-{base.ALNUM}+)",)  # also "mid-1980s"

# Words written as one that UD English splits into two (each listed in lower case; Title and UPPER added).
FUSED_WORDS = {
    "cannot": ("can", "not"),
    "gonna": ("gon", "na"),
    "gotta": ("got", "ta"),
    "wanna": ("wan", "na"),
    "gimme": ("gim", "me"),
    "lemme": ("lem", "me"),
    "y'all": ("y'", "all"),
    "'tis": ("'t", "is"),
    "alot": ("a", "lot"),
}

# Stand-alone clitics and short forms that keep their leading apostrophe.
APOSTROPHE_WORDS = ("'s", "'m", "'d", "'ll", "'re", "'ve", "n't", "'em", "'n", "'n'", "'cause", "'til", "'bout")

# Abbreviations (and names) that keep their final punctuation ("Dr." is one token); dotted ones such as
# "U.S." are covered by base.TOKEN_MATCH.
ABBREVIATIONS = (
    # titles
    "Mr.", "Mrs.", "Ms.", "Messrs.", "Dr.", "Prof.", "Rev.", "Hon.", "St.", "Sr.", "Jr.", "Gen.", "Gov.", "Sen.",
    "Rep.", "Reps.", "Pres.", "Lt.", "Col.", "Capt.", "Sgt.", "Cpl.", "Maj.", "Adm.", "Cmdr.", "Supt.", "Fr.",
    "Mt.", "Ft.",
    # organisations and places
    "Inc.", "Corp.", "Co.", "Ltd.", "Bros.", "Assn.", "Dept.", "Univ.", "Intl.", "Mfg.", "Ave.", "Blvd.", "Rd.",
    "Ln.", "Hwy.", "Pkwy.", "Ste.", "Apt.", "Bldg.", "No.", "Nos.", "Ph.D.",
    "Yahoo!",
    # months and days
    "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.",
    "Mon.", "Tue.", "Tues.", "Wed.", "Thu.", "Thur.", "Thurs.", "Fri.", "Sat.", "Sun.",
    # US states and Canadian provinces
    "Ala.", "Ariz.", "Ark.", "Calif.", "Colo.", "Conn.", "Del.", "Fla.", "Ga.", "Ind.", "Kan.", "Kans.", "Ky.",
    "La.", "Md.", "Mass.", "Mich.", "Minn.", "Mo.", "Mont.", "Neb.", "Nev.", "Okla.", "Ore.", "Pa.", "Penn.",
    "Tenn.", "Tex.", "Va.", "Vt.", "Wash.", "Wis.", "Wyo.", "Que.", "Ont.",
)
# Lower-case abbreviations; their Title-case forms (sentence-initial) are added too.
LOWER_ABBREVIATIONS = (
    "etc.", "vs.", "viz.", "cf.", "al.", "approx.", "appt.", "dept.", "esp.", "est.", "ext.", "fig.", "govt.",
    "hr.", "hrs.", "incl.", "lb.", "lbs.", "misc.", "mins.", "oz.", "pp.", "sq.", "vol.", "vols.", "yr.", "yrs.",
    "attn.", "tel.",
)


def _variants(word: str) -> set[str]:
    """The spellings of a lower-case word: as is, Capitalised, UPPER, and with a curly apostrophe."""
    first = next(i for i, char in enumerate(word) if char.isalpha())
    forms = {word, word[:first] + word[first].upper() + word[first + 1:], word.upper()}
    return forms | {form.replace("'", "’") for form in forms}


def _cased_split(form: str, pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces` cut at the same offsets from `form`, so the exception keeps the spelling it matched."""
    out, start = [], 0
    for piece in pieces:
        out.append(form[start:start + len(piece)])
        start += len(piece)
    return tuple(out)


def exceptions() -> dict[str, tuple[str, ...]]:
    """English special cases on top of the neutral ones (emoticons)."""
    table = dict(base.EXCEPTIONS)
    for word, pieces in FUSED_WORDS.items():
        for form in _variants(word):
            table[form] = _cased_split(form, pieces)
    for word in APOSTROPHE_WORDS:
        for form in _variants(word):
            table[form] = (form,)
    for abbreviation in ABBREVIATIONS:
        table[abbreviation] = (abbreviation,)
    for abbreviation in LOWER_ABBREVIATIONS:
        for form in (abbreviation, abbreviation.capitalize()):
            table[form] = (form,)
    return table


def rules() -> TokenizerRules:
    """The English rules: neutral punctuation handling plus English clitics, abbreviations and exceptions."""
    return TokenizerRules(
        prefixes=base.PREFIXES,
        suffixes=CLITIC_SUFFIXES + base.SUFFIXES,
        infixes=base.INFIXES,
        exceptions=exceptions(),
        token_match=TOKEN_MATCH + base.TOKEN_MATCH,
        url_match=base.URL_MATCH,
    )
