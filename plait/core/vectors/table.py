"""Vectors: a table of static word vectors (float32 rows) keyed by StringStore hashes of words."""
from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import srsly

from plait.core import fs
from plait.core.errors import ModelLoadError, UserError
from plait.core.strings import StringStore, hash_string
from plait.core.vectors.subwords import Subwords

DATA_FILE, KEYS_FILE, NGRAMS_FILE = "vectors.npy", "keys.json", "ngrams.npy"
KEYS_LIMIT = 4096 * fs.MiB  # keys.json: the words in row order (tens of millions of words at most)


class Vectors:
    """Rows of a float32 matrix, one per kept word; pruned words map to a kept row.

    `data` is (rows, dims). `word2row` maps every word with a vector (kept or pruned) to its row;
    `words` holds the kept words in row order and `pruned` the other words with the row they share.
    With `subwords` set (FastText), words absent from the table get a vector built from character n-grams.
    `data_file` names a `.npy` that holds exactly `data` and that nothing else will change (init_vectors'
    memory-mapped output): `to_disk` hard-links it instead of writing the rows again, until the table changes.
    """

    def __init__(self, data: np.ndarray | None = None, words: Iterable[str] = (), *, name: str = "",
                 pruned: dict[str, int] | None = None, subwords: Subwords | None = None,
                 data_file: Path | None = None) -> None:
        self.words = list(words)
        self.data = np.zeros((0, 0), dtype=np.float32) if data is None else data
        if len(self.words) != len(self.data):
            raise ValueError(f"got {len(self.words)} words for {len(self.data)} rows")
        self.name, self.subwords = name, subwords
        self.pruned: dict[str, int] = dict(pruned or {})
        # words, not hashes, as keys: building this is a dict comprehension, fast enough to load 200k rows
        self.word2row = {w: i for i, w in enumerate(self.words)}
        self.word2row.update(self.pruned)
        self._unit: np.ndarray | None = None
        self._row_keys: np.ndarray | None = None  # the key of each row, for most_similar's answer
        self._key2row: dict[int, int] | None = None
        self.strings: StringStore | None = None  # a vocab's store: most_similar adds the words it answers with
        self._data_file = data_file

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, dims)."""
        return self.data.shape

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, word: str | int) -> bool:
        return (self._key_row(word) if isinstance(word, (int, np.integer)) else self.row(word)) is not None

    def __getitem__(self, word: str | int) -> np.ndarray:
        """The vector of a word, or of the word whose StringStore hash is `word`; KeyError when there is none."""
        if isinstance(word, (int, np.integer)):
            row = self._key_row(word)
            if row is None:
                raise KeyError(f"no vector for key {word}")
            return self.data[row]
        return self.get_vector(word)

    def _key_row(self, key: int) -> int | None:
        if self._key2row is None:
            self._key2row = {hash_string(w): row for w, row in self.word2row.items()}
        return self._key2row.get(int(key))

    def row(self, word: str) -> int | None:
        """The row of `word`, or None when the table has none."""
        return self.word2row.get(word)

    def get_vector(self, word: str) -> np.ndarray:
        """The vector of `word`: its row, else (subword tables) the mean of its n-gram vectors; KeyError otherwise."""
        row = self.row(word)
        if row is not None:
            return self.data[row]
        if self.subwords is not None:
            return self.subwords.vector(word)
        raise KeyError(f"no vector for {word!r}")

    def add(self, word: str, vector: np.ndarray) -> int:
        """Append a row for a new word (or overwrite an existing word's row); return its row."""
        row = self.row(word)
        if row is not None:
            self.replace(word, vector)
            return row
        vector = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        self.data = vector.copy() if not len(self.data) else np.concatenate([np.asarray(self.data), vector])
        self.words.append(word)
        self.word2row[word] = len(self.words) - 1
        self._key2row = None
        self._unit = self._data_file = None
        return len(self.words) - 1

    def replace(self, word: str, vector: np.ndarray) -> None:
        """Overwrite the row of `word` (shared by any words pruned onto it)."""
        row = self.row(word)
        if row is None:
            raise KeyError(f"no vector for {word!r}")
        if not self.data.flags.writeable or self._data_file is not None:  # never write through to a saved file
            self.data = np.array(self.data)
        self.data[row] = vector
        self._unit = self._data_file = None

    __setitem__ = add

    def unit_rows(self) -> np.ndarray:
        """The rows scaled to unit length (computed once, cached until the table changes)."""
        if self._unit is None:
            norms = np.linalg.norm(self.data, axis=1, keepdims=True)
            self._unit = np.asarray(self.data / np.maximum(norms, 1e-12), dtype=np.float32)
        return self._unit

    def most_similar(self, queries: np.ndarray, n: int = 10,
                     batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The `n` rows nearest by cosine to each query row; returns (keys, rows, scores), each (n_queries, n).

        queries: (n_queries, dims). Rows are unit-normalised once (cached); queries go in batches of
        `batch_size`, one matrix product each, so memory stays at (batch_size, rows) floats.
        """
        unit = self.unit_rows()
        n = min(n, len(unit))
        queries = np.asarray(queries, dtype=np.float32).reshape(-1, self.shape[1])
        rows = np.zeros((len(queries), n), dtype=np.int64)
        scores = np.zeros((len(queries), n), dtype=np.float32)
        for start in range(0, len(queries), batch_size):
            batch = queries[start:start + batch_size]
            batch = batch / np.maximum(np.linalg.norm(batch, axis=1, keepdims=True), 1e-12)
            sims = batch @ unit.T  # (batch, rows)
            if n == 1:  # the common case (pruning): argmax needs no sort and no copy
                top = sims.argmax(axis=1)[:, None]
            elif n < sims.shape[1]:
                top = np.argpartition(-sims, n - 1, axis=1)[:, :n]
            else:
                top = np.tile(np.arange(sims.shape[1]), (len(sims), 1))
            top_scores = np.take_along_axis(sims, top, axis=1)
            order = np.argsort(-top_scores, axis=1, kind="stable")
            rows[start:start + len(batch)] = np.take_along_axis(top, order, axis=1)
            scores[start:start + len(batch)] = np.take_along_axis(top_scores, order, axis=1)
        if self._row_keys is None or len(self._row_keys) != len(self.words):
            self._row_keys = np.array([hash_string(w) for w in self.words], dtype=np.uint64)
        if self.strings is not None:
            for row in np.unique(rows).tolist():
                self.strings.add(self.words[row])
        return self._row_keys[rows], rows, scores

    def fingerprint(self) -> str:
        """A short stable hash of the shape, the keys and the first and last rows (to tell tables apart)."""
        digest = hashlib.blake2b(repr(self.shape).encode(), digest_size=8)
        digest.update("\n".join(self.words[:100] + self.words[-100:]).encode("utf8"))
        data = np.ascontiguousarray(self.data)
        digest.update(np.ascontiguousarray(data[:100]).tobytes() + np.ascontiguousarray(data[-100:]).tobytes())
        return digest.hexdigest()

    def to_disk(self, path: str | Path) -> None:
        """Write `vectors.npy` (memory-mappable), `keys.json` (words in row order, pruned words) and n-grams."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if not self._link_data_file(path / DATA_FILE):
            np.save(path / DATA_FILE, np.ascontiguousarray(self.data, dtype=np.float32))
        keys = {"name": self.name, "words": self.words, "pruned": self.pruned,
                "subwords": None if self.subwords is None else self.subwords.settings()}
        srsly.write_json(path / KEYS_FILE, keys)
        if self.subwords is not None:
            np.save(path / NGRAMS_FILE, self.subwords.ngrams)

    def _link_data_file(self, target: Path) -> bool:
        """Hard-link `data_file` (see the class) to `target`; False when there is none or linking fails."""
        if self._data_file is None:
            return False
        try:  # no flush needed: the link shares the mapped pages' file
            os.link(self._data_file, target)
        except OSError:  # another filesystem, or one without hard links
            return False
        return True

    @classmethod
    def from_disk(cls, path: str | Path) -> "Vectors":
        """Load a table written by `to_disk`; the matrices are memory-mapped, not read."""
        path = Path(path)
        try:  # each file a regular one inside the folder, checked before it is opened
            keys = srsly.json_loads(fs.read_bytes_inside(path, KEYS_FILE, limit=KEYS_LIMIT))
            data = np.load(fs.regular_file_inside(path, DATA_FILE), mmap_mode="r")
            subwords = None
            if keys.get("subwords"):
                subwords = Subwords(np.load(fs.regular_file_inside(path, NGRAMS_FILE), mmap_mode="r"),
                                    **keys["subwords"])
        except UserError as err:
            raise ModelLoadError(str(err)) from None
        except (OSError, ValueError) as err:
            raise ModelLoadError(f"{path}: cannot read vectors ({err})") from err
        return cls(data, keys["words"], name=keys.get("name", ""), pruned=keys.get("pruned"), subwords=subwords)


def similarity(one: Any, other: Any) -> float:
    """Cosine similarity of two objects with `.vector` and `.has_vector`; 0.0 with a warning if one has none."""
    if not (one.has_vector and other.has_vector):
        missing = one if not one.has_vector else other
        warnings.warn(f"similarity: {missing!r} has no vector; returning 0.0", UserWarning, stacklevel=3)
        return 0.0
    a, b = one.vector, other.vector
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / denominator) if denominator else 0.0
