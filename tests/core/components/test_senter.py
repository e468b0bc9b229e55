"""senter: sentence starts per token, trained on the UD fixture through the real trainer."""
import pytest

from plait.core.errors import ConfigError

TEXTS = ["From Friday's Daily Star By Juan Cole", "Ok. Ok. Ok."]


def test_senter_learns_boundaries_and_round_trips(fixtures_dir, train_pipeline, round_trip):
    ud = fixtures_dir / "ud-en-ewt-sample.conllu"
    run = train_pipeline(["senter"], ud, ud, steps=30)
    losses = run.losses("senter")
    assert losses[-1] < losses[0] / 2
    # one sentence per doc (no boundaries predicted) scores sents_f 0.4 on this fixture
    assert run.scores["sents_f"] > 0.9
    assert {"sents_p", "sents_r"} <= set(run.scores)
    doc = run.nlp("By Juan Cole")
    assert doc.columns["SENT_START"][0] == 1 and set(doc.columns["SENT_START"].tolist()) <= {1, -1}
    round_trip(run.nlp, TEXTS, lambda d: [s.text for s in d.sents])


def test_senter_needs_sentence_boundaries_in_the_data(fixtures_dir, train_pipeline):
    sst2 = fixtures_dir / "sst2-train-sample.tsv"
    with pytest.raises(ConfigError, match="components.senter: the training data has no sentence boundaries"):
        train_pipeline(["senter"], sst2, sst2, steps=1)
