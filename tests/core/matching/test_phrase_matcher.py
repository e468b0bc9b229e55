"""PhraseMatcher: Doc patterns on ORTH, LOWER, SHAPE and annotations; overlaps, callbacks, bad arguments."""
import pytest

import plait
from plait.core.doc import Doc
from plait.matcher import PhraseMatcher


@pytest.fixture(scope="module")
def nlp():
    return plait.blank("en")


def texts(matcher, doc, **kwargs):
    return [(doc.vocab.strings[m], doc[s:e].text) for m, s, e in matcher(doc, **kwargs)]


def test_orth_lower_and_overlaps(nlp):
    matcher = PhraseMatcher(nlp.vocab)
    matcher.add("CITY", [nlp.make_doc("New York"), nlp.make_doc("York")])
    matcher.add("LONG", list(nlp.tokenizer.pipe(["New York City"])))
    doc = nlp("New York City and new york")
    assert texts(matcher, doc) == [("CITY", "New York"), ("LONG", "New York City"), ("CITY", "York")]
    lower = PhraseMatcher(nlp.vocab, attr="lower")
    lower.add("CITY", [nlp.make_doc("New York")])
    assert texts(lower, doc) == [("CITY", "New York"), ("CITY", "new york")]
    assert len(matcher) == 2 and "CITY" in matcher
    matcher.remove("CITY")
    assert texts(matcher, doc) == [("LONG", "New York City")] and "CITY" not in matcher


def test_shape_spans_callbacks(nlp):
    seen = []
    matcher = PhraseMatcher(nlp.vocab, attr="SHAPE")
    matcher.add("IP", [nlp("127.0.0.1"), nlp("127.127.0.0")], on_match=lambda m, d, i, ms: seen.append(i))
    doc = nlp("an address such as 192.168.1.1 or 10.0.0.1")
    spans = matcher(doc, as_spans=True)
    assert [(s.text, s.label_) for s in spans] == [("192.168.1.1", "IP")] and seen == [0]
    assert [m[1:] for m in matcher(doc[4:])] == [(4, 5)]


def test_annotation_attrs_need_annotated_patterns(nlp):
    matcher = PhraseMatcher(nlp.vocab, attr="POS")
    with pytest.raises(ValueError, match="'LIKE': pattern 0 .* has no POS annotation"):
        matcher.add("LIKE", [nlp.make_doc("I like cats")])
    matcher.add("LIKE", [Doc(nlp.vocab, ["I", "like", "cats"], pos=["PRON", "VERB", "NOUN"])])
    doc = Doc(nlp.vocab, ["We", "love", "dogs"], pos=["PRON", "VERB", "NOUN"])
    assert texts(matcher, doc) == [("LIKE", "We love dogs")]


@pytest.mark.parametrize("attr", ["COLOUR", "lowercase", 7])
def test_attr_that_is_not_an_attribute(nlp, attr):
    with pytest.raises(ValueError, match=f"PhraseMatcher: attr={attr!r} is not a token attribute"):
        PhraseMatcher(nlp.vocab, attr=attr)


def test_bad_patterns(nlp):
    matcher = PhraseMatcher(nlp.vocab)
    with pytest.raises(ValueError, match="'X': pattern 0 is not a Doc"):
        matcher.add("X", ["New York"])
    with pytest.raises(ValueError, match="docs is a list"):
        matcher.add("X", nlp.make_doc("New York"))
