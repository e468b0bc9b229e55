"""`plait debug-data`: per-component coverage and labels, misaligned tokens, overlap, exit 2 on untrainable data."""
from pathlib import Path

import srsly
from cli_run import run

from plait.core.init_config import init_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def config_file(tmp_path, pipeline):
    path = tmp_path / "config.cfg"
    path.write_text(init_config(lang="en", pipeline=pipeline).to_str(), encoding="utf8")
    return path


def test_report_on_the_example_corpora(capsys, tmp_path):
    code, out, err = run(capsys, "debug-data", EXAMPLES / "configs/shared.cfg", "--paths.train", EXAMPLES / "data/train",
                         "--paths.dev", EXAMPLES / "data/dev")
    assert code == 0, err
    assert "train: 408 docs, 53401 tokens" in out
    assert "[tagger] learns TAG: 48 labels in train" in out and "[ner] learns ents: 3 labels" in out
    assert "ORG                          1208 train      225 dev" in out
    assert "labels in dev never occur in training: GW" in out  # a tag of dev.conllu that train lacks


def test_untrainable_data_exits_2_after_the_report(capsys, tmp_path):
    cfg = config_file(tmp_path, ["ner"])
    code, out, err = run(capsys, "debug-data", cfg, "--paths.train", EXAMPLES / "data/train/ewt.conllu",
                         "--paths.dev", EXAMPLES / "data/dev/ewt.conllu")
    assert code == 2 and err.strip().splitlines() == [
        "error: components.ner: no training document has entity annotation"]
    assert "[ner] learns ents: 0 labels" in out and "1 problems" in out


def test_overlap_misalignment_and_cats(capsys, tmp_path):
    train = tmp_path / "train.jsonl"
    srsly.write_jsonl(train, [
        {"text": "Great film!", "words": ["Great", "fil", "m", "!"], "spaces": [True, False, False, False],
         "cats": {"POS": 1.0, "NEG": 0.0}},
        {"text": "Dull.", "cats": {"POS": 0.0, "NEG": 1.0}},
    ])
    cfg = config_file(tmp_path, ["textcat"])
    code, out, err = run(capsys, "debug-data", cfg, "--paths.train", train, "--paths.dev", train)
    assert code == 0, err
    assert "train: 2 docs, 6 tokens, 2 misaligned" in out  # "fil" and "m" are not tokens of "film"
    assert "2 also in train" in out and "dev documents also appear in the training data" in out
    assert "[textcat] learns cats: 2 labels in train" in out


def test_bad_corpus_path_is_one_error_line(capsys, tmp_path):
    cfg = config_file(tmp_path, ["tagger"])
    code, _, err = run(capsys, "debug-data", cfg, "--paths.train", tmp_path / "missing.conllu",
                       "--paths.dev", tmp_path / "missing.conllu")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "missing.conllu" in err


def test_text_the_tokenizer_does_not_segment_is_a_problem(capsys, tmp_path):
    words = [["我", "爱", "北京", "。"], ["他", "去", "上海", "了", "。"]]
    train = tmp_path / "zh.jsonl"
    srsly.write_jsonl(train, [{"text": "".join(w), "words": w, "spaces": [False] * len(w),
                               "tags": ["X"] * len(w)} for w in words])
    code, out, err = run(capsys, "debug-data", config_file(tmp_path, ["tagger"]), "--paths.train", train,
                         "--paths.dev", train)
    assert code == 2 and "1 problems" in out
    assert err.startswith("error: corpora.train: 9 of 9 gold tokens (100.0%) are not tokens of the pipeline's "
                          "tokenizer")
    assert "warning: corpora.dev: 9 of 9 gold tokens" in out
