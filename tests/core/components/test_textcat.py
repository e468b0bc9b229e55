"""textcat (exclusive classes): the bag-of-n-grams model, the ensemble, and the CLI, on the SST-2 fixture."""
import numpy as np
import pytest
import srsly
import torch

import plait
from plait.cli.main import main
from plait.core.data.example import Example
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.models.textcat import HashedNgrams

TEXTS = ["contains no wit , only labored gags", "a beautiful film", ""]


def _probabilities(doc):
    return {label: round(p, 6) for label, p in doc.cats.items()}


def test_hashed_ngrams_stay_inside_each_doc():
    nlp = plait.blank("en")
    docs = [nlp.make_doc("not good at all"), nlp.make_doc(""), nlp.make_doc("Not GOOD")]
    rows, offsets = HashedNgrams(ngram_size=2, rows=1000)(docs)
    assert offsets.tolist() == [0, 7, 7]  # 4 words + 3 bigrams, nothing, 2 words + 1 bigram
    assert len(rows) == 10 and rows.min() >= 0 and rows.max() < 1000
    assert rows[7:].tolist() == rows[[0, 1, 4]].tolist()  # lowercased: "Not GOOD" shares "not", "good", "not good"


def test_textcat_bow_sums_each_docs_rows_as_an_embedding_bag_would():
    from plait.models.textcat import TextCatBOW

    nlp = plait.blank("en")
    docs = [nlp.make_doc("not good at all"), nlp.make_doc(""), nlp.make_doc("Not GOOD")]
    model = TextCatBOW(ngram_size=2, length=1000, exclusive_classes=True)
    model.resize(2)
    torch.nn.init.normal_(model.table.weight)
    rows, offsets = model.features(docs)
    weight = model.table.weight.detach().clone().requires_grad_()
    bag = torch.nn.functional.embedding_bag(torch.from_numpy(rows), weight, torch.from_numpy(offsets), mode="sum")
    scores = model(docs)
    assert torch.allclose(scores, bag + model.bias) and scores[1].tolist() == [0.0, 0.0]  # the empty doc: bias
    upstream = torch.randn(3, 2)
    (scores * upstream).sum().backward()
    (bag * upstream).sum().backward()
    assert torch.allclose(model.table.weight.grad, weight.grad, atol=1e-6) and model.table.weight.grad.abs().sum() > 0


def test_textcat_bow_learns_and_round_trips(fixtures_dir, train_pipeline, round_trip):
    train = fixtures_dir / "sst2-train-sample.tsv"
    run = train_pipeline(["textcat"], train, train, steps=30)
    assert run.nlp.pipe_names == ["textcat"]  # the linear model needs no tok2vec
    losses = run.losses("textcat")
    assert losses[-1] < losses[0] / 4
    # the majority class ("0", 6 of 10) scores cats_macro_f 0.375; fitting the training sample scores 1.0
    assert run.scores["cats_score"] == 1.0 and run.scores["cats_acc"] == 1.0
    doc = run.nlp("contains no wit , only labored gags")
    assert set(doc.cats) == {"0", "1"} and abs(sum(doc.cats.values()) - 1) < 1e-6 and doc.cats["0"] > 0.5
    round_trip(run.nlp, TEXTS, _probabilities)


def test_textcat_ensemble_trains_with_a_shared_encoder(fixtures_dir, train_pipeline, round_trip):
    train = fixtures_dir / "sst2-train-sample.tsv"
    overrides = {"components.textcat.model": {
        "@architectures": "plait.TextCatEnsemble.v1",
        "tok2vec": {"@architectures": "plait.Tok2VecListener.v1", "width": 32},
        "linear_model": {"@architectures": "plait.TextCatBOW.v1", "ngram_size": 1, "length": 4096,
                         "exclusive_classes": True}}}
    run = train_pipeline(["tok2vec", "textcat"], train, train, steps=20, overrides=overrides)
    assert len(run.nlp.get_pipe("tok2vec").listeners) == 1
    losses = run.losses("textcat")
    assert losses[-1] < losses[0] and run.scores["cats_score"] == 1.0
    round_trip(run.nlp, TEXTS, _probabilities)


def test_docs_without_cats_are_skipped_in_loss_and_score(fixtures_dir, train_pipeline):
    train = fixtures_dir / "sst2-train-sample.tsv"
    nlp = train_pipeline(["textcat"], train, train, steps=1).nlp
    textcat = nlp.get_pipe("textcat")
    docs = [nlp.make_doc("a fine film"), nlp.make_doc("a dull film")]
    unlabelled = Example(docs[1], Doc(nlp.vocab, docs[1].words, docs[1].spaces))
    labelled = Example.from_dict(docs[0], {"cats": {"0": 0.0, "1": 1.0}})
    with torch.no_grad():
        scores = textcat.model(docs)
        both = textcat.get_loss([labelled, unlabelled], scores)
        assert float(both) == pytest.approx(float(textcat.get_loss([labelled], scores[:1])))
    textcat.set_annotations(docs, np.array([[0.2, 0.8], [0.9, 0.1]]))
    assert textcat.score([labelled, unlabelled])["cats_acc"] == 1.0


def test_model_and_factory_must_agree_on_exclusive_classes():
    nlp = plait.blank("en")
    model = {"@architectures": "plait.TextCatBOW.v1", "ngram_size": 1, "length": 100, "exclusive_classes": False}
    with pytest.raises(ConfigError, match="components.textcat.model: exclusive_classes = false does not fit"):
        nlp.add_pipe("textcat", config={"model": model})


def test_plait_train_cli_saves_a_loadable_textcat(fixtures_dir, tmp_path, capsys):
    cfg, out = tmp_path / "textcat.cfg", tmp_path / "out"
    with pytest.raises(SystemExit) as done:
        main(["init-config", str(cfg), "--pipeline", "textcat"])
    assert done.value.code == 0
    with pytest.raises(SystemExit) as done:
        main(["train", str(cfg), "--output", str(out), "--paths.train", str(fixtures_dir / "sst2-train-sample.tsv"),
              "--paths.dev", str(fixtures_dir / "sst2-dev-sample.tsv"), "--training.max_steps", "20",
              "--training.eval_frequency", "10"])
    assert done.value.code == 0
    assert "CATS_SCORE" in capsys.readouterr().out
    metrics = list(srsly.read_jsonl(out / "metrics.jsonl"))
    assert [m["step"] for m in metrics] == [10, 20] and "cats_macro_f" in metrics[-1]["scores"]
    nlp = plait.load(out / "model-last")
    assert set(nlp("a beautiful film").cats) == {"0", "1"}
