"""trainable_lemmatizer: prefix/suffix edits learned from UD (form, lemma) pairs, through the real trainer."""
import pytest

import plait
from plait.core.components.lemma_edits import Edit, apply_edit, edit_of
from plait.core.data.conllu import read_conllu
from plait.core.errors import ConfigError

TEXTS = ["The Iraqi government is grim.", "Cats were running"]


@pytest.mark.slow
def test_edits_round_trip_every_training_pair(shared_data):
    nlp = plait.blank("en")
    pairs = {(w, lemma) for doc in read_conllu(shared_data / "ud-en-ewt" / "train.conllu", nlp.vocab)
             for w, lemma in zip(doc.words, doc.strings_of("LEMMA")) if lemma}
    assert len(pairs) > 10000
    assert all(apply_edit(edit_of(form, lemma), form) == lemma for form, lemma in pairs)


def test_edits_round_trip_the_fixture_pairs_and_generalise(fixtures_dir):
    nlp = plait.blank("en")
    docs = list(read_conllu(fixtures_dir / "parse" / "ud-en-ewt-parse-sample.conllu", nlp.vocab))
    pairs = [(w, lemma) for d in docs for w, lemma in zip(d.words, d.strings_of("LEMMA")) if lemma]
    assert len(pairs) > 1000
    assert all(apply_edit(edit_of(form, lemma), form) == lemma for form, lemma in pairs)
    assert apply_edit(edit_of("running", "run"), "winning") == "win"
    assert apply_edit(edit_of("The", "the"), "This") == "this"


def test_edits_that_do_not_apply_say_so():
    assert edit_of("went", "go") == Edit("went", "go", "", "", True)
    assert apply_edit(edit_of("went", "go"), "went") == "go"
    assert apply_edit(edit_of("went", "go"), "wents") is None  # a whole-word edit fits its own form only
    assert apply_edit(edit_of("cats", "cat"), "s") is None  # no stem would be left
    assert apply_edit(edit_of("mice", "mouse"), "dog") is None


def test_lemmatizer_learns_and_round_trips(fixtures_dir, train_pipeline, round_trip):
    ud = fixtures_dir / "parse" / "ud-en-ewt-parse-sample.conllu"
    run = train_pipeline(["trainable_lemmatizer"], ud, ud, steps=60,
                         overrides={"components.trainable_lemmatizer.min_freq": 1})
    losses = run.losses("trainable_lemmatizer")
    assert losses[-1] < losses[0] / 5
    # the form itself as lemma scores about 0.8 on this fixture
    assert run.scores["lemma_acc"] > 0.95
    component = run.nlp.get_pipe("trainable_lemmatizer")
    assert Edit("T", "t", "", "", False) in component.labels
    assert [t.lemma_ for t in run.nlp("The government")] == ["the", "government"]
    round_trip(run.nlp, TEXTS, lambda d: [t.lemma_ for t in d])
    # a batch of more tokens than one inference run (INFERENCE_CHUNK) gives what each doc alone gives
    alone = [[t.lemma_ for t in run.nlp(text)] for text in TEXTS]
    copies = 5000 // sum(len(a) for a in alone) + 1
    batch = run.nlp.pipe(TEXTS * copies, batch_size=len(TEXTS) * copies)
    assert [[t.lemma_ for t in d] for d in batch] == alone * copies


def test_lemmatizer_with_its_own_encoder_next_to_a_parser(fixtures_dir, train_pipeline, round_trip):
    ud = fixtures_dir / "parse" / "ud-en-ewt-parse-sample.conllu"
    run = train_pipeline(["parser", "trainable_lemmatizer"], ud, ud, steps=40, independent=True)
    assert run.nlp.pipe_names == ["parser", "trainable_lemmatizer"]
    assert run.scores["lemma_acc"] > 0.85
    round_trip(run.nlp, TEXTS, lambda d: [(t.lemma_, t.head.i) for t in d])


def test_lemmatizer_needs_lemmas(fixtures_dir, train_pipeline):
    sst2 = fixtures_dir / "sst2-train-sample.tsv"
    with pytest.raises(ConfigError, match="components.trainable_lemmatizer: the training data has no LEMMA"):
        train_pipeline(["trainable_lemmatizer"], sst2, sst2, steps=1)
