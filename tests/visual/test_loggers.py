"""[training.logger]: every built-in logger and a custom one receive the same records in one real run."""
import pytest
import srsly
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from visual_cli import ROOT, cli


@pytest.mark.slow
def test_console_table_and_run_files(trained_run):
    lines = trained_run["console"].splitlines()
    assert lines[0].split() == ["E", "#", "LOSS", "TAGGER", "LOSS", "NER", "TAG_ACC", "ENTS_F", "SCORE", "WORDS/S"]
    rows = [line.split() for line in lines[2:] if line.strip()]
    metrics = list(srsly.read_jsonl(trained_run["out"] / "metrics.jsonl"))
    assert [int(r[1]) for r in rows] == [m["step"] for m in metrics] == [4, 8, 12]
    assert [float(r[-2]) for r in rows] == [round(100 * m["score"], 2) for m in metrics]
    assert list(srsly.read_jsonl(trained_run["dir"] / "logs/log.jsonl")) == metrics
    assert (trained_run["out"] / "report.html").stat().st_size > 0
    assert not list(trained_run["out"].glob(".*.tmp"))


@pytest.mark.slow
def test_tensorboard_events_read_back(trained_run):
    metrics = list(srsly.read_jsonl(trained_run["out"] / "metrics.jsonl"))
    events = EventAccumulator(str(trained_run["dir"] / "tensorboard"))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    assert {"loss/tagger", "loss/ner", "score", "scores/tag_acc", "scores/ents_f", "words"} <= tags
    assert [(e.step, round(e.value, 5)) for e in events.Scalars("scores/tag_acc")] == \
           [(m["step"], round(m["scores"]["tag_acc"], 5)) for m in metrics]
    assert [round(e.value, 2) for e in events.Scalars("loss/ner")] == [round(m["losses"]["ner"], 2) for m in metrics]


@pytest.mark.slow
def test_mlflow_metrics_read_back(trained_run, monkeypatch):
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    metrics = list(srsly.read_jsonl(trained_run["out"] / "metrics.jsonl"))
    client = MlflowClient(f"file://{trained_run['dir']}/mlruns")
    (run,) = client.search_runs([client.get_experiment_by_name("plait-test").experiment_id])
    assert run.info.run_name == "short" and run.info.status == "FINISHED"
    history = client.get_metric_history(run.info.run_id, "score")
    assert [(h.step, round(h.value, 6)) for h in history] == [(m["step"], round(m["score"], 6)) for m in metrics]


@pytest.mark.slow
def test_custom_logger_from_code(trained_run):
    metrics = list(srsly.read_jsonl(trained_run["out"] / "metrics.jsonl"))
    lines = (trained_run["dir"] / "steps.txt").read_text().splitlines()
    assert lines == ["setup tagger,ner"] + [f"step {m['step']} {m['score']:.6f}" for m in metrics] + ["finish"]


def test_bad_logger_configs_fail_before_training(tmp_path):
    base = (ROOT / "examples/configs/shared.cfg").read_text()
    cases = {
        '[training.logger]\n@loggers = "plait.NoSuchLogger.v1"\n': "no loggers function named 'plait.NoSuchLogger.v1'",
        '[training.logger]\n@loggers = "plait.JSONLLogger.v1"\npth = "x.jsonl"\n': "training.logger.pth: unknown setting",
        '[training.logger]\n@loggers = "plait.TensorBoardLogger.v1"\n': "training.logger.log_dir: missing",
    }
    for extra, message in cases.items():
        (tmp_path / "c.cfg").write_text(base + "\n" + extra)
        code, _, err = cli("train", tmp_path / "c.cfg", "--output", tmp_path / "out",
                      "--paths.train", ROOT / "examples/data/train", "--paths.dev", ROOT / "examples/data/dev")
        assert code == 2 and err.startswith("error: ") and message in err, err
        assert not (tmp_path / "out").exists()
