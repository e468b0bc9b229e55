"""attribute_ruler: rules set token attributes, later rules win, the rules are saved, bad rules are refused."""
import json
from pathlib import Path

import pytest

import cli_run
import plait
from plait.core.doc import Doc


def rules_pipeline():
    nlp = plait.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "who"}]], {"TAG": "WP", "POS": "PRON", "MORPH": {"PronType": "Int", "Case": "Nom"}})
    ruler.add([[{"LOWER": "the"}, {"IS_ALPHA": True, "OP": "+"}]], {"LEMMA": "thing"}, index=-1)
    ruler.add_patterns([{"patterns": [[{"ORTH": "Who"}]], "attrs": {"POS": "X"}}])  # later: wins over the first
    return nlp, ruler


def annotations(doc):
    return [(t.text, t.tag_, t.pos_, t.morph_, t.lemma_) for t in doc]


def test_rules_set_attributes_and_later_rules_win():
    nlp, ruler = rules_pipeline()
    assert annotations(nlp("Who saw the cat")) == [
        ("Who", "WP", "X", "Case=Nom|PronType=Int", ""), ("saw", "", "", "", ""), ("the", "", "", "", ""),
        ("cat", "", "", "", "thing")]
    assert ruler.patterns[1] == {"patterns": [[{"LOWER": "the"}, {"IS_ALPHA": True, "OP": "+"}]],
                                 "attrs": {"LEMMA": "thing"}, "index": -1}


def test_rules_are_saved_with_the_pipeline(tmp_path):
    nlp, _ = rules_pipeline()
    nlp.to_disk(tmp_path / "model")
    loaded = plait.load(tmp_path / "model")
    assert annotations(loaded("who knows the dogs")) == annotations(nlp("who knows the dogs"))
    assert loaded.get_pipe("attribute_ruler").patterns == nlp.get_pipe("attribute_ruler").patterns


def test_extension_and_sentence_start():
    nlp = plait.blank("en")
    plait.Token.set_extension("is_greeting", default=False, force=True)
    nlp.add_pipe("attribute_ruler").add([[{"LOWER": "hello"}]], {"_": {"is_greeting": True}, "IS_SENT_START": True})
    doc = nlp("well hello there")
    assert [t._.is_greeting for t in doc] == [False, True, False] and doc[1].is_sent_start


@pytest.mark.parametrize("patterns, attrs, index, message", [
    ([[{"COLOUR": "red"}]], {"TAG": "NN"}, 0,
     "pattern 0 of 'attribute_ruler rule 0', token 0: unknown token attribute 'COLOUR'"),
    ([[{"LOWER": "a"}]], {"COLOUR": "red"}, 0, "attribute 'COLOUR' cannot be set"),
    ([[{"LOWER": "a"}]], {"MORPH": 3}, 0, "MORPH is a string"),
    ([[{"LOWER": "a"}]], {"TAG": "DT"}, "0", "index is an int"),
])
def test_bad_rules(patterns, attrs, index, message):
    with pytest.raises(ValueError, match=message):
        plait.blank("en").add_pipe("attribute_ruler").add(patterns, attrs, index)


def test_an_index_outside_the_match():
    nlp = plait.blank("en")
    nlp.add_pipe("attribute_ruler").add([[{"LOWER": "a"}]], {"TAG": "DT"}, index=1)
    with pytest.raises(ValueError, match="index 1 lies outside the match 'a' of 1 tokens"):
        nlp("a cat")


def test_a_bad_saved_rule_is_one_error_line(capsys, tmp_path):
    nlp, _ = rules_pipeline()
    nlp.to_disk(tmp_path / "model")
    state = tmp_path / "model" / "attribute_ruler" / "cfg.json"
    saved = json.loads(state.read_text())
    saved["patterns"][0]["patterns"] = [[{"COLOUR": "red"}]]
    state.write_text(json.dumps(saved))
    (tmp_path / "texts.txt").write_text("who knows\n")
    code, _, err = cli_run.run(capsys, "apply", tmp_path / "model", tmp_path / "texts.txt", tmp_path / "out.jsonl")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: ")
    assert "cfg.json" in lines[0] and "unknown token attribute 'COLOUR'" in lines[0]
    assert not (tmp_path / "out.jsonl").exists()


def test_matches_on_gold_annotations_of_an_earlier_component():
    nlp = plait.blank("en")
    nlp.add_pipe("attribute_ruler").add([[{"TAG": "NNS"}]], {"POS": "NOUN"})
    doc = Doc(nlp.vocab, ["two", "cats"], tags=["CD", "NNS"])
    assert [t.pos_ for t in nlp.get_pipe("attribute_ruler")(doc)] == ["", "NOUN"]


def test_bad_rules_in_a_training_config_are_one_error_line(capsys, tmp_path):
    root = Path(__file__).resolve().parents[3]
    config = (root / "examples/configs/shared.cfg").read_text(encoding="utf8")
    config = config.replace('pipeline = ["tok2vec", "tagger", "ner"]',
                            'pipeline = ["tok2vec", "tagger", "attribute_ruler"]')
    config = config.replace("[components.ner]", '[components.attribute_ruler]\nfactory = "attribute_ruler"\n\n'
                            "[components.ner]", 1)
    config = config.replace("[initialize.components]", "[initialize.components]\n\n"
                            "[initialize.components.attribute_ruler]\n"
                            'patterns = [{"patterns": [[{"LOWER": "the", "OP": "++"}]], "attrs": {"TAG": "DT"}}]', 1)
    (tmp_path / "config.cfg").write_text(config, encoding="utf8")
    corpus = root / "examples/data/train/ewt.conllu"
    code, _, err = cli_run.run(capsys, "train", tmp_path / "config.cfg", "--output", tmp_path / "out",
                               "--paths.train", corpus, "--paths.dev", corpus, "--training.score_weights.ents_f", 0)
    assert code == 2 and err.strip().splitlines() == [
        "error: initialize.components.attribute_ruler.patterns: pattern 0 of 'attribute_ruler rule 0', token 0: "
        "unknown OP '++' (use !, ?, *, +, {n}, {n,m}, {n,} or {,m})"]
    assert not (tmp_path / "out").exists()
