"""Binary corpus: round trips keep every annotation; damaged files fail clearly; writes are atomic."""
import numpy as np
import pytest
from srsly import msgpack

from plait.core.data.ner_columns import read_columns
from plait.core.data.conllu import read_conllu
from plait.core.data.docbin import DocBinWriter, decode_docs, decode_trusted_docs, encode_docs, read_docbin
from plait.core.doc import COLUMN_DTYPES, Doc
from plait.core.errors import DataError
from plait.core.span import Span
from plait.core.vocab import Vocab


def assert_same(a, b):
    assert a.text == b.text and a.words == b.words and a.spaces.tolist() == b.spaces.tolist()
    for name in COLUMN_DTYPES:
        assert a.columns[name].dtype == b.columns[name].dtype
        assert np.array_equal(a.columns[name], b.columns[name]), name
        if name not in ("HEAD", "SENT_START", "ENT_IOB"):
            assert a.strings_of(name) == b.strings_of(name)
    assert a.cats == b.cats
    assert {k: [(s.start, s.end, s.label_) for s in g] for k, g in a.spans.items()} == \
           {k: [(s.start, s.end, s.label_) for s in g] for k, g in b.spans.items()}


def round_trip(tmp_path, docs, **kwargs):
    path = tmp_path / "corpus.plait"
    with DocBinWriter(path, **kwargs) as writer:
        for doc in docs:
            writer.add(doc)
    assert writer.n_docs == len(docs) and writer.n_tokens == sum(map(len, docs))
    back = list(read_docbin(path, Vocab()))  # a fresh vocab: the file carries its strings
    assert len(back) == len(docs)
    for a, b in zip(docs, back):
        assert_same(a, b)
    return path


def rich_doc(vocab):
    doc = Doc(vocab, ["Ünïcödé", "  ", "café", "costs", "€3", "!"], [False, False, True, True, False, True],
              tags=["NNP", "_SP", "NN", "VBZ", "CD", "."], pos=["PROPN", "SPACE", "NOUN", "VERB", "NUM", "PUNCT"],
              morphs=["Number=Sing", "", "Number=Sing", "Person=3", "", ""],
              lemmas=["ünïcödé", "  ", "café", "cost", "€3", "!"], heads=[3, 0, 3, 3, 3, -1],
              deps=["nsubj", "dep", "nsubj", "ROOT", "obj", ""], sent_starts=[1, 0, 0, 0, 0, None],
              ents=["U-ORG", "O", "O", "O", "U-MONEY", "-"])
    doc.cats = {"POSITIVE": 0.25, "NEGATIVE": 0.75}
    doc.spans = {"sc": [Span(doc, 0, 3, "THING"), Span(doc, 2, 5, "CLAIM")], "empty": []}
    return doc


def test_round_trip_every_annotation(tmp_path):
    vocab = Vocab()
    docs = [rich_doc(vocab), Doc(vocab, []), Doc(vocab, ["plain"], [True])]
    round_trip(tmp_path, docs)
    round_trip(tmp_path, docs * 5, chunk_docs=2, chunk_tokens=4)  # many chunks


def test_records_of_this_process_decode_unchecked_to_the_same_docs():
    """A training store's and an n_process worker's records skip the file checks, and come back the same."""
    vocab = Vocab()
    docs = [rich_doc(vocab), Doc(vocab, []), Doc(vocab, ["plain"], [True])]
    record = msgpack.unpackb(msgpack.packb(encode_docs(docs), use_bin_type=True), raw=False)
    for decode in (decode_docs, decode_trusted_docs):
        back = decode(record, Vocab())
        assert len(back) == len(docs)
        for a, b in zip(docs, back):
            assert_same(a, b)


def test_failed_write_leaves_nothing(tmp_path):
    path = tmp_path / "out.plait"
    with pytest.raises(ValueError, match="share a Vocab"):
        with DocBinWriter(path, chunk_docs=1) as writer:
            writer.add(Doc(Vocab(), ["a"]))
            writer.add(Doc(Vocab(), ["b"]))
    assert list(tmp_path.iterdir()) == []


def write_records(path, *records):
    packer = msgpack.Packer(use_bin_type=True)
    path.write_bytes(b"".join(packer.pack(r) for r in records))
    return path


@pytest.mark.parametrize("damage, message", [
    (lambda p, data: p.write_bytes(b"hello world"), r":1: not a plait binary corpus"),
    (lambda p, data: write_records(p, {"format": "plait.docbin", "version": 99}), "format version 99"),
    (lambda p, data: p.write_bytes(data[:-30]), r":\d+: (corrupt|file ends without its end record)"),
    (lambda p, data: p.write_bytes(data[:60] + b"\xc1" * 40 + data[100:]), r":\d+: corrupt"),
    (lambda p, data: write_records(p, {"format": "plait.docbin", "version": 1}, {"lengths": b"x"}),
     ":2: corrupt chunk"),
])
def test_damaged_files_fail_clearly(tmp_path, damage, message):
    path = round_trip(tmp_path, [rich_doc(Vocab())])
    damage(path, path.read_bytes())
    with pytest.raises(DataError, match=message) as err:
        list(read_docbin(path, Vocab()))
    assert str(err.value).startswith(str(path))


def test_real_corpora_round_trip(shared_data, tmp_path):
    vocab = Vocab()
    round_trip(tmp_path, list(read_conllu(shared_data / "ud-en-ewt" / "dev.conllu", vocab)))
    round_trip(tmp_path, list(read_columns(shared_data / "wikiann-en" / "dev.tsv", vocab)))
