"""English stop words: `token.is_stop`, `lexeme.is_stop`, IS_STOP in patterns, `nlp.Defaults.stop_words`."""
import plait
from plait.core.lang.en_stop_words import STOP_WORDS
from plait.matcher import Matcher


def test_function_words_are_stop_words_in_any_case():
    nlp = plait.blank("en")
    doc = nlp("The cat wasn't on THE mat, but it'd been there")
    assert [t.text for t in doc if t.is_stop] == ["The", "was", "n't", "on", "THE", "but", "it", "'d", "been", "there"]
    assert nlp.vocab["because"].is_stop and not nlp.vocab["cat"].is_stop


def test_the_list_is_lower_case_function_words():
    assert all(word == word.lower() and " " not in word for word in STOP_WORDS)
    assert {"the", "a", "of", "and", "is", "i", "you", "not"} <= STOP_WORDS
    assert not {"cat", "house", "run", "good", "london"} & STOP_WORDS


def test_defaults_edit_the_vocabs_set_and_patterns_see_it():
    nlp = plait.blank("en")
    nlp.Defaults.stop_words.add("meow")
    matcher = Matcher(nlp.vocab)
    matcher.add("STOP", [[{"IS_STOP": True, "OP": "+"}, {"IS_STOP": False}]], greedy="LONGEST")
    doc = nlp("meow and the cat")
    assert [doc[s:e].text for _, s, e in matcher(doc)] == ["meow and the cat"]


def test_a_language_without_a_list_has_no_stop_words():
    nlp = plait.blank("xx")
    assert nlp.Defaults.stop_words == set() and not nlp("the")[0].is_stop
