"""The HTML views without a browser: what data they carry, that they fetch nothing, that bad input stays text."""
import json
import re
from pathlib import Path

import pytest

import plait
from plait.core.data.example import Example
from plait.core.data.readers import read_docs
from plait.core.doc import Doc
from plait.core.errors import DataError
from plait.core.vocab import Vocab
from plait.visual.curves import Run, charts, read_run
from plait.visual.docs import doc_data, pair_data, stacked
from plait.visual.report import render_report

ROOT = Path(__file__).resolve().parents[2]


def embedded(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="plait-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_render_carries_every_annotation_and_fetches_nothing(fixtures_dir):
    nlp = plait.blank("en")
    docs = list(read_docs(fixtures_dir / "ud-en-ewt-sample.conllu", nlp.vocab, limit=3))
    doc = Doc(nlp.vocab, ["Ada", "met", "Alan", "</script><b>"], ents=[(0, 1, "PER"), (2, 3, "PER")])
    doc.cats = {"POS": 0.9, "NEG": 0.1}
    page = plait.render(docs + [doc])
    outside_data = re.sub(r'id="plait-data">.*?</script>', "", page, flags=re.S)
    assert not re.search(r"(src|href)\s*=|https?://(?!www\.w3\.org/2000/svg)|@import|url\(|fetch\(|XMLHttpRequest", outside_data)
    assert page.count("</script>") == 2  # the data and the viewer; the doc's "</script>" stays inside the JSON
    items = embedded(page)["items"]
    assert len(items) == len(docs) + 1 and len(docs) >= 2
    first = items[0]
    assert first["w"] == docs[0].words
    assert first["head"] == docs[0].columns["HEAD"].tolist() and first["dep"] == docs[0].strings_of("DEP")
    assert first["tag"] and first["pos"] and first["lemma"] and first["sent"][0] == 0
    assert items[-1]["ents"] == [[0, 1, "PER"], [2, 3, "PER"]] and items[-1]["cats"] == {"POS": 0.9, "NEG": 0.1}
    assert items[-1]["w"][3] == "</script><b>"
    assert "head" not in items[-1] and "tag" not in items[-1]


def test_pair_data_flags_missed_and_wrong_entities_and_tags():
    vocab = Vocab()
    gold = Doc(vocab, ["Ada", "met", "Alan", "Kay"], tags=["NNP", "VBD", "NNP", "NNP"],
               ents=[(0, 1, "PER"), (2, 4, "PER")])
    pred = Doc(vocab, ["Ada", "met", "Alan", "Kay"], tags=["NNP", "NN", "NNP", "NNP"],
               ents=[(0, 1, "PER"), (2, 3, "ORG")])
    pair = pair_data(Example(pred, gold))
    assert pair["g"]["ents"] == [[0, 1, "PER", "ok"], [2, 4, "PER", "fn"]]
    assert pair["p"]["ents"] == [[0, 1, "PER", "ok"], [2, 3, "ORG", "fp"]]
    assert pair["p"]["err"] == {"1": "tag 'NN', gold 'VBD'"}
    assert pair["n_err"] == 3


def test_stacked_spans_share_no_token_on_a_line_and_use_the_fewest_lines():
    """Against brute force on random groups: no two spans on one line share a token, and the lines used are the
    most spans covering one token (no layout can use fewer)."""
    import random

    rng = random.Random(0)
    vocab = Vocab()
    for _ in range(200):
        n = rng.randint(1, 12)
        doc = Doc(vocab, ["w"] * n)
        spans = []
        for _ in range(rng.randint(0, 15)):
            start = rng.randrange(n)
            spans.append(plait.Span(doc, start, rng.randint(start + 1, n), rng.choice("ABC")))
        rows = stacked(spans)
        assert sorted(r[:3] for r in rows) == sorted([s.start, s.end, s.label_] for s in spans)
        for a in rows:
            assert not any(b is not a and b[3] == a[3] and b[0] < a[1] and a[0] < b[1] for b in rows)
        depth = max((sum(s.start <= i < s.end for s in spans) for i in range(n)), default=0)
        assert len({r[3] for r in rows}) == depth and all(r[3] < depth for r in rows)


def test_pair_data_flags_missed_and_wrong_spans_of_each_group():
    vocab = Vocab()
    words = ["Bank", "von", "England", "sagt"]
    gold, pred = Doc(vocab, words), Doc(vocab, words)
    gold.spans["sc"] = [plait.Span(gold, 0, 3, "ORG"), plait.Span(gold, 2, 3, "LOC"), plait.Span(gold, 2, 3, "X")]
    pred.spans["sc"] = [plait.Span(pred, 0, 3, "ORG"), plait.Span(pred, 2, 3, "PER"), plait.Span(pred, 2, 3, "X")]
    pred.spans["ruler"] = [plait.Span(pred, 3, 4, "V")]  # no gold group: drawn, not flagged
    pair = pair_data(Example(pred, gold))
    assert pair["g"]["spans"] == {"sc": [[0, 3, "ORG", 0, "ok"], [2, 3, "LOC", 1, "fn"], [2, 3, "X", 2, "ok"]]}
    assert pair["p"]["spans"] == {"sc": [[0, 3, "ORG", 0, "ok"], [2, 3, "PER", 1, "fp"], [2, 3, "X", 2, "ok"]],
                                  "ruler": [[3, 4, "V", 0]]}
    assert pair["n_err"] == 2
    paragraphs = Doc(vocab, words)
    paragraphs.spans["paragraphs"] = [plait.Span(paragraphs, 0, 4)]
    assert doc_data(paragraphs)["w"] == words and "spans" not in doc_data(paragraphs)


RECORDS = [
    {"epoch": 0, "step": 10, "words": 1000, "seconds": 2.0, "losses": {"tagger": 5.0, "ner": 3.0}, "score": 0.3,
     "is_best": True, "scores": {"tag_acc": 0.5, "ents_f": 0.1, "cats_acc": None, "ents_per_type": {}},
     "learn_rate": 0.001},
    {"epoch": 0, "step": 20, "words": 2500, "seconds": 3.0, "losses": {"tagger": 4.0, "ner": 2.0}, "score": 0.2,
     "is_best": False, "scores": {"tag_acc": 0.6, "ents_f": 0.05, "cats_acc": None, "ents_per_type": {}},
     "learn_rate": 0.0005},
]


def test_charts_have_one_point_per_evaluation_and_mark_the_best():
    by_title = {c.title: c for c in charts([Run("a", RECORDS)])}
    assert set(by_title) == {"loss", "score", "tag_acc", "ents_f", "training words/s", "learning rate"}
    assert [s.name for s in by_title["loss"].series] == ["tagger", "ner"]
    assert by_title["training words/s"].series[0].values == [500.0, 1500.0]
    assert by_title["learning rate"].series[0].values == [0.001, 0.0005]
    assert by_title["score"].best == [(10, 2.0, 0)]
    page = render_report([Run("a", RECORDS), Run("b", RECORDS[:1])])
    step_charts = re.findall(r'<svg class="chart" data-title="loss" data-axis="step".*?</svg>', page)
    series = re.findall(r'<g class="series" data-name="([^"]+)"[^>]*>(.*?)</g>', step_charts[0])
    assert [(name, body.count("<circle")) for name, body in series] == [
        ("a tagger", 2), ("a ner", 2), ("b tagger", 1), ("b ner", 1)]


def test_read_run_names_the_bad_line(tmp_path):
    (tmp_path / "metrics.jsonl").write_text(json.dumps(RECORDS[0]) + "\n{not json\n")
    with pytest.raises(DataError, match=r"metrics.jsonl:2: malformed JSON"):
        read_run(tmp_path)
    (tmp_path / "metrics.jsonl").write_text('{"step": "ten"}\n')
    with pytest.raises(DataError, match=r"metrics.jsonl:1: expected an object with an integer"):
        read_run(tmp_path)
    with pytest.raises(DataError, match="no metrics file"):
        read_run(tmp_path / "nowhere")
