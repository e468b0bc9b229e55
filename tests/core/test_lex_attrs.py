"""Lexical attributes: the shortcuts for common words agree with the definitions on every kind of character, and
the vocab's tables hold every lexeme's row however adding and reading interleave."""
import random
import unicodedata

from plait.core import lex_attrs
from plait.core.vocab import Vocab


def reference_flags(text: str) -> tuple:
    body = text.lstrip("+-~±").replace(",", "").replace(".", "")
    fraction = body.count("/") == 1 and all(part.isdigit() for part in body.split("/"))
    return (text.isalpha(), text.isdigit(),
            bool(text) and all(unicodedata.category(ch).startswith("P") for ch in text),
            bool(text) and text.isspace(), body.isdigit() or fraction or text.lower() in lex_attrs._NUMBER_WORDS,
            bool(lex_attrs._URL.match(text)) and "@" not in text, bool(lex_attrs._EMAIL.match(text)))


WORDS = ["", "Apple", "ten", "Twenty", "1,000", "-2", "1/2", "....", "!?", "$", "+", "'s", "--", "U.S.", "e-mail",
         "www.example.com", "http://x.org/a?b", "ftp://host", "a@b.co", "me@example.com", "@handle", "example.com",
         "ÉCOLE", "naïve", "²³", "٣٤٥", "«»", "…", "—", "¿¡", "x\ny", "\t", "   ", "ǅungla", "ⅣⅤ", "三", "日本語", "😀"]


def test_shortcuts_match_the_definitions():
    rng = random.Random(0)
    alphabet = [chr(c) for c in range(32, 127)] + list("éÉßøØ²٣…—«»¿\u00a0\u2019ⅣⅤ三日😀")
    words = WORDS + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(5000)]
    words += ["".join(rng.choice("aA1.,-/@:") for _ in range(rng.randint(1, 16))) for _ in range(5000)]
    for word in words:
        assert lex_attrs.compute(word)[1] == reference_flags(word), word


def test_the_tables_hold_every_row_across_reads_and_growth():
    vocab = Vocab()
    words = [f"w{i}" if i % 3 else f"W{i}." for i in range(10_000)]
    ids = [vocab.lex_id(word) for word in words[:10]]
    assert vocab.lex_strings.shape == (10, len(lex_attrs.STRING_ATTRS))  # read between additions
    ids += [vocab.lex_id(word) for word in words[10:]]
    assert len(vocab._new_rows) < 4096  # rows waiting for a read stay bounded when none comes
    assert ids == list(range(10_000)) and vocab.lex_id("w1") == 1
    strings, flags = vocab.lex_strings, vocab.lex_flags
    assert len(strings) == len(flags) == 10_000
    for i in (0, 9, 10, 1023, 1024, 4105, 4106, 8191, 8192, 9999):
        expected_strings, expected_flags = lex_attrs.compute(words[i])
        assert [vocab.strings[int(key)] for key in strings[i]] == list(expected_strings)
        assert tuple(flags[i]) == expected_flags
