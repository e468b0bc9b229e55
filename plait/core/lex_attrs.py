"""Lexical attributes: facts about a word type, computed once per distinct word by the Vocab."""
from __future__ import annotations

import re
import unicodedata

from plait.models.attr_names import FLAG_ATTRS, STRING_ATTRS  # noqa: F401  (the attribute names, in column order)

_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "thousand million billion trillion quadrillion".split()
)
_URL = re.compile(
    r"^(?:(?:https?|ftp)://|www\.)\S+$"
    r"|^[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|co|uk|de|fr|info|biz|us|ca|au|ly|me)(?:[/:?#]\S*)?$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")


def norm(text: str) -> str:
    """Normalised form used as a feature: lower case, curly quotes and dashes made plain."""
    return text.lower().translate(_NORM_TABLE)


_NORM_TABLE = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "--"})


def shape(text: str) -> str:
    """Orthographic shape: X for upper, x for lower, d for digit, runs capped at 4 ("Apple" -> "Xxxxx" -> "Xxxx")."""
    out: list[str] = []
    last, run = "", 0
    for ch in text:
        if ch.isalpha():
            kind = "X" if ch.isupper() else "x"
        elif ch.isdigit():
            kind = "d"
        else:
            kind = ch
        run = run + 1 if kind == last else 1
        last = kind
        if run <= 4:
            out.append(kind)
    return "".join(out)


def is_punct(text: str) -> bool:
    if not text or text.isalnum():  # most words: no character to look up
        return False
    return all(unicodedata.category(ch).startswith("P") for ch in text)


def like_num(text: str) -> bool:
    """True for "10", "1,000", "3.14", "-2", "1/2", "ten", "twenty"."""
    if text.isalpha():  # most words
        return text.lower() in _NUMBER_WORDS
    body = text.lstrip("+-~±")
    body = body.replace(",", "").replace(".", "")
    if body.isdigit():
        return True
    if body.count("/") == 1:
        num, den = body.split("/")
        if num.isdigit() and den.isdigit():
            return True
    return text.lower() in _NUMBER_WORDS


def compute(text: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """All lexical attributes of one word: the strings (STRING_ATTRS order) and flags (FLAG_ATTRS order)."""
    strings = (text, text.lower(), norm(text), text[:1], text[-3:], shape(text))
    flags = (
        text.isalpha(),
        text.isdigit(),
        is_punct(text),
        bool(text) and text.isspace(),
        like_num(text),
        "@" not in text and ("." in text or ":" in text) and bool(_URL.match(text)),  # it needs a . or a :
        "@" in text and bool(_EMAIL.match(text)),
    )
    return strings, flags
