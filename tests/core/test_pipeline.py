"""Language: building, running, disabling and saving pipelines; token_splitter."""
from pathlib import Path

import pytest

import plait
from plait.core.errors import ModelLoadError
from plait.models.listener import ListenerError
from bite import assert_same_weights, randomise_weights

SHARED = {
    "tok2vec": {"model": {
        "@architectures": "plait.Tok2Vec.v1",
        "embed": {"@architectures": "plait.MultiHashEmbed.v1", "width": 32, "attrs": ["NORM", "SHAPE"],
                  "rows": [500, 100], "include_static_vectors": False},
        "encode": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": 32, "depth": 2, "window_size": 1,
                   "maxout_pieces": 3}}},
    "tagger": {"model": {"@architectures": "plait.Tagger.v1",
                         "tok2vec": {"@architectures": "plait.Tok2VecListener.v1", "width": 32}}},
}


def test_token_splitter_cuts_long_tokens_and_keeps_text():
    nlp = plait.blank("en")
    nlp.add_pipe("token_splitter", config={"min_length": 12, "split_length": 5})
    text = "see https://example.com/a/very/long/path now"
    doc = nlp(text)
    assert doc.text == text
    assert max(len(t.text) for t in doc) <= 11
    assert [t.text for t in doc][:3] == ["see", "https", "://ex"]


def test_add_pipe_positions_and_select_pipes():
    nlp = plait.blank("en")
    nlp.add_pipe("token_splitter", name="b")
    nlp.add_pipe("token_splitter", name="a", first=True)
    nlp.add_pipe("token_splitter", name="c", after="a")
    assert nlp.pipe_names == ["a", "c", "b"]
    with nlp.select_pipes(disable=["c"]):
        assert nlp.pipe_names == ["a", "b"]
    assert nlp.pipe_names == ["a", "c", "b"]
    with pytest.raises(ValueError):
        nlp.add_pipe("token_splitter", name="a")


def _tagged_pipeline():
    nlp = plait.blank("en")
    nlp.add_pipe("tok2vec", config=SHARED["tok2vec"])
    tagger = nlp.add_pipe("tagger", config=SHARED["tagger"])
    tagger.set_labels(["DT", "NN", "VBZ"])
    return nlp


def test_round_trip_through_disk(tmp_path: Path):
    nlp = _tagged_pipeline()
    randomise_weights(nlp)  # an untrained tagger predicts one tag everywhere, loaded or not
    nlp.add_pipe("token_splitter", first=True, config={"min_length": 8, "split_length": 4})
    text = "This pipeline is saved, and then it is loaded again by another process"
    before = [t.tag_ for t in nlp(text)]
    assert len(set(before)) > 1
    nlp.to_disk(tmp_path / "model")
    assert (tmp_path / "model" / "tagger" / "model.safetensors").exists()
    loaded = plait.load(tmp_path / "model")
    assert loaded.pipe_names == ["token_splitter", "tok2vec", "tagger"]
    after = loaded(text)
    assert [t.tag_ for t in after] == before and after.text == text
    assert [t.text for t in after][1:3] == ["pipe", "line"]
    for name in ("tok2vec", "tagger"):
        assert_same_weights(nlp.get_pipe(name).model, loaded.get_pipe(name).model)


def test_missing_and_corrupt_weights_name_the_file(tmp_path: Path):
    _tagged_pipeline().to_disk(tmp_path / "m")
    weights = tmp_path / "m" / "tagger" / "model.safetensors"
    weights.write_bytes(b"not a safetensors file")
    with pytest.raises(ModelLoadError, match=r"tagger/model.safetensors: corrupt weights file"):
        plait.load(tmp_path / "m")
    weights.unlink()
    with pytest.raises(ModelLoadError, match=r"tagger/model.safetensors: missing weights file"):
        plait.load(tmp_path / "m")


def test_saving_over_an_existing_pipeline_is_atomic(tmp_path: Path):
    nlp = _tagged_pipeline()
    nlp.to_disk(tmp_path / "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    nlp.to_disk(tmp_path / "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_listener_with_disabled_upstream_fails_clearly():
    nlp = _tagged_pipeline()
    with nlp.select_pipes(disable=["tok2vec"]):
        with pytest.raises(ListenerError, match="listener in component 'tagger'.*got no output"):
            nlp("a doc")
