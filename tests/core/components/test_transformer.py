"""The transformer component in pipelines: training through listeners, trf_data, saving, config errors, examples."""
import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from bite import record_outputs
from cli_run import run

import plait
from plait.cli.main import main
from plait.models import heads

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
SHORT = ["--training.max_steps", "4", "--training.eval_frequency", "2",
         "--training.optimizer.learn_rate.warmup_steps", "1",
         "--paths.train", str(ROOT / "examples/data/train"), "--paths.dev", str(ROOT / "examples/data/dev")]



@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_bert):
    """examples/configs/transformer.cfg trained a few steps on a copy of the tiny BERT, then the copy deleted."""
    work = tmp_path_factory.mktemp("trf")
    model_dir = shutil.copytree(tiny_bert, work / "bert")
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in ("train", EXAMPLES / "configs/transformer.cfg", "--output", work / "out",
                               "--paths.transformer", model_dir, *SHORT)])
    assert exit_info.value.code == 0
    shutil.rmtree(model_dir)
    return work / "out"


def test_saved_pipeline_loads_without_the_original_model(trained):
    nlp = plait.load(trained / "model-last")
    assert nlp.pipe_names == ["transformer", "tagger", "ner"]
    assert (trained / "model-last/transformer/hf/tokenizer.json").exists()
    texts = ["The quick brown fox jumps over the lazy dog in London.", "Short one."]
    docs = list(nlp.pipe(texts))
    again = list(plait.load(trained / "model-last").pipe(texts))
    assert [t.tag_ for t in docs[0]] == [t.tag_ for t in again[0]]
    assert all(t.tag_ for d in docs for t in d)
    assert torch.allclose(docs[0]._.trf_data.last_hidden_state, again[0]._.trf_data.last_hidden_state, atol=1e-5)


def test_meta_says_which_pretrained_model_the_pipeline_started_from(trained, tmp_path):
    """A local directory is recorded by its path (a hub name by name, revision and commit: see
    tests/cli/test_hub_models.py); the user's own entries in meta["sources"] are kept when it is saved again."""
    nlp = plait.load(trained / "model-last")
    [source] = nlp.meta["sources"]
    assert set(source) == {"component", "name"} and source["component"] == "transformer"
    assert source["name"].endswith("bert")
    nlp.meta["sources"] = [{"name": "UD English EWT", "license": "CC BY-SA 4.0"}, {**source, "name": "stale"}]
    nlp.to_disk(tmp_path / "again")
    assert plait.load(tmp_path / "again").meta["sources"] == [{"name": "UD English EWT", "license": "CC BY-SA 4.0"},
                                                              source]


def test_trf_data_holds_wordpieces_outputs_and_alignment(trained):
    nlp = plait.load(trained / "model-last")
    doc = nlp("Valkyria Chronicles was released in Japan.")
    data = doc._.trf_data
    assert data.strings[0][0] == "[CLS]" and data.strings[0][-1] == "[SEP]"
    assert data.last_hidden_state.shape == (sum(len(ids) for ids in data.ids), 32)
    assert data.tensors[0] is data.last_hidden_state
    rows = data.rows_of(0)
    assert len(rows) >= 1 and "".join(data.strings[0][r].removeprefix("##") for r in rows) in "valkyria"
    assert list(data.tokens_of(int(rows[0]))) == [0]
    assert len(data.tokens_of(0)) == 0  # [CLS] belongs to no token


def test_listener_pooling_matches_trf_data(trained):
    """At inference the tagger's listener pools the rows the transformer stored on the doc."""
    nlp = plait.load(trained / "model-last")
    doc = nlp("Valkyria Chronicles was released in Japan.")
    listener = nlp.get_pipe("tagger").model.tok2vec
    pooled = listener([doc]).flat
    data = doc._.trf_data
    expected = data.last_hidden_state[data.rows_of(1)].mean(dim=0)
    assert torch.allclose(pooled[1], expected, atol=1e-5)


def test_long_doc_is_scored_a_chunk_of_tokens_at_a_time(trained, monkeypatch):
    """At inference heads pool and score a bounded number of tokens at once, with the same scores as all at once."""
    nlp = plait.load(trained / "model-last")
    texts = ["Valkyria Chronicles was released in Japan in 2011 and sold well. " * 6, "Short one."]
    docs = list(nlp.pipe(texts))
    tagger = nlp.get_pipe("tagger").model.eval()
    with torch.no_grad():
        whole = tagger(docs)
        pooled_sizes = []
        pooling = tagger.tok2vec.pooling
        monkeypatch.setattr(pooling, "forward", lambda rows, token, row, n: pooled_sizes.append(n) or
                            type(pooling).forward(pooling, rows, token, row, n))
        monkeypatch.setattr(heads, "INFERENCE_CHUNK", 7)
        chunked = tagger(docs)
    assert len(docs[0]) > 50 and max(pooled_sizes) == 7 and sum(pooled_sizes) == len(docs[0]) + len(docs[1])
    assert torch.allclose(whole, chunked, atol=1e-5)
    assert [t.tag_ for t in docs[0]] == [t.tag_ for t in nlp(texts[0])]


def test_custom_span_getter_and_annotation_setter_example(capsys, tmp_path, tiny_bert):
    code, out, err = run(capsys, "train", EXAMPLES / "configs/transformer_custom.cfg", "--output", tmp_path,
                         "--code", EXAMPLES / "transformer_code.py", "--paths.transformer", tiny_bert,
                         "--components.transformer.model.get_spans.max_length", "3", *SHORT)
    assert code == 0, err
    from plait.core.registry import registry

    getter = registry.span_getters.get("custom_sent_spans")(max_length=3)
    doc = plait.blank("en")("one two three four five six seven")
    assert [(s.start, s.end) for s in getter([doc])[0]] == [(0, 3), (3, 6), (6, 7)]
    nlp = plait.load(tmp_path / "model-last")
    doc = nlp("The quick brown fox jumps over the lazy dog in London.")
    assert doc._.embedding.shape == (32,)
    rows = sorted(set(doc._.trf_data.row.tolist()))
    assert np.allclose(doc._.embedding, doc._.trf_data.last_hidden_state[rows].mean(0).numpy(), atol=1e-6)
    assert len(doc._.trf_data.ids) == 4  # 11 tokens in spans of at most 3
    # a new process knows the custom functions only from --code: evaluate takes it, and asks for it without
    evaluate = [sys.executable, "-c", "from plait.cli.main import main; main()", "evaluate", str(tmp_path / "model-last"),
                str(ROOT / "tests/fixtures/ud-en-ewt-sample.conllu")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    without = subprocess.run(evaluate, capture_output=True, text=True, env=env)
    assert without.returncode == 2 and "this pipeline uses 'doc_embedding_setter'" in without.stderr
    assert "--code" in without.stderr
    with_code = subprocess.run([*evaluate, "--code", str(EXAMPLES / "transformer_code.py")], capture_output=True,
                               text=True, env=env)
    assert with_code.returncode == 0 and "TAG_ACC" in with_code.stdout, with_code.stderr


def test_init_config_gpu_trains_with_a_local_model(capsys, tmp_path, tiny_roberta):
    config = tmp_path / "trf.cfg"
    assert run(capsys, "init-config", config, "--gpu", "--pipeline", "tagger")[0] == 0
    text = config.read_text()
    assert "plait.TransformerListener.v1" in text and "warmup_linear" in text and "component_learn_rates" in text
    code, out, err = run(capsys, "train", config, "--output", tmp_path / "out",
                         "--components.transformer.model.name", tiny_roberta, *SHORT)
    assert code == 0, err
    assert "TAG_ACC" in out


def test_training_in_mixed_precision_trains(capsys, tmp_path, tiny_bert, bf16_cpu):
    """`[training] mixed_precision` autocasts the heads too: the listener's pooling must still backpropagate."""
    code, out, err = run(capsys, "train", EXAMPLES / "configs/transformer.cfg", "--output", tmp_path / "out",
                         "--paths.transformer", tiny_bert, "--training.mixed_precision", "true", *SHORT)
    assert code == 0, err
    assert "TAG_ACC" in out and "mixed precision is off" not in err


def test_missing_model_is_a_one_line_error(capsys, tmp_path):
    code, out, err = run(capsys, "train", EXAMPLES / "configs/transformer.cfg", "--paths.transformer",
                         tmp_path / "no-such-model", *SHORT)
    assert code == 2
    assert err.startswith("error: components.transformer.model.name:") and "neither a local model directory" in err
    assert len(err.strip().splitlines()) == 1


def test_a_hub_name_missing_from_the_cache_offline_is_a_one_line_error(capsys, tmp_path):
    """The test environment is offline (tests/conftest.py): a hub name is looked up in the cache only."""
    code, out, err = run(capsys, "train", EXAMPLES / "configs/transformer.cfg", "--paths.transformer",
                         "someone/uncached-model", *SHORT)
    assert code == 2
    assert err.startswith("error: components.transformer.model.name: 'someone/uncached-model' (revision 'main') is "
                          "not in the HuggingFace cache") and len(err.strip().splitlines()) == 1


def test_a_revision_for_a_local_directory_is_a_one_line_error(capsys, tmp_path, tiny_bert):
    code, out, err = run(capsys, "train", EXAMPLES / "configs/transformer.cfg", "--paths.transformer", tiny_bert,
                         "--components.transformer.model.revision", "v1.0", *SHORT)
    assert code == 2
    assert err.startswith("error: components.transformer.model.revision: 'v1.0' names a hub revision")
    assert len(err.strip().splitlines()) == 1


def test_a_setting_the_model_does_not_take_is_a_one_line_error(capsys, tmp_path, tiny_bert):
    code, out, err = run(capsys, "train", EXAMPLES / "configs/transformer.cfg", "--paths.transformer", tiny_bert,
                         "--components.transformer.model.transformer_config.no_such_setting", "1", "--output",
                         tmp_path, *SHORT)
    assert code == 2
    assert err.startswith("error: components.transformer.model.transformer_config:") and "no_such_setting" in err
    assert len(err.strip().splitlines()) == 1


def test_training_dropout_leaves_the_transformer_at_its_config_rates(trained):
    from plait.core.training.objective import set_dropout

    nlp = plait.load(trained / "model-last")
    set_dropout(nlp, 0.3)
    hf = nlp.get_pipe("transformer").model.transformer
    assert hf.config.attention_probs_dropout_prob == 0.0  # the example config's setting
    assert {m.p for m in hf.modules() if isinstance(m, torch.nn.Dropout)} == {0.0, hf.config.hidden_dropout_prob}
    assert {m.p for m in nlp.get_pipe("tagger").model.modules() if isinstance(m, torch.nn.Dropout)} == {0.3}


def test_tok2vec_listener_cannot_listen_to_a_transformer(tiny_bert):
    from confection import Config

    from plait.core.errors import ConfigError
    from plait.core.pipeline import Language

    config = Config().from_disk(EXAMPLES / "configs/transformer.cfg", interpolate=False)
    config["paths"]["transformer"] = str(tiny_bert)
    config["components"]["tagger"]["model"]["tok2vec"] = {"@architectures": "plait.Tok2VecListener.v1",
                                                         "width": 32, "upstream": "transformer"}
    with pytest.raises(ConfigError, match="use plait.TransformerListener.v1"):
        Language.from_config(config.interpolate())


def test_overlong_error_names_the_doc(capsys, tmp_path, tiny_bert):
    long_doc = tmp_path / "long.conllu"
    words = "\n".join(f"{i + 1}\tword{i}\tword\tNOUN\tNN\t_\t0\troot\t_\t_" for i in range(200))
    long_doc.write_text(f"# text = {' '.join(f'word{i}' for i in range(200))}\n{words}\n\n", encoding="utf8")
    code, out, err = run(capsys, "train", EXAMPLES / "configs/transformer.cfg", "--paths.transformer", tiny_bert,
                         "--components.transformer.model.overlong", "error",
                         "--components.transformer.model.get_spans.window", "500",
                         "--nlp.pipeline", '["transformer","tagger"]', "--training.score_weights", '{"tag_acc": 1.0}',
                         "--training.optimizer.component_learn_rates", '{"tagger": 0.001}',
                         "--paths.train", long_doc, "--paths.dev", long_doc, "--training.max_steps", "1")
    assert code == 2, err
    assert "error: components.transformer: doc 0 (token 0: 'word0" in err


@pytest.mark.slow
def test_minilm_fine_tunes_saves_and_loads(capsys, tmp_path, minilm):
    """all-MiniLM-L6-v2 (real weights) fine-tuned a few steps: the tagger learns, and the saved copy predicts alike."""
    code, out, err = run(capsys, "train", EXAMPLES / "configs/transformer.cfg", "--output", tmp_path,
                         "--paths.transformer", minilm, "--nlp.pipeline", '["transformer","tagger"]',
                         "--training.score_weights", '{"tag_acc": 1.0}',
                         "--training.optimizer.component_learn_rates", '{"tagger": 0.001}',
                         "--training.max_steps", "12", "--training.eval_frequency", "6",
                         "--training.optimizer.learn_rate.warmup_steps", "2",
                         "--paths.train", ROOT / "examples/data/train", "--paths.dev", ROOT / "examples/data/dev")
    assert code == 0, err
    import srsly

    records = list(srsly.read_jsonl(tmp_path / "metrics.jsonl"))
    assert records[-1]["scores"]["tag_acc"] > 0.3  # the most frequent tag alone scores about 0.13
    nlp = plait.load(tmp_path / "model-last")
    doc = nlp("The quick brown fox jumps over the lazy dog in London.")
    assert doc._.trf_data.width == 384
    assert all(t.tag_ for t in doc)


def test_no_transformer_output_stays_referenced_after_pipe(trained):
    nlp = plait.load(trained / "model-last")
    seen = record_outputs(nlp.get_pipe("transformer"))
    docs = list(nlp.pipe(["One text here.", "Another one.", "A third."], batch_size=2))
    gc.collect()
    assert len(seen) == 2 and [ref() for ref in seen] == [None, None]  # the listeners let go after each batch
    assert all(doc._.trf_data is not None and doc[0].tag_ for doc in docs)
