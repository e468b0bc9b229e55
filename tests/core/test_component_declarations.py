"""What a factory declares beside itself (kind, default model, scores) is true of what it builds, and a user's
@plait.factory declares it the same way: init-config, add_pipe and the reported scores read it."""
import pytest

import plait
from plait.core.component_defaults import declaration, reported_scores, standalone_model
from plait.core.components.contract import Encoder, Scorer, Trainable
from plait.core.components.declaration import ComponentKind
from plait.core.components.tagger import Tagger
from plait.core.init_config import init_config
from plait.core.registry import ensure_registered, registry

ensure_registered()
# every built-in factory but the transformer, which needs a HuggingFace model to build
BUILT_INS = sorted(n for n, func in registry.factories.get_all().items()
                   if func.__module__.startswith("plait.core.components.") and n != "transformer")

def built(factory, config=None):
    return plait.blank("en").add_pipe(factory, config=config)


@pytest.mark.parametrize("factory", BUILT_INS)
def test_a_factorys_declared_kind_is_what_it_builds(factory):
    component = built(factory)
    expected = (ComponentKind.ENCODER if isinstance(component, Encoder)
                else ComponentKind.HEAD if isinstance(component, Trainable) else ComponentKind.OTHER)
    assert declaration(factory).kind is expected
    assert (declaration(factory).default_model is not None) == (expected is not ComponentKind.OTHER)


def test_the_transformer_is_declared_an_encoder():
    assert declaration("transformer").kind is ComponentKind.ENCODER


@pytest.mark.parametrize("factory", BUILT_INS)
def test_a_component_reports_only_declared_scores_and_every_weighted_one(factory):
    component = built(factory)
    declared = declaration(factory).score_weights
    reported = set(component.score([])) if isinstance(component, Scorer) else set()
    assert reported <= set(declared), f"{factory} reports scores it does not declare"
    assert {key for key, weight in declared.items() if weight is not None} <= reported


def test_a_pos_tagger_reports_a_declared_score():
    assert set(built("tagger", {"column": "POS"}).score([])) <= set(declaration("tagger").score_weights)


def test_reported_scores_follow_the_pipeline_each_once():
    keys = reported_scores(["ner", "tagger", "morphologizer"])
    assert keys[:4] == ["ents_p", "ents_r", "ents_f", "ents_per_type"]
    assert keys[4:] == ["tag_acc", "pos_acc", "morph_acc"]
    assert reported_scores(["entity_ruler", "no_such_factory"]) == []


def test_a_users_factory_declares_its_defaults_like_a_builtin():
    @plait.factory("test_declared_head", kind=plait.ComponentKind.HEAD, score_weights={"tag_acc": 1.0, "pos_acc": None},
                   default_model=lambda optimize: {"@architectures": "plait.Tagger.v1", "dropout": 0.25,
                                                   "tok2vec": plait.tok2vec_listener()})
    def make_head(nlp, name, model):
        return Tagger(nlp.vocab, name, model)

    config = init_config(lang="en", pipeline=["test_declared_head", "ner"])
    assert config["nlp"]["pipeline"] == ["tok2vec", "test_declared_head", "ner"]
    model = config["components"]["test_declared_head"]["model"]
    assert model["dropout"] == 0.25 and model["tok2vec"]["@architectures"] == "plait.Tok2VecListener.v1"
    assert dict(config["training"]["score_weights"]) == {"tag_acc": 0.5, "ents_f": 0.5}
    assert init_config(lang="en", pipeline=["test_declared_head"], gpu=True)["components"]["test_declared_head"][
        "model"]["tok2vec"]["@architectures"] == "plait.TransformerListener.v1"
    nlp = plait.blank("en")
    nlp.add_pipe("test_declared_head")
    own = nlp.config["components"]["test_declared_head"]["model"]
    assert own["tok2vec"] == standalone_model("tagger")["tok2vec"] and own["dropout"] == 0.25
    assert reported_scores(["test_declared_head"]) == ["tag_acc", "pos_acc"]


def test_a_factory_without_a_declaration_gets_none():
    @plait.factory("test_undeclared")
    def make_plain(nlp, name):
        return plait.BaseComponent(name)

    assert declaration("test_undeclared").kind is ComponentKind.OTHER and standalone_model("test_undeclared") is None
    assert "model" not in init_config(lang="en", pipeline=["test_undeclared"])["components"]["test_undeclared"]
