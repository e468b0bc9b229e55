"""What a token pattern may test: token attributes by their pattern names (ORTH, LOWER, POS, IS_STOP, ...) and
value tests (a literal, or {"IN": [...]}, {"REGEX": "..."}, {"FUZZY": "..."}, {">=": 3}, {"IS_SUBSET": [...]}).

Every check happens when a pattern is added, so a bad pattern fails there, naming the attribute."""
from __future__ import annotations

import operator
import re
import unicodedata
from typing import Any, Callable

from plait.core import lex_attrs

Getter = Callable[[Any], Any]
ValueTest = Callable[[Any], bool]

_BRACKETS = set("()[]{}<>")
_QUOTES = set("'\"`‘’“”«»‹›„‚")
_LEFT_PUNCT = set("([{<‘“«‹„‚")
_RIGHT_PUNCT = set(")]}>’”»›")


def _lexical(attr: str) -> Getter:
    name = attr.lower()
    return lambda token: getattr(token, name) if attr in lex_attrs.FLAG_ATTRS else getattr(token, name + "_")


def _text_flag(check: Callable[[str], bool]) -> Getter:
    return lambda token: check(token.text)


# pattern name -> how to read it from a Token; strings for string attributes, booleans for flags
GETTERS: dict[str, Getter] = {
    **{attr: _lexical(attr) for attr in lex_attrs.STRING_ATTRS + lex_attrs.FLAG_ATTRS},
    "TEXT": lambda token: token.text,
    "LENGTH": len,
    "POS": lambda token: token.pos_, "TAG": lambda token: token.tag_, "DEP": lambda token: token.dep_,
    "LEMMA": lambda token: token.lemma_, "MORPH": lambda token: token.morph_,
    "ENT_TYPE": lambda token: token.ent_type_, "ENT_IOB": lambda token: token.ent_iob_,
    "IS_ASCII": _text_flag(str.isascii), "IS_LOWER": _text_flag(str.islower), "IS_UPPER": _text_flag(str.isupper),
    "IS_TITLE": _text_flag(str.istitle),
    "IS_BRACKET": _text_flag(lambda text: text in _BRACKETS), "IS_QUOTE": _text_flag(lambda text: text in _QUOTES),
    "IS_LEFT_PUNCT": _text_flag(lambda text: text in _LEFT_PUNCT),
    "IS_RIGHT_PUNCT": _text_flag(lambda text: text in _RIGHT_PUNCT),
    "IS_CURRENCY": _text_flag(lambda text: len(text) > 0 and all(unicodedata.category(c) == "Sc" for c in text)),
    "IS_STOP": lambda token: token.is_stop,
    "IS_SENT_START": lambda token: bool(token.is_sent_start),
    "SENT_START": lambda token: bool(token.is_sent_start),
    "SPACY": lambda token: bool(token.doc.spaces[token.i]),
}
_SET_VALUED = {"MORPH"}  # compared as sets of features by IS_SUBSET, IS_SUPERSET and INTERSECTS
_COMPARE = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt,
            "<": operator.lt}
_SET_TESTS = {"IS_SUBSET": lambda have, want: have <= want, "IS_SUPERSET": lambda have, want: have >= want,
              "INTERSECTS": lambda have, want: bool(have & want)}
_FUZZY = re.compile(r"FUZZY[1-9]?")
TESTS = ("IN", "NOT_IN", "REGEX", "FUZZY", "FUZZY1..FUZZY9", *_SET_TESTS, *_COMPARE)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of `a` and `b`, or `limit + 1` once it is sure to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
        if min(row) > limit:
            return limit + 1
    return row[-1]


def _fuzzy_test(key: str, target: Any, where: str) -> ValueTest:
    if not isinstance(target, str):
        raise ValueError(f"{where}: {key} takes a string")
    # FUZZY allows max(2, 30% of the pattern string) edits; FUZZYn allows n
    limit = int(key[5:]) if len(key) > 5 else max(2, round(0.3 * len(target)))
    return lambda value: isinstance(value, str) and edit_distance(value, target, limit) <= limit


def _regex_test(pattern: Any, where: str) -> ValueTest:
    if not isinstance(pattern, str):
        raise ValueError(f"{where}: REGEX takes a string")
    try:
        compiled = re.compile(pattern)
    except re.error as err:
        raise ValueError(f"{where}: bad REGEX {pattern!r} ({err})") from None
    return lambda value: isinstance(value, str) and compiled.search(value) is not None


def _as_set(value: Any, set_valued: bool) -> set:
    if set_valued:
        return set(str(value).split("|")) - {""} if not isinstance(value, (list, set, tuple)) else set(value)
    return set(value) if isinstance(value, (list, set, tuple)) else {value}


def _one_test(key: str, arg: Any, where: str, set_valued: bool) -> ValueTest:
    if key in ("IN", "NOT_IN"):
        if not isinstance(arg, (list, tuple, set)):
            raise ValueError(f"{where}: {key} takes a list")
        allowed = set(arg)
        if key == "IN":
            return lambda value: value in allowed
        return lambda value: value not in allowed
    if key == "REGEX" or _FUZZY.fullmatch(key):
        if isinstance(arg, dict):  # REGEX / FUZZY over a list: {"FUZZY": {"IN": [...]}}
            (inner, targets), = arg.items() if len(arg) == 1 else ((None, None),)
            if inner not in ("IN", "NOT_IN") or not isinstance(targets, (list, tuple)):
                raise ValueError(f"{where}: {key} takes a string or {{\"IN\": [...]}} / {{\"NOT_IN\": [...]}}")
            tests = [_one_test(key, target, where, set_valued) for target in targets]
            if inner == "IN":
                return lambda value: any(test(value) for test in tests)
            return lambda value: not any(test(value) for test in tests)
        return _regex_test(arg, where) if key == "REGEX" else _fuzzy_test(key, arg, where)
    if key in _SET_TESTS:
        if not isinstance(arg, (list, tuple)):
            raise ValueError(f"{where}: {key} takes a list")
        want, relation = set(arg), _SET_TESTS[key]
        return lambda value: relation(_as_set(value, set_valued), want)
    if key in _COMPARE:
        if isinstance(arg, bool) or not isinstance(arg, (int, float)):
            raise ValueError(f"{where}: {key} takes a number")
        compare = _COMPARE[key]
        return lambda value: isinstance(value, (int, float)) and compare(value, arg)
    raise ValueError(f"{where}: unknown predicate {key!r} (use {', '.join(TESTS)})")


def value_test(want: Any, where: str, set_valued: bool = False) -> ValueTest:
    """A test of one attribute value: equality with a literal, or every predicate of a dict."""
    if not isinstance(want, dict):
        if isinstance(want, (list, set)):
            raise ValueError(f"{where}: a list is not a value; use {{\"IN\": [...]}}")
        if set_valued and isinstance(want, str):
            features = set(want.split("|")) - {""}
            return lambda value: _as_set(value, True) == features
        return lambda value: value == want
    if not want:
        raise ValueError(f"{where}: an empty set of predicates")
    tests = [_one_test(key, arg, where, set_valued) for key, arg in want.items()]
    return lambda value: all(test(value) for test in tests)


def _extension_test(name: str, want: Any, where: str) -> Callable[[Any], bool]:
    test = value_test(want, f"{where}: _.{name}")

    def check(token: Any) -> bool:
        return test(getattr(token._, name))

    return check


def token_test(spec: dict[str, Any], where: str) -> Callable[[Any], bool]:
    """One token's test from its pattern dict (without OP); ValueError naming `where` and the bad attribute."""
    checks: list[Callable[[Any], bool]] = []
    for attr, want in spec.items():
        if not isinstance(attr, str):
            raise ValueError(f"{where}: attribute names are strings, not {attr!r}")
        name = attr.upper()
        if attr == "_":
            if not isinstance(want, dict) or not want:
                raise ValueError(f"{where}: \"_\" takes a dict of extension names and values")
            checks += [_extension_test(ext, ext_want, where) for ext, ext_want in want.items()]
            continue
        getter = GETTERS.get(name)
        if getter is None:
            raise ValueError(f"{where}: unknown token attribute {attr!r}")
        test = value_test(want, f"{where}: {name}", name in _SET_VALUED)
        checks.append(lambda token, getter=getter, test=test: test(getter(token)))
    if len(checks) == 1:  # the usual case, one call shorter
        return checks[0]
    return lambda token: all(check(token) for check in checks)


class CachedToken:
    """A token whose attributes are read once each: one doc's patterns read the same attributes many times."""

    __slots__ = ("token", "values")

    def __init__(self, token: Any) -> None:
        self.token, self.values = token, {}

    def __getattr__(self, name: str) -> Any:
        values = self.values
        if name not in values:
            values[name] = getattr(self.token, name)
        return values[name]

    def __len__(self) -> int:
        return len(self.token)


def token_value(token: Any, attr: str) -> Any:
    """The value of a token attribute as patterns compare it (strings, booleans, or LENGTH as an int)."""
    return GETTERS[attr.upper()](token)
