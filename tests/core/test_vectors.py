"""The Vectors table, its save/load through a pipeline, and the .vector/.similarity API on docs."""
import numpy as np
import pytest

import plait
from plait.core.doc import Doc
from plait.core.vectors.subwords import Subwords, fnv1a_32
from plait.core.vectors.table import Vectors

WORDS = ["cat", "dog", "car", "Paris"]
DATA = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)


def table() -> Vectors:
    return Vectors(DATA.copy(), WORDS, name="toy", pruned={"kitten": 0})


def test_lookup_add_replace():
    vectors = table()
    assert vectors.shape == (4, 3) and "cat" in vectors and "kitten" in vectors and "cow" not in vectors
    assert np.array_equal(vectors.get_vector("kitten"), DATA[0])
    assert vectors.add("cow", np.ones(3)) == 4 and vectors.shape == (5, 3)
    vectors["cow"] = np.zeros(3)
    assert vectors.shape == (5, 3) and not vectors.get_vector("cow").any()
    vectors.replace("cat", np.full(3, 2.0))
    assert np.array_equal(vectors.get_vector("kitten"), np.full(3, 2.0))
    with pytest.raises(KeyError):
        vectors.get_vector("horse")


def test_most_similar_is_cosine_and_batched():
    vectors = table()
    queries = np.array([[1, 0.05, 0], [0, 0, 5]], dtype=np.float32)
    keys, rows, scores = vectors.most_similar(queries, n=2, batch_size=1)
    assert rows.tolist() == [[0, 1], [3, 0]]
    assert keys[1, 0] == plait.blank("en").vocab.strings.add("Paris")
    assert scores[1, 0] == pytest.approx(1.0)


def test_fingerprint_is_stable_and_sensitive():
    assert table().fingerprint() == table().fingerprint()
    other = table()
    other.replace("Paris", np.ones(3))
    assert other.fingerprint() != table().fingerprint()


def test_pipeline_round_trip_memory_maps(tmp_path):
    nlp = plait.blank("en")
    nlp.vocab.vectors = table()
    nlp.to_disk(tmp_path / "p")
    loaded = plait.load(tmp_path / "p")
    vectors = loaded.vocab.vectors
    assert isinstance(vectors.data, np.memmap)
    assert vectors.words == WORDS and vectors.pruned == {"kitten": 0} and vectors.name == "toy"
    assert loaded.meta["vectors"]["fingerprint"] == table().fingerprint()
    assert np.array_equal(loaded.vocab.get_vector("dog"), DATA[1])


def test_doc_token_span_lexeme_vectors():
    nlp = plait.blank("en")
    nlp.vocab.vectors = table()
    doc = Doc(nlp.vocab, ["Cat", "dog", "zebra", "paris"])
    assert doc[0].has_vector and np.array_equal(doc[0].vector, DATA[0])  # falls back to "cat"
    assert not doc[3].has_vector  # the exact form or its lowercase only, not other casings
    assert doc[0].vector_norm == pytest.approx(1.0)
    assert np.allclose(doc.vector, (DATA[0] + DATA[1]) / 4)
    assert np.allclose(doc[:2].vector, (DATA[0] + DATA[1]) / 2)
    assert doc[0].similarity(doc[1]) == pytest.approx(float(DATA[1, 0] / np.linalg.norm(DATA[1])))
    assert nlp.vocab["cat"].similarity(nlp.vocab["car"]) == pytest.approx(0.0)
    assert doc[:2].similarity(doc) == pytest.approx(1.0) and doc.has_vector
    with pytest.warns(UserWarning, match="no vector"):
        assert doc[2].similarity(doc[0]) == 0.0
    assert not doc[2:2].vector.any() and doc[2:2].vector.shape == (3,)


def test_no_table_means_no_vectors():
    nlp = plait.blank("en")
    doc = nlp.make_doc("a cat")
    assert not doc.has_vector and doc[0].vector.shape == (0,)
    with pytest.warns(UserWarning):
        assert doc.similarity(doc) == 0.0


def test_subwords_hash_and_mean():
    assert fnv1a_32(b"") == 2166136261
    subwords = Subwords(np.arange(20, dtype=np.float32).reshape(10, 2), min_n=3, max_n=3, bucket=10)
    rows = [fnv1a_32(g.encode()) % 10 for g in ["<ab", "ab>"]]
    assert np.allclose(subwords.vector("ab"), subwords.ngrams[rows].mean(axis=0))
    assert not subwords.vector("").any()  # "<>" is shorter than min_n: no n-grams, zeros


def test_to_disk_links_the_data_file_until_the_table_changes(tmp_path):
    data_file = tmp_path / "made.npy"
    data = np.lib.format.open_memmap(data_file, mode="w+", dtype=np.float32, shape=(2, 3))
    data[:] = [[1, 2, 3], [4, 5, 6]]
    table = Vectors(data, ["a", "b"], data_file=data_file)
    table.to_disk(tmp_path / "linked")
    assert (tmp_path / "linked" / "vectors.npy").samefile(data_file)
    assert np.array_equal(Vectors.from_disk(tmp_path / "linked").data, data)
    table.replace("a", np.zeros(3))
    table.to_disk(tmp_path / "copied")
    assert not (tmp_path / "copied" / "vectors.npy").samefile(data_file)
    assert Vectors.from_disk(tmp_path / "copied").get_vector("a").tolist() == [0, 0, 0]
    assert Vectors.from_disk(tmp_path / "linked").get_vector("a").tolist() == [1, 2, 3]
