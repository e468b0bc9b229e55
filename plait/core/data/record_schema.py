"""The shape of an annotated record (a JSONL line, `Example.from_dict` data), checked before a Doc is built.

One table says what each key holds (a list may also be a tuple, for Python callers); `check_record` raises ValueError naming the first key that is wrong,
e.g. `"words" must be a list of strings`, so a wrong JSON type never surfaces as an AttributeError later.
"""
from __future__ import annotations

import math
from typing import Any, Callable


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _list_of(item: Callable[[Any], bool], *, optional: bool = False) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return isinstance(value, (list, tuple)) and all((optional and v is None) or item(v) for v in value)

    return check


def _is_word(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _is_offset_span(value: Any) -> bool:
    return (isinstance(value, (list, tuple)) and len(value) == 3 and _is_int(value[0]) and _is_int(value[1])
            and isinstance(value[2], str))


def _is_entities(value: Any) -> bool:
    return _list_of(_is_offset_span)(value) or _list_of(_is_str)(value)


def _is_spans(value: Any) -> bool:
    return isinstance(value, dict) and all(_list_of(_is_offset_span)(group) for group in value.values())


def _is_span_scores(value: Any) -> bool:
    return isinstance(value, dict) and all(_list_of(_is_number)(group) for group in value.values())


def _is_cats(value: Any) -> bool:
    return isinstance(value, dict) and all(_is_number(score) for score in value.values())


def _is_sent_start(value: Any) -> bool:
    return value is None or value in (True, False, -1, 0, 1) and not isinstance(value, float)


# key -> (check, what the key must be)
SCHEMA: dict[str, tuple[Callable[[Any], bool], str]] = {
    "text": (_is_str, "a string"),
    "words": (_list_of(_is_word), "a list of non-empty strings"),
    "spaces": (_list_of(lambda v: isinstance(v, bool)), "a list of true/false values"),
    "tags": (_list_of(_is_str, optional=True), "a list of strings (or null)"),
    "pos": (_list_of(_is_str, optional=True), "a list of strings (or null)"),
    "morphs": (_list_of(_is_str, optional=True), "a list of strings (or null)"),
    "lemmas": (_list_of(_is_str, optional=True), "a list of strings (or null)"),
    "deps": (_list_of(_is_str, optional=True), "a list of strings (or null)"),
    "heads": (_list_of(_is_int, optional=True), "a list of token indices (or null)"),
    "sent_starts": (_list_of(_is_sent_start), "a list of true/false (or 1/0/-1, or null)"),
    "entities": (_is_entities, "a list of [start_char, end_char, label] triples, or one entity tag string per token"),
    "spans": (_is_spans, "an object mapping group names to lists of [start_char, end_char, label] triples"),
    "span_scores": (_is_span_scores, 'an object mapping group names of "spans" to lists of scores, one a span'),
    "cats": (_is_cats, "an object mapping labels to finite numbers"),
}


def check_record(record: Any) -> None:
    """Raise ValueError unless `record` is an object of known keys, each holding what SCHEMA says."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, found {type(record).__name__}")
    unknown = sorted(str(key) for key in record if key not in SCHEMA)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; a record holds {', '.join(SCHEMA)}")
    for key, value in record.items():
        check, what = SCHEMA[key]
        if value is not None and not check(value):
            raise ValueError(f'"{key}" must be {what}')
        if not _encodable(value):
            raise ValueError(f'"{key}" holds a lone surrogate (\\ud800-\\udfff), which is not valid Unicode text')
    if record.get("text") is None and record.get("words") is None:
        raise ValueError('a record needs a "text" string or a "words" list')


def _encodable(value: Any) -> bool:
    """Whether every string inside `value` can be written as UTF-8 (JSON escapes can spell lone surrogates)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(map(_encodable, value))
    return True
