"""The Python training API and public import surface: initialize / update / evaluate, Example, read_corpus,
load(disable, exclude), add_pipe with default models or a source, `source = "path"`, custom components."""
import importlib.util
from pathlib import Path

import pytest
import torch

import plait
from plait.core.component_defaults import standalone_model
from plait.core.config import interpolate_config
from plait.core.init_config import init_config
from plait.core.training.initialize import init_nlp

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TRAIN, DEV = EXAMPLES / "data/train/ewt.conllu", EXAMPLES / "data/dev/ewt.conllu"
WIKIANN = EXAMPLES / "data/train/wikiann.iob"


def tags(nlp, text="The quick brown fox jumps over the lazy dog."):
    return [t.tag_ for t in nlp(text)]


@pytest.fixture(scope="module")
def tagger(tmp_path_factory):
    """A tagger trained two passes over 60 example docs with nlp.update, saved to disk."""
    torch.manual_seed(0)
    nlp = plait.blank("en")
    nlp.add_pipe("tagger")
    examples = plait.read_corpus(TRAIN, nlp)[:60]
    optimizer = nlp.initialize(lambda: examples)
    history = []
    for _ in range(2):
        losses = {}
        for start in range(0, len(examples), 10):
            nlp.update(examples[start:start + 10], sgd=optimizer, losses=losses)
        history.append(losses["tagger"])
    path = tmp_path_factory.mktemp("api") / "tagger"
    nlp.to_disk(path)
    return nlp, path, history


def test_public_surface_lists_real_objects():
    for name in plait.__all__:
        assert getattr(plait, name) is not None, name
    assert plait.Example.__module__.startswith("plait.") and callable(plait.read_corpus)
    with pytest.raises(AttributeError):
        plait.no_such_name


def test_examples_import_nothing_internal():
    for path in EXAMPLES.glob("*.py"):
        text = path.read_text(encoding="utf8")
        assert "plait.core" not in text, path


def test_update_lowers_the_loss_and_evaluate_scores(tagger):
    nlp, _, history = tagger
    assert history[1] < history[0]
    scores = nlp.evaluate(plait.read_corpus(DEV, nlp)[:20])
    assert scores["tag_acc"] > 0.3  # the most frequent tag alone scores about 0.13
    assert nlp.optimizer is not None


def test_update_without_initialize_fails_clearly():
    nlp = plait.blank("en")
    nlp.add_pipe("tagger")
    with pytest.raises(RuntimeError, match="call nlp.initialize"):
        nlp.update(plait.read_corpus(TRAIN, nlp)[:2])


def test_example_from_words():
    nlp = plait.blank("en")
    eg = plait.Example.from_dict(nlp.make_doc("I like cats"), {"tags": ["PRP", "VBP", "NNS"]})
    assert [t.tag_ for t in eg.reference] == ["PRP", "VBP", "NNS"]


def test_read_corpus_any_format(fixtures_dir):
    nlp = plait.blank("en")
    for name in ("ud-en-ewt-sample.conllu", "spacy/ud-en-ewt-sample.spacy", "wikiann-en-sample.tsv"):
        examples = plait.read_corpus(fixtures_dir / name, nlp)
        assert examples and all(isinstance(eg, plait.Example) for eg in examples), name


def test_load_disable_and_exclude(tagger, tmp_path):
    nlp, path, _ = tagger
    loaded = plait.load(path, disable=["tagger"])
    assert loaded.component_names == ["tagger"] and loaded.pipe_names == []
    assert tags(loaded) == [""] * 10
    assert plait.load(path, exclude=["tagger"]).component_names == []
    with pytest.raises(plait.UserError, match="no component named 'parser'"):
        plait.load(path, exclude=["parser"])


@pytest.mark.parametrize("factory", ["tagger", "ner", "senter", "morphologizer", "textcat", "tok2vec"])
def test_add_pipe_default_model_is_init_configs_with_its_own_encoder(factory):
    nlp = plait.blank("en")
    nlp.add_pipe(factory)
    model = nlp.config["components"][factory]["model"]
    assert model["@architectures"] == standalone_model(factory)["@architectures"]
    assert "Tok2VecListener" not in str(model)
    if factory != "textcat":  # efficiency textcat: the bag of n-grams alone
        written = init_config(lang="en", pipeline=[factory]).interpolate()["components"]
        assert written["tok2vec"]["model"] == (model if factory == "tok2vec" else model["tok2vec"])


def test_add_pipe_ner_trains():
    torch.manual_seed(0)
    nlp = plait.blank("en")
    nlp.add_pipe("ner")
    examples = plait.read_corpus(WIKIANN, nlp)[:30]
    nlp.initialize(lambda: examples)
    first = nlp.update(examples[:10])["ner"]
    for _ in range(3):
        last = nlp.update(examples[:10])["ner"]
    assert last < first and set(nlp.get_pipe("ner").labels) >= {"PER", "ORG", "LOC"}


def test_add_pipe_from_a_source_pipeline_copies_the_weights(tagger):
    source, _, _ = tagger
    nlp = plait.blank("en")
    nlp.add_pipe("tagger", source=source)
    assert tags(nlp) == tags(source) and all(tags(nlp))
    assert "tagger" in nlp.sourced
    mine, theirs = nlp.get_pipe("tagger").model.state_dict(), source.get_pipe("tagger").model.state_dict()
    assert all(torch.equal(mine[k], theirs[k]) for k in theirs)
    assert all(mine[k].data_ptr() != theirs[k].data_ptr() for k in theirs)  # a copy, not the same tensors
    nlp.initialize(lambda: [])  # a sourced component keeps its labels and weights
    assert tags(nlp) == tags(source)


def test_config_source_path(tagger, tmp_path):
    _, path, _ = tagger
    config = init_config(lang="en", pipeline=["tagger"])
    config["nlp"]["pipeline"] = ["tagger"]
    config["components"] = {"tagger": {"source": str(path)}}
    config["paths"].update({"train": str(TRAIN), "dev": str(DEV)})
    config["corpora"]["train"]["limit"] = 5
    nlp, _ = init_nlp(interpolate_config(config))
    assert tags(nlp) == tags(plait.load(path))
    assert nlp.config["components"]["tagger"]["factory"] == "tagger"  # saved whole, not as a path
    config["components"] = {"tagger": {"source": str(tmp_path / "nowhere")}}
    with pytest.raises(plait.ConfigError, match="components.tagger.source: .* is not a saved plait pipeline"):
        init_nlp(interpolate_config(config))


def test_custom_component_decorators(tmp_path):
    @plait.component("test_api_shout")
    def shout(doc):
        for token in doc:
            token.tag_ = token.text.upper()
        return doc

    class Marker(plait.BaseComponent):
        def __init__(self, name, label):
            super().__init__(name)
            self.label = label

        def __call__(self, doc):
            doc.cats = {self.label: 1.0}
            return doc

    @plait.factory("test_api_marker", default_config={"label": "MARKED"})
    def make_marker(nlp, name, label):
        return Marker(name, label)

    nlp = plait.blank("en")
    nlp.add_pipe("test_api_shout")
    nlp.add_pipe("test_api_marker")
    doc = nlp("quiet words")
    assert [t.tag_ for t in doc] == ["QUIET", "WORDS"] and doc.cats == {"MARKED": 1.0}
    assert nlp.config["components"]["test_api_marker"]["label"] == "MARKED"
    nlp.add_pipe("test_api_marker", name="other", config={"label": "OTHER"})
    nlp.to_disk(tmp_path / "p")
    assert plait.load(tmp_path / "p")("x").cats == {"OTHER": 1.0}
    with pytest.raises(TypeError, match="must take"):
        plait.factory("test_api_bad")(lambda label: None)


@pytest.mark.slow
def test_example_training_loop_trains_a_tagger():
    spec = importlib.util.spec_from_file_location("train_tagger", EXAMPLES / "train_tagger.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    source = (EXAMPLES / "train_tagger.py").read_text(encoding="utf8")
    body = source.split("def train(", 1)[1].split("\n\n\n", 1)[0]
    assert len([line for line in body.splitlines() if line.strip()]) < 20
    nlp, history, scores = module.train(epochs=2)
    assert history[1] < history[0] and scores["tag_acc"] > 0.7


def test_optimizer_averaged_holds_the_moving_averages_inside_the_block():
    from plait.core.training.optimizers import adam

    nlp = plait.blank("en")
    nlp.add_pipe("tagger")
    examples = plait.read_corpus(TRAIN, nlp)[:30]
    optimizer = nlp.initialize(lambda: examples, sgd=adam(use_averages=True))
    for start in range(0, len(examples), 10):
        nlp.update(examples[start:start + 10], sgd=optimizer)
    params = optimizer.stepper.params
    last = [p.detach().clone() for p in params]
    with optimizer.averaged():
        assert not all(torch.equal(p, w) for p, w in zip(params, last))
    assert all(torch.equal(p, w) for p, w in zip(params, last))
