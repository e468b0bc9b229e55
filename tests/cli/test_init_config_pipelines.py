"""init-config for the sentence, morphology, parsing, lemma and text classification components: debug-config
accepts each."""
from pathlib import Path

import pytest
from confection import Config

from plait.cli.main import main
from plait.core.config_text import commented
from plait.core.init_config import init_config

PIPELINES = ["senter", "morphologizer", "textcat", "textcat_multilabel", "tagger,morphologizer,senter",
             "parser", "tagger,morphologizer,parser,trainable_lemmatizer"]


def run(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


@pytest.mark.parametrize("optimize", ["efficiency", "accuracy"])
@pytest.mark.parametrize("pipeline", PIPELINES)
def test_init_config_then_debug_config(capsys, tmp_path, pipeline, optimize):
    cfg = tmp_path / "c.cfg"
    assert run(capsys, "init-config", cfg, "--pipeline", pipeline, "--optimize", optimize)[0] == 0
    code, out, err = run(capsys, "debug-config", cfg)
    assert code == 0, err
    names = pipeline.split(",")
    # the bag-of-words textcat (efficiency) reads no token vectors: no tok2vec is added for it
    needs_tok2vec = not (optimize == "efficiency" and pipeline.startswith("textcat"))
    expected = (["tok2vec"] if needs_tok2vec else []) + names
    assert f"ok: pipeline {expected}" in err
    for name in names:
        assert f"[components.{name}.model]" in out


def test_textcat_presets_pick_the_bow_model_or_the_ensemble():
    fast = init_config(lang="en", pipeline=["textcat"])["components"]["textcat"]["model"]
    assert fast["@architectures"] == "plait.TextCatBOW.v1" and fast["exclusive_classes"] is True
    accurate = init_config(lang="en", pipeline=["textcat_multilabel"], optimize="accuracy")
    model = accurate["components"]["textcat_multilabel"]["model"]
    assert model["@architectures"] == "plait.TextCatEnsemble.v1"
    assert model["linear_model"]["exclusive_classes"] is False


def test_default_score_weights_share_equally_between_components():
    config = init_config(lang="en", pipeline=["tagger", "morphologizer", "senter"])
    assert dict(config["training"]["score_weights"]) == {"tag_acc": 0.33, "pos_acc": 0.17, "morph_acc": 0.17,
                                                         "sents_f": 0.33}


@pytest.mark.parametrize("optimize", ["efficiency", "accuracy"])
def test_every_new_setting_has_a_comment(optimize):
    pipeline = ["tagger", "morphologizer", "senter", "textcat", "textcat_multilabel"]
    lines = commented(init_config(lang="en", pipeline=pipeline, optimize=optimize)).splitlines()
    for i, line in enumerate(lines):
        if " = " in line and not line.startswith("#"):
            assert lines[i - 1].startswith("# "), f"no comment above {line!r}"


@pytest.mark.parametrize("gpu", [False, True])
def test_parse_and_lemma_heads_all_listen_to_one_encoder(gpu):
    pipeline = ["tagger", "morphologizer", "parser", "trainable_lemmatizer"]
    config = init_config(lang="en", pipeline=pipeline, gpu=gpu)
    encoder = "transformer" if gpu else "tok2vec"
    assert config["nlp"]["pipeline"] == [encoder, *pipeline]
    listener = "plait.TransformerListener.v1" if gpu else "plait.Tok2VecListener.v1"
    for name in pipeline:
        assert config["components"][name]["model"]["tok2vec"]["@architectures"] == listener
    assert config["components"]["parser"]["model"]["@architectures"] == "plait.BiaffineParser.v3"
    weights = dict(config["training"]["score_weights"])
    assert weights["dep_las"] == weights["dep_uas"] == 0.12 and weights["lemma_acc"] == 0.25


def test_a_parser_widens_the_efficiency_tok2vec_only_in_its_own_pipelines():
    def width(pipeline, optimize="efficiency"):
        return init_config(lang="en", pipeline=pipeline, optimize=optimize)["components"]["tok2vec"]["model"][
            "encode"]["width"]

    assert width(["tagger", "parser"]) == 128
    assert width(["tagger"]) == width(["tagger", "ner"]) == 96
    assert width(["tagger", "parser"], "accuracy") == width(["tagger"], "accuracy") == 256


def test_the_efficiency_cnn_parser_runs_a_narrower_bilstm():
    def context(**kwargs):
        return init_config(lang="en", pipeline=["parser"], **kwargs)["components"]["parser"]["model"]["context_width"]

    assert context() == 192
    assert context(optimize="accuracy") == context(gpu=True) == 256


def test_fine_tuning_a_parser_takes_smaller_batches_and_higher_rates_than_a_tagger():
    def training(pipeline):
        t = init_config(lang="en", pipeline=pipeline, gpu=True)["training"]
        return t["batcher"]["size"], t["optimizer"]["learn_rate"]["initial_rate"], dict(
            t["optimizer"]["component_learn_rates"])

    assert training(["tagger"]) == (2000, 5e-5, {"tagger": 0.001})
    assert training(["tagger", "parser"]) == (500, 2e-4, {"tagger": 0.002, "parser": 0.002})


def test_data_the_pipeline_cannot_train_is_refused_before_training(capsys, tmp_path):
    """The README recipe: `init-config --pipeline tagger,ner --data train.conllu` names what the data lacks."""
    conllu = Path(__file__).resolve().parents[2] / "examples/data/train/ewt.conllu"
    code, _, err = run(capsys, "init-config", tmp_path / "a.cfg", "--pipeline", "tagger,ner", "--data", conllu)
    assert code == 2 and not (tmp_path / "a.cfg").exists()
    assert err.strip() == (f"error: --data {conllu}: components.ner: no training document has entity annotation "
                           "(in its first 2000 documents): drop ner from --pipeline, or train on data that has it")
    code, _, err = run(capsys, "init-config", tmp_path / "b.cfg", "--pipeline", "tagger,parser", "--data", conllu)
    assert code == 0, err
    assert Config().from_disk(tmp_path / "b.cfg", interpolate=False)["paths"]["train"] == str(conllu)


def test_adapter_lora_writes_the_adapter_block_with_a_comment_on_each_setting(capsys):
    config = init_config(lang="en", pipeline=["tagger", "parser"], gpu=True, adapter="lora")
    adapter = config["components"]["transformer"]["model"]["adapter"]
    assert adapter["@architectures"] == "plait.LoraAdapter.v1" and adapter["rank"] == 8
    full = init_config(lang="en", pipeline=["tagger", "parser"], gpu=True)["training"]["optimizer"]["learn_rate"]
    assert config["training"]["optimizer"]["learn_rate"]["initial_rate"] > full["initial_rate"]
    lines = commented(config).splitlines()
    start = lines.index("[components.transformer.model.adapter]")
    for i, line in enumerate(lines[start:start + 12], start):
        if " = " in line and not line.startswith("#"):
            assert lines[i - 1].startswith("# "), f"no comment above {line!r}"
    for args, named in ((["--adapter", "lora"], "--gpu"), (["--gpu", "--adapter", "dora"], "'dora'")):
        code, _, err = run(capsys, "init-config", "-", "-p", "tagger", *args)
        assert code == 2 and err.startswith("error: --adapter") and named in err
