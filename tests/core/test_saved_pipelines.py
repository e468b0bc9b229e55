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
