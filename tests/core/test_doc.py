"""Doc, Token, Span: text round trip, annotations as columns, entities, sentences, extensions."""
import numpy as np
import pytest

from plait.core.doc import Doc
from plait.core.span import Span
from plait.core.token import Token
from plait.core.vocab import Vocab


@pytest.fixture
def doc():
    words = ["Apple", "is", "buying", "U.K.", "startup", "for", "$", "1", "billion", "."]
    spaces = [True, True, True, True, True, True, False, True, False, False]
    return Doc(Vocab(), words, spaces, tags=["NNP", "VBZ", "VBG", "NNP", "NN", "IN", "$", "CD", "CD", "."],
               ents=["U-ORG", "O", "O", "U-GPE", "O", "O", "B-MONEY", "I-MONEY", "L-MONEY", "O"],
               sent_starts=[1, 0, 0, 0, 0, 0, 0, 0, 0, 0])


def test_text_reproduces_input_exactly(doc):
    assert doc.text == "Apple is buying U.K. startup for $1 billion."
    assert [t.idx for t in doc][:4] == [0, 6, 9, 16]


def test_annotations_are_columns_with_string_views(doc):
    assert doc.columns["TAG"].dtype == np.uint64
    assert [t.tag_ for t in doc][:3] == ["NNP", "VBZ", "VBG"]
    doc[1].tag_ = "VBP"
    assert doc.strings_of("TAG")[1] == "VBP"
    assert doc[0].pos_ == "" and not doc.has_annotation("POS")


def test_entities_from_biluo_and_setter(doc):
    assert [(e.text, e.label_) for e in doc.ents] == [("Apple", "ORG"), ("U.K.", "GPE"), ("$1 billion", "MONEY")]
    doc.ents = [Span(doc, 4, 5, "PRODUCT")]
    assert [(e.text, e.label_) for e in doc.ents] == [("startup", "PRODUCT")]
    assert doc[0].ent_iob_ == "O" and doc[4].ent_iob_ == "B"
    with pytest.raises(ValueError):
        doc.ents = [(0, 2, "ORG"), (1, 3, "ORG")]


def test_set_ents_in_any_order_with_mixed_labels_and_rejects_bad_spans(doc):
    money = doc.vocab.strings.add("MONEY")
    doc.set_ents([(6, 9, money), (0, 1, "ORG"), (3, 4, "GPE"), Span(doc, 4, 5, "PRODUCT")])
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [
        (0, 1, "ORG"), (3, 4, "GPE"), (4, 5, "PRODUCT"), (6, 9, "MONEY")]
    assert [t.ent_iob_ for t in doc] == ["B", "O", "O", "B", "B", "O", "B", "I", "I", "O"]
    assert [t.ent_type_ for t in doc][6:] == ["MONEY", "MONEY", "MONEY", ""]
    for spans in ([(0, 5, "A"), (1, 2, "B"), (3, 4, "C")],  # overlaps the first, not its neighbour
                  [(2, 2, "A")], [(9, 11, "A")], [(-1, 1, "A")], [(1, 3, "A"), (1, 3, 7)]):
        with pytest.raises(ValueError):
            doc.set_ents(spans)
    doc.set_ents([(1, 2, "X")], missing=[True] * 3 + [False] * 7)
    assert [t.ent_iob_ for t in doc][:4] == ["", "B", "", "O"]


def test_missing_entity_annotation_is_not_outside():
    doc = Doc(Vocab(), ["a", "b", "c"], ents=["-", "U-X", "O"])
    assert [t.ent_iob_ for t in doc] == ["", "B", "O"]


def test_sentences_and_lexical_attributes(doc):
    assert len(list(doc.sents)) == 1
    doc[5].is_sent_start = True
    assert [s.text for s in doc.sents] == ["Apple is buying U.K. startup", "for $1 billion."]
    assert doc[0].shape_ == "Xxxxx" and doc[0].is_alpha and doc[7].like_num and doc[9].is_punct
    assert doc[0].lower_ == "apple" and doc[8].suffix_ == "ion" and doc[0].prefix_ == "A"


def test_char_span_modes(doc):
    assert doc.char_span(0, 5, "ORG").label_ == "ORG"
    assert doc.char_span(0, 4) is None
    assert doc.char_span(0, 4, alignment_mode="expand").text == "Apple"
    assert doc.char_span(0, 9, alignment_mode="contract").text == "Apple is"


def test_extensions_on_doc_span_token(doc):
    Doc.set_extension("source", default="web", force=True)
    Span.set_extension("score", default=0.0, force=True)
    Token.set_extension("upper", getter=lambda t: t.text.upper(), force=True)
    assert doc._.source == "web"
    doc._.source = "news"
    span = doc[0:2]
    span._.score = 0.5
    assert doc._.source == "news" and doc[0:2]._.score == 0.5 and doc[1:3]._.score == 0.0
    assert doc[0]._.upper == "APPLE"
    with pytest.raises(ValueError):
        Doc.set_extension("source", default="x")
    with pytest.raises(AttributeError):
        doc._.nope


def test_dict_round_trip_keeps_everything(doc):
    doc.cats = {"POS": 1.0, "NEG": 0.0}
    doc.spans["sc"] = [Span(doc, 0, 2, "X")]
    again = Doc.from_dict(Vocab(doc.vocab.strings), doc.to_dict())
    assert again.text == doc.text
    for name in doc.columns:
        assert (again.columns[name] == doc.columns[name]).all()
    assert again.cats == doc.cats and [(s.start, s.end, s.label_) for s in again.spans["sc"]] == [(0, 2, "X")]


def test_slice_keeps_annotations_inside(doc):
    doc.columns["HEAD"][:] = [1, 1, 1, 4, 2, 2, 8, 8, 5, 1]
    part = doc.slice(6, 10)
    assert part.text == "$1 billion." and [e.label_ for e in part.ents] == ["MONEY"]
    assert part.columns["HEAD"].tolist() == [2, 2, -1, -1]


def test_span_as_doc_copies_and_token_nbor(doc):
    money = doc.ents[-1]
    copy = money.as_doc()
    assert copy.text == "$1 billion" and [t.tag_ for t in copy] == ["$", "CD", "CD"] and copy is not doc
    copy.columns["TAG"][:] = 0
    assert doc[6].tag_ == "$"  # a copy: the original keeps its annotations
    assert doc[1].nbor().text == "buying" and doc[1].nbor(-1).text == "Apple"
    with pytest.raises(IndexError, match="no neighbour"):
        doc[9].nbor()
