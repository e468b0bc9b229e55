"""`plait export --onnx [--int8]`: encoders run by onnxruntime, the same API and outputs; int8 pipelines of
torch's dynamic quantization save and load; bad input is one error line."""
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest
import torch
from cli_run import run

import plait
from plait.cli.main import main
from plait.core.components.exported import GRAPH_FILE
from plait.core.errors import ModelLoadError
from plait.models.onnx_graph import OnnxGraph

ROOT = Path(__file__).resolve().parents[3]
TEXTS = ["The quick brown fox jumps over the lazy dog in London.", "Short one.", "",
         "A third text, with commas, numbers like 1,234 and a longer tail of words to tag here."]
TOLERANCE = 1e-4  # the fp32 export's outputs against PyTorch's (README, "Export for fast CPU inference")


@pytest.fixture(scope="module")
def trf(tmp_path_factory, tiny_bert):
    """examples/configs/transformer.cfg (fp32) trained a few steps on a copy of the tiny BERT, the copy deleted."""
    work = tmp_path_factory.mktemp("onnx-trf")
    model_dir = shutil.copytree(tiny_bert, work / "bert")
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in ("train", ROOT / "examples/configs/transformer.cfg", "--output", work / "out",
                               "--paths.transformer", model_dir, "--components.transformer.model.mixed_precision",
                               "false", "--training.max_steps", "3", "--training.eval_frequency", "3",
                               "--training.optimizer.learn_rate.warmup_steps", "1", "--paths.train",
                               ROOT / "examples/data/train", "--paths.dev", ROOT / "examples/data/dev")])
    assert exit_info.value.code == 0
    shutil.rmtree(model_dir)
    return work / "out/model-last"


@pytest.fixture(scope="module")
def tok2vec_tagger(tmp_path_factory):
    """A small tok2vec + tagger trained a few steps on the UD sample, saved."""
    # this folder's conftest by its path: under xdist another folder's conftest may hold the name "conftest"
    spec = importlib.util.spec_from_file_location("components_conftest", Path(__file__).with_name("conftest.py"))
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    _train = harness._train

    ud = ROOT / "tests/fixtures/ud-en-ewt-sample.conllu"
    path = tmp_path_factory.mktemp("onnx-t2v") / "model"
    _train(["tagger"], ud, ud, steps=3).nlp.to_disk(path)
    return path


def _moved_away(path: Path, tmp_path: Path) -> Path:
    """`path` moved elsewhere: what loads afterwards cannot be reading it."""
    return Path(shutil.move(path, tmp_path / "moved-away"))


@pytest.mark.slow
def test_transformer_fp32_export_matches_pytorch(capsys, tmp_path, trf):
    source = Path(shutil.copytree(trf, tmp_path / "source"))
    code, _, err = run(capsys, "export", source, tmp_path / "onnx", "--onnx")
    assert code == 0, err
    meta = json.loads((tmp_path / "onnx/meta.json").read_text())
    assert meta["export"] == {"format": "onnx", "int8": False, "encoders": ["transformer"]}
    assert (tmp_path / "onnx/transformer" / GRAPH_FILE).is_file()
    assert not (tmp_path / "onnx/transformer/model.safetensors").exists()
    expected = list(plait.load(source).pipe(TEXTS))
    _moved_away(source, tmp_path)
    nlp = plait.load(tmp_path / "onnx")
    assert isinstance(nlp.get_pipe("transformer").model.transformer.graph, OnnxGraph)
    docs = list(nlp.pipe(TEXTS)) + [nlp(TEXTS[0])]
    for doc, want in zip(docs, expected + expected[:1]):
        assert [t.tag_ for t in doc] == [t.tag_ for t in want] and [e.text for e in doc.ents] == \
            [e.text for e in want.ents]
        if len(doc):
            got, ref = doc._.trf_data.last_hidden_state, want._.trf_data.last_hidden_state
            assert got.shape == ref.shape and (got - ref).abs().max() < TOLERANCE


@pytest.mark.slow
def test_int8_export_annotates_and_saves_loads_the_same(capsys, tmp_path, trf):
    assert run(capsys, "export", trf, tmp_path / "int8", "--onnx", "--int8")[0] == 0
    assert json.loads((tmp_path / "int8/meta.json").read_text())["export"]["int8"] is True
    nlp = plait.load(tmp_path / "int8")
    docs = list(nlp.pipe(TEXTS))
    assert all(t.tag_ for doc in docs for t in doc)
    nlp.to_disk(tmp_path / "again")
    again = list(plait.load(tmp_path / "again").pipe(TEXTS))
    assert [[t.tag_ for t in d] for d in again] == [[t.tag_ for t in d] for d in docs]
    assert all(torch.equal(a._.trf_data.last_hidden_state, d._.trf_data.last_hidden_state)
               for a, d in zip(again, docs) if len(d))


def test_tok2vec_export_matches_pytorch_and_int8_annotates(tmp_path, tok2vec_tagger):
    from plait.core.export import export_pipeline

    assert export_pipeline(tok2vec_tagger, tmp_path / "fp32") == ["tok2vec"]
    assert export_pipeline(tok2vec_tagger, tmp_path / "int8", int8=True) == ["tok2vec"]
    expected = list(plait.load(tok2vec_tagger).pipe(TEXTS))
    for doc, want in zip(plait.load(tmp_path / "fp32").pipe(TEXTS), expected):
        assert [t.tag_ for t in doc] == [t.tag_ for t in want]
        assert doc.tensor.shape == want.tensor.shape
        assert not len(doc) or (doc.tensor - want.tensor).abs().max() <= TOLERANCE
    int8 = [[t.tag_ for t in doc] for doc in plait.load(tmp_path / "int8").pipe(TEXTS)]
    assert [len(tags) for tags in int8] == [len(d) for d in expected] and all(all(t) for t in int8)


@pytest.mark.slow
def test_torch_dynamic_int8_pipeline_saves_loads_and_annotates_the_same(tmp_path, trf):
    nlp = plait.load(trf)
    for _, component in nlp.components:
        torch.ao.quantization.quantize_dynamic(component.model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    before = list(nlp.pipe(TEXTS))
    nlp.to_disk(tmp_path / "int8")
    loaded = plait.load(tmp_path / "int8")
    assert type(loaded.get_pipe("transformer").model.transformer.encoder.layer[0].output.dense).__name__ == "Linear"
    assert loaded.get_pipe("transformer").model.transformer.encoder.layer[0].output.dense.weight().is_quantized
    after = list(loaded.pipe(TEXTS))
    assert [[t.tag_ for t in d] for d in after] == [[t.tag_ for t in d] for d in before]
    assert all(torch.equal(a._.trf_data.last_hidden_state, b._.trf_data.last_hidden_state)
               for a, b in zip(after, before) if len(b))


def _one_error(capsys, *args) -> str:
    code, _, err = run(capsys, *args)
    assert code == 2 and err.count("error:") == 1 and "Traceback" not in err, err
    return err


def test_export_of_a_folder_that_is_not_a_pipeline(capsys, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/readme.txt").write_text("not a pipeline")
    assert "config.cfg" in _one_error(capsys, "export", tmp_path / "notes", tmp_path / "out", "--onnx")
    assert "no such pipeline" in _one_error(capsys, "export", tmp_path / "missing", tmp_path / "out", "--onnx")
    assert not (tmp_path / "out").exists()


def test_export_refuses_existing_outputs_the_source_and_a_second_export(capsys, tmp_path, tok2vec_tagger):
    (tmp_path / "full").mkdir()
    (tmp_path / "full/keep.txt").write_text("mine")
    assert "--force" in _one_error(capsys, "export", tok2vec_tagger, tmp_path / "full", "--onnx")
    assert (tmp_path / "full/keep.txt").read_text() == "mine"
    assert "is a file" in _one_error(capsys, "export", tok2vec_tagger, tmp_path / "full/keep.txt", "--onnx")
    assert "pipeline being exported" in _one_error(capsys, "export", tok2vec_tagger, tok2vec_tagger, "--onnx",
                                                   "--force")
    assert "--onnx" in _one_error(capsys, "export", tok2vec_tagger, tmp_path / "out")
    assert run(capsys, "export", tok2vec_tagger, tmp_path / "out", "--onnx")[0] == 0
    assert "already exported" in _one_error(capsys, "export", tmp_path / "out", tmp_path / "twice", "--onnx")


def test_export_failing_halfway_leaves_nothing(capsys, tmp_path, tok2vec_tagger, monkeypatch):
    def cut_short(graph, path):
        path.write_bytes(graph.graph[:100])
        raise OSError("no space left on device")

    monkeypatch.setattr(OnnxGraph, "save", cut_short)
    code, _, err = run(capsys, "export", tok2vec_tagger, tmp_path / "out", "--onnx")
    assert code != 0 and "no space left" in err
    assert list(tmp_path.iterdir()) == []


def test_corrupt_graph_and_missing_onnxruntime_are_one_line_errors(capsys, tmp_path, tok2vec_tagger, monkeypatch):
    from plait.core.export import export_pipeline

    export_pipeline(tok2vec_tagger, tmp_path / "out")
    (tmp_path / "out/tok2vec" / GRAPH_FILE).write_bytes(b"not a graph")
    code, _, err = run(capsys, "apply", tmp_path / "out", ROOT / "examples/data/README.md", tmp_path / "x.jsonl")
    assert code == 2 and "corrupt exported graph" in err and err.count("error:") == 1
    meta = json.loads((tmp_path / "out/meta.json").read_text())
    (tmp_path / "out/meta.json").write_text(json.dumps({**meta, "export": {"format": "onnx", "encoders": ["x"]}}))
    with pytest.raises(ModelLoadError, match="corrupt \"export\" record"):
        plait.load(tmp_path / "out")
    (tmp_path / "out/meta.json").write_text(json.dumps(meta))
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime raises ImportError
    assert "plait[onnx]" in _one_error(capsys, "export", tok2vec_tagger, tmp_path / "again", "--onnx")
    assert "plait[onnx]" in _one_error(capsys, "apply", tmp_path / "out", ROOT / "examples/data/README.md",
                                       tmp_path / "x.jsonl")
