"""Issue 36, item 2: LoRA adapters on the shared transformer. Only the adapters and the heads train; a saved
pipeline holds the adapters and a reference to the base model, or the merged weights; resume is exact."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import srsly
import torch
from bad_input import assert_user_error, plait, plait_in_process, write_corpus
from safetensors.torch import load_file

import plait as plait_lib
from plait.core.errors import ModelLoadError
from plait.core.training.objective import trainable_parameters
from plait.models.transformer.adapter import merged_state

TEXTS = ["The quick brown fox jumps over the lazy dog in London.", "Short one."]


def _train(capsys, config: Path, out: Path, base: Path, steps: int, *extra: object) -> None:
    corpus = write_corpus(config.parent / "corpus.jsonl")
    result = plait_in_process(capsys, "train", config, "--output", out, "--paths.train", corpus, "--paths.dev", corpus,
                              "--components.transformer.model.name", base, "--training.max_steps", steps,
                              "--training.eval_frequency", 1, "--training.optimizer.learn_rate.warmup_steps", 1,
                              *extra)
    assert result.code == 0, result.err


def _outputs(nlp) -> list[torch.Tensor]:
    return [doc._.trf_data.last_hidden_state for doc in nlp.pipe(TEXTS)]


@pytest.mark.slow
def test_lora_trains_only_adapters_and_heads_saves_them_alone_and_resumes_exactly(capsys, tmp_path, tiny_bert):
    base = shutil.copytree(tiny_bert, tmp_path / "bert")
    config = tmp_path / "lora.cfg"
    assert plait_in_process(capsys, "init-config", config, "-p", "tagger", "--gpu", "--adapter", "lora").code == 0
    _train(capsys, config, tmp_path / "straight", base, 2)
    _train(capsys, config, tmp_path / "halves", base, 1, "--components.transformer.model.adapter.merge_on_save", True)
    _train(capsys, config, tmp_path / "halves", base, 2, "--components.transformer.model.adapter.merge_on_save", True,
           "--resume")

    # the optimizer gets the adapters and the head, never a pretrained weight; those stay as they were
    nlp = plait_lib.load(tmp_path / "straight/model-last")
    groups = trainable_parameters(nlp, [])
    trf = nlp.get_pipe("transformer").model
    adapters = {id(p) for name, p in trf.named_parameters() if ".lora_" in name}
    assert {id(p) for p in groups["transformer"]} == adapters and adapters
    assert len(groups["tagger"]) == len(list(nlp.get_pipe("tagger").model.parameters()))
    pretrained = load_file(str(base / "model.safetensors"))
    for name, value in trf.transformer.state_dict().items():
        if ".lora_" not in name:
            assert torch.equal(value, pretrained[name.replace(".base_layer", "")]), name
    assert any(p.abs().sum() > 0 for name, p in trf.named_parameters() if "lora_B" in name)  # they did train

    # saved: the adapters alone and the base model they need
    saved = tmp_path / "straight/model-last/transformer"
    keys = load_file(str(saved / "model.safetensors"))
    assert keys and all(".lora_" in key for key in keys)
    assert sum(v.numel() for v in keys.values()) == sum(p.numel() for p in groups["transformer"])
    assert srsly.read_json(saved / "cfg.json")["pretrained"]["name"] == str(Path(base).resolve())

    # saving again and loading give the same outputs
    nlp.to_disk(tmp_path / "again")
    for first, second in zip(_outputs(nlp), _outputs(plait_lib.load(tmp_path / "again"))):
        assert torch.equal(first, second)

    # 1 step + resume to 2 trained the same adapters: the checkpoint kept them apart despite merge_on_save
    resumed = load_file(str(tmp_path / "halves/checkpoint/model/transformer/model.safetensors"))
    straight = load_file(str(tmp_path / "straight/checkpoint/model/transformer/model.safetensors"))
    assert resumed.keys() == straight.keys() and all(torch.equal(resumed[k], straight[k]) for k in straight)

    # merge_on_save: the weights with the adapters added in, which load as a plain model with the same outputs
    merged_file = load_file(str(tmp_path / "halves/model-last/transformer/model.safetensors"))
    expected = merged_state(trf.transformer, "", trf.transformer.state_dict())
    assert merged_file.keys() == {f"transformer.{key}" for key in expected}
    assert all(torch.allclose(merged_file[f"transformer.{k}"], v, atol=1e-6) for k, v in expected.items())
    shutil.rmtree(base)  # the merged pipeline needs no base model; the adapters alone do, and say so
    merged = plait_lib.load(tmp_path / "halves/model-last")
    for first, second in zip(_outputs(nlp), _outputs(merged)):
        assert torch.allclose(first, second, atol=1e-5)
    with pytest.raises(ModelLoadError, match="LoRA adapters for the base model"):
        plait_lib.load(tmp_path / "straight/model-last")


def test_an_adapter_naming_modules_the_model_lacks_is_one_error_line(tmp_path, tiny_bert, capsys):
    config = tmp_path / "lora.cfg"
    assert plait_in_process(capsys, "init-config", config, "-p", "tagger", "--gpu", "--adapter", "lora").code == 0
    corpus = write_corpus(tmp_path / "corpus.jsonl")
    result = plait("train", config, "--output", tmp_path / "out", "--paths.train", corpus, "--paths.dev", corpus,
                   "--components.transformer.model.name", tiny_bert,
                   "--components.transformer.model.adapter.target_modules", '["query", "q_proj"]')
    assert_user_error(result, "components.transformer.model.adapter.target_modules", "'q_proj'",
                      "LoRA can adapt are dense, key")
    assert not (tmp_path / "out").exists()
