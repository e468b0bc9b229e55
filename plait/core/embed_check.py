"""Checking the embeds of a built pipeline on a probe batch, so that a registered embed function whose layer
returns what a Tok2Vec cannot take fails when the pipeline is built, naming the function, not mid-training."""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.vocab import Vocab
from plait.models.static_vectors import StaticVectors
from plait.models.tok2vec import Tok2Vec, as_token_batch

_PROBE = (["the", "."], [",", "the", "."])  # two docs of different lengths: per-doc outputs must match each


def check_embeds(name: str, model: Any, block: dict, vocab: Vocab) -> None:
    """Run every Tok2Vec embed inside component `name`'s model on a probe batch (eval mode, no gradient, the
    random state restored); ConfigError naming the embed's config key and registered function unless it is a
    module whose output a Tok2Vec accepts. Embeds whose static vectors are not sized yet are left for later."""
    if not isinstance(model, nn.Module):
        return
    for path, tok2vec in model.named_modules():
        if not isinstance(tok2vec, Tok2Vec):
            continue
        embed = tok2vec.embed
        key = ".".join(["components", name, "model", *filter(None, path.split(".")), "embed"])
        func = _registered_name(block, key.split(".")[2:]) or type(embed).__name__
        if not isinstance(embed, nn.Module):
            raise ConfigError(f"{key}: {func!r} returned {type(embed).__name__}: an embed must be a torch module "
                              "whose forward takes the docs")
        if any(isinstance(m, StaticVectors) and m.projection is None for m in embed.modules()):
            continue
        docs = [Doc(vocab, words) for words in _PROBE]
        training = embed.training
        try:
            with torch.random.fork_rng(devices=[]), torch.no_grad():
                embed.eval()
                as_token_batch(embed(docs), docs, repr(func))
        except TypeError as err:
            raise ConfigError(f"{key}: {err}") from err
        finally:
            embed.train(training)


def _registered_name(block: dict, keys: list[str]) -> str | None:
    """The `@architectures` name of the config block at `keys` inside a component block, if it is there."""
    node: Any = block
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node.get("@architectures") if isinstance(node, dict) else None
