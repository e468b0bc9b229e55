"""`plait train`, `evaluate` and `apply` end to end on the bundled example sample."""
from pathlib import Path

import pytest
import srsly
from cli_run import run

import plait

ROOT = Path(__file__).resolve().parents[2]
SHORT = ["--training.max_epochs", "1", "--training.max_steps", "40", "--training.eval_frequency", "20",
         "--paths.train", str(ROOT / "examples/data/train"), "--paths.dev", str(ROOT / "examples/data/dev")]



@pytest.mark.slow
@pytest.mark.parametrize("config", ["shared.cfg", "independent.cfg"])
def test_example_configs_train_save_load_predict(capsys, tmp_path, config):
    code, out, err = run(capsys, "train", ROOT / "examples/configs" / config, "--output", tmp_path, *SHORT)
    assert code == 0, err
    assert "TAG_ACC" in out and "ENTS_F" in out
    records = [r for r in srsly.read_jsonl(tmp_path / "metrics.jsonl")]
    assert [r["step"] for r in records] == [20, 40]
    # the most frequent tag (NN) alone scores about 0.13 on this dev set
    assert records[-1]["scores"]["tag_acc"] > 0.35
    nlp = plait.load(tmp_path / "model-last")
    doc = nlp("The quick brown fox jumps over the lazy dog in London.")
    assert all(t.tag_ for t in doc)
    assert (tmp_path / "model-best" / "config.cfg").exists()


@pytest.mark.slow
def test_same_seed_same_scores(capsys, tmp_path):
    scores = []
    for name in ("a", "b"):
        assert run(capsys, "train", ROOT / "examples/configs/shared.cfg", "--output", tmp_path / name, *SHORT)[0] == 0
        scores.append([r["scores"] for r in srsly.read_jsonl(tmp_path / name / "metrics.jsonl")])
    for first, second in zip(*scores):
        first.pop("speed"), second.pop("speed")
        assert first == second


def test_errors_leave_no_model_behind(capsys, tmp_path):
    config = ROOT / "examples/configs/shared.cfg"
    code, _, err = run(capsys, "train", config, "--output", tmp_path / "out", *SHORT[:6],
                       "--paths.train", tmp_path / "missing.conllu", "--paths.dev", ROOT / "examples/data/dev")
    assert code == 2 and "missing.conllu" in err
    bad = tmp_path / "bad.conllu"
    bad.write_text("1\tword\tonly-three-columns\n\n")
    code, _, err = run(capsys, "train", config, "--output", tmp_path / "out", *SHORT[:6],
                       "--paths.train", bad, "--paths.dev", ROOT / "examples/data/dev")
    assert code == 2 and err.startswith(f"error: {bad}:1:")
    code, _, err = run(capsys, "train", config, "--output", tmp_path / "out", "--training.dropuot", "0.2")
    assert code == 2 and "training.dropuot: unknown setting (did you mean 'dropout'?)" in err
    assert not (tmp_path / "out" / "model-best").exists() and not (tmp_path / "out" / "model-last").exists()


@pytest.mark.slow
def test_evaluate_and_apply(capsys, tmp_path):
    assert run(capsys, "train", ROOT / "examples/configs/shared.cfg", "--output", tmp_path, *SHORT)[0] == 0
    code, out, _ = run(capsys, "evaluate", tmp_path / "model-best", ROOT / "examples/data/dev",
                       "--output", tmp_path / "scores.json")
    assert code == 0 and "TAG_ACC" in out and "LABEL" in out
    scores = srsly.read_json(tmp_path / "scores.json")
    assert 0 <= scores["tag_acc"] <= 1 and 0 <= scores["ents_f"] <= 1 and scores["speed"] > 0
    assert set(scores["ents_per_type"]) <= {"PER", "ORG", "LOC"}
    texts = tmp_path / "texts.txt"
    texts.write_text("John lives in Berlin.\n\nThe cat sat.\n")
    assert run(capsys, "apply", tmp_path / "model-best", texts, tmp_path / "out.jsonl")[0] == 0
    records = list(srsly.read_jsonl(tmp_path / "out.jsonl"))
    assert [r["text"] for r in records] == ["John lives in Berlin.", "The cat sat."]
    assert len(records[0]["tags"]) == len(records[0]["words"]) == 5
