"""parser: heads, labels and sentence boundaries, trained on the UD fixture through the real trainer."""
import json
import re

import numpy as np
import pytest

import plait
from plait.core.data.docbin import DocBinWriter, read_docbin
from plait.core.data.doc_json import doc_to_json
from plait.core.data.example import Example
from plait.core.data.records import doc_from_record
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.scorer import score_deps

TEXTS = ["From Friday's Daily Star", "By Juan Cole. The Iraqi government is grim. Ok."]


def parse_of(doc):
    return [(t.head.i, t.dep_) for t in doc], [s.text for s in doc.sents]


def assert_trees(doc):
    """Each sentence has one root, every token's head is in its sentence, and no token is its own ancestor."""
    for sent in doc.sents:
        roots = [t for t in sent if t.head.i == t.i]
        assert len(roots) == 1
        for t in sent:
            assert sent.start <= t.head.i < sent.end
            assert roots[0] in list(t.ancestors) + [t]


@pytest.fixture
def parse_sample(fixtures_dir):
    return fixtures_dir / "parse" / "ud-en-ewt-parse-sample.conllu"


@pytest.mark.slow
def test_parser_learns_the_fixture_and_round_trips(parse_sample, train_pipeline, round_trip):
    run = train_pipeline(["parser"], parse_sample, parse_sample, steps=240,
                         overrides={"training.eval_frequency": 40})
    losses = run.losses("parser")
    assert losses[-1] < losses[0] / 5
    # attaching every token to its right neighbour scores 0.31 UAS here (its left: 0.05)
    assert run.scores["dep_uas"] > 0.9 and run.scores["dep_las"] > 0.85
    assert run.scores["sents_f"] > 0.8 and "nsubj" in run.scores["dep_las_per_type"]
    doc = run.nlp(TEXTS[1])
    assert_trees(doc)
    loaded = round_trip(run.nlp, TEXTS, parse_of)
    assert_trees(loaded(TEXTS[0]))


def test_parser_with_its_own_encoder(parse_sample, train_pipeline, round_trip):
    run = train_pipeline(["tagger", "parser"], parse_sample, parse_sample, steps=60, independent=True,
                         overrides={"training.eval_frequency": 30})
    assert run.nlp.pipe_names == ["tagger", "parser"]
    assert run.scores["dep_uas"] > 0.6
    round_trip(run.nlp, TEXTS, parse_of)


def test_parser_keeps_the_docs_own_sentences(parse_sample, train_pipeline):
    run = train_pipeline(["parser"], parse_sample, parse_sample, steps=20)
    doc = run.nlp.make_doc("one two three four five six")
    doc[3].is_sent_start = True
    for t in doc:
        if t.i not in (0, 3):
            t.is_sent_start = False
    doc = run.nlp(doc)
    assert [s.text for s in doc.sents] == ["one two three", "four five six"]
    assert_trees(doc)


def test_parse_round_trips_through_docbin_and_jsonl(parse_sample, train_pipeline, tmp_path):
    run = train_pipeline(["parser"], parse_sample, parse_sample, steps=10)
    doc = run.nlp(TEXTS[1])
    with DocBinWriter(tmp_path / "docs.plait") as writer:
        writer.add(doc)
    back = next(read_docbin(tmp_path / "docs.plait", plait.blank("en").vocab))
    assert parse_of(back) == parse_of(doc)
    record = json.loads(json.dumps(doc_to_json(doc)))
    again = doc_from_record(plait.blank("en").vocab, record, None)
    assert parse_of(again) == parse_of(doc)


def test_parser_needs_dependency_annotation(fixtures_dir, train_pipeline):
    sst2 = fixtures_dir / "sst2-train-sample.tsv"
    with pytest.raises(ConfigError, match="components.parser: the training data has no dependency annotation"):
        train_pipeline(["parser"], sst2, sst2, steps=1)


def test_score_deps_leaves_out_punctuation_as_spacy_does():
    vocab = plait.blank("en").vocab
    words = ["Dogs", "bark", "loudly", "."]
    gold = Doc(vocab, words, heads=[1, 1, 1, 1], deps=["nsubj", "root", "advmod", "punct"])
    # wrong head for "loudly", wrong label for "Dogs", the punctuation arc wrong too (ignored)
    pred = Doc(vocab, words, heads=[1, 1, 0, 2], deps=["obj", "root", "advmod", "punct"])
    scores = score_deps([Example(pred, gold)])
    assert scores["dep_uas"] == pytest.approx(2 / 3)
    assert scores["dep_las"] == pytest.approx(1 / 3)
    assert scores["dep_las_per_type"]["root"]["f"] == 1.0 and "punct" not in scores["dep_las_per_type"]
    # a predicted arc labelled punct drops out on its side only: one gold arc missed
    pred2 = Doc(vocab, words, heads=[1, 1, 1, 1], deps=["punct", "root", "advmod", "punct"])
    scores2 = score_deps([Example(pred2, gold)])
    assert scores2["dep_uas"] == pytest.approx(2 * 1.0 * (2 / 3) / (1 + 2 / 3))


def test_doc_tree_navigation():
    vocab = plait.blank("en").vocab
    # "the big dog chased a cat": dog <- chased -> cat
    doc = Doc(vocab, ["the", "big", "dog", "chased", "a", "cat"], heads=[2, 2, 3, 3, 5, 3],
              deps=["det", "amod", "nsubj", "root", "det", "obj"], pos=["DET", "ADJ", "NOUN", "VERB", "DET", "NOUN"])
    chased, dog = doc[3], doc[2]
    assert [t.i for t in chased.children] == [2, 5]
    assert [t.i for t in chased.lefts] == [2] and [t.i for t in chased.rights] == [5]
    assert [t.i for t in dog.subtree] == [0, 1, 2] and dog.left_edge.i == 0 and dog.right_edge.i == 2
    assert [t.i for t in doc[0].ancestors] == [2, 3] and list(chased.ancestors) == []
    assert [c.text for c in doc.noun_chunks] == ["the big dog", "a cat"]
    assert np.array_equal(doc.columns["HEAD"], [2, 2, 3, 3, 5, 3])
    with pytest.raises(ValueError, match="noun_chunks needs a dependency parse"):
        list(Doc(vocab, ["a"]).noun_chunks)


def test_parser_and_lemmatizer_on_a_transformer(capsys, tmp_path, tiny_roberta, parse_sample):
    from cli_run import run

    config = tmp_path / "trf.cfg"
    assert run(capsys, "init-config", config, "--gpu", "--pipeline", "parser,trainable_lemmatizer")[0] == 0
    code, out, err = run(capsys, "train", config, "--output", tmp_path / "out",
                         "--components.transformer.model.name", tiny_roberta, "--training.max_steps", "6",
                         "--training.eval_frequency", "3", "--training.optimizer.learn_rate.warmup_steps", "1",
                         "--paths.train", parse_sample, "--paths.dev", parse_sample)
    assert code == 0, err
    assert "DEP_LAS" in out and "LEMMA_ACC" in out
    nlp = plait.load(tmp_path / "out" / "model-last")
    doc = nlp(TEXTS[1])
    assert_trees(doc)
    assert all(t.lemma_ for t in doc)


def test_long_stretches_are_cut_into_sentences_of_bounded_length():
    from plait.core.components.parser import capped_starts

    margin = np.zeros(1000)
    margin[[300, 420, 700]] = 5.0
    starts = capped_starts(np.array([0]), margin, 256)
    lengths = np.diff(np.append(starts, 1000))
    assert starts[0] == 0 and lengths.max() <= 256 and lengths.min() >= 128
    assert 700 in starts.tolist()  # a strong sentence start inside the allowed range is where it cuts
    assert capped_starts(np.array([0, 10]), margin[:20], 256).tolist() == [0, 10]


# Each older architecture, and the lines of the generated config it does not take.
OLDER_PARSERS = {"plait.BiaffineParser.v1": ["context_width", "context_depth"],
                 "plait.BiaffineParser.v2": ["context_depth"]}


@pytest.mark.parametrize("arch", sorted(OLDER_PARSERS))
def test_an_older_parser_config_still_trains_saves_and_loads(capsys, tmp_path, parse_sample, arch):
    """Pipelines saved before the sentence BiLSTM (v1) or before its second layer (v2) keep loading as they were."""
    from cli_run import run

    config = tmp_path / "old.cfg"
    assert run(capsys, "init-config", config, "--pipeline", "parser")[0] == 0
    text = config.read_text().replace("plait.BiaffineParser.v3", arch)
    for key in OLDER_PARSERS[arch]:
        text = re.sub(rf"\n(# [^\n]*\n)?{key} = \d+\n", "\n", text)
    assert arch in text and not any(f"{key} =" in text for key in OLDER_PARSERS[arch])
    config.write_text(text)
    small = ["--components.tok2vec.model.encode.width", "32", "--components.tok2vec.model.encode.depth", "1"]
    code, _, err = run(capsys, "train", config, "--output", tmp_path / "out", "--training.max_steps", "4",
                       "--training.eval_frequency", "2", "--paths.train", parse_sample, "--paths.dev", parse_sample,
                       *small)
    assert code == 0, err
    model = plait.load(tmp_path / "out" / "model-last").get_pipe("parser").model
    keys = list(model.state_dict())
    if arch.endswith("v1"):
        assert model.context is None and not any("context" in key for key in keys)
    else:
        assert model.context.lstm.num_layers == 1 and not any(key.endswith("_l1") for key in keys)
    assert_trees(plait.load(tmp_path / "out" / "model-last")(TEXTS[1]))


def test_the_default_parser_runs_a_two_layer_sentence_lstm(parse_sample, train_pipeline):
    run = train_pipeline(["parser"], parse_sample, parse_sample, steps=2)
    lstm = run.nlp.get_pipe("parser").model.context.lstm
    assert lstm.num_layers == 2 and "weight_ih_l1" in dict(lstm.named_parameters())
