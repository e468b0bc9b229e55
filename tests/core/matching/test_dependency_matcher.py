"""DependencyMatcher: every relation operator on one gold parse, callbacks, and bad patterns."""
import pytest

import plait
from plait.core.doc import Doc
from plait.matcher import DependencyMatcher

# "Smith quickly founded a big healthcare company ." ; founded is the root
WORDS = ["Smith", "quickly", "founded", "a", "big", "healthcare", "company", "."]
HEADS = [2, 2, 2, 6, 6, 6, 2, 2]
DEPS = ["nsubj", "advmod", "ROOT", "det", "amod", "compound", "dobj", "punct"]


@pytest.fixture(scope="module")
def doc():
    return Doc(plait.blank("en").vocab, WORDS, heads=HEADS, deps=DEPS)


def related(doc, op, left=None):
    """The (A, B) token texts with A `op` B, A restricted by ORTH when given."""
    matcher = DependencyMatcher(doc.vocab)
    anchor = {"RIGHT_ID": "a", "RIGHT_ATTRS": {"ORTH": left} if left else {}}
    matcher.add("R", [[anchor, {"LEFT_ID": "a", "REL_OP": op, "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]])
    return sorted((doc[a].text, doc[b].text) for _, (a, b) in matcher(doc))


@pytest.mark.parametrize("op, left, expected", [
    ("<", "a", [("a", "company")]),
    (">", "company", [("company", "a"), ("company", "big"), ("company", "healthcare")]),
    ("<<", "a", [("a", "company"), ("a", "founded")]),
    (">>", "company", [("company", "a"), ("company", "big"), ("company", "healthcare")]),
    (".", "a", [("a", "big")]),
    (";", "a", [("a", "founded")]),
    (".*", "healthcare", [("healthcare", "."), ("healthcare", "company")]),
    (";*", "quickly", [("quickly", "Smith")]),
    ("$+", "big", [("big", "healthcare")]),
    ("$-", "big", [("big", "a")]),
    ("$++", "a", [("a", "big"), ("a", "healthcare")]),
    ("$--", "company", [("company", "Smith"), ("company", "quickly")]),
    (">+", "founded", []),
    (">-", "founded", [("founded", "quickly")]),
    (">++", "founded", [("founded", "."), ("founded", "company")]),
    (">--", "founded", [("founded", "Smith"), ("founded", "quickly")]),
    ("<+", "quickly", [("quickly", "founded")]),
    ("<-", "company", []),
    ("<++", "Smith", [("Smith", "founded")]),
    ("<--", "healthcare", []),
])
def test_relation_operators(doc, op, left, expected):
    assert related(doc, op, left) == expected


def test_founded_pattern_and_callback(doc):
    calls = []
    matcher = DependencyMatcher(doc.vocab)
    pattern = [
        {"RIGHT_ID": "founded", "RIGHT_ATTRS": {"ORTH": "founded"}},
        {"LEFT_ID": "founded", "REL_OP": ">", "RIGHT_ID": "subject", "RIGHT_ATTRS": {"DEP": "nsubj"}},
        {"LEFT_ID": "founded", "REL_OP": ">", "RIGHT_ID": "object", "RIGHT_ATTRS": {"DEP": "dobj"}},
        {"LEFT_ID": "object", "REL_OP": ">", "RIGHT_ID": "modifier",
         "RIGHT_ATTRS": {"DEP": {"IN": ["amod", "compound"]}}},
    ]
    matcher.add("FOUNDED", [pattern], on_match=lambda m, d, i, matches: calls.append(i))
    assert matcher(doc) == [(doc.vocab.strings["FOUNDED"], [2, 0, 6, 4]), (doc.vocab.strings["FOUNDED"], [2, 0, 6, 5])]
    assert calls == [0, 1] and len(matcher) == 1 and "FOUNDED" in matcher
    assert matcher.get("FOUNDED")[1] == [pattern]
    matcher.remove("FOUNDED")
    assert matcher(doc) == []


@pytest.mark.parametrize("pattern, message", [
    ([{"LEFT_ID": "x", "REL_OP": ">", "RIGHT_ID": "a", "RIGHT_ATTRS": {}}],
     "pattern 0 of 'KEY', node 0: the first node is the anchor and takes no LEFT_ID"),
    ([{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}, {"LEFT_ID": "a", "REL_OP": "<>", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}],
     "node 1: unknown REL_OP '<>'"),
    ([{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}, {"LEFT_ID": "z", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}],
     "node 1: LEFT_ID 'z' names no earlier node"),
    ([{"RIGHT_ID": "a", "RIGHT_ATTRS": {"COLOUR": "red"}}], "node 0 \\(a\\): unknown token attribute 'COLOUR'"),
    ([{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}, {"LEFT_ID": "a", "REL_OP": ">", "RIGHT_ID": "a", "RIGHT_ATTRS": {}}],
     "RIGHT_ID 'a' is already"),
])
def test_bad_patterns_name_the_key(doc, pattern, message):
    with pytest.raises(ValueError, match=message):
        DependencyMatcher(doc.vocab).add("KEY", [pattern])
