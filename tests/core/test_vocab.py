"""Vocab and lexical attributes: computed once per word type, stable hashes."""
import subprocess
import sys

from plait.core.strings import StringStore, hash_string
from plait.core.vocab import Vocab


def test_lexeme_attributes():
    vocab = Vocab()
    assert vocab["Hello"].shape_ == "Xxxxx" and vocab["Hello"].lower_ == "hello"
    assert vocab["1,000"].like_num and vocab["ten"].like_num and not vocab["tent"].like_num
    assert vocab["https://example.com/a?b=1"].like_url and vocab["www.plait.io"].like_url
    assert vocab["someone@example.org"].like_email and not vocab["someone@example.org"].like_url
    assert vocab["!?"].is_punct and vocab["42"].is_digit and vocab["\n"].is_space
    assert vocab["C3PO"].shape_ == "XdXX"


def test_lexemes_are_computed_once_per_word():
    vocab = Vocab()
    ids = vocab.lex_ids(["a", "b", "a", "a"])
    assert ids.tolist() == [0, 1, 0, 0] and len(vocab) == 2
    assert vocab.attr_column(ids, "LOWER").tolist()[0] == hash_string("a")


def test_hashes_are_stable_across_processes():
    code = "from plait.core.strings import hash_string; print(hash_string('plait'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out) == hash_string("plait") and hash_string("") == 0


def test_string_store_two_way():
    strings = StringStore(["x"])
    key = strings.add("hello")
    assert strings[key] == "hello" and strings["hello"] == key and "x" in strings and len(strings) == 2
