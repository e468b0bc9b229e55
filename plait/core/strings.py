"""StringStore: a two-way map between strings and stable 64-bit hashes."""
from __future__ import annotations

import hashlib
from typing import Iterable, Iterator


def hash_string(text: str) -> int:
    """Stable 64-bit hash of `text` (the same in every process and on every machine); "" is 0."""
    if not text:
        return 0
    return int.from_bytes(hashlib.blake2b(text.encode("utf8"), digest_size=8).digest(), "little")


class StringStore:
    """Keeps every string a pipeline has seen, so that annotations can be stored as integers."""

    def __init__(self, strings: Iterable[str] = ()) -> None:
        self._by_hash: dict[int, str] = {0: ""}
        self._by_string: dict[str, int] = {"": 0}
        for s in strings:
            self.add(s)

    def add(self, text: str) -> int:
        """Add `text` if new and return its hash."""
        key = self._by_string.get(text)
        if key is None:
            key = hash_string(text)
            self._by_string[text] = key
            self._by_hash[key] = text
        return key

    def __getitem__(self, key: int | str) -> int | str:
        """Hash for a string, string for a hash (KeyError for an unknown hash)."""
        if isinstance(key, str):
            return self.add(key)
        try:
            return self._by_hash[int(key)]
        except KeyError:
            raise KeyError(f"hash {key} is not in the string store") from None

    def __contains__(self, key: int | str) -> bool:
        return key in self._by_string if isinstance(key, str) else int(key) in self._by_hash

    def __len__(self) -> int:
        return len(self._by_hash) - 1

    def __iter__(self) -> Iterator[str]:
        return (s for s in self._by_string if s)

    def to_list(self) -> list[str]:
        """The strings in insertion order, for saving with srsly."""
        return list(self)
