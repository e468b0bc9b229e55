"""Reading vectors files that gensim itself wrote, in every supported format, and the errors on bad input."""
import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest

from plait.core.errors import DataError, UserError
from plait.core.vectors_io import read_vectors

gensim = pytest.importorskip("gensim", reason="gensim (the `test` extra) is needed to make real vectors files")
from gensim.models import FastText, Word2Vec  # noqa: E402
from gensim.models.fasttext import save_facebook_model  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def sentences() -> list[list[str]]:
    """A few hundred tokenized sentences from the fixture corpora."""
    text = (FIXTURES / "wikitext-2-sample.txt").read_text(encoding="utf8")
    sst = (FIXTURES / "sst2-train-sample.tsv").read_text(encoding="utf8")
    lines = [s.split() for s in text.replace(" . ", " .\n").splitlines() + sst.splitlines()]
    return [line for line in lines if line]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Tiny Word2Vec and FastText models, saved in every format plait reads."""
    out = tmp_path_factory.mktemp("vectors")
    sents = sentences()
    w2v = Word2Vec(sents, vector_size=16, min_count=1, epochs=2, workers=1, seed=1)
    ft = FastText(sents, vector_size=16, min_count=1, epochs=2, workers=1, seed=1, bucket=5000, min_n=3, max_n=5)
    w2v.wv.save_word2vec_format(str(out / "w.vec"))
    w2v.wv.save_word2vec_format(str(out / "glove.txt"), write_header=False)
    w2v.wv.save_word2vec_format(str(out / "w.vec.gz"))
    w2v.wv.save_word2vec_format(str(out / "w.bin"), binary=True)
    with zipfile.ZipFile(out / "w.zip", "w") as archive:
        archive.write(out / "glove.txt", "glove.txt")
    w2v.wv.save(str(out / "w.kv"))
    ft.save(str(out / "ft.model"))
    save_facebook_model(ft, str(out / "ft.bin"))
    return {"dir": out, "w2v": w2v, "ft": ft}


def read_all(path: Path, mode: str = "default"):
    chunks, subwords = read_vectors(path, mode=mode)
    words, blocks = [], []
    for chunk_words, data in chunks:
        words += chunk_words
        blocks.append(data)
    return words, np.concatenate(blocks), subwords


@pytest.mark.parametrize("name", ["w.vec", "glove.txt", "w.vec.gz", "w.bin", "w.zip", "w.kv"])
def test_word2vec_formats_match_gensim(models, name):
    wv = models["w2v"].wv
    words, data, _ = read_all(models["dir"] / name)
    assert words == list(wv.index_to_key)
    assert np.allclose(data, wv.vectors, atol=1e-5)


@pytest.mark.parametrize("name", ["ft.model", "ft.bin"])
def test_fasttext_formats_match_gensim(models, name):
    wv = models["ft"].wv
    words, data, _ = read_all(models["dir"] / name)
    assert words == list(wv.index_to_key)
    assert np.allclose(data, np.stack([wv[w] for w in words]), atol=1e-5)


@pytest.mark.parametrize("name", ["ft.model", "ft.bin"])
def test_subword_vectors_match_gensim_for_unseen_words(models, name):
    _, _, subwords = read_all(models["dir"] / name, mode="subword")
    for word in ["lobsterish", "Zzyzx", "naïveté", "ab", "x"]:
        assert word not in models["ft"].wv.key_to_index
        assert np.allclose(subwords.vector(word), models["ft"].wv[word], atol=1e-5)


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf8"))
    return path


@pytest.mark.parametrize("content, where", [
    ("2 3\na 1 2 3\nb 1 2\n", ":3: expected 3 values"),
    ("a 1 2 3\nb 1 2 3 4\n", ":2: expected 3 values"),
    ("2 3\na 1 2 3\nb 1 x 3\n", ":3: non-numeric"),
    ("3 3\na 1 2 3\nb 1 2 3\n", ":1: header says 3 rows"),
    ("1 3\na 1 2 3\nb 1 2 3\n", ":3: more rows than the header's 1"),
    (b"2 3\na 1 2 3\n\xff\xfe 1 2 3\n", ":3: not UTF-8"),
])
def test_bad_text_files_name_file_and_line(tmp_path, content, where):
    path = write(tmp_path / "bad.vec", content)
    with pytest.raises(DataError, match=rf"^{path}{where}"):
        read_all(path)


def test_truncated_binary_file(models, tmp_path):
    data = (models["dir"] / "w.bin").read_bytes()
    path = write(tmp_path / "cut.bin", data[:-10])
    with pytest.raises(DataError, match=rf"^{path}:\d+: file ends inside row"):
        read_all(path)


def test_gzipped_bad_file_and_missing_gensim(tmp_path, models, monkeypatch):
    path = tmp_path / "bad.vec.gz"
    path.write_bytes(gzip.compress(b"1 2\na 1 oops\n"))
    with pytest.raises(DataError, match=rf"^{path}:2: non-numeric"):
        read_all(path)
    monkeypatch.setitem(__import__("sys").modules, "gensim", None)
    with pytest.raises(UserError, match=r"plait\[gensim\]"):
        read_all(models["dir"] / "w.kv")
    with pytest.raises(UserError, match="--mode subword needs"):
        read_all(models["dir"] / "w.vec", mode="subword")
