"""Long docs at inference: heads score and decode them block by block, with the whole-doc pass's output."""
from pathlib import Path

import pytest

import plait.core.components.batching as batching
import plait.models.heads as heads

TEXT = (Path(__file__).resolve().parents[2] / "fixtures" / "wikitext-2-sample.txt").read_text(encoding="utf8")


def _annotations(nlp, texts):
    return [([t.tag_ for t in d], [(e.start, e.end, e.label_) for e in d.ents]) for d in nlp.pipe(texts)]


@pytest.mark.parametrize("pipeline, corpus", [(["tagger"], "ud-en-ewt-sample.conllu"),
                                              (["ner"], "wikiann-en-sample.tsv")])
def test_long_doc_in_blocks_equals_the_whole_doc_pass(pipeline, corpus, fixtures_dir, train_pipeline, monkeypatch):
    nlp = train_pipeline(pipeline, fixtures_dir / corpus, fixtures_dir / corpus, steps=20).nlp
    texts = ["Paris is in France .", TEXT * 2, "", "John Smith works for Acme Corp in London ."]
    long = len(nlp.make_doc(TEXT * 2))
    for size in (10 ** 9, 17):  # the whole-doc pass, then blocks far shorter than the long doc
        monkeypatch.setattr(heads, "INFERENCE_CHUNK", size)
        monkeypatch.setattr(batching, "INFERENCE_CHUNK", size)
        nlp.get_pipe("tok2vec").model.chunk = size
        if size > long:
            whole = _annotations(nlp, texts)
    assert long > 20 * 17
    blocks = _annotations(nlp, texts)
    assert blocks == whole
    predicted = [tag for tags, _ in whole for tag in tags] + [label for _, ents in whole for *_, label in ents]
    assert len(set(predicted)) > 1  # a trained head, not one label everywhere


def test_a_long_doc_gets_a_batch_of_its_own(monkeypatch):
    monkeypatch.setattr(batching, "INFERENCE_CHUNK", 3)
    docs = ["a", "bb", "ccccc", "d", "e", "f"]
    assert list(batching.inference_batches(docs, 2)) == [["a", "bb"], ["ccccc"], ["d", "e"], ["f"]]
