"""read_docs / read_examples: format detection, folders, limits, empty corpora."""
import pytest

from plait.core.data.readers import detect_format, read_docs, read_examples
from plait.core.data.text import read_text, whitespace_tokenizer
from plait.core.errors import DataError
from plait.core.vocab import Vocab


@pytest.fixture
def vocab():
    return Vocab()


@pytest.mark.parametrize("name, fmt", [
    ("ud-en-ewt-sample.conllu", "conllu"), ("wikiann-en-sample.tsv", "columns"), ("wnut17-sample.conll", "columns"),
    ("sst2-dev-sample.tsv", "cats"), ("wikitext-2-sample.txt", "text"),
])
def test_detect_format(fixtures_dir, name, fmt):
    assert detect_format(fixtures_dir / name) == fmt


def test_folder_reads_every_supported_file_sorted(fixtures_dir, vocab):
    docs = list(read_docs(fixtures_dir, vocab, whitespace_tokenizer(vocab), n_sents=1))
    assert docs[0].cats == {"0": 1.0, "1": 0.0} and docs[-1].has_annotation("ENT_IOB")  # sst2-dev ... wnut17
    assert len(list(read_docs(fixtures_dir, vocab, whitespace_tokenizer(vocab), limit=4))) == 4
    conllu_only = list(read_docs(fixtures_dir, vocab, format="conllu"))
    assert [d.text for d in conllu_only] == ["From Friday's Daily Star By Juan Cole", "Ok."]


def test_wikitext_headings(fixtures_dir, vocab):
    make_doc = whitespace_tokenizer(vocab)
    path = fixtures_dir / "wikitext-2-sample.txt"
    texts = [d.text for d in read_text(path, make_doc)]
    assert texts[0] == "= Homarus gammarus =" and len(texts) == 5
    kept = [d.text for d in read_docs(path, vocab, make_doc, format="wikitext")]
    assert len(kept) == 3 and not any(t.startswith("= ") for t in kept)


def test_examples(fixtures_dir, vocab):
    path = fixtures_dir / "ud-en-ewt-sample.conllu"
    split_on_spaces = whitespace_tokenizer(vocab)  # keeps "Friday's" whole, unlike the treebank
    eg = next(read_examples(path, vocab, split_on_spaces))
    assert eg.predicted.words[1] == "Friday's" and eg.get_aligned("TAG")[:3] == ["IN", None, "NNP"]
    gold = next(read_examples(path, vocab, split_on_spaces, gold_preproc=True))
    assert gold.predicted.words == gold.reference.words and not gold.predicted.has_annotation("TAG")


def test_missing_empty_and_unknown(tmp_path, vocab):
    with pytest.raises(DataError, match="no such corpus file"):
        list(read_docs(tmp_path / "nope.conllu", vocab))
    empty = tmp_path / "empty.conllu"
    empty.write_text("# just a comment\n\n", encoding="utf8")
    with pytest.raises(DataError, match=f"^{empty}:1: empty corpus"):
        list(read_docs(empty, vocab))
    (tmp_path / "notes.md").write_text("hi", encoding="utf8")
    with pytest.raises(DataError, match="unknown corpus format '.md'"):
        list(read_docs(tmp_path / "notes.md", vocab))
    with pytest.raises(ValueError, match="needs a tokenizer"):
        list(read_docs(tmp_path / "notes.md", vocab, format="text"))
