"""The reference design (../shared/seed/embeddings-transformers.md), block by block: each code block or config
of the design gets a test running its plait form (`spacy.X.vN` is `plait.X.v1`, `spacy ...` is `plait ...`).

Blocks whose plait form is trained at length elsewhere say so; the test here still runs the block itself.
"""
from pathlib import Path

import numpy as np
import pytest
import srsly
import torch
from cli_run import run

import plait
from plait.core.config import fill_config, interpolate_config, load_config
from plait.core.init_config import init_config
from plait.core.registry import registry
from plait.core.training.initialize import init_nlp
from plait.core.training.trainer import train_while_improving
from plait.core.vectors.table import Vectors
from plait.models.transformer.data import TransformerData

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TRAIN, DEV = EXAMPLES / "data/train/ewt.conllu", EXAMPLES / "data/dev/ewt.conllu"
DATA = ["--paths.train", EXAMPLES / "data/train", "--paths.dev", EXAMPLES / "data/dev"]
FEW = ["--training.max_steps", "3", "--training.eval_frequency", "3",
       "--corpora.dev.limit", "5"]
RAW_LINES = [  # the design's raw text format block, verbatim
    {"text": "Can I ask where you work now and what you do, and if you enjoy it?"},
    {"text": "They may just pull out of the Seattle market completely, at least until they have autonomous vehicles."},
]


def section(config, dotted: str) -> dict:
    node = config
    for part in dotted.split("."):
        node = node[part]
    return node


@pytest.fixture(scope="module")
def table_dir(tmp_path_factory) -> Path:
    """A small random static vectors table over the example training words."""
    words = sorted({line.split("\t")[1] for line in TRAIN.read_text(encoding="utf8").splitlines()
                    if line and line[0].isdigit() and "\t" in line})[:800]
    rng = np.random.default_rng(0)
    out = tmp_path_factory.mktemp("vectors") / "table"
    Vectors(rng.standard_normal((len(words), 12)).astype(np.float32), words, name="design").to_disk(out)
    return out


@pytest.fixture(scope="module")
def trf_pipeline(tmp_path_factory, tiny_bert) -> Path:
    """examples/configs/transformer.cfg trained three steps on the tiny BERT."""
    from plait.cli.main import main

    out = tmp_path_factory.mktemp("design-trf") / "out"
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in ("train", EXAMPLES / "configs/transformer.cfg", "--output", out,
                               "--paths.transformer", tiny_bert, *DATA, *FEW,
                               "--training.optimizer.learn_rate.warmup_steps", "1")])
    assert exit_info.value.code == 0
    return out / "model-last"


# -- Shared embedding layers -------------------------------------------------------------------------------
@pytest.mark.parametrize("config, encoder_at", [("shared.cfg", "components.tok2vec.model"),
                                                ("independent.cfg", "components.ner.model.tok2vec")])
def test_shared_and_independent_configs(capsys, tmp_path, config, encoder_at):
    """Blocks "Shared" and "Independent" (trained at length in tests/cli/test_train.py)."""
    cfg = load_config(EXAMPLES / "configs" / config)
    encoder = section(cfg, encoder_at)
    assert encoder["@architectures"] == "plait.Tok2Vec.v1"
    assert encoder["embed"]["@architectures"] == "plait.MultiHashEmbed.v1"
    assert encoder["encode"]["@architectures"] == "plait.MaxoutWindowEncoder.v1"
    listener = cfg["components"]["ner"]["model"]["tok2vec"]["@architectures"]
    assert listener == ("plait.Tok2VecListener.v1" if config == "shared.cfg" else "plait.Tok2Vec.v1")
    code, _, err = run(capsys, "train", EXAMPLES / "configs" / config, "--output", tmp_path, *DATA, *FEW)
    assert code == 0, err


# -- Using transformer models -----------------------------------------------------------------------------
def test_installation_needs_no_extra_package():
    """Block "Installation with CUDA": plait's transformer support is in its own dependencies."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf8")
    deps = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert '"torch' in deps and '"transformers' in deps


def test_runtime_usage_tensors(trf_pipeline):
    """Block "Example": load a transformer pipeline, `doc._.trf_data.tensors[-1]` for each doc of nlp.pipe."""
    nlp = plait.load(trf_pipeline)
    for doc in nlp.pipe(["some text", "some other text"]):
        tokvecs = doc._.trf_data.tensors[-1]
        assert isinstance(tokvecs, torch.Tensor) and tokvecs.shape[-1] == 32


def test_custom_annotation_setter_gets_doc_data(trf_pipeline):
    """The `custom_annotation_setter` block: `trf_data.doc_data` holds each doc's TransformerData."""
    from plait.core.doc import Doc

    if not Doc.has_extension("custom_attr"):
        Doc.set_extension("custom_attr", default=None)

    def custom_annotation_setter(docs, trf_data):
        doc_data = list(trf_data.doc_data)
        for doc, data in zip(docs, doc_data):
            doc._.custom_attr = data

    nlp = plait.load(trf_pipeline)
    nlp.get_pipe("transformer").set_extra_annotations = custom_annotation_setter
    doc = nlp("This is a text")
    assert isinstance(doc._.custom_attr, TransformerData)
    assert doc._.custom_attr.tensors[0].shape[0] == len(doc._.custom_attr.ids[0])
    assert doc._.custom_attr is doc._.trf_data


def test_python_equivalent_of_the_transformer_block(tiny_bert):
    """Block "Python equivalent": the component built in Python from the registered functions."""
    nlp = plait.blank("en")
    model = registry.architectures.get("plait.TransformerModel.v1")(
        name=str(tiny_bert), get_spans=registry.span_getters.get("plait.doc_spans.v1")(),
        tokenizer_config={"use_fast": True})
    null_setter = registry.annotation_setters.get("plait.null_annotation_setter.v1")()
    trf = registry.factories.get("transformer")(model=model, set_extra_annotations=null_setter,
                                                max_batch_items=4096)(nlp, "transformer")
    trf.initialize(lambda: [])
    assert trf.model.max_batch_items == 4096
    doc = nlp.make_doc("some text")
    trf.store([doc], trf.run_model([doc]))
    assert doc._.trf_data.last_hidden_state.shape[1] == 32


def test_transformer_config_excerpt(tiny_bert):
    """Block "config.cfg (excerpt)" of [components.transformer]: the same settings resolve and run."""
    text = f"""
[nlp]
lang = "en"
pipeline = ["transformer"]

[components]

[components.transformer]
factory = "transformer"
max_batch_items = 4096

[components.transformer.model]
@architectures = "plait.TransformerModel.v1"
name = "{tiny_bert}"
tokenizer_config = {{"use_fast": true}}

[components.transformer.model.get_spans]
@span_getters = "plait.doc_spans.v1"

[components.transformer.set_extra_annotations]
@annotation_setters = "plait.null_annotation_setter.v1"
"""
    from confection import Config

    from plait.core.pipeline import Language

    nlp = Language.from_config(fill_config(Config().from_str(text)), validate=False)
    nlp.get_pipe("transformer").initialize(lambda: [])
    assert nlp("A short text.")._.trf_data.width == 32


def test_custom_span_getter_and_code_argument(capsys, tmp_path, tiny_bert):
    """Blocks "custom_sent_spans" (config and code.py) and `train ./config.cfg --code ./code.py`."""
    code, _, err = run(capsys, "train", EXAMPLES / "configs/transformer_custom.cfg", "--output", tmp_path,
                       "--code", EXAMPLES / "transformer_code.py", "--paths.transformer", tiny_bert, *DATA, *FEW,
                       "--training.optimizer.learn_rate.warmup_steps", "1")
    assert code == 0, err
    getter = registry.span_getters.get("custom_sent_spans")(max_length=2)
    doc = plait.blank("en")("One two three. Four five.")
    assert [[s.text for s in spans] for spans in getter([doc])] == [["One two", "three.", "Four five", "."]]


def test_transformer_listener_excerpt(trf_pipeline):
    """Block "config.cfg (excerpt)" of the NER listener: grad_factor and reduce_mean pooling."""
    nlp = plait.load(trf_pipeline)
    block = nlp.config["components"]["ner"]["model"]["tok2vec"]
    assert block["@architectures"] == "plait.TransformerListener.v1" and block["grad_factor"] == 1.0
    assert block["pooling"]["@layers"] == "plait.reduce_mean.v1"
    doc = nlp("Valkyria Chronicles was released in Japan.")
    listener = nlp.get_pipe("ner").model.tok2vec
    data = doc._.trf_data
    assert torch.allclose(listener([doc]).flat[0], data.last_hidden_state[data.rows_of(0)].mean(dim=0), atol=1e-5)


def test_token_splitter_add_pipe():
    """Block `nlp.add_pipe("token_splitter", config=..., first=True)`."""
    nlp = plait.blank("en")
    nlp.add_pipe("token_splitter", name="later")
    nlp.add_pipe("token_splitter", config={"min_length": 20, "split_length": 5}, first=True)
    assert nlp.pipe_names == ["token_splitter", "later"]
    doc = nlp.get_pipe("token_splitter")(nlp.make_doc("see https://example.com/a/very/long/path now"))
    assert max(len(t) for t in doc) <= 20 and "".join(t.text_with_ws for t in doc).startswith("see https")


# -- Static vectors ---------------------------------------------------------------------------------------
def _tagger_with_embed(table_dir: Path, embed: dict, steps: int = 6):
    config = init_config(lang="en", pipeline=["tagger"])
    config["components"]["tok2vec"]["model"]["embed"] = embed
    config["components"]["tok2vec"]["model"]["encode"]["width"] = embed.get("width", embed.get("output_width"))
    config["components"]["tagger"]["model"]["tok2vec"]["width"] = config["components"]["tok2vec"]["model"][
        "encode"]["width"]
    overrides = {"paths.train": str(TRAIN), "paths.dev": str(DEV), "paths.vectors": str(table_dir),
                 "training.max_steps": steps, "training.eval_frequency": steps, "corpora.train.limit": 20,
                 "corpora.dev.limit": 5}
    for key, value in overrides.items():
        head, _, last = key.rpartition(".")
        section(config, head)[last] = value
    nlp, plan = init_nlp(interpolate_config(config))
    progress = [p for p in train_while_improving(nlp, plan) if p.scores]
    return nlp, progress


def test_vocab_vectors_lookup_and_most_similar(table_dir):
    """The vectors prose: look vectors up on the Vocab; most_similar keys resolve through the string store."""
    nlp = plait.blank("en")
    nlp.vocab.vectors = Vectors.from_disk(table_dir)
    table = nlp.vocab.vectors
    word = table.words[5]
    assert np.array_equal(table[word], table.data[5])
    key = nlp.vocab.strings[word]
    assert np.array_equal(table[key], table.data[5]) and key in table
    keys, rows, scores = table.most_similar(table.data[[5, 7]], n=3)
    assert [nlp.vocab.strings[int(k)] for k in keys[:, 0]] == [table.words[5], table.words[7]]
    assert all(nlp.vocab.strings[int(k)] == table.words[r] for k, r in zip(keys.ravel(), rows.ravel()))
    with pytest.raises(KeyError):
        table["a word the table does not hold"]


def test_multi_hash_embed_with_static_vectors(table_dir):
    """Block `[tagger.model.tok2vec.embed]` with include_static_vectors = true."""
    embed = {"@architectures": "plait.MultiHashEmbed.v1", "width": 32, "attrs": ["LOWER", "PREFIX", "SUFFIX", "SHAPE"],
             "rows": [5000, 2500, 2500, 2500], "include_static_vectors": True}
    nlp, progress = _tagger_with_embed(table_dir, embed)
    assert nlp.get_pipe("tok2vec").model.embed.static_vectors.projection.in_features == 12
    assert progress


def test_my_embedding_returning_static_vectors_alone(table_dir):
    """Blocks "MyEmbedding" and its config: the embed returns the static-vectors layer on its own."""
    from plait.models.static_vectors import StaticVectors

    calls = []

    @registry.architectures("my_example.MyEmbedding.v1")
    def MyEmbedding(output_width: int):
        calls.append(output_width)
        return StaticVectors(output_width)  # the layer itself: (n_tokens, width), not a TokenBatch

    nlp, progress = _tagger_with_embed(table_dir, {"@architectures": "my_example.MyEmbedding.v1", "output_width": 32})
    assert calls == [32] and progress
    doc = nlp("The quick brown fox.")
    assert all(t.tag_ for t in doc)


def test_custom_vectors_plus_learned_rows(table_dir):
    """Block "MyCustomVectors": static vectors plus a learned ORTH table (examples/custom_embedding.py;
    trained and saved at length in tests/core/training/test_vectors_features.py)."""
    from plait.cli._common import import_code

    import_code(EXAMPLES / "custom_embedding.py")
    nlp, progress = _tagger_with_embed(table_dir, {"@architectures": "custom.StaticPlusOrth.v1", "width": 32,
                                                   "rows": 300})
    assert progress and nlp.get_pipe("tok2vec").model.embed.orth.num_embeddings == 300


def test_an_embed_returning_something_else_fails_when_built_naming_it(table_dir, capsys, tmp_path):
    """An embed layer whose output a Tok2Vec cannot take fails when the pipeline is built (before any data
    is read), naming its config key and registered function: alone, or around static vectors (checked once
    the table has sized them)."""
    from plait.core.errors import ConfigError
    from plait.models.static_vectors import StaticVectors

    class Stacked(torch.nn.Module):  # one (1, n_tokens, width) tensor: not a shape the design allows
        def __init__(self, width):
            super().__init__()
            self.static = StaticVectors(width)

        def forward(self, docs):
            return self.static(docs)[None]

    @registry.architectures("my_example.Broken.v1")
    def Broken(output_width: int):
        return torch.nn.Identity()  # returns the docs themselves

    @registry.architectures("my_example.BrokenStatic.v1")
    def BrokenStatic(output_width: int):
        return Stacked(output_width)

    @registry.architectures("my_example.NotAModule.v1")
    def NotAModule(output_width: int):
        return lambda docs: None

    for name, returned in (("my_example.Broken.v1", "list for 2 docs of 5 tokens: an embed must return"),
                           ("my_example.BrokenStatic.v1", r"\(1, 5, 32\) for 2 docs of 5 tokens"),
                           ("my_example.NotAModule.v1", "function: an embed must be a torch module")):
        with pytest.raises(ConfigError, match=rf"^components\.tok2vec\.model\.embed: '{name}' returned {returned}"):
            _tagger_with_embed(table_dir, {"@architectures": name, "output_width": 32}, steps=1)
    config = tmp_path / "broken.cfg"
    config.write_text(init_config(lang="en", pipeline=["tagger"]).to_str(), encoding="utf8")
    code, out, err = run(capsys, "train", config, "--output", tmp_path / "out", "--paths.train", TRAIN,
                         "--paths.dev", DEV, "--components.tok2vec.model.embed",
                         '{"@architectures": "my_example.Broken.v1", "output_width": 96}')
    assert code == 2 and err.strip().count("\n") == 0 and "'my_example.Broken.v1' returned list" in err, err


# -- Pretraining ------------------------------------------------------------------------------------------
@pytest.fixture
def raw_jsonl(tmp_path) -> Path:
    path = tmp_path / "text.jsonl"
    srsly.write_jsonl(path, RAW_LINES)
    return path


PRETRAIN_FAST = ["--pretraining.max_epochs", "1", "--pretraining.objective.hidden_size", "32",
                 "--corpora.pretrain.min_length", "1"]


def test_fill_config_pretraining_then_pretrain(capsys, tmp_path, raw_jsonl):
    """Blocks "Raw text format", `init fill-config config.cfg config_pretrain.cfg --pretraining`,
    `pretrain config_pretrain.cfg ./output --paths.raw text.jsonl` and the default [pretraining] block."""
    cfg = tmp_path / "config.cfg"
    cfg.write_text(init_config(lang="en", pipeline=["tagger"]).to_str(), encoding="utf8")
    code, _, err = run(capsys, "fill-config", cfg, tmp_path / "config_pretrain.cfg", "--pretraining")
    assert code == 0, err
    filled = load_config(tmp_path / "config_pretrain.cfg")
    assert filled["pretraining"]["component"] == "tok2vec" and filled["pretraining"]["layer"] == ""
    assert filled["pretraining"]["objective"]["@architectures"] == "plait.PretrainCharacters.v1"
    code, _, err = run(capsys, "pretrain", tmp_path / "config_pretrain.cfg", tmp_path / "output", "--paths.raw",
                       raw_jsonl, *PRETRAIN_FAST)
    assert code == 0, err
    log = list(srsly.read_jsonl(tmp_path / "output" / "log.jsonl"))
    assert log[-1]["words"] > 30  # both lines were read


@pytest.mark.parametrize("component, layer, pipeline", [("tok2vec", "", "tagger"), ("textcat", "tok2vec", "textcat")])
def test_pretraining_component_and_layer(capsys, tmp_path, raw_jsonl, component, layer, pipeline):
    """Block "config.cfg" of [pretraining]: the whole tok2vec component, or the "tok2vec" node of the
    textcat (an ensemble textcat with its own encoder, which sits at `neural.tok2vec`)."""
    config = init_config(lang="en", pipeline=[pipeline], optimize="accuracy", pretraining=True)
    config["pretraining"]["component"], config["pretraining"]["layer"] = component, layer
    if pipeline == "textcat":  # the textcat holds its own encoder (as spaCy's default textcat does)
        encoder = config["components"].pop("tok2vec")["model"]
        encoder["embed"]["width"] = encoder["encode"]["width"]  # it referred to the removed component's
        config["components"]["textcat"]["model"]["tok2vec"] = encoder
        config["nlp"]["pipeline"] = ["textcat"]
    cfg = tmp_path / "config.cfg"
    cfg.write_text(config.to_str(), encoding="utf8")
    code, _, err = run(capsys, "pretrain", cfg, tmp_path / "output", "--paths.raw", raw_jsonl, *PRETRAIN_FAST)
    assert code == 0, err
    assert (tmp_path / "output" / "model0.safetensors").exists()


@pytest.mark.parametrize("objective", [
    {"@architectures": "plait.PretrainCharacters.v1", "maxout_pieces": 3, "hidden_size": 300, "n_characters": 4},
    {"@architectures": "plait.PretrainVectors.v1", "maxout_pieces": 3, "hidden_size": 300, "loss": "cosine"},
])
def test_pretraining_objectives(capsys, tmp_path, raw_jsonl, table_dir, objective):
    """Blocks "Characters objective" and "Vectors objective", as written."""
    config = init_config(lang="en", pipeline=["tagger"], pretraining=True)
    config["pretraining"]["objective"] = objective
    cfg = tmp_path / "config.cfg"
    cfg.write_text(config.to_str(), encoding="utf8")
    code, _, err = run(capsys, "pretrain", cfg, tmp_path / "output", "--paths.raw", raw_jsonl,
                       "--paths.vectors", table_dir, "--pretraining.max_epochs", "1", "--corpora.pretrain.min_length", "1")
    assert code == 0, err


# -- token.morph (the design's Token attributes as spaCy users use them) ---------------------------------
def test_token_morph_is_an_analysis():
    from plait.core.doc import Doc

    nlp = plait.blank("en")
    doc = Doc(nlp.vocab, ["She", "reads"], morphs=["Case=Nom|Number=Sing|Person=3", ""])
    morph = doc[0].morph
    assert str(morph) == "Case=Nom|Number=Sing|Person=3" and morph.get("Number") == ["Sing"]
    assert morph.to_dict() == {"Case": "Nom", "Number": "Sing", "Person": "3"} and "Person=3" in morph
    assert morph.key == nlp.vocab.strings["Case=Nom|Number=Sing|Person=3"]
    assert str(doc[1].morph) == "" and doc[1].morph.get("Number") == [] and len(doc[1].morph) == 0
