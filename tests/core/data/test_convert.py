"""convert: any supported corpus to `.plait`, checked against the source; every shared corpus converts."""
import time

import pytest

from plait.core.data.convert import convert
from plait.core.data.docbin import read_docbin
from plait.core.data.readers import corpus_files, read_docs
from plait.core.data.text import whitespace_tokenizer
from plait.core.errors import DataError
from plait.core.vocab import Vocab


def test_convert_fixture_folder(fixtures_dir, tmp_path):
    written = convert(fixtures_dir, tmp_path / "out", n_sents=1)
    assert [w.path.name for w in written] == [
        "sst2-dev-sample.plait", "sst2-train-sample.plait", "ud-en-ewt-sample.plait", "wikiann-en-sample.plait",
        "wikitext-2-sample.plait", "wnut17-sample.plait"]
    ud = next(w for w in written if w.path.name == "ud-en-ewt-sample.plait")
    assert (ud.docs, ud.tokens) == (3, 10)
    vocab = Vocab()
    source = list(read_docs(fixtures_dir / "ud-en-ewt-sample.conllu", vocab, n_sents=1))
    back = list(read_docbin(ud.path, vocab))
    assert [d.to_dict()["orth"].tolist() for d in back] == [d.to_dict()["orth"].tolist() for d in source]
    assert [d.strings_of("DEP") for d in back] == [d.strings_of("DEP") for d in source]


def test_convert_with_named_converter_and_collisions(fixtures_dir, tmp_path):
    (written,) = convert(fixtures_dir / "wikitext-2-sample.txt", tmp_path, converter="wikitext")
    assert written.docs == 3
    for suffix in (".conllu", ".conll"):
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / f"train{suffix}").write_text("a\tO\n" if suffix == ".conll" else "", encoding="utf8")
    with pytest.raises(DataError, match="would be written to"):
        convert(tmp_path / "in", tmp_path / "out")


# tokens per data file of each shared corpus (None: not published, not checked)
EXPECTED = {
    "ud-en-ewt": {"dev.conllu": 25147, "test.conllu": 25094, "train.conllu": 204577},
    "wikiann-en": {"dev.tsv": None, "test.tsv": None, "train.tsv": 160394},
    "wnut17": {"dev.conll": None, "train.conll": 62730},
    "sst2": {"dev.tsv": 17046, "train.tsv": None},
    "wikitext-2": {"test.txt": 241211, "valid.txt": 213886},
}


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_every_shared_corpus_converts(shared_data, tmp_path, folder):
    files = sorted(p for p in (shared_data / folder).iterdir() if not p.name.startswith(("LICENSE", "README")))
    assert [p.name for p in files] == sorted(EXPECTED[folder])
    assert [p.name for p in corpus_files(shared_data / folder)] == [p.name for p in files]
    vocab = Vocab()
    for path in files:
        start = time.perf_counter()
        (written,) = convert(path, tmp_path, vocab=vocab, make_doc=whitespace_tokenizer(vocab))
        assert written.path == tmp_path / f"{path.stem}.plait" and written.docs > 0
        if EXPECTED[folder][path.name] is not None:
            assert written.tokens == EXPECTED[folder][path.name]
        back = read_docbin(written.path, Vocab())
        assert sum(1 for _ in back) == written.docs
        assert time.perf_counter() - start < 20, f"{path} took too long"
