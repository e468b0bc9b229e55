"""spancat and spancat_singlelabel: nested and overlapping spans in doc.spans["sc"], trained through the real
trainer; threshold, max_positive, empty docs and long docs."""
import tracemalloc

import numpy as np
import pytest
import srsly
import torch

import plait
from plait.core.data.example import Example
from plait.core.scorer import score_spans
from plait.core.span import Span
from plait.models.limits import SPAN_ROWS

# (words, spans [start, end, label] in tokens): an inner LOC inside its outer ORG, as in GermEval 2014
NESTED = [
    ("Die Bundesbank Deutschland senkt die Zinsen .", [(1, 3, "ORG"), (2, 3, "LOC")]),
    ("Die Universität Wien feiert heute .", [(1, 3, "ORG"), (2, 3, "LOC")]),
    ("Er wohnt seit Jahren in Wien .", [(5, 6, "LOC")]),
    ("Die Bank Frankreich meldet Gewinne .", [(1, 3, "ORG"), (2, 3, "LOC")]),
    ("Sie reist nach Deutschland und Frankreich .", [(3, 4, "LOC"), (5, 6, "LOC")]),
    ("Die Universität Frankreich schweigt .", [(1, 3, "ORG"), (2, 3, "LOC")]),
    ("Heute regnet es .", []),
]


def _record(words: str, spans: list) -> dict:
    tokens = words.split()
    starts = np.cumsum([0] + [len(t) + 1 for t in tokens])
    return {"words": tokens, "spans": {"sc": [[int(starts[s]), int(starts[e] - 1), label] for s, e, label in spans]}}


@pytest.fixture
def nested_corpus(tmp_path):
    path = tmp_path / "nested.jsonl"
    srsly.write_jsonl(path, [_record(words, spans) for words, spans in NESTED] * 3)
    return path


def _spans(doc, key="sc"):
    return sorted((s.start, s.end, s.label_) for s in doc.spans.get(key, ()))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """spancat trained for 40 steps on the nested corpus (shared by the tests that only read it)."""
    from tests.core.components.conftest import _train

    path = tmp_path_factory.mktemp("spancat") / "nested.jsonl"
    srsly.write_jsonl(path, [_record(words, spans) for words, spans in NESTED] * 3)
    return _train(["spancat"], path, path, steps=40)


def test_spancat_recovers_nested_spans_that_a_flat_layer_cannot_hold(trained, round_trip):
    nlp = trained.nlp
    assert nlp.get_pipe("spancat").labels == ["LOC", "ORG"]
    doc = nlp.make_doc(NESTED[0][0])
    with pytest.raises(ValueError):  # ner's doc.ents: one flat layer, the inner LOC and its ORG do not fit
        doc.set_ents([(1, 3, "ORG"), (2, 3, "LOC")])
    for words, spans in NESTED:
        assert _spans(nlp(words)) == sorted(spans)
    assert trained.scores["spans_sc_f"] == 1.0 and set(trained.scores["spans_sc_per_type"]) == {"LOC", "ORG"}
    group = nlp(NESTED[0][0]).spans["sc"]
    assert group.name == "sc" and len(group.scores) == len(group) and min(group.scores) >= 0.5
    losses = trained.losses("spancat")
    assert losses[-1] < losses[0] / 4
    round_trip(nlp, [w for w, _ in NESTED] + [""], lambda d: (_spans(d), [round(s, 5) for s in d.spans["sc"].scores]))


def test_threshold_and_max_positive_are_obeyed(trained):
    spancat = trained.nlp.get_pipe("spancat")
    docs = list(trained.nlp.pipe(w for w, _ in NESTED))  # the tok2vec's vectors stored on the docs
    spancat.threshold = 0.0  # every label of every suggested span
    everything = spancat.predict(docs)
    assert [len(p.labels) for p in everything] == [2 * len(spancat.model.suggest([d])[0]) for d in docs]
    spancat.max_positive = 1  # then only the likelier label of each span
    one = spancat.predict(docs)
    for all_labels, best in zip(everything, one):
        assert len(best.labels) == len(all_labels.labels) // 2
        pairs = all_labels.scores.reshape(-1, 2)
        assert np.allclose(best.scores, pairs.max(axis=1))
    spancat.threshold, spancat.max_positive = 0.9999, None
    strict = spancat.predict(docs)
    assert all((p.scores >= 0.9999).all() for p in strict)
    assert sum(map(len, (p.labels for p in strict))) < sum(map(len, (p.labels for p in everything))) / 10
    spancat.threshold = 0.5


def test_empty_docs_docs_without_spans_and_identical_spans_with_two_labels(trained):
    nlp = trained.nlp
    docs = list(nlp.pipe(["", "regnet", "Heute regnet es ."]))
    assert [_spans(d) for d in docs] == [[], [], []] and docs[0].spans["sc"].scores == []
    doc = nlp("Die Bundesbank Deutschland")
    both = Example.from_dict(doc, {"spans": {"sc": [[4, 26, "ORG"], [4, 26, "LOC"]]}})
    none = Example.from_dict(nlp("Heute regnet es ."), {"spans": {"sc": []}})
    spancat = nlp.get_pipe("spancat")
    scores = spancat.model([both.predicted, none.predicted])
    rows, labels = spancat._gold_rows([both, none], scores.spans)
    assert len(rows) == 2 and sorted(labels.tolist()) == [0, 1] and rows[0] == rows[1]  # one span, two labels
    assert torch.isfinite(spancat.get_loss([both, none], scores))
    # scoring: identical spans with two labels are two spans; a doc without the group is not scored
    both.predicted.spans["sc"] = [Span(both.predicted, 1, 3, "ORG")]
    unannotated = Example(nlp.make_doc("Wien"), nlp.make_doc("Wien"))
    unannotated.predicted.spans["sc"] = [Span(unannotated.predicted, 0, 1, "LOC")]
    scored = score_spans([both, unannotated], "sc")
    assert (scored["spans_sc_p"], scored["spans_sc_r"]) == (1.0, 0.5)
    assert score_spans([], "sc") == {"spans_sc_p": None, "spans_sc_r": None, "spans_sc_f": None,
                                     "spans_sc_per_type": {}}


@pytest.mark.slow
def test_a_long_doc_is_annotated_in_blocks_of_bounded_size(trained):
    nlp = trained.nlp
    spancat = nlp.get_pipe("spancat")
    words = " ".join(w for w, _ in NESTED).split() * 2500
    doc = plait.Doc(nlp.vocab, words[:100_000])
    rows = []
    hook = spancat.model.norm.register_forward_hook(lambda module, args, out: rows.append(args[0].shape[0]))
    tracemalloc.start()
    try:
        nlp(doc)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        hook.remove()
    n_suggested = 4 * 100_000 - 6
    assert sum(rows) == n_suggested and max(rows) <= SPAN_ROWS // 4  # every span scored, a block at a time
    found = doc.spans["sc"]
    assert len(found) > 10_000 and {s.label_ for s in found} == {"LOC", "ORG"}
    # what numpy holds at its peak (offsets, kept spans) stays far below one float row per suggested span x labels
    assert peak < 60 * n_suggested


def test_spancat_singlelabel_keeps_one_label_a_span_and_disjoint_spans(nested_corpus, train_pipeline):
    run = train_pipeline(["spancat_singlelabel"], nested_corpus, nested_corpus, steps=40)
    spancat = run.nlp.get_pipe("spancat_singlelabel")
    doc = run.nlp(NESTED[0][0])
    assert _spans(doc) == [(1, 3, "ORG"), (2, 3, "LOC")]
    spancat.allow_overlap = False
    kept = _spans(run.nlp(NESTED[0][0]))
    assert len(kept) == 1 and kept[0] in [(1, 3, "ORG"), (2, 3, "LOC")]
    assert run.scores["spans_sc_f"] > 0.9


def test_add_label_before_initialize_keeps_its_place():
    nlp = plait.blank("de")
    spancat = nlp.add_pipe("spancat", config={"spans_key": "grp"})
    assert spancat.add_label("ZZZ") == 1 and spancat.add_label("ZZZ") == 0
    examples = [Example.from_dict(nlp.make_doc("Wien"), {"spans": {"grp": [[0, 4, "LOC"]]}})]
    nlp.initialize(lambda: examples)
    assert spancat.labels == ["ZZZ", "LOC"] and spancat.score_key == "spans_grp_f"
    assert nlp("Wien").spans["grp"] is not None


def test_spancat_trains_on_a_transformer_listener(tiny_bert, nested_corpus):
    from plait.core.config import apply_overrides, interpolate_config
    from plait.core.init_config import init_config
    from plait.core.training.initialize import init_nlp
    from plait.core.training.trainer import train_while_improving

    config = init_config(lang="de", pipeline=["spancat"], gpu=True)
    settings = {"components.transformer.model.name": str(tiny_bert), "paths.train": str(nested_corpus),
                "paths.dev": str(nested_corpus), "training.max_steps": 4, "training.eval_frequency": 4,
                "training.max_epochs": 0, "components.transformer.model.mixed_precision": False}
    nlp, plan = init_nlp(interpolate_config(apply_overrides(config, settings)))
    records = list(train_while_improving(nlp, plan))
    assert records[-1].scores is not None and "spans_sc_f" in records[-1].scores
    spancat = nlp.get_pipe("spancat")
    assert spancat.model.tok2vec.width == 32 and spancat.model.hidden is not None  # built from the model's config
    assert nlp("Die Bundesbank Deutschland").spans["sc"].scores is not None


def test_evaluate_shows_the_span_scores(trained, tmp_path, capsys):
    from cli_run import run

    trained.nlp.to_disk(tmp_path / "model")
    data = tmp_path / "nested.jsonl"
    srsly.write_jsonl(data, [_record(words, spans) for words, spans in NESTED])
    code, out, err = run(capsys, "evaluate", tmp_path / "model", data)
    assert code == 0, err
    assert "SPANS_SC_F      100.00" in out and "SPANS_SC_P      100.00" in out
    assert "LOC                   100.00  100.00  100.00" in out
