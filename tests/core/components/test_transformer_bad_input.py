"""Transformer pipelines under bad input: defaults that fit any architecture, settings the model refuses, damaged
saved folders and empty docs."""
import json
import shutil
import time
from pathlib import Path

import pytest
import srsly
from cli_run import run
from tiny_transformers import make_tiny_bert

import plait
from plait.cli.main import main

ROOT = Path(__file__).resolve().parents[3]
SHORT = ["--training.max_steps", "2", "--training.eval_frequency", "2", "--training.optimizer.learn_rate.warmup_steps",
         "1", "--paths.train", str(ROOT / "examples/data/dev/ewt.conllu"), "--paths.dev",
         str(ROOT / "examples/data/dev/ewt.conllu"), "--corpora.train.limit", "20", "--corpora.dev.limit", "10"]


@pytest.fixture(scope="module")
def distilbert_run(tmp_path_factory):
    """`init-config --gpu` defaults trained two steps on a tiny DistilBERT, whose attention dropout key is not BERT's."""
    work = tmp_path_factory.mktemp("distil")
    model = make_tiny_bert(work / "distilbert", distil=True)
    config = work / "trf.cfg"
    for args in (("init-config", config, "--gpu", "--pipeline", "tagger"),
                 ("train", config, "--output", work / "out", "--components.transformer.model.name", model, *SHORT)):
        with pytest.raises(SystemExit) as exit_info:  # a module fixture has no capsys: the entry point directly
            main([str(a) for a in args])
        assert exit_info.value.code == 0
    return work, model, config


def test_init_config_gpu_defaults_fit_a_distilbert(capsys, distilbert_run):
    work, model, config = distilbert_run
    assert "attention_probs_dropout_prob" in config.read_text()  # BERT's name: fitted to the model's own key
    code, _, err = run(capsys, "debug-config", config, "--components.transformer.model.name", model)
    assert code == 0, err
    nlp = plait.load(work / "out" / "model-last")
    transformer = nlp.get_pipe("transformer").model.transformer
    assert transformer.config.model_type == "distilbert" and transformer.config.attention_dropout == 0.0
    assert [len(doc) for doc in nlp.pipe(["", "  ", "A short one.", ""], batch_size=2)] == [0, 1, 4, 0]


def test_debug_config_reads_config_json_for_refused_settings(capsys, distilbert_run):
    work, model, config = distilbert_run
    code, _, err = run(capsys, "debug-config", config, "--components.transformer.model.name", model,
                       "--components.transformer.model.transformer_config.no_such_setting", 1)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith("error: components.transformer.model.transformer_config: 'no_such_setting'")
    assert "attention_dropout" in err  # the keys this model's config.json does have


def test_damaged_transformer_folders_are_model_load_errors(capsys, distilbert_run):
    work, _, _ = distilbert_run
    saved = work / "out" / "model-last"
    corpus = ROOT / "examples/data/dev/ewt.conllu"
    no_tokenizer = shutil.copytree(saved, work / "no-tokenizer")
    (no_tokenizer / "transformer" / "hf" / "tokenizer.json").unlink()
    code, _, err = run(capsys, "evaluate", no_tokenizer, corpus)
    assert code == 2 and "tokenizer.json: missing" in err and len(err.strip().splitlines()) == 1
    edited = shutil.copytree(saved, work / "edited")
    hf_config = edited / "transformer" / "hf" / "config.json"
    srsly.write_json(hf_config, {**json.loads(hf_config.read_text()), "dim": 999998})
    started = time.perf_counter()
    code, _, err = run(capsys, "evaluate", edited, corpus)
    assert code == 2 and f"{hf_config} does not fit the saved weights" in err, err
    assert time.perf_counter() - started < 30  # refused before allocating a 999998-wide model
