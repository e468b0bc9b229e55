"""Reading vectors files that gensim itself wrote, in every supported format, and the errors on bad input."""
import gzip
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from plait.core.errors import DataError, UserError
from plait.core.vectors.readers import read_vectors, text_layout
from plait.core.vectors.readers.decimal_block import parse_block
from plait.core.vectors.readers.parallel import TextLayout, read_text_table
from plait.core.vectors.readers.text import _parse_chunk

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


# -- the fast paths: vectorised decimal parser, parallel reader; each must agree with the plain line parser --

FORMATS = [lambda v: f"{v:.6f}", lambda v: f"{v:.4f}", lambda v: str(np.float32(v)), lambda v: f"{v:.12f}",
           lambda v: f"{v:.15f}", lambda v: f"{v:g}", lambda v: f"{v:.0f}."]


@pytest.mark.parametrize("fmt", range(len(FORMATS)))
@pytest.mark.parametrize("scale", [0.001, 0.3, 1000.0, 1e6])
def test_decimal_block_matches_line_parser_bit_for_bit(fmt, scale):
    rng = np.random.default_rng(fmt)
    words = ["U.S.", "e-mail", "3.14", "-1.5", "naïve", "x" * 40, "--"]
    rows = [[FORMATS[fmt](v) for v in rng.standard_normal(7) * scale] for _ in words * 3]
    block = "".join(f"{w}{i} " + " ".join(row) + (" \n" if i % 3 else "\n")
                    for i, (w, row) in enumerate(zip(words * 3, rows))).encode()
    expected = _parse_chunk(Path("x"), 1, block, 7)
    parsed = parse_block(block, 7)
    # the fast path takes exactly the blocks of plain decimals: -ddd.ddd, at most 7 + 15 digits in all
    plain = [re.fullmatch(r"-?(\d{0,7})\.(\d*)", v) for row in rows for v in row]
    assert (parsed is not None) == all(m and 1 <= len(m[1]) + len(m[2]) <= 15 for m in plain)
    if parsed is not None:
        assert parsed[0] == expected[0]
        assert np.array_equal(parsed[1].view(np.uint32), expected[1].view(np.uint32))  # same bits, -0.0 included


@pytest.mark.parametrize("block", [
    b"a 1.0 2.0\n", b"a 1.0 2.0 3.0 4.0\n", b"a 1.0 2.0 3.0\r\n", b"a 1.0\t2.0 3.0\n", b"a 1.-0 2.0 3.0\n",
    b"a 1.0 2.0 3..0\n", b"a 1.0 2.0 +3.0\n", b"a 1.0 2.0 3.0\n\nb 1.0 2.0 3.0\n", b" a 1.0 2.0 3.0\n",
    b"a 1.0 2.0 3.0e5\n", b"a 1.0 2.0 nan\n", b"a 1.0 2.0 .\n", b"a 1.0 2.0 -.\n", b"a 1.0 2.0 1.5-2.5\n",
    b"a 1.0 2.0 \x003.0\n", b"a 1.0 2.0 3\n", b"a 1.0 2.0 1234567890.1234567\n", b"a\n", b"\xff 1.0 2.0 3.0\n",
])
def test_decimal_block_leaves_anything_irregular_to_the_line_parser(block):
    assert parse_block(block, 3) is None


def test_parallel_reader_matches_sequential_and_falls_back(models, tmp_path):
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((3000, 20)) * 0.3).astype(np.float32)
    lines = [f"w{i} " + " ".join(f"{v:.6f}" for v in row) for i, row in enumerate(data)]
    path = write(tmp_path / "big.vec", "3000 20\n" + "\n".join(lines) + "\n")
    layout = text_layout(path)
    assert layout == TextLayout(offset=len("3000 20\n"), first_line=2, rows=3000, dims=20)
    words, table = read_text_table(path, layout, tmp_path / "out.npy", min_piece_bytes=1 << 14)  # several workers
    expected_words, expected, _ = read_all(path)
    assert words == expected_words and np.array_equal(table, expected)
    assert text_layout(models["dir"] / "w.bin") is None and text_layout(models["dir"] / "w.vec.gz") is None
    glove = text_layout(models["dir"] / "glove.txt")
    assert glove.offset == 0 and glove.rows == len(models["w2v"].wv) and glove.dims == 16
    lines[2000] = "bad 1.0 oops"
    bad = write(tmp_path / "bad.vec", "3000 20\n" + "\n".join(lines) + "\n")
    assert read_text_table(bad, text_layout(bad), tmp_path / "bad.npy", min_piece_bytes=1 << 14) is None
    with pytest.raises(DataError, match=rf"^{bad}:2002: expected 20 values"):
        read_all(bad)
