"""Rules beside statistics: entity_ruler (phrase and token patterns, JSONL, around ner, overwrite_ents) and
the rule-based sentencizer, both saved with the pipeline."""
from pathlib import Path

import pytest
import srsly
import torch
from cli_run import run

import plait
from plait.core.errors import DataError

ROOT = Path(__file__).resolve().parents[3]
WIKIANN = ROOT / "examples/data/train/wikiann.iob"
PATTERNS = [
    {"label": "ORG", "pattern": "Apple Computer"},
    {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"},
    {"label": "MONEY", "pattern": [{"ORTH": "$"}, {"LIKE_NUM": True, "OP": "+"}, {"LOWER": {"IN": ["million",
                                                                                              "billion"]}, "OP": "?"}]},
    {"label": "PERSON", "pattern": [{"IS_TITLE": True, "LENGTH": {">=": 3}}, {"ORTH": "-", "OP": "?"},
                                    {"TEXT": {"REGEX": "^Mc[A-Z]"}}]},
]


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


@pytest.fixture
def patterns_file(tmp_path) -> Path:
    path = tmp_path / "patterns.jsonl"
    srsly.write_jsonl(path, PATTERNS)
    return path


def test_phrase_and_token_patterns_from_jsonl(patterns_file):
    nlp = plait.blank("en")
    nlp.add_pipe("entity_ruler", config={"patterns": str(patterns_file)})
    doc = nlp("Apple Computer paid $ 3 billion in San Francisco to Ronald McDonald, not apple computer.")
    assert ents(doc) == [("Apple Computer", "ORG"), ("$ 3 billion", "MONEY"), ("San Francisco", "GPE"),
                         ("Ronald McDonald", "PERSON")]
    assert nlp.get_pipe("entity_ruler").labels == ["GPE", "MONEY", "ORG", "PERSON"]
    assert ents(nlp("$ 12")) == [("$ 12", "MONEY")] and ents(nlp("$ dollars")) == []


def test_lower_phrases_and_longest_match_wins():
    nlp = plait.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "CITY", "pattern": "new york"}, {"label": "PLACE", "pattern": "new york city"},
                        {"label": "X", "pattern": [{"LOWER": "york"}, {"LOWER": "city"}, {"LOWER": "hall"}]}])
    assert ents(nlp("NEW YORK CITY is big; New York too.")) == [("NEW YORK CITY", "PLACE"), ("New York", "CITY")]
    assert ents(nlp("new york city hall")) == [("new york city", "PLACE")]  # longer first, then earlier


@pytest.mark.parametrize("bad, message", [
    ({"pattern": "x"}, "label"),
    ({"label": "X", "pattern": [{"COLOUR": "red"}]}, "unknown token attribute 'COLOUR'"),
    ({"label": "X", "pattern": [{"LOWER": "a", "OP": "{two}"}]}, "unknown OP"),
    ({"label": "X", "pattern": []}, "non-empty list"),
    ({"label": "X", "pattern": [{"LENGTH": {"ABOUT": 3}}]}, "unknown predicate 'ABOUT'"),
])
def test_bad_patterns_name_their_line(tmp_path, bad, message):
    path = tmp_path / "patterns.jsonl"
    srsly.write_jsonl(path, [PATTERNS[0], bad])
    nlp = plait.blank("en")
    with pytest.raises(DataError, match=f"patterns.jsonl:2: .*{message}"):
        nlp.add_pipe("entity_ruler", config={"patterns": str(path)})
    with pytest.raises(ValueError, match="pattern 1: "):
        plait.blank("en").add_pipe("entity_ruler").add_patterns([bad])


@pytest.fixture(scope="module")
def ner_nlp():
    """A ner trained a few steps on the WikiANN example sample."""
    torch.manual_seed(0)
    nlp = plait.blank("en")
    nlp.add_pipe("ner")
    examples = plait.read_corpus(WIKIANN, nlp)[:200]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(2):
        for start in range(0, len(examples), 20):
            nlp.update(examples[start:start + 20], sgd=optimizer)
    return nlp


def test_ruler_before_ner_keeps_its_entities(ner_nlp):
    text = "Zyxwv Qrstu met John Smith in London ."
    plain = ents(ner_nlp(text))
    ner_nlp.add_pipe("entity_ruler", before="ner").add_patterns([{"label": "PRODUCT", "pattern": "Zyxwv Qrstu"}])
    try:
        both = ents(ner_nlp(text))
    finally:
        ner_nlp.remove_pipe("entity_ruler")
    assert both[0] == ("Zyxwv Qrstu", "PRODUCT")
    assert set(both[1:]) == {e for e in plain if "Zyxwv" not in e[0] and "Qrstu" not in e[0]}


@pytest.mark.parametrize("overwrite", [False, True])
def test_ruler_after_ner_fills_gaps_or_overwrites(ner_nlp, overwrite):
    text = "John Smith met Mary Jones in London ."
    predicted = ents(ner_nlp(text))
    assert predicted, "the ner must find something for this test to mean anything"
    first = predicted[0][0]
    ruler = ner_nlp.add_pipe("entity_ruler", config={"overwrite_ents": overwrite})
    ruler.add_patterns([{"label": "RULED", "pattern": first}, {"label": "VERB", "pattern": "met"}])
    try:
        result = ents(ner_nlp(text))
    finally:
        ner_nlp.remove_pipe("entity_ruler")
    assert ("met", "VERB") in result
    assert ((first, "RULED") in result) == overwrite and ((first, predicted[0][1]) in result) != overwrite


def test_rules_are_saved_with_the_pipeline(tmp_path, patterns_file):
    nlp = plait.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", ";"]})
    nlp.add_pipe("entity_ruler", config={"overwrite_ents": True}).from_jsonl(patterns_file)
    nlp.to_disk(tmp_path / "p")
    loaded = plait.load(tmp_path / "p")
    text = "We met in San Francisco; Apple Computer paid."
    assert ents(loaded(text)) == ents(nlp(text)) == [("San Francisco", "GPE"), ("Apple Computer", "ORG")]
    assert [s.text for s in loaded(text).sents] == ["We met in San Francisco;", "Apple Computer paid."]
    assert loaded.get_pipe("entity_ruler").overwrite_ents is True


def test_sentencizer_boundaries_and_overwrite():
    nlp = plait.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp('He said "Stop!" Then he left... Really? Yes.')
    assert [s.text.strip() for s in doc.sents] == ['He said "Stop!"', "Then he left...", "Really?", "Yes."]
    doc = nlp.get_pipe("sentencizer")(plait.Doc(nlp.vocab, ["好", "。", "再见", "！"], [False] * 4))
    assert [s.text for s in doc.sents] == ["好。", "再见！"]
    doc = nlp.make_doc("One. Two.")
    doc[1].is_sent_start = False
    doc[2].is_sent_start = False
    assert len(list(nlp.get_pipe("sentencizer")(doc).sents)) == 1  # annotation present: left alone
    overwriting = plait.blank("en")
    overwriting.add_pipe("sentencizer", config={"overwrite": True})
    assert len(list(overwriting.get_pipe("sentencizer")(doc).sents)) == 2
    assert len(list(nlp(""))) == 0


def test_sentencizer_scores_on_ud(fixtures_dir):
    nlp = plait.blank("en")
    nlp.add_pipe("sentencizer")
    scores = nlp.evaluate(plait.read_corpus(fixtures_dir / "ud-en-ewt-sample.conllu", nlp))
    assert 0.0 < scores["sents_f"] <= 1.0


def test_ruler_in_a_trained_config(capsys, tmp_path, patterns_file):
    from plait.core.init_config import init_config

    config = init_config(lang="en", pipeline=["ner", "entity_ruler"])
    config["initialize"]["components"] = {"entity_ruler": {"patterns": str(patterns_file)}}
    cfg = tmp_path / "config.cfg"
    cfg.write_text(config.to_str(), encoding="utf8")
    code, _, err = run(capsys, "train", cfg, "--output", tmp_path / "out", "--paths.train", WIKIANN,
                       "--paths.dev", ROOT / "examples/data/dev/wikiann.iob", "--training.max_steps", "2",
                       "--training.eval_frequency", "2", "--corpora.dev.limit", "5")
    assert code == 0, err
    loaded = plait.load(tmp_path / "out" / "model-last")
    assert loaded.pipe_names == ["tok2vec", "ner", "entity_ruler"]
    assert ("San Francisco", "GPE") in ents(loaded("They flew to San Francisco ."))
