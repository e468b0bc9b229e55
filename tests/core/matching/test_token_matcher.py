"""Matcher: token attributes, predicates, quantifiers, callbacks, greedy filtering, spans and bad patterns."""
import pytest

import plait
from plait.core.doc import Doc
from plait.matcher import Matcher
from plait import Span, Token


@pytest.fixture(scope="module")
def nlp():
    return plait.blank("en")


def found(matcher, doc, **kwargs):
    return [(doc.vocab.strings[m[0]], doc[m[1]:m[2]].text) for m in matcher(doc, **kwargs)]


def test_add_get_remove_len_contains(nlp):
    matcher = Matcher(nlp.vocab)
    pattern = [{"LOWER": "hello"}]
    matcher.add("HELLO", [pattern])
    matcher.add("HELLO", [[{"LOWER": "hi"}]])  # adds to the key's patterns
    assert len(matcher) == 1 and "HELLO" in matcher and "BYE" not in matcher
    assert matcher.get("HELLO") == (None, [pattern, [{"LOWER": "hi"}]])
    assert found(matcher, nlp("Hello hi HELLO")) == [("HELLO", "Hello"), ("HELLO", "hi"), ("HELLO", "HELLO")]
    matcher.remove("HELLO")
    assert len(matcher) == 0 and matcher(nlp("hello")) == []
    with pytest.raises(KeyError):
        matcher.remove("HELLO")


def test_lexical_and_text_attributes(nlp):
    doc = nlp("The 3 Big dogs ran to example.com , quickly !")
    matcher = Matcher(nlp.vocab)
    for key, spec in [("NUM", {"LIKE_NUM": True}), ("TITLE", {"IS_TITLE": True}), ("URL", {"LIKE_URL": True}),
                      ("SHAPE", {"SHAPE": "Xxx"}), ("PUNCT", {"IS_PUNCT": True, "SPACY": True}),
                      ("LEN", {"LENGTH": {">=": 7}}), ("SUFFIX", {"suffix": "dogs"[-3:]}),
                      ("STOP", {"IS_STOP": True, "IS_LOWER": True}), ("ASCII", {"IS_ASCII": False})]:
        matcher.add(key, [[spec]])
    assert sorted(found(matcher, doc)) == sorted([
        ("TITLE", "The"), ("SHAPE", "The"), ("NUM", "3"), ("TITLE", "Big"), ("SHAPE", "Big"), ("SUFFIX", "dogs"),
        ("STOP", "to"), ("URL", "example.com"), ("LEN", "example.com"), ("PUNCT", ","), ("LEN", "quickly")])


def test_annotations_and_missing_annotation():
    vocab = plait.blank("en").vocab
    doc = Doc(vocab, ["She", "loves", "cats"], pos=["PRON", "VERB", "NOUN"], lemmas=["she", "love", "cat"],
              morphs=["Case=Nom|Number=Sing", "Tense=Pres", "Number=Plur"], tags=["PRP", "VBZ", "NNS"],
              deps=["nsubj", "ROOT", "dobj"], heads=[1, 1, 1])
    matcher = Matcher(vocab)
    matcher.add("LOVE", [[{"LEMMA": {"IN": ["like", "love"]}}, {"POS": "NOUN"}]])
    matcher.add("SUBSET", [[{"MORPH": {"IS_SUBSET": ["Number=Sing", "Case=Nom", "Tense=Pres"]}}]])
    matcher.add("SUPERSET", [[{"MORPH": {"IS_SUPERSET": ["Number=Sing"]}}]])
    matcher.add("INTERSECTS", [[{"MORPH": {"INTERSECTS": ["Number=Plur", "Person=3"]}}]])
    matcher.add("TAG", [[{"TAG": {"REGEX": "^V"}, "DEP": "ROOT"}]])
    assert found(matcher, doc) == [("SUBSET", "She"), ("SUPERSET", "She"), ("SUBSET", "loves"), ("TAG", "loves"),
                                   ("LOVE", "loves cats"), ("INTERSECTS", "cats")]
    with pytest.raises(ValueError, match="'LOVE' tests LEMMA but the doc has no LEMMA annotation"):
        matcher(Doc(vocab, ["She", "loves", "cats"]))
    unannotated = Doc(vocab, ["She", "loves", "cats"])
    assert ("LOVE", "loves cats") not in found(matcher, unannotated, allow_missing=True)


@pytest.mark.parametrize("op, expected", [
    ("?", ["a", "a b", "a"]), ("*", ["a", "a b", "a b b", "a"]), ("+", ["a b", "a b b"]), ("{2}", ["a b b"]),
    ("{1,2}", ["a b", "a b b"]), ("{2,}", ["a b b"]), ("{,1}", ["a", "a b", "a"]),
    ("!", ["c a"]),  # "!" takes one token that does not match
])
def test_quantifiers(nlp, op, expected):
    matcher = Matcher(nlp.vocab)
    pattern = [{"ORTH": "a"}, {"ORTH": "b", "OP": op}] if op != "!" else [{"ORTH": "b", "OP": op}, {"ORTH": "a"}]
    matcher.add("X", [pattern])
    assert [text for _, text in found(matcher, nlp("a b b c a"))] == expected


def test_every_end_and_greedy(nlp):
    doc = nlp("a a a b")
    matcher = Matcher(nlp.vocab)
    matcher.add("ALL", [[{"ORTH": "a", "OP": "+"}]])
    # spaCy's order: as each match completes, by end, then start
    assert [m[1:] for m in matcher(doc)] == [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
    matcher = Matcher(nlp.vocab)
    matcher.add("LONG", [[{"ORTH": "a", "OP": "+"}, {"ORTH": "b", "OP": "?"}]], greedy="LONGEST")
    assert [m[1:] for m in matcher(doc)] == [(0, 4)]
    matcher = Matcher(nlp.vocab)
    matcher.add("FIRST", [[{"ORTH": "a"}, {"ORTH": "a"}]], greedy="FIRST")
    assert [m[1:] for m in matcher(doc)] == [(0, 2)]
    matcher.add("PLAIN", [[{"ORTH": "b"}]])
    matcher.add("LONG", [[{"ORTH": "a", "OP": "+"}]], greedy="LONGEST")
    # the plain rules' matches first, then each greedy rule's, in the order they were kept (longest first)
    assert [(doc.vocab.strings[m[0]], m[1], m[2]) for m in matcher(nlp("a a b a a a"))] == [
        ("PLAIN", 2, 3), ("FIRST", 0, 2), ("FIRST", 3, 5), ("LONG", 3, 6), ("LONG", 0, 2)]


def test_alignments_spans_and_span_input(nlp):
    doc = nlp("we see a b b c")
    matcher = Matcher(nlp.vocab)
    matcher.add("X", [[{"ORTH": "a"}, {"ORTH": "b", "OP": "+"}, {"ORTH": "c"}]])
    assert [m[1:] for m in matcher(doc, with_alignments=True)] == [(2, 6, [0, 1, 1, 2])]
    spans = matcher(doc, as_spans=True)
    assert [(s.text, s.label_) for s in spans] == [("a b b c", "X")] and isinstance(spans[0], Span)
    assert [m[1:] for m in matcher(doc[3:6])] == []  # the span starts inside the match
    assert [m[1:] for m in matcher(doc[1:6])] == [(1, 5)]  # offsets in the span, as spaCy gives them
    assert [(s.start, s.end) for s in matcher(doc[1:6], as_spans=True)] == [(2, 6)]  # spans of the doc


def test_extensions_and_callbacks(nlp):
    Token.set_extension("colour", default=None, force=True)
    doc = nlp("red car blue sky")
    doc[0]._.colour, doc[2]._.colour = "red", "blue"
    calls = []
    matcher = Matcher(nlp.vocab)
    matcher.add("COLOUR", [[{"_": {"colour": {"IN": ["red", "blue"]}}}, {}]],
                on_match=lambda m, d, i, matches: calls.append((m is matcher, d is doc, i, matches[i][1:])))
    matcher(doc)
    assert calls == [(True, True, 0, (0, 2)), (True, True, 1, (2, 4))]


def test_fuzzy(nlp):
    matcher = Matcher(nlp.vocab)
    matcher.add("FAV", [[{"LOWER": {"FUZZY": "favorite"}}]])
    matcher.add("ONE", [[{"LOWER": {"FUZZY1": "cat"}}]])
    assert found(matcher, nlp("my favourite cat, cats or cot or cattle")) == [
        ("FAV", "favourite"), ("ONE", "cat"), ("ONE", "cats"), ("ONE", "cot")]


@pytest.mark.parametrize("pattern, message", [
    ([{"CASEINSENSITIVE": "world"}], "pattern 0 of 'HW', token 0: unknown token attribute 'CASEINSENSITIVE'"),
    ([{"LOWER": "a"}, {"LOWER": "b", "OP": "++"}], "pattern 0 of 'HW', token 1: unknown OP '\\+\\+'"),
    ([{"LENGTH": {"ABOUT": 3}}], "token 0: LENGTH: unknown predicate 'ABOUT'"),
    ([{"LOWER": "a", "OP": "{5000}"}], "OP '\\{5000\\}' counts past 1000"),
    ([{"LOWER": "a", "OP": "{3,1}"}], "asks for at most fewer than at least"),
    ([{"TEXT": {"REGEX": "("}}], "bad REGEX"),
    ([{"LOWER": ["a", "b"]}], "use {\"IN\": \\[...\\]}"),
    ([{"LOWER": "a", "OP": "?"}], "every token of the pattern is optional"),
    ([], "non-empty list"),
])
def test_bad_patterns_name_the_key_and_attribute(nlp, pattern, message):
    with pytest.raises(ValueError, match=message):
        Matcher(nlp.vocab, validate=True).add("HW", [pattern])
