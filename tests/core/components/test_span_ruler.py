"""span_ruler: phrase and token patterns into a span group (overlaps kept) and/or the entities (filtered), added to
or overwriting what an earlier component left, saved with the pipeline, patterns from [initialize.components]."""
from pathlib import Path

import pytest
import srsly
from cli_run import run

import plait
from plait.core.data.docbin import DocBinWriter, read_docbin
from plait.core.errors import ConfigError, DataError

ROOT = Path(__file__).resolve().parents[3]
WIKIANN = ROOT / "examples/data/train/wikiann.iob"
TEXT = "Die Bundesbank Deutschland und die Bank von England ."
PATTERNS = [
    {"label": "ORG", "pattern": "Bundesbank Deutschland", "id": "bbk"},
    {"label": "LOC", "pattern": [{"LOWER": {"IN": ["deutschland", "england"]}}]},
    {"label": "LOC", "pattern": "Deutschland"},  # the same span as the token pattern: kept once
    {"label": "GPE", "pattern": "Deutschland"},  # the same span with another label: kept
    {"label": "ORG", "pattern": [{"LOWER": "bank"}, {"LOWER": "von"}, {"IS_TITLE": True}]},
]


def spans(doc, key="ruler"):
    return [(s.text, s.label_) for s in doc.spans[key]]


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def ruler_nlp(**config):
    nlp = plait.blank("de")
    nlp.add_pipe("span_ruler", config=config).add_patterns(PATTERNS)
    return nlp


def test_overlapping_and_nested_matches_are_all_kept_in_document_order():
    doc = ruler_nlp()(TEXT)
    assert spans(doc) == [("Bundesbank Deutschland", "ORG"), ("Deutschland", "GPE"), ("Deutschland", "LOC"),
                          ("Bank von England", "ORG"), ("England", "LOC")]
    assert not doc.has_annotation("ENT_IOB")  # annotate_ents is off by default
    assert ruler_nlp().get_pipe("span_ruler").labels == ["GPE", "LOC", "ORG"]
    assert spans(ruler_nlp()("nichts hier")) == [] and spans(ruler_nlp()("")) == []


@pytest.mark.parametrize("ents_filter, expected", [
    ("plait.first_longest_spans_filter.v1", [("Bundesbank Deutschland", "ORG"), ("Bank von England", "ORG")]),
    ("plait.prioritize_new_ents_filter.v1", [("Bundesbank Deutschland", "ORG"), ("Bank von England", "ORG")]),
    ("plait.prioritize_existing_ents_filter.v1", [("Bundesbank", "PER"), ("Deutschland", "GPE"),
                                                  ("Bank von England", "ORG")]),
])
def test_entities_through_each_filter_keeping_earlier_ones(ents_filter, expected):
    nlp = ruler_nlp(spans_key=None, annotate_ents=True, overwrite=False, ents_filter={"@misc": ents_filter})
    doc = nlp.make_doc(TEXT)
    doc.ents = [(1, 2, "PER"), (8, 9, "MISC")]  # "Bundesbank", "."
    doc = nlp.get_pipe("span_ruler")(doc)
    assert ents(doc) == expected + [(".", "MISC")]
    assert "ruler" not in doc.spans


def test_overwrite_replaces_entities_and_groups():
    nlp = ruler_nlp(annotate_ents=True)
    doc = nlp.make_doc(TEXT)
    doc.ents = [(8, 9, "MISC")]
    doc.spans["ruler"] = [plait.Span(doc, 0, 1, "OLD")]
    doc = nlp.get_pipe("span_ruler")(doc)
    assert ents(doc) == [("Bundesbank Deutschland", "ORG"), ("Bank von England", "ORG")]
    assert ("Die", "OLD") not in spans(doc) and len(spans(doc)) == 5


def test_added_after_a_scored_group_keeps_one_score_a_span(tmp_path):
    """After a spancat (a group with scores) the rule spans are added with score 1.0; saved and read back equal."""
    nlp = ruler_nlp(spans_key="sc", overwrite=False)
    doc = nlp.make_doc(TEXT)
    doc.spans["sc"] = [plait.Span(doc, 1, 3, "ORG"), plait.Span(doc, 5, 6, "ORG")]
    doc.spans["sc"].attrs["scores"] = [0.9, 0.6]
    doc = nlp.get_pipe("span_ruler")(doc)
    assert spans(doc, "sc")[:2] == [("Bundesbank Deutschland", "ORG"), ("Bank", "ORG")]
    assert len(doc.spans["sc"]) == 7 and doc.spans["sc"].scores == [0.9, 0.6] + [1.0] * 5
    with DocBinWriter(tmp_path / "docs.plait") as writer:
        writer.add(doc)
    back = next(read_docbin(tmp_path / "docs.plait", nlp.vocab))
    assert spans(back, "sc") == spans(doc, "sc") and back.spans["sc"].scores == doc.spans["sc"].scores


def test_spans_filter_decides_the_group():
    nlp = ruler_nlp(spans_filter={"@misc": "plait.first_longest_spans_filter.v1"})
    assert spans(nlp(TEXT)) == [("Bundesbank Deutschland", "ORG"), ("Bank von England", "ORG")]


def test_patterns_are_saved_with_the_pipeline(tmp_path):
    nlp = ruler_nlp(phrase_matcher_attr="LOWER", spans_key="rules", annotate_ents=True)
    nlp.to_disk(tmp_path / "p")
    loaded = plait.load(tmp_path / "p")
    text = "die BUNDESBANK deutschland und die Bank von England ."
    assert spans(loaded(text), "rules") == spans(nlp(text), "rules")
    assert ("BUNDESBANK deutschland", "ORG") in spans(loaded(text), "rules")
    assert ents(loaded(text)) == ents(nlp(text)) and loaded.get_pipe("span_ruler").patterns == PATTERNS


@pytest.mark.parametrize("config, message", [
    ({"spans_key": None}, "would write nothing"),
    ({"phrase_matcher_attr": "POS"}, "phrase_matcher_attr must be"),
    ({"ents_filter": {"@misc": "plait.no_such_filter.v1"}}, "no_such_filter"),
])
def test_bad_settings_name_the_component(config, message):
    with pytest.raises(ConfigError, match=message):
        plait.blank("en").add_pipe("span_ruler", config=config)


def test_bad_patterns_name_their_place(tmp_path):
    path = tmp_path / "patterns.jsonl"
    srsly.write_jsonl(path, [PATTERNS[0], {"label": "X", "pattern": [{"COLOUR": "red"}]}])
    with pytest.raises(DataError, match="patterns.jsonl:2: .*unknown token attribute 'COLOUR'"):
        plait.blank("en").add_pipe("span_ruler", config={"patterns": str(path)})
    ruler = plait.blank("en").add_pipe("span_ruler")
    with pytest.raises(ConfigError, match=r"initialize.components.span_ruler.patterns: pattern 2: .*label"):
        ruler.initialize(lambda: [], patterns=[PATTERNS[0], {"pattern": "x"}])
    with pytest.raises(ConfigError, match="initialize.components.span_ruler.patterns: a JSONL file"):
        ruler.initialize(lambda: [], patterns={"label": "X"})


def _config(tmp_path, patterns):
    from plait.core.init_config import init_config

    config = init_config(lang="en", pipeline=["span_ruler", "ner"])
    config["initialize"]["components"] = {"span_ruler": {"patterns": patterns}}
    config["paths"].update(train=str(WIKIANN), dev=str(WIKIANN))
    config["corpora"]["train"]["limit"] = 20
    return config


def test_bad_pattern_in_the_config_is_one_error_line(capsys, tmp_path):
    cfg = tmp_path / "config.cfg"
    cfg.write_text(_config(tmp_path, [{"label": "GPE", "pattern": [{"LOWER": "paris", "OP": "{three}"}]}]).to_str(),
                   encoding="utf8")
    code, _, err = run(capsys, "train", cfg, "--output", tmp_path / "out")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: initialize.components.span_ruler.patterns: pattern 1: pattern, token 0: unknown OP"), err


def test_patterns_from_the_initialize_section_are_saved_with_the_pipeline(tmp_path):
    from plait.core.config import interpolate_config
    from plait.core.training.initialize import init_nlp

    patterns = tmp_path / "patterns.jsonl"
    srsly.write_jsonl(patterns, [{"label": "GPE", "pattern": "San Francisco"},
                                 {"label": "CITY", "pattern": [{"LOWER": "francisco"}]}])
    nlp, _ = init_nlp(interpolate_config(_config(tmp_path, str(patterns))))
    nlp.to_disk(tmp_path / "p")
    loaded = plait.load(tmp_path / "p")
    assert loaded.pipe_names == ["tok2vec", "span_ruler", "ner"]
    assert spans(loaded("They flew to San Francisco .")) == [("San Francisco", "GPE"), ("Francisco", "CITY")]


def test_scores_its_group_as_spacy_names_them():
    nlp = ruler_nlp()
    gold = nlp.make_doc(TEXT)
    gold.spans["ruler"] = [plait.Span(gold, 1, 3, "ORG"), plait.Span(gold, 2, 3, "LOC"), plait.Span(gold, 7, 8, "GPE")]
    unannotated = nlp.make_doc("Deutschland .")  # no gold group: its predictions are not counted
    scores = nlp.evaluate([plait.Example(nlp.make_doc(TEXT), gold),
                           plait.Example(nlp.make_doc(unannotated.text), unannotated)])
    assert scores["spans_ruler_p"] == pytest.approx(2 / 5) and scores["spans_ruler_r"] == pytest.approx(2 / 3)
    assert scores["spans_ruler_per_type"]["ORG"] == {"p": 0.5, "r": 1.0, "f": pytest.approx(2 / 3)}
    assert scores["spans_ruler_per_type"]["GPE"]["r"] == 0.0
