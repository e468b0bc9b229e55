"""JSONL reader: annotated records, raw text lines, and errors naming the line."""
import json

import pytest

from plait.core.data.jsonl import read_jsonl
from plait.core.data.text import whitespace_tokenizer
from plait.core.errors import DataError
from plait.core.vocab import Vocab


def read(tmp_path, *records):
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf8")
    vocab = Vocab()
    return path, list(read_jsonl(path, vocab, whitespace_tokenizer(vocab)))


def test_annotated_and_raw_records(tmp_path):
    annotated = {"text": "Ada Lovelace wrote code.", "words": ["Ada", "Lovelace", "wrote", "code", "."],
                 "tags": ["NNP", "NNP", "VBD", "NN", "."], "pos": ["PROPN", "PROPN", "VERB", "NOUN", "PUNCT"],
                 "lemmas": ["Ada", "Lovelace", "write", "code", "."], "heads": [1, 2, 2, 2, 2],
                 "deps": ["compound", "nsubj", "ROOT", "obj", "punct"], "sent_starts": [1, 0, 0, 0, 0],
                 "entities": [[0, 12, "PERSON"]], "spans": {"sc": [[13, 18, "ACT"]]}, "cats": {"BIO": 1.0}}
    _, (doc, raw) = read(tmp_path, annotated, "", {"text": "just  raw text"})
    assert doc.text == "Ada Lovelace wrote code." and doc.spaces.tolist() == [True, True, True, False, False]
    assert doc.strings_of("TAG")[2] == "VBD" and doc.strings_of("LEMMA")[2] == "write"
    assert doc.columns["HEAD"].tolist() == [1, 2, 2, 2, 2] and doc.strings_of("DEP")[2] == "ROOT"
    assert [(e.text, e.label_) for e in doc.ents] == [("Ada Lovelace", "PERSON")]
    assert [(s.text, s.label_) for s in doc.spans["sc"]] == [("wrote", "ACT")]
    assert doc.cats == {"BIO": 1.0} and doc.columns["SENT_START"].tolist() == [1, -1, -1, -1, -1]
    assert raw.text == "just  raw text" and not raw.has_annotation("TAG")


def test_entity_off_token_boundaries_is_unknown(tmp_path):
    _, (doc,) = read(tmp_path, {"text": "New Yorkers like it", "entities": [[0, 8, "GPE"]]})
    assert [t.ent_iob_ for t in doc] == ["", "", "O", "O"]


@pytest.mark.parametrize("bad, message", [
    ('{"text": "a b"', "malformed JSON"),
    ("[1, 2]", "expected a JSON object"),
    ({"text": "a b", "entities": [[0, 9, "X"]]}, "outside the text"),
    ({"text": "a b", "words": ["a", "c"]}, "does not match the text"),
    ({"words": ["a", "b"], "tags": ["X"]}, '"tags" has 1 values for 2 tokens'),
    ({"words": ["a", "b"], "heads": [0, 5]}, "heads must be token indices"),
    ({"text": "a b", "spans": {"sc": [[0, 2, "X"]]}}, "does not fall on token boundaries"),
    ({"tags": ["X"]}, 'needs a "text" string or a "words" list'),
])
def test_errors_name_file_and_line(tmp_path, bad, message):
    with pytest.raises(DataError, match=message) as err:
        read(tmp_path, {"text": "fine"}, bad)
    assert str(err.value).startswith(f"{tmp_path / 'x.jsonl'}:2: ")
