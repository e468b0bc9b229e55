"""Gensim's native (pickled) KeyedVectors/FastText files and FastText's `.bin`, read through gensim if installed.

These formats run pickle or trusted binary loaders, so plait reads them only from a file the user names.
"""
from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import numpy as np

from plait.core.errors import DataError, UserError
from plait.core.vectors.subwords import Subwords

Chunks = Iterator[tuple[list[str], np.ndarray]]


def _gensim() -> ModuleType:
    """Import gensim lazily: it is an optional dependency."""
    try:
        import gensim
    except ImportError as err:
        raise UserError("reading gensim or FastText binary models needs gensim: pip install 'plait[gensim]'") from err
    return gensim


def read_native(path: Path, *, subword: bool) -> tuple[Chunks, Subwords | None]:
    """A file written by gensim's `.save()`: KeyedVectors, Word2Vec or FastText (their `.wv` is used)."""
    gensim = _gensim()
    try:
        loaded = gensim.utils.SaveLoad.load(str(path))
    except Exception as err:  # pickle and gensim raise many types for a damaged file
        raise DataError(f"{path}:1: cannot load gensim model ({type(err).__name__}: {err})") from err
    wv = getattr(loaded, "wv", loaded)
    if not hasattr(wv, "index_to_key"):
        raise DataError(f"{path}:1: gensim file holds a {type(loaded).__name__}, not word vectors")
    return _from_keyed_vectors(path, wv, subword)


def read_facebook(path: Path, *, subword: bool) -> tuple[Chunks, Subwords | None]:
    """A FastText `.bin` model as written by Facebook's fasttext or gensim's `save_facebook_model`."""
    gensim = _gensim()
    from gensim.models.fasttext import load_facebook_vectors

    try:
        wv = load_facebook_vectors(str(path))
    except Exception as err:  # gensim's reader raises assorted errors on a truncated or foreign file
        raise DataError(f"{path}:1: cannot load FastText .bin with gensim {gensim.__version__} ({err})") from err
    return _from_keyed_vectors(path, wv, subword)


def _from_keyed_vectors(path: Path, wv: Any, subword: bool) -> tuple[Chunks, Subwords | None]:
    """The vectors of a gensim KeyedVectors as one chunk, plus its n-gram buckets when asked for."""
    words = list(map(str, wv.index_to_key))
    data = np.asarray(wv.vectors, dtype=np.float32)
    subwords = None
    if subword:
        if not getattr(wv, "bucket", 0):
            raise UserError(f"{path}: --mode subword needs a FastText model with n-gram buckets")
        subwords = Subwords(np.asarray(wv.vectors_ngrams, dtype=np.float32),
                            min_n=int(wv.min_n), max_n=int(wv.max_n), bucket=int(wv.bucket))
    return iter([(words, data)]), subwords
