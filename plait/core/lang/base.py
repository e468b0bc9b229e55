"""Language-neutral tokenizer rules: punctuation, quotes, brackets, currency, units, numbers, URLs, emoticons."""
from __future__ import annotations

import re

from plait.core.tokenizer import TokenizerRules

ALPHA = r"[^\W\d_]"  # any letter, in any script
ALNUM = r"[^\W_]"  # any letter or digit

ELLIPSES = (r"\.{2,}", "…+")
OPEN_QUOTES = ("``", "''", "‘’", "‘‘", "’’", "“", "„", "‚", "«", "‹", '"', "`", "‘",
               r"['’](?![0-9]{2})")  # but "'72" stays a year
CLOSE_QUOTES = ("''", "’’", "”", "»", "›", '"', "'", "`", "’", "‘", "“")
OPEN_BRACKETS = ("<<", r"\(", r"\[", r"\{", "<")
CLOSE_BRACKETS = (">>", r"\)", r"\]", r"\}", ">")
CURRENCY = r"[$£€¥₹₩₽₪฿¢₫₺₴]"
UNITS = (  # after a number: "5pm" -> 5 pm, "35mm" -> 35 mm, "$3M" -> $ 3 M
    r"(?i:a\.m\.|p\.m\.|am|pm|mph|kph|km|cm|mm|kg|mg|g|lbs?|oz|ft|sq|ml|hrs?|mins?|secs?|yrs?|"
    r"[kmgt]?hz|[kmgt]b|bn|k|m)"
)

PREFIXES: tuple[str, ...] = (
    *ELLIPSES,
    *OPEN_QUOTES,
    *OPEN_BRACKETS,
    rf"{CURRENCY}+",
    rf"-+(?={ALPHA})",  # "-for", "--Sally"; "-5" stays a number
    r"[—–]+",
    r"[!?]+|\*+",
    rf"#(?!{ALPHA})",  # "#1" -> # 1, but "#hashtag" stays whole
    r"[,:;¿¡&§|~]",
)

SUFFIXES: tuple[str, ...] = (
    *(re.escape(face) for face in (":)", ":-)", ":))", ":(", ":-(", ":((", ";)", ";-)", ":'(", "=)", "=(")),  # "wow:)"
    *ELLIPSES,
    *CLOSE_QUOTES,
    *CLOSE_BRACKETS,
    r"[!?]+|\*+",
    r"(?<=[a-z])\.[!?]+",  # "room.?", but "T.V.?" -> T.V. ?
    r"[,:;|%‰°]",
    rf"(?<={ALNUM})-+",  # "Kay--", "50-"
    r"[—–]+",
    rf"(?<=[0-9]){CURRENCY}",
    rf"(?<=[0-9]){UNITS}",
    r"(?<!\.)\.",
)

INFIXES: tuple[str, ...] = (
    *ELLIPSES,
    r"--+|[—–]",
    rf"(?<={ALNUM})-(?={ALPHA})",  # "search-engine", "50-page"
    rf"(?<={ALPHA})-(?=[0-9])",  # "F-102"
    rf"(?<=[0-9])-(?=[0-9]|{CURRENCY})",  # "5-10", "$4-$6"; phone numbers and dates are kept by TOKEN_MATCH
    rf"(?<={ALPHA}),(?={ALPHA})",  # "pay,go"
    rf"(?<={ALPHA}{{2}})/(?={ALPHA}{{2}})",  # "and/or", but not "w/o", "b/c"
    rf"(?<={ALNUM})[(\[{{](?={ALNUM})",  # "account(s)"
    rf"(?<={ALNUM})[)\]}}](?={ALNUM})",
)

TOKEN_MATCH: tuple[str, ...] = (
    r"(?:[^\W\d_]\.){2,}",  # dotted abbreviations: "U.S.", "e.g.", "p.m."
    r"[^\W\d_]\.",  # initials: "J."
    r"\d+(?:-\d+){2,}|\d{3}-\d{4}",  # phone numbers and dates: "713-853-3989", "11-20-2000"
    r"={3,}|_{3,}|\*{3,}|-{3,}|~{3,}|#{3,}|\+{3,}",  # separator lines: "=====", "____"
)

URL_MATCH: tuple[str, ...] = (
    r"(?i:(?:https?|ftps?|file)://|www\.)\S+",
    r"[\w.+'~-]+@[\w-]+(?:\.[\w-]+)*",  # e-mail addresses, including "Rice@ENRON"
    r"(?i:[a-z0-9][\w-]*(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|mil|int|info|biz|io|co|us|uk|ca|au|de|fr|"
    r"nl|ru|jp|cn|ly|tv)(?::\d+)?(?:/\S*)?)",
    r"(?i:[\w-]+\.(?:docx?|xlsx?|pptx?|pdf|txt|csv|html?|php|aspx?|jpe?g|png|gif|zip|exe))",  # file names
)

EMOTICONS = (
    ":)", ":-)", ":))", ":(", ":-(", ":((", ":D", ":-D", ":P", ":p", ":-P", ":-p", ";)", ";-)", ";P", ";p",
    "(:", ":O", ":o", ":/", ":-/", ":|", ":'(", ":]", ":[", ":*", ":3", "=)", "=(", "=D", "xD", "XD", "<3", "</3",
    "^_^", "^^", "-_-", "o_O", "O_o", "o.O", "O.o", ">:(", ">:)",
)

EXCEPTIONS: dict[str, tuple[str, ...]] = {emoticon: (emoticon,) for emoticon in EMOTICONS}


def rules() -> TokenizerRules:
    """The language-neutral rules, used for any language without rules of its own."""
    return TokenizerRules(
        prefixes=PREFIXES,
        suffixes=SUFFIXES,
        infixes=INFIXES,
        exceptions=dict(EXCEPTIONS),
        token_match=TOKEN_MATCH,
        url_match=URL_MATCH,
    )
