"""check_embeds: a Tok2Vec's embed run on a probe batch when the pipeline is built."""
import pytest
import torch
from torch import nn

from plait.core.embed_check import check_embeds
from plait.core.errors import ConfigError
from plait.core.vocab import Vocab
from plait.models.static_vectors import StaticVectors
from plait.models.tok2vec import Tok2Vec


class Noisy(nn.Module):
    """(n_tokens, 4) random rows: a valid output that draws from the random generator."""

    def forward(self, docs):
        return torch.rand(sum(len(d) for d in docs), 4)


class PerDocWrongLength(nn.Module):
    def forward(self, docs):
        return [torch.zeros(1, 4) for _ in docs]


def test_the_probe_leaves_random_state_and_mode_as_they_were():
    model = Tok2Vec(embed=Noisy(), encode=nn.Identity())
    state = torch.get_rng_state()
    check_embeds("tok2vec", model, {"model": {"embed": {"@architectures": "x.Noisy.v1"}}}, Vocab())
    assert torch.equal(torch.get_rng_state(), state) and model.embed.training


def test_a_wrong_output_names_the_key_and_function_or_the_layer():
    inner = Tok2Vec(embed=PerDocWrongLength(), encode=nn.Identity())
    model = nn.Module()
    model.tok2vec = inner
    block = {"model": {"tok2vec": {"embed": {"@architectures": "x.Wrong.v1"}}}}
    with pytest.raises(ConfigError, match=r"^components\.tagger\.model\.tok2vec\.embed: 'x\.Wrong\.v1' returned list"):
        check_embeds("tagger", model, block, Vocab())
    with pytest.raises(ConfigError, match="'PerDocWrongLength' returned list"):  # no such block: the layer's class
        check_embeds("tagger", model, {}, Vocab())


def test_an_embed_that_is_no_module_is_named():
    block = {"model": {"embed": {"@architectures": "x.Number.v1"}}}
    with pytest.raises(ConfigError, match=r"^components\.tok2vec\.model\.embed: 'x\.Number\.v1' returned int"):
        check_embeds("tok2vec", Tok2Vec(embed=42, encode=nn.Identity()), block, Vocab())


def test_unsized_static_vectors_wait_for_their_table():
    check_embeds("tok2vec", Tok2Vec(embed=StaticVectors(4), encode=nn.Identity()), {}, Vocab())
