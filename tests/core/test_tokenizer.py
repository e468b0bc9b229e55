"""Rule-based tokenizer: exact round trips, English contractions and abbreviations, URLs, numbers, neutral rules."""
import random

import pytest

from plait.core.lang import get_tokenizer_rules
from plait.core.tokenizer import Tokenizer, TokenizerRules
from plait.core.vocab import Vocab


@pytest.fixture
def vocab():
    return Vocab()


@pytest.fixture
def en(vocab):
    return Tokenizer(vocab, get_tokenizer_rules("en"))


def words(tokenizer, text):
    return tokenizer(text).words


@pytest.mark.parametrize("text", ["", " ", "a", " a", "a ", "a  b", "a\nb", "a \n b\t", "\n\n", "a\xa0b", "x\u3000y "])
def test_odd_whitespace_round_trips(en, text):
    doc = en(text)
    assert doc.text == text
    assert all(w.strip() or w.isspace() for w in doc.words) and all(doc.words)


def test_extra_whitespace_becomes_tokens(en):
    doc = en(" Hi  there\n")
    assert doc.words == [" ", "Hi", " ", "there", "\n"]
    assert doc.spaces.tolist() == [False, True, False, False, False]


def test_random_strings_round_trip(vocab):
    rng = random.Random(1234)
    alphabet = list("abcXYZ019 .,;:!?'’\"-–—/\\()[]{}<>@#$%&*+=_~`^|")
    alphabet += ["  ", "\n", "\t", "\r\n", "\xa0", "é", "ß", "中", "😀", "n't", "'s", "http://", ".com"]
    for lang in ("en", "xx"):
        tokenizer = Tokenizer(vocab, get_tokenizer_rules(lang))
        for _ in range(2000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            doc = tokenizer(text)
            assert doc.text == text, (lang, text, doc.words)
            assert all(doc.words)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("don't", ["do", "n't"]),
        ("Don't", ["Do", "n't"]),
        ("can't", ["ca", "n't"]),
        ("won't", ["wo", "n't"]),
        ("WON'T", ["WO", "N'T"]),
        ("I'm", ["I", "'m"]),
        ("you're", ["you", "'re"]),
        ("we've", ["we", "'ve"]),
        ("he'll", ["he", "'ll"]),
        ("she'd", ["she", "'d"]),
        ("it's", ["it", "'s"]),
        ("let's", ["let", "'s"]),
        ("y'all", ["y'", "all"]),
        ("gonna", ["gon", "na"]),
        ("Wanna", ["Wan", "na"]),
        ("gotta", ["got", "ta"]),
        ("cannot", ["can", "not"]),
        ("don’t", ["do", "n’t"]),
        ("It’s", ["It", "’s"]),
        ("(I'm", ["(", "I", "'m"]),
        ("didn't.", ["did", "n't", "."]),
    ],
)
def test_english_contractions(en, text, expected):
    assert words(en, text) == expected


def test_possessives(en):
    assert words(en, "Bob's car and the players' bags") == ["Bob", "'s", "car", "and", "the", "players", "'", "bags"]
    assert words(en, "the 1960's") == ["the", "1960's"]


def test_urls_and_emails_stay_whole(en):
    assert words(en, "See https://example.com/a-b?c=1&d=2.") == ["See", "https://example.com/a-b?c=1&d=2", "."]
    assert words(en, "(www.plait-nlp.org)") == ["(", "www.plait-nlp.org", ")"]
    assert words(en, "Mail <bob.smith@example.co.uk>, now") == ["Mail", "<", "bob.smith@example.co.uk", ">", ",", "now"]
    assert words(en, "the file report-v2.pdf") == ["the", "file", "report-v2.pdf"]


def test_punctuation_is_split(en):
    assert words(en, 'He said, "Hi!" (twice)...') == ["He", "said", ",", '"', "Hi", "!", '"', "(", "twice", ")", "..."]
    assert words(en, "Wait...what?!") == ["Wait", "...", "what", "?!"]
    assert words(en, "search-engine and/or hi--lo") == ["search", "-", "engine", "and", "/", "or", "hi", "--", "lo"]
    assert words(en, "**Wow** #1") == ["**", "Wow", "**", "#", "1"]


def test_abbreviations_keep_their_period(en):
    text = "Mr. Smith met Dr. Jones of Acme Inc. on Jan. 5 in the U.S., e.g. at 9 a.m. or 5 p.m., i.e. twice"
    assert words(en, text) == [
        "Mr.", "Smith", "met", "Dr.", "Jones", "of", "Acme", "Inc.", "on", "Jan.", "5", "in", "the", "U.S.", ",",
        "e.g.", "at", "9", "a.m.", "or", "5", "p.m.", ",", "i.e.", "twice",
    ]
    assert words(en, "J. R. R. Tolkien") == ["J.", "R.", "R.", "Tolkien"]


def test_sentence_final_period_is_split_off(en):
    assert words(en, "It was fine.") == ["It", "was", "fine", "."]
    assert words(en, "apples, pears, etc.") == ["apples", ",", "pears", ",", "etc", "."]
    assert words(en, "Wait for it...") == ["Wait", "for", "it", "..."]


def test_numbers(en):
    assert words(en, "pi is 3.14, not 1,000.") == ["pi", "is", "3.14", ",", "not", "1,000", "."]
    assert words(en, "$5 or 50% at 10:30 on 11/28/2000") == ["$", "5", "or", "50", "%", "at", "10:30", "on",
                                                            "11/28/2000"]
    assert words(en, "5pm, 35mm, 3rd, 1980s") == ["5", "pm", ",", "35", "mm", ",", "3rd", ",", "1980s"]
    assert words(en, "call 713-853-3989 for 5-10 days") == ["call", "713-853-3989", "for", "5", "-", "10", "days"]


def test_hyphenated_prefixes_stay_whole(en):
    assert words(en, "e-mail the non-profit co-workers") == ["e-mail", "the", "non-profit", "co-workers"]


def test_emoticons(en):
    assert words(en, "Thanks :) see you;)") == ["Thanks", ":)", "see", "you", ";)"]
    assert words(en, "great:-( ^_^") == ["great", ":-(", "^_^"]


def test_neutral_rules_for_other_languages(vocab):
    xx = Tokenizer(vocab, get_tokenizer_rules("xx"))
    assert xx("Bonjour, l'ami (don't)!").words == ["Bonjour", ",", "l'ami", "(", "don't", ")", "!"]
    assert xx("http://example.org/x, 3.14 :)").words == ["http://example.org/x", ",", "3.14", ":)"]


def test_pipe_keeps_order(en):
    texts = ["One.", "Two words", "", "three\n"]
    assert [doc.text for doc in en.pipe(texts, batch_size=2)] == texts


def test_repeated_calls_give_the_same_tokens(en):
    text = "Don't stop (believing)!"
    assert words(en, text) == words(en, text) == ["Do", "n't", "stop", "(", "believing", ")", "!"]


def test_exceptions_must_spell_their_key(vocab):
    with pytest.raises(ValueError, match="join back"):
        Tokenizer(vocab, TokenizerRules(exceptions={"dont": ("do", "not")}))
    tokenizer = Tokenizer(vocab, TokenizerRules(exceptions={"dont": ("do", "nt")}))
    assert tokenizer("dont go").words == ["do", "nt", "go"]

