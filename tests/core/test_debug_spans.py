"""debug-data on span groups: overlap counts, lengths per label, `I-` starts, and the share of gold spans a
configured suggester can propose, each checked against a brute-force count."""
import random
from pathlib import Path

import numpy as np
import pytest
from cli_run import run

from plait.core.config import interpolate_config
from plait.core.data.readers import read_examples
from plait.core.debug_data import analyse
from plait.core.init_config import init_config
from plait.core.pipeline import Language
from plait.core.span_stats import overlaps

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "spans" / "germeval2014-sample.iob2"
TOY_SPANCAT = '''
import plait


@plait.factory("toy_spancat")
def make_toy_spancat(nlp, name, suggester, spans_key: str = "sc"):
    """A spancat-like rule component: debug-data reads its suggester block."""
    return lambda doc: doc
'''


def brute_overlaps(spans):
    spans = [(s, e) for s, e in spans if e > s]
    counts = [0, 0, 0]
    for i, (s, e) in enumerate(spans):
        others = spans[:i] + spans[i + 1:]
        counts[0] += any(a < e and s < b and (a, b) != (s, e) for a, b in others)
        counts[1] += any(a <= s and e <= b and (a, b) != (s, e) for a, b in others)
        counts[2] += (s, e) in others
    return tuple(counts)


def test_overlap_counts_match_brute_force():
    rng = random.Random(0)
    for _ in range(500):
        spans = [(s, s + rng.randint(0, 4)) for s in (rng.randint(0, 8) for _ in range(rng.randint(0, 9)))]
        starts, ends = (np.array([p[k] for p in spans], dtype=np.int64) for k in (0, 1))
        assert overlaps(starts, ends) == brute_overlaps(spans), spans


@pytest.fixture(scope="module")
def toy_config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy")
    code = folder / "toy_spancat.py"
    code.write_text(TOY_SPANCAT, encoding="utf8")
    exec(compile(TOY_SPANCAT, str(code), "exec"), {})
    config = init_config(lang="de", pipeline=["tagger"])
    config["nlp"]["pipeline"] = ["toy"]
    config["components"] = {"toy": {"factory": "toy_spancat", "spans_key": "sc",
                                     "suggester": {"@misc": "plait.ngram_suggester.v1", "sizes": [1, 2]}}}
    config["training"]["score_weights"] = {}
    (folder / "toy.cfg").write_text(config.to_str(), encoding="utf8")
    return config, folder / "toy.cfg", code


@pytest.mark.parametrize("suggester", [{"@misc": "plait.ngram_suggester.v1", "sizes": [1, 2]},
                                       {"@misc": "plait.ngram_range_suggester.v1", "min_size": 2, "max_size": 3}])
def test_suggester_coverage_and_lengths_match_brute_force(toy_config, suggester):
    config = toy_config[0].copy()
    config["components"] = {"toy": {**config["components"]["toy"], "suggester": suggester}}
    nlp = Language.from_config(interpolate_config(config))
    sizes = suggester.get("sizes") or range(suggester["min_size"], suggester["max_size"] + 1)
    examples = list(read_examples(SAMPLE, nlp.vocab, nlp.make_doc))
    report = analyse(nlp, examples, examples[:3])
    gold = proposed = 0
    lengths: dict[str, list[int]] = {}
    for eg in examples:
        candidates = {(i, i + n) for n in sizes for i in range(len(eg.reference) - n + 1)}
        for span in eg.reference.spans["sc"]:
            gold += 1
            proposed += (span.start, span.end) in candidates
            lengths.setdefault(span.label_, []).append(len(span))
    train, dev = report.suggesters["toy"]
    assert (train.gold, train.proposed) == (gold, proposed) and 0 < proposed < gold
    assert dev.gold == sum(len(eg.reference.spans["sc"]) for eg in examples[:3])
    stats = report.span_groups["sc"][0]
    assert {label: (s.count, s.min, s.max, round(s.mean, 9)) for label, s in stats.labels.items()} == {
        label: (len(v), min(v), max(v), round(sum(v) / len(v), 9)) for label, v in lengths.items()}
    assert stats.spans == gold and stats.docs == len(examples)


def test_debug_data_reports_span_groups_i_starts_and_low_coverage(capsys, toy_config, tmp_path):
    _, config, code = toy_config
    dev = tmp_path / "dev.iob2"
    dev.write_text("A\tI-PER\tO\nB\tO\tI-LOC\nC\tB-ORG\tO\n", encoding="utf8")
    status, out, err = run(capsys, "debug-data", config, "--code", code, "--paths.train", SAMPLE, "--paths.dev", dev)
    assert status == 0, err
    assert "[doc.spans['sc']] train: 20 spans in 9 docs; dev: 3 spans in 1 docs" in out
    assert "train: 5 spans overlap another, 3 inside a longer one, 0 on the same tokens as another" in out
    assert "    PER                             5 spans, length 1 / 1.6 / 3 (min / mean / max)" in out
    assert "[toy] suggester proposes 90.0% of the train spans of doc.spans['sc'] (18 of 20), 100.0% of dev" in out
    assert "warning: doc.spans['sc']: 2 spans in dev start with an I- tag" in out
    assert "warning: components.toy.suggester: proposes only 90.0% of the training spans" in out
