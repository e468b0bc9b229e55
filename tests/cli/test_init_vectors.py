"""`plait init-vectors` end to end on files gensim wrote: conversion, truncate/prune, errors, nothing on failure."""
from pathlib import Path

import numpy as np
import pytest
from cli_run import run

import plait
from plait.core.vectors.init_vectors import _bf16_search, _from_bf16, _to_bf16, nearest_kept

gensim = pytest.importorskip("gensim", reason="gensim (the `test` extra) is needed to make real vectors files")
from gensim.models import FastText, Word2Vec  # noqa: E402
from gensim.models.fasttext import save_facebook_model  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"



@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Tiny Word2Vec and FastText models trained on the fixture text, saved as text, binary and FastText .bin."""
    out = tmp_path_factory.mktemp("models")
    text = (FIXTURES / "wikitext-2-sample.txt").read_text(encoding="utf8")
    sents = [s.split() for s in text.replace(" . ", " .\n").splitlines() if s.split()]
    w2v = Word2Vec(sents, vector_size=16, min_count=1, epochs=2, workers=1, seed=1)
    ft = FastText(sents, vector_size=16, min_count=1, epochs=2, workers=1, seed=1, bucket=5000)
    w2v.wv.save_word2vec_format(str(out / "w.vec"))
    w2v.wv.save_word2vec_format(str(out / "w.bin"), binary=True)
    save_facebook_model(ft, str(out / "ft.bin"))
    return {"dir": out, "wv": w2v.wv, "ft": ft.wv}


def test_convert_and_load(capsys, tmp_path, models):
    code, out, _ = run(capsys, "init-vectors", "en", models["dir"] / "w.bin", tmp_path / "out", "--name", "toy")
    wv = models["wv"]
    assert code == 0 and f"{len(wv)} rows x 16 dims" in out and "0 duplicate words" in out
    nlp = plait.load(tmp_path / "out")
    table = nlp.vocab.vectors
    assert isinstance(table.data, np.memmap) and table.name == "toy" and nlp.meta["vectors"]["name"] == "toy"
    assert table.words == list(wv.index_to_key) and np.allclose(table.data, wv.vectors)
    _, rows, _ = table.most_similar(table.data[:20], n=2)
    for i, word in enumerate(table.words[:20]):
        assert table.words[rows[i, 1]] == wv.most_similar(word, topn=1)[0][0]
    doc = nlp.make_doc("the lobster")
    assert doc[1].similarity(doc[0]) == pytest.approx(wv.similarity("lobster", "the"), abs=1e-5)


def test_truncate_and_prune(capsys, tmp_path, models):
    wv, vec = models["wv"], models["dir"] / "w.vec"
    assert run(capsys, "init-vectors", "en", vec, tmp_path / "t", "--truncate", 50)[0] == 0
    assert plait.load(tmp_path / "t").vocab.vectors.words == wv.index_to_key[:50]
    code, out, _ = run(capsys, "init-vectors", "en", vec, tmp_path / "p", "--prune", 50)
    assert code == 0 and f"{len(wv) - 50} pruned words mapped" in out
    vocab = plait.load(tmp_path / "p").vocab
    unit = wv.vectors[:50] / np.linalg.norm(wv.vectors[:50], axis=1, keepdims=True)
    for word in wv.index_to_key[50::37]:
        nearest = int(np.argmax(unit @ wv[word]))
        assert vocab.has_vector(word) and np.allclose(vocab.get_vector(word), wv.vectors[nearest])


def test_subword_mode(capsys, tmp_path, models):
    code, out, _ = run(capsys, "init-vectors", "en", models["dir"] / "ft.bin", tmp_path / "s", "--mode", "subword")
    assert code == 0 and "subword n-grams kept" in out
    vocab = plait.load(tmp_path / "s").vocab
    for word in ["lobsterlike", "Qwertyuiop"]:
        assert vocab.has_vector(word) and np.allclose(vocab.get_vector(word), models["ft"][word], atol=1e-5)


def test_duplicates_first_wins(capsys, tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("a 1 2\nb 3 4\na 5 6\n", encoding="utf8")
    code, out, _ = run(capsys, "init-vectors", "en", path, tmp_path / "out")
    assert code == 0 and "1 duplicate words skipped" in out
    assert plait.load(tmp_path / "out").vocab.get_vector("a").tolist() == [1, 2]


@pytest.mark.parametrize("content, line", [
    ("2 3\na 1 2 3\nb 1 2\n", 3), ("a 1 2\nb 1 two\n", 2), ("3 2\na 1 2\n", 1), (b"1 2\n\xe9t\xe9 1 2\n", 2),
])
def test_bad_input_exits_2_and_writes_nothing(capsys, tmp_path, content, line):
    path = tmp_path / "bad.vec"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, out, err = run(capsys, "init-vectors", "en", path, tmp_path / "out")
    assert code == 2 and err.startswith(f"error: {path}:{line}: ") and len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.vec"]


def test_bad_arguments(capsys, tmp_path, models):
    assert run(capsys, "init-vectors", "en", tmp_path / "missing.vec", tmp_path / "o")[0] == 2
    code, _, err = run(capsys, "init-vectors", "en", models["dir"] / "w.vec", tmp_path / "o", "--mode", "subword")
    assert code == 2 and "--mode subword needs" in err
    assert run(capsys, "init-vectors", "en", models["dir"] / "w.vec", tmp_path / "o", "--mode", "x")[0] == 2
    assert not (tmp_path / "o").exists()


def test_prune_finds_the_exact_nearest_row(models):
    """The bfloat16 candidate search returns what a float32 search over every kept row returns, for every word."""
    data = models["wv"].vectors
    unit = data / np.linalg.norm(data, axis=1, keepdims=True)
    exact = (unit[50:] @ unit[:50].T).argmax(axis=1)
    assert np.array_equal(nearest_kept(data, 50, batch_size=64), exact)
    kept_bf16 = _to_bf16(unit[:50])
    kept_error = float(np.linalg.norm(_from_bf16(kept_bf16) - unit[:50], axis=1).max())
    found = _bf16_search(unit[50:], unit[:50], kept_bf16, kept_error, block=16)  # used where the CPU has bf16
    assert found is not None and np.array_equal(found, exact)


def test_prune_search_with_negative_scores_and_zero_rows():
    kept = np.array([[1, 0.1], [1, -0.1], [1, 0], [0.9, 0.5]], dtype=np.float32)
    queries = np.array([[-1, 0.05], [-1, -0.3], [0, 0], [1, 0.2]], dtype=np.float32)
    data = np.concatenate([kept, queries])
    unit = kept / np.linalg.norm(kept, axis=1, keepdims=True)
    exact = (queries @ unit.T).argmax(axis=1)  # all scores of the first two rows are negative
    assert np.array_equal(nearest_kept(data, 4), exact) and exact[2] == 0
    found = _bf16_search(queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12), unit,
                         _to_bf16(unit), 0.01, block=2)
    assert found is not None and np.array_equal(found, exact)  # a zero row: every kept row is a candidate
