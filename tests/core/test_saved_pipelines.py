"""Pipelines saved by an earlier release still load, predict and score as they did then."""
from pathlib import Path

import pytest
import srsly
import torch

import plait

SAVED = Path(__file__).resolve().parent.parent / "fixtures" / "pipeline-0.1.0"


@pytest.fixture(scope="module")
def expected() -> dict:
    return srsly.read_json(SAVED / "expected.json")


@pytest.fixture(scope="module")
def nlp():
    torch.set_num_threads(1)
    return plait.load(SAVED / "model")


def test_a_pipeline_saved_by_0_1_0_predicts_what_it_did(nlp, expected):
    recorded = expected["predictions"]
    docs = list(nlp.pipe([r["text"] for r in recorded]))
    assert [[t.tag_ for t in doc] for doc in docs] == [r["tags"] for r in recorded]
    assert [[[e.start_char, e.end_char, e.label_] for e in doc.ents] for doc in docs] == [r["ents"] for r in recorded]
    assert len({tag for r in recorded for tag in r["tags"]}) > 5  # trained weights: not one tag everywhere


def test_a_pipeline_saved_by_0_1_0_scores_what_it_did(nlp, expected):
    scores = nlp.evaluate(plait.read_corpus(SAVED / "dev", nlp))
    assert {key: scores[key] for key in expected["scores"]} == pytest.approx(expected["scores"], abs=1e-9)


BEFORE_PASS_2 = SAVED.parent / "pipeline-9c55767"


def test_a_pipeline_saved_before_architecture_pass_2_predicts_and_scores_what_it_did():
    """tok2vec, tagger, morphologizer, parser, trainable_lemmatizer and ner saved at 9c55767."""
    from importlib import util

    spec = util.spec_from_file_location("record_9c55767", BEFORE_PASS_2 / "record.py")
    record = util.module_from_spec(spec)
    spec.loader.exec_module(record)
    expected = srsly.read_json(BEFORE_PASS_2 / "expected.json")
    torch.set_num_threads(1)
    nlp = plait.load(BEFORE_PASS_2 / "model")
    assert [record.annotations(doc) for doc in nlp.pipe(record.TEXTS)] == expected["predictions"]
    assert len({tag for r in expected["predictions"] for tag in r["tags"]}) > 3  # trained: not one tag everywhere
    scores = nlp.evaluate(plait.read_corpus(SAVED / "dev", nlp))
    assert {key: scores[key] for key in expected["scores"]} == pytest.approx(expected["scores"], abs=1e-9)
