"""Example: alignment between tokenizations and gold transfer onto predicted tokens."""
import time

import pytest

from plait.core.data.example import Example
from plait.core.doc import Doc
from plait.core.vocab import Vocab


@pytest.fixture
def vocab():
    return Vocab()


@pytest.fixture
def reference(vocab):
    # "I don't like New York." split as a treebank would
    return Doc(vocab, ["I", "do", "n't", "like", "New", "York", "."], [True, False, True, True, True, False, False],
               tags=["PRP", "VBP", "RB", "VB", "NNP", "NNP", "."], heads=[3, 3, 3, 3, 5, 3, 3],
               deps=["nsubj", "aux", "neg", "ROOT", "compound", "obj", "punct"], sent_starts=[1, 0, 0, 0, 0, 0, 0],
               ents=["O", "O", "O", "O", "B-GPE", "L-GPE", "O"])


def test_same_tokens_align_one_to_one(vocab, reference):
    eg = Example(Doc(vocab, reference.words, reference.spaces), reference)
    assert eg.alignment.x2y.tolist() == list(range(7)) and eg.x is eg.predicted and eg.y is eg.reference
    assert eg.get_aligned("TAG") == ["PRP", "VBP", "RB", "VB", "NNP", "NNP", "."]
    assert eg.get_aligned("LEMMA") == [None] * 7
    assert eg.get_aligned_heads() == [3, 3, 3, 3, 5, 3, 3]
    assert eg.get_aligned_ents_biluo() == ["O", "O", "O", "O", "B-GPE", "L-GPE", "O"]


def test_different_tokens(vocab, reference):
    predicted = Doc(vocab, ["I", "don't", "like", "New", "York."], [True, True, True, True, False])
    eg = Example(predicted, reference)
    assert eg.alignment.x2y.tolist() == [0, -1, 3, 4, -1]
    assert eg.get_aligned("TAG") == ["PRP", None, "VB", "NNP", None]
    assert eg.get_aligned("DEP") == ["nsubj", None, "ROOT", "compound", None]
    assert eg.get_aligned_heads() == [2, None, 2, None, None]  # "New"'s head "York" is not one-to-one
    assert eg.get_aligned_sent_starts() == [1, None, -1, -1, None]
    assert eg.get_aligned_ents_biluo() == ["O", "O", "O", "-", "-"]  # "York." holds GPE and O characters


def test_entities_transfer_by_characters(vocab):
    reference = Doc(vocab, ["in", "New", "York", "City"], ents=["O", "B-GPE", "I-GPE", "L-GPE"])
    predicted = Doc(vocab, ["in", "New", "YorkCity"], [True, True, False])
    assert Example(predicted, reference).get_aligned_ents_biluo() == ["O", "B-GPE", "L-GPE"]
    unknown = Doc(vocab, ["in", "New", "York", "City"], ents=["-", "B-GPE", "I-GPE", "L-GPE"])
    assert Example(predicted, unknown).get_aligned_ents_biluo() == ["-", "B-GPE", "L-GPE"]
    assert Example(predicted, Doc(vocab, ["in", "New", "York", "City"])).get_aligned_ents_biluo() == ["-"] * 3


def test_whitespace_differences_are_ignored_but_text_must_match(vocab):
    eg = Example(Doc(vocab, ["a", "\n", "b"], [True, False, False]), Doc(vocab, ["a", "b"]))
    assert eg.alignment.x2y.tolist() == [0, -1, 1]
    with pytest.raises(ValueError, match="texts differ .* 'bc' vs 'xc'"):
        Example(Doc(vocab, ["a", "bc"]), Doc(vocab, ["a", "xc"]))


def test_from_dict(vocab):
    predicted = Doc(vocab, ["Ada", "met", "Charles", "."], [True, True, False, False])
    eg = Example.from_dict(predicted, {"tags": ["NNP", "VBD", "NNP", "."], "entities": [(0, 3, "PERSON")],
                                       "cats": {"HISTORY": 1.0}})
    assert eg.reference.words == predicted.words and eg.reference is not predicted
    assert eg.get_aligned("TAG") == ["NNP", "VBD", "NNP", "."]
    assert eg.get_aligned_ents_biluo() == ["U-PERSON", "O", "O", "O"] and eg.reference.cats == {"HISTORY": 1.0}
    split = Example.from_dict(predicted, {"words": ["Ada", "met", "Char", "les", "."], "pos": list("NVXYP")})
    assert split.reference.text == predicted.text and split.get_aligned("POS") == ["N", "V", None, "P"]


def test_alignment_is_linear_time(vocab):
    words = [f"w{i % 997}" for i in range(200_000)]
    reference = Doc(vocab, words, tags=["T"] * len(words))
    predicted = Doc(vocab, ["".join(words[i:i + 2]) for i in range(0, len(words), 2)], [True] * (len(words) // 2))
    start = time.perf_counter()
    eg = Example(predicted, reference)
    assert eg.get_aligned("TAG") == [None] * len(predicted)
    assert time.perf_counter() - start < 2.0
