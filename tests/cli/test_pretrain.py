"""`plait pretrain` end to end: outputs, loading through init_tok2vec, layer choice, mismatches, resume."""
from pathlib import Path

import pytest
import srsly
import torch
from safetensors.torch import load_file

from plait.cli.main import main
from plait.core.config import fill_config, load_config
from plait.core.init_config import init_config
from plait.core.training.initialize import init_nlp

ROOT = Path(__file__).resolve().parents[2]
WIKITEXT = ROOT / "tests/fixtures/wikitext-2-sample.txt"
TRAIN, DEV = ROOT / "examples/data/train/ewt.conllu", ROOT / "examples/data/dev/ewt.conllu"
TOK2VEC = {"@architectures": "plait.Tok2Vec.v1",
           "embed": {"@architectures": "plait.MultiHashEmbed.v1", "width": 32, "attrs": ["NORM", "PREFIX", "SUFFIX"],
                     "rows": [2000, 500, 500]},
           "encode": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": 32, "depth": 2, "window_size": 1,
                      "maxout_pieces": 3}}
FAST = ["--pretraining.objective.hidden_size", "64", "--pretraining.batcher.size", "150",
        "--training.max_steps", "4", "--training.eval_frequency", "2", "--corpora.train.limit", "20",
        "--corpora.dev.limit", "5"]


def run(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


@pytest.fixture
def raw(tmp_path) -> Path:
    """The WikiText sample as raw JSONL, one {"text": ...} per paragraph."""
    path = tmp_path / "raw.jsonl"
    lines = [line.strip() for line in WIKITEXT.read_text(encoding="utf8").splitlines() if line.strip()]
    srsly.write_jsonl(path, [{"text": line} for line in lines])
    return path


def write_config(path: Path, config) -> Path:
    path.write_text(config.to_str(), encoding="utf8")
    return path


@pytest.fixture
def tagger_cfg(tmp_path) -> Path:
    """A shared-tok2vec tagger pipeline (width 32) with the pretraining defaults, as init-config writes it."""
    config = init_config(lang="en", pipeline=["tagger"], pretraining=True)
    config["components"]["tok2vec"]["model"] = dict(TOK2VEC)
    config["components"]["tagger"]["model"]["tok2vec"]["width"] = 32
    return write_config(tmp_path / "tagger.cfg", config)


@pytest.fixture
def textcat_cfg(tmp_path) -> Path:
    """A textcat whose classifier holds its own tok2vec (no tok2vec component), pretraining that layer."""
    config = fill_config(load_config(ROOT / "examples/configs/shared.cfg"), pretraining=True)
    config["nlp"]["pipeline"] = ["textcat"]
    config["components"] = {"textcat": {"factory": "textcat", "model": {
        "@architectures": "plait.TextClassifier.v1", "tok2vec": dict(TOK2VEC)}}}
    config["pretraining"]["component"], config["pretraining"]["layer"] = "textcat", "tok2vec"
    config["training"]["score_weights"] = {"cats_score": 1.0}
    return write_config(tmp_path / "textcat.cfg", fill_config(config))


def pretrain(capsys, cfg: Path, out: Path, raw: Path, *extra):
    return run(capsys, "pretrain", cfg, out, "--paths.raw", raw, *FAST[:4], *extra)


@pytest.mark.slow
def test_outputs_and_weights_load_through_init_tok2vec(capsys, tmp_path, tagger_cfg, raw):
    code, out, err = pretrain(capsys, tagger_cfg, tmp_path / "pt", raw, "--pretraining.max_epochs", 2)
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "pt").iterdir())
    assert names == [".plait-lock", "checkpoint", "log.jsonl", "model-last.safetensors", "model0.safetensors",
                     "model1.safetensors"]
    log = list(srsly.read_jsonl(tmp_path / "pt" / "log.jsonl"))
    assert [r["epoch"] for r in log] == [0, 1] and all(r["words_per_second"] > 0 for r in log)
    assert "WORDS/S" in out
    saved = load_file(str(tmp_path / "pt" / "model1.safetensors"))

    overrides = {"paths.train": str(TRAIN), "paths.dev": str(DEV), "corpora.train.limit": 20}
    plain, _ = init_nlp(load_config(tagger_cfg, overrides, interpolate=True))
    loaded, _ = init_nlp(load_config(tagger_cfg, {**overrides, "paths.init_tok2vec": str(tmp_path / "pt" /
                                                                                            "model1.safetensors")},
                                     interpolate=True))
    state, before = loaded.get_pipe("tok2vec").model.state_dict(), plain.get_pipe("tok2vec").model.state_dict()
    assert set(state) == set(saved)
    assert all(torch.equal(state[k], saved[k]) for k in saved)
    assert not all(torch.equal(before[k], saved[k]) for k in saved)  # the starting point changed
    code, _, err = run(capsys, "train", tagger_cfg, "--paths.train", TRAIN, "--paths.dev", DEV,
                       "--paths.init_tok2vec", tmp_path / "pt" / "model1.safetensors", *FAST[4:])
    assert code == 0, err


def test_layer_inside_a_component(capsys, tmp_path, textcat_cfg, raw):
    code, _, err = pretrain(capsys, textcat_cfg, tmp_path / "pt", raw, "--pretraining.max_epochs", 1)
    assert code == 0, err
    assert "component 'textcat' layer 'tok2vec'" in err
    saved = load_file(str(tmp_path / "pt" / "model0.safetensors"))
    assert "embed.embeds.0.table.weight" in saved and not any(k.startswith("output") for k in saved)
    sst = ROOT / "tests/fixtures/sst2-train-sample.tsv"
    nlp, _ = init_nlp(load_config(textcat_cfg, {"paths.train": str(sst), "paths.dev": str(sst),
                                                "paths.init_tok2vec": str(tmp_path / "pt" / "model0.safetensors")},
                                  interpolate=True))
    state = nlp.get_pipe("textcat").model.tok2vec.state_dict()
    assert all(torch.equal(state[k], saved[k]) for k in saved)


def test_choosing_a_listener_or_a_whole_head_fails_clearly(capsys, tmp_path, tagger_cfg, raw):
    code, _, err = pretrain(capsys, tagger_cfg, tmp_path / "pt", raw, "--pretraining.component", "tagger",
                            "--pretraining.layer", "tok2vec")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "component 'tagger' layer 'tok2vec' is a listener, not an encoder" in err
    code, _, err = pretrain(capsys, tagger_cfg, tmp_path / "pt", raw, "--pretraining.component", "tagger")
    assert code == 2 and "does not map docs to per-token vectors" in err
    code, _, err = pretrain(capsys, tagger_cfg, tmp_path / "pt", raw, "--pretraining.component", "tagger",
                            "--pretraining.layer", "encoder")
    assert code == 2 and "no layer 'encoder' (its layers: tok2vec, dropout)" in err
    assert not (tmp_path / "pt").exists()


def test_mismatched_weights_fail_clearly(capsys, tmp_path, tagger_cfg, raw):
    assert pretrain(capsys, tagger_cfg, tmp_path / "pt", raw, "--pretraining.max_epochs", 1)[0] == 0
    weights = tmp_path / "pt" / "model0.safetensors"
    code, _, err = run(capsys, "train", tagger_cfg, "--paths.train", TRAIN, "--paths.dev", DEV,
                       "--paths.init_tok2vec", weights, "--components.tok2vec.model.encode.depth", 3, *FAST[4:])
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"initialize.init_tok2vec: {weights} does not fit component 'tok2vec': layer encode.blocks.2.linear" \
           ".weight is missing from the file" in err
    code, _, err = run(capsys, "train", tagger_cfg, "--paths.train", TRAIN, "--paths.dev", DEV,
                       "--paths.init_tok2vec", weights, "--components.tok2vec.model.embed.width", 48,
                       "--components.tok2vec.model.encode.width", 48, "--components.tagger.model.tok2vec.width", 48,
                       *FAST[4:])
    assert code == 2 and "layer embed.embeds.0.table.weight is (2000, 32) in the file but (2000, 48)" in err


def test_resume_path_warm_starts_a_new_run(capsys, tmp_path, tagger_cfg, raw):
    out = tmp_path / "pt"
    assert pretrain(capsys, tagger_cfg, out, raw, "--pretraining.max_epochs", 2)[0] == 0
    warm = tmp_path / "warm"
    code, stdout, err = pretrain(capsys, tagger_cfg, warm, raw, "--pretraining.max_epochs", 4,
                                 "--resume-path", out / "model1.safetensors")
    assert code == 0, err
    assert "from epoch 2" in err
    assert [r["epoch"] for r in srsly.read_jsonl(warm / "log.jsonl")] == [2, 3]
    assert (warm / "model3.safetensors").exists()
    # with a learning rate of 0 the warm-started encoder stays exactly the saved one
    frozen = tmp_path / "frozen"
    code, _, err = pretrain(capsys, tagger_cfg, frozen, raw, "--pretraining.max_epochs", 3, "--pretraining.optimizer"
                            ".learn_rate", 0, "--pretraining.optimizer.weight_decay", 0, "--resume-path",
                            out / "model1.safetensors")
    assert code == 0, err
    saved, resumed = load_file(str(out / "model1.safetensors")), load_file(str(frozen / "model2.safetensors"))
    assert all(torch.equal(saved[k], resumed[k]) for k in saved)
    code, _, err = pretrain(capsys, tagger_cfg, tmp_path / "x", raw, "--resume-path", out / "model-last.safetensors")
    assert code == 2 and "pass --epoch-resume N" in err
    late = tmp_path / "late"
    code, _, err = pretrain(capsys, tagger_cfg, late, raw, "--pretraining.max_epochs", 6, "--resume-path",
                            out / "model-last.safetensors", "--epoch-resume", 5)
    assert code == 0 and [r["epoch"] for r in srsly.read_jsonl(late / "log.jsonl")] == [5]
    assert sorted(p.name for p in late.glob("model?.safetensors")) == ["model5.safetensors"]
    # a folder holding a run is not written into without --resume or --overwrite
    code, _, err = pretrain(capsys, tagger_cfg, out, raw, "--resume-path", out / "model1.safetensors")
    assert code == 2 and "holds an earlier run" in err
    code, _, err = pretrain(capsys, tagger_cfg, out, raw, "--resume", "--resume-path", out / "model1.safetensors")
    assert code == 2 and "pass one of them" in err


def test_n_save_every_and_n_save_epoch(capsys, tmp_path, tagger_cfg, raw):
    out = tmp_path / "pt"
    code, _, err = pretrain(capsys, tagger_cfg, out, raw, "--pretraining.max_epochs", 3,
                            "--pretraining.n_save_epoch", 2, "--pretraining.n_save_every", 1)
    assert code == 0, err
    assert sorted(p.name for p in out.glob("model*")) == ["model-last.safetensors", "model0.safetensors",
                                                          "model2.safetensors"]
    batches = list(srsly.read_jsonl(out / "log.jsonl"))
    assert len(batches) > 3 and batches[-1]["epoch"] == 2


def test_config_errors(capsys, tmp_path, raw):
    plain = write_config(tmp_path / "plain.cfg", init_config(lang="en", pipeline=["tagger"]))
    code, _, err = run(capsys, "pretrain", plain, tmp_path / "pt", "--paths.train", raw)
    assert code == 2 and "[pretraining]: missing section" in err and "--pretraining" in err
    filled = tmp_path / "filled.cfg"
    assert run(capsys, "fill-config", plain, filled, "--pretraining")[0] == 0
    assert "[pretraining.objective]" in filled.read_text() and "[corpora.pretrain]" in filled.read_text()
    code, _, err = run(capsys, "pretrain", filled, tmp_path / "pt")
    assert code == 2 and "--paths.raw" in err
    code, _, err = run(capsys, "pretrain", filled, tmp_path / "pt", "--paths.raw", raw, "--pretraining.max_epoch", 1)
    assert code == 2 and "pretraining.max_epoch: unknown setting (did you mean 'max_epochs'?)" in err


@pytest.mark.slow
def test_example_config_pretrains_then_trains(capsys, tmp_path):
    config = ROOT / "examples/configs/pretrain.cfg"
    paths = ["--paths.raw", ROOT / "examples/data/train", "--paths.train", ROOT / "examples/data/train",
             "--paths.dev", ROOT / "examples/data/dev"]
    code, _, err = run(capsys, "pretrain", config, tmp_path / "pt", *paths, "--pretraining.max_epochs", 1,
                       "--corpora.pretrain.limit", 60)
    assert code == 0, err
    code, out, err = run(capsys, "train", config, "--output", tmp_path / "training", *paths, "--paths.init_tok2vec",
                         tmp_path / "pt" / "model-last.safetensors", "--training.max_steps", 4,
                         "--training.eval_frequency", 2, "--corpora.dev.limit", 20)
    assert code == 0, err
    assert "TAG_ACC" in out and (tmp_path / "training" / "model-last").is_dir()
