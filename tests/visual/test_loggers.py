"""[training.logger]: every built-in logger and a custom one receive the same records in one real run."""
import json
import struct

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
def test_mlflow_with_its_defaults_writes_beside_the_output(trained_run, monkeypatch):
    """With no tracking_uri, runs go to a file store under the output folder (MLflow's own default, a SQLite
    database, needs packages mlflow-skinny lacks)."""
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    metrics = list(srsly.read_jsonl(trained_run["out"] / "metrics.jsonl"))
    client = MlflowClient((trained_run["out"] / "mlruns").as_uri())
    (run,) = client.search_runs([client.get_experiment_by_name("plait").experiment_id])
    history = client.get_metric_history(run.info.run_id, "scores/tag_acc")
    assert [(h.step, round(h.value, 6)) for h in history] == \
           [(m["step"], round(m["scores"]["tag_acc"], 6)) for m in metrics]


def wandb_records(path):
    """The records of an offline W&B run file: a LevelDB-style log (a 7-byte file header, then chunks of a 7-byte
    header (crc32, length, type) and a protobuf `Record`, in 32 KiB blocks whose tails under 7 bytes are padding)."""
    from wandb.proto import wandb_internal_pb2

    data, pos, buffered = path.read_bytes(), 7, b""
    while pos + 7 <= len(data):
        if 32768 - pos % 32768 < 7:
            pos += 32768 - pos % 32768
            continue
        _, length, kind = struct.unpack("<IHB", data[pos:pos + 7])
        buffered += data[pos + 7:pos + 7 + length]
        pos += 7 + length
        if kind in (1, 4):  # a whole record, or the last chunk of one
            record = wandb_internal_pb2.Record()
            record.ParseFromString(buffered)
            buffered = b""
            yield record


@pytest.mark.slow
def test_wandb_offline_run_holds_the_metrics(trained_run):
    metrics = list(srsly.read_jsonl(trained_run["out"] / "metrics.jsonl"))
    (run_file,) = (trained_run["out"] / "wandb").glob("offline-run-*/run-*.wandb")
    records = list(wandb_records(run_file))
    history = [{item.key or "/".join(item.nested_key): json.loads(item.value_json) for item in r.history.item}
               for r in records if r.WhichOneof("record_type") == "history"]
    assert [(h["_step"], round(h["score"], 6), round(h["scores/tag_acc"], 6)) for h in history] == \
           [(m["step"], round(m["score"], 6), round(m["scores"]["tag_acc"], 6)) for m in metrics]
    (run,) = [r.run for r in records if r.WhichOneof("record_type") == "run"]
    assert run.project == "plait-test" and run.display_name == "short"
    assert json.loads({item.key: item.value_json for item in run.config.update}["components"]) == ["tagger", "ner"]


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
