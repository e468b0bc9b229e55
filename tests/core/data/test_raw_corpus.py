"""RawCorpus (`plait.RawCorpus.v1`): raw texts for pretraining from JSONL lines or binary `.plait` docs."""
import pytest
import srsly

from plait.core.data.docbin import DocBinWriter
from plait.core.data.raw import create_raw_corpus
from plait.core.errors import ConfigError, DataError
from plait.core.pipeline import Language

TEXTS = ["Short one.", "This text has exactly seven tokens here .", "A much longer text " + "word " * 40]


def test_jsonl_lines_are_tokenized_and_filtered_by_length(tmp_path):
    path = tmp_path / "raw.jsonl"
    srsly.write_jsonl(path, [{"text": t} for t in TEXTS])
    nlp = Language.blank("en")
    assert [len(d) for d in create_raw_corpus(path=path, min_length=5, max_length=0)(nlp)] == [8, 44]
    assert [d.text for d in create_raw_corpus(path=path, min_length=5, max_length=20)(nlp)] == [TEXTS[1]]
    assert len(list(create_raw_corpus(path=path, min_length=0, limit=2)(nlp))) == 2


def test_binary_docs_keep_their_tokens(tmp_path):
    nlp = Language.blank("en")
    path = tmp_path / "raw.plait"
    with DocBinWriter(path) as writer:
        for text in TEXTS:
            writer.add(nlp.make_doc(text))
    docs = list(create_raw_corpus(path=path, min_length=0)(Language.blank("en")))
    assert [d.text for d in docs] == TEXTS


def test_errors_name_the_setting_or_line(tmp_path):
    with pytest.raises(ConfigError, match="--paths.raw"):
        list(create_raw_corpus(path=None)(Language.blank("en")))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine text with five words"}\n{"txt": 1}\n', encoding="utf8")
    with pytest.raises(DataError, match=f"{bad}:2:"):
        list(create_raw_corpus(path=bad, min_length=0)(Language.blank("en")))
