"""tagger: fine-grained tags by default, UPOS with column = "POS"; trained through the real trainer."""
from plait.core.data.readers import read_docs
from plait.core.vocab import Vocab

TEXTS = ["From the AP comes this story :", "Ok ."]


def test_tagger_learns_tags_and_round_trips(fixtures_dir, train_pipeline, round_trip):
    ud = fixtures_dir / "ud-en-ewt-sample.conllu"
    run = train_pipeline(["tagger"], ud, ud, steps=30)
    losses = run.losses("tagger")
    assert losses[-1] < losses[0] / 2
    tags = [t for doc in read_docs(ud, Vocab()) for t in doc.strings_of("TAG")]
    majority = max(tags.count(t) for t in set(tags)) / len(tags)
    assert run.scores["tag_acc"] > majority + 0.3
    assert run.nlp.get_pipe("tagger").labels == sorted(set(tags))
    round_trip(run.nlp, TEXTS, lambda d: [t.tag_ for t in d])


def test_tagger_can_predict_upos(fixtures_dir, train_pipeline):
    ud = fixtures_dir / "ud-en-ewt-sample.conllu"
    run = train_pipeline(["tagger"], ud, ud, steps=30, overrides={"components.tagger.column": "POS",
                                                                          "training.score_weights": {"pos_acc": 1.0}})
    assert run.scores["pos_acc"] > 0.6 and "tag_acc" not in run.scores
    assert all(t.pos_ and not t.tag_ for t in run.nlp("From the AP comes this story"))
