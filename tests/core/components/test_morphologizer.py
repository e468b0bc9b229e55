"""morphologizer: joint POS+FEATS labels, trained on the UD fixture through the real trainer."""
import pytest

import plait
from plait.core.components.morphologizer import gold_labels, join_label, split_label
from plait.core.data.example import Example
from plait.core.doc import Doc

TEXTS = ["From Friday's Daily Star", "By Juan Cole", "Ok."]


def test_labels_join_and_split():
    assert join_label("NOUN", "Number=Sing|Person=3") == "POS=NOUN|Number=Sing|Person=3"
    assert join_label("ADP", "") == "POS=ADP"
    assert split_label("POS=NOUN|Number=Sing|Person=3") == ("NOUN", "Number=Sing|Person=3")
    assert split_label("POS=ADP") == ("ADP", "")
    with pytest.raises(ValueError, match="does not start with 'POS='"):
        split_label("Number=Sing")


def test_gold_labels_follow_the_alignment():
    nlp = plait.blank("en")
    reference = Doc(nlp.vocab, ["Juan", "Cole", "'s"], pos=["PROPN", "PROPN", ""], morphs=["Number=Sing", "", ""])
    predicted = Doc(nlp.vocab, ["Juan", "Cole's"])  # the second token has no one-to-one gold token
    assert gold_labels(Example(predicted, reference)) == ["POS=PROPN|Number=Sing", None]
    same = Doc(nlp.vocab, ["Juan", "Cole", "'s"])
    assert gold_labels(Example(same, reference)) == ["POS=PROPN|Number=Sing", "POS=PROPN", None]


def test_morphologizer_learns_pos_and_feats_and_round_trips(fixtures_dir, train_pipeline, round_trip):
    ud = fixtures_dir / "ud-en-ewt-sample.conllu"
    run = train_pipeline(["morphologizer"], ud, ud, steps=25)
    losses = run.losses("morphologizer")
    assert losses[-1] < losses[0] / 10
    # always the most frequent label (POS=PROPN|Number=Sing) would score pos_acc 0.4 and morph_acc 0.8
    assert run.scores["pos_acc"] > 0.9 and run.scores["morph_acc"] > 0.9
    component = run.nlp.get_pipe("morphologizer")
    assert "POS=ADP" in component.labels and "POS=PROPN|Number=Sing" in component.labels
    doc = run.nlp("From Friday's Daily Star")
    assert [(t.pos_, t.morph_) for t in doc][:2] == [("ADP", ""), ("PROPN", "Number=Sing")]
    round_trip(run.nlp, TEXTS, lambda d: [(t.pos_, t.morph_) for t in d])


def test_morphologizer_in_a_shared_encoder_pipeline(fixtures_dir, train_pipeline):
    ud = fixtures_dir / "ud-en-ewt-sample.conllu"
    run = train_pipeline(["tagger", "morphologizer", "senter"], ud, ud, steps=20)
    assert run.nlp.pipe_names == ["tok2vec", "tagger", "morphologizer", "senter"]
    assert len(run.nlp.get_pipe("tok2vec").listeners) == 3
    for name in ("tagger", "morphologizer", "senter"):
        losses = run.losses(name)
        assert losses[-1] < losses[0]
    assert min(run.scores[k] for k in ("tag_acc", "pos_acc", "morph_acc", "sents_f")) > 0.9
