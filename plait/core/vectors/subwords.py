"""Subwords: FastText's character n-gram buckets, so a word outside the table still gets a vector."""
from __future__ import annotations

import numpy as np


def fnv1a_32(data: bytes) -> int:
    """FastText's 32-bit FNV-1a hash; like FastText, each byte is read as a signed char first."""
    h = 2166136261
    for byte in data:
        h = ((h ^ ((byte - 256 if byte > 127 else byte) & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
    return h


def char_ngrams(word: str, min_n: int, max_n: int) -> list[bytes]:
    """The UTF-8 bytes of every character n-gram of `<word>` with min_n <= n <= max_n."""
    marked = f"<{word}>"
    return [marked[i:i + n].encode("utf8")
            for n in range(min_n, max_n + 1) for i in range(len(marked) - n + 1)]


class Subwords:
    """An n-gram bucket matrix (bucket, dims) with FastText's settings (min_n, max_n, bucket)."""

    def __init__(self, ngrams: np.ndarray, *, min_n: int, max_n: int, bucket: int) -> None:
        if len(ngrams) != bucket:
            raise ValueError(f"n-gram matrix has {len(ngrams)} rows for {bucket} buckets")
        self.ngrams, self.min_n, self.max_n, self.bucket = ngrams, min_n, max_n, bucket

    def settings(self) -> dict[str, int]:
        """The hashing settings, as saved next to the matrix."""
        return {"min_n": self.min_n, "max_n": self.max_n, "bucket": self.bucket}

    def vector(self, word: str) -> np.ndarray:
        """The mean of the bucket vectors of the word's n-grams (zeros when it has none), as FastText computes."""
        rows = [fnv1a_32(gram) % self.bucket for gram in char_ngrams(word, self.min_n, self.max_n)]
        if not rows:
            return np.zeros(self.ngrams.shape[1], dtype=np.float32)
        return np.asarray(self.ngrams[rows], dtype=np.float32).mean(axis=0)
