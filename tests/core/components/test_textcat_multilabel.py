"""textcat_multilabel: independent labels that co-occur, with partial annotation, on SST-2 fixture texts."""
import pytest
import srsly
import torch

from plait.core.data.example import Example

LABELS = ("long", "positive")


@pytest.fixture
def multilabel_corpus(fixtures_dir, tmp_path):
    """The SST-2 fixture as JSONL with two overlapping labels: positive (label 1) and long (10+ words).

    The first record leaves "long" out of its cats: that label is unknown there, not false.
    """
    lines = (fixtures_dir / "sst2-train-sample.tsv").read_text(encoding="utf8").splitlines()[1:]
    records = []
    for i, line in enumerate(lines):
        label, text = line.split("\t")
        cats = {"positive": float(label == "1"), "long": float(len(text.split()) >= 10)}
        records.append({"text": text, "cats": {"positive": cats["positive"]} if i == 0 else cats})
    path = tmp_path / "multilabel.jsonl"
    srsly.write_jsonl(path, records)
    return path


def test_multilabel_learns_overlapping_labels_and_round_trips(multilabel_corpus, train_pipeline, round_trip):
    run = train_pipeline(["textcat_multilabel"], multilabel_corpus, multilabel_corpus, steps=30)
    textcat = run.nlp.get_pipe("textcat_multilabel")
    assert textcat.labels == list(LABELS)
    losses = run.losses("textcat_multilabel")
    assert losses[-1] < losses[0] / 4
    # predicting no label at all scores cats_macro_f 0; fitting the training set scores 1.0
    assert run.scores["cats_score"] == 1.0 and run.scores["cats_acc"] is None
    doc = run.nlp("that loves its characters and communicates something rather beautiful about human nature")
    assert doc.cats["long"] > 0.5 and doc.cats["positive"] > 0.5  # both labels at once: no softmax
    texts = ["of saucy", "contains no wit , only labored gags", ""]
    round_trip(run.nlp, texts, lambda d: {k: round(v, 6) for k, v in d.cats.items()})


def test_labels_missing_from_cats_add_no_loss(multilabel_corpus, train_pipeline):
    nlp = train_pipeline(["textcat_multilabel"], multilabel_corpus, multilabel_corpus, steps=1).nlp
    textcat = nlp.get_pipe("textcat_multilabel")
    doc = nlp.make_doc("a fine film")
    only_positive = Example.from_dict(doc, {"cats": {"positive": 1.0}})
    scores = torch.tensor([[3.0, 0.0]])  # long, positive
    loss = textcat.get_loss([only_positive], scores)
    assert float(loss) == pytest.approx(float(torch.nn.functional.softplus(torch.tensor(0.0))))
    nothing = Example.from_dict(doc, {"cats": {}})
    assert float(textcat.get_loss([nothing], scores)) == 0.0
