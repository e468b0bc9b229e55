"""The API that ported spaCy scripts call, each test written the way such a script uses it: pipe(as_tuples,
disable), load(enable), doc.to_json / to_bytes / from_bytes, doc.retokenize, span.ents / sent / char_span,
add_label, set_extension(method=), the device switches and nlp.update([])."""
from pathlib import Path

import numpy as np
import pytest
import torch

import plait
from plait import Doc, Span, Token

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "examples/data/dev/ewt.conllu"
TOK2VEC = {  # a small encoder of the heads' own: the tests need a model, not a good one
    "@architectures": "plait.Tok2Vec.v1",
    "embed": {"@architectures": "plait.MultiHashEmbed.v1", "width": 16, "attrs": ["NORM", "SHAPE"],
              "rows": [300, 50], "include_static_vectors": False},
    "encode": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": 16, "depth": 1, "window_size": 1,
               "maxout_pieces": 2},
}


def rules_pipeline() -> "plait.Language":
    nlp = plait.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "GPE", "pattern": "Berlin"}, {"label": "ORG", "pattern": "Acme"}])
    return nlp


def parsed_doc(vocab=None) -> Doc:
    """'I live in New York City. Acme hired me.' with tags, lemmas, a parse, an entity and two sentences."""
    words = ["I", "live", "in", "New", "York", "City", ".", "Acme", "hired", "me", "."]
    spaces = [True, True, True, True, True, False, True, True, True, False, False]
    return Doc(vocab or plait.blank("en").vocab, words, spaces,
               tags=["PRP", "VBP", "IN", "NNP", "NNP", "NNP", ".", "NNP", "VBD", "PRP", "."],
               lemmas=["I", "live", "in", "New", "York", "City", ".", "Acme", "hire", "I", "."],
               heads=[1, 1, 1, 5, 5, 2, 1, 8, 8, 8, 8],
               deps=["nsubj", "ROOT", "prep", "compound", "compound", "pobj", "punct", "nsubj", "ROOT", "dobj", "punct"],
               sent_starts=[1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], ents=[(3, 6, "GPE"), (7, 8, "ORG")])


def test_pipe_as_tuples_keeps_each_context_with_its_doc_and_disable_skips_a_component():
    nlp = rules_pipeline()
    data = [("Acme moved to Berlin. It grew.", {"id": 1}), ("Nothing here.", {"id": 2}), ("Berlin!", {"id": 3})]
    out = list(nlp.pipe(data, as_tuples=True, batch_size=2))
    assert [context["id"] for _, context in out] == [1, 2, 3]
    assert [[e.text for e in doc.ents] for doc, _ in out] == [["Acme", "Berlin"], [], ["Berlin"]]
    assert len(list(out[0][0].sents)) == 2
    doc = next(nlp.pipe(["Acme moved to Berlin. It grew."], disable=["sentencizer"]))
    assert not doc.has_annotation("SENT_START") and [e.text for e in doc.ents] == ["Acme", "Berlin"]
    assert nlp.pipe_names == ["sentencizer", "entity_ruler"]  # disabled for that call only
    with pytest.raises(ValueError, match="no components named"):
        list(nlp.pipe(["x"], disable=["parser"]))
    with pytest.raises(ValueError, match=r"pipe\(as_tuples=True\) takes"):
        list(nlp.pipe(["not a pair"], as_tuples=True))


def test_load_with_enable_disable_and_exclude(tmp_path):
    rules_pipeline().to_disk(tmp_path / "rules")
    nlp = plait.load(tmp_path / "rules", enable=["entity_ruler"])
    assert nlp.pipe_names == ["entity_ruler"] and nlp.component_names == ["sentencizer", "entity_ruler"]
    doc = nlp("Acme moved to Berlin. It grew.")
    assert not doc.has_annotation("SENT_START") and len(doc.ents) == 2
    assert plait.load(tmp_path / "rules", disable=["entity_ruler"]).pipe_names == ["sentencizer"]
    assert plait.load(tmp_path / "rules", exclude=["sentencizer"]).component_names == ["entity_ruler"]
    with pytest.raises(plait.UserError, match="'sentencizer' is both enabled and disabled"):
        plait.load(tmp_path / "rules", enable=["sentencizer"], disable=["sentencizer"])
    with pytest.raises(plait.UserError, match="no component named 'ner'"):
        plait.load(tmp_path / "rules", enable=["ner"])


def test_to_json_has_spacys_shape():
    doc = parsed_doc()
    doc.cats = {"NEWS": 1.0}
    doc.spans["places"] = [Span(doc, 3, 6, "CITY")]
    data = doc.to_json()
    assert data["text"] == "I live in New York City. Acme hired me."
    assert data["ents"] == [{"start": 10, "end": 23, "label": "GPE"}, {"start": 25, "end": 29, "label": "ORG"}]
    assert data["sents"] == [{"start": 0, "end": 24}, {"start": 25, "end": 39}]
    assert data["cats"] == {"NEWS": 1.0}
    assert data["spans"] == {"places": [{"start": 10, "end": 23, "label": "CITY"}]}
    assert data["tokens"][8] == {"id": 8, "start": 30, "end": 35, "tag": "VBD", "lemma": "hire", "dep": "ROOT",
                                 "head": 8}
    bare = Doc(plait.blank("en").vocab, ["Hi", "!"], [False, False]).to_json()
    assert bare == {"text": "Hi!", "tokens": [{"id": 0, "start": 0, "end": 2}, {"id": 1, "start": 2, "end": 3}]}


def test_to_bytes_round_trips_into_a_fresh_vocab():
    Doc.set_extension("source", default=None, force=True)
    doc = parsed_doc()
    doc.cats = {"NEWS": 0.75}
    doc.spans["places"] = [Span(doc, 3, 6, "CITY")]
    doc._.source = "wire"
    Token.set_extension("source", default=None, force=True)
    doc[4]._.source = "token value"
    data = doc.to_bytes()
    other = plait.blank("en").vocab  # knows none of the doc's strings
    back = Doc(other).from_bytes(data)
    assert back.to_json() == doc.to_json() and back.text == doc.text
    assert back._.source == "wire" and back[4]._.source == "token value"
    for name in ("TAG", "LEMMA", "DEP", "HEAD", "ENT_IOB", "SENT_START"):
        assert np.array_equal(back.columns[name], doc.columns[name]), name
    assert Doc(other).from_bytes(doc.to_bytes(exclude=["user_data"]))._.source is None
    with pytest.raises(ValueError, match="not the bytes of doc.to_bytes"):
        Doc(other).from_bytes(data[:-5])
    with pytest.raises(ValueError, match="exclude takes"):
        doc.to_bytes(exclude=["tensor"])
    Doc.remove_extension("source")
    Token.remove_extension("source")


def test_retokenize_merge_keeps_the_parse_and_the_entities():
    doc = parsed_doc()
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[3:6], attrs={"LEMMA": "New York City"})
    assert [t.text for t in doc] == ["I", "live", "in", "New York City", ".", "Acme", "hired", "me", "."]
    city = doc[3]
    assert (city.lemma_, city.tag_, city.dep_, city.head.text) == ("New York City", "NNP", "pobj", "in")
    assert [(e.text, e.label_) for e in doc.ents] == [("New York City", "GPE"), ("Acme", "ORG")]
    assert [t.head.i for t in doc] == [1, 1, 1, 2, 1, 6, 6, 6, 6]
    assert [s.text for s in doc.sents] == ["I live in New York City.", "Acme hired me."]
    with pytest.raises(ValueError, match="overlaps"):
        with doc.retokenize() as retokenizer:
            retokenizer.merge(doc[0:2])
            retokenizer.merge(doc[1:3])
    with pytest.raises(ValueError, match="unknown attribute 'COLOUR'"):
        with doc.retokenize() as retokenizer:
            retokenizer.merge(doc[0:2], attrs={"COLOUR": "red"})
    assert len(doc) == 9  # a block that raised changes nothing


def test_retokenize_split_attaches_the_subtokens_as_told():
    Token.set_extension("part", default=None, force=True)
    vocab = plait.blank("en").vocab
    doc = Doc(vocab, ["I", "live", "in", "NewYork", "."], [True, True, True, False, False],
              tags=["PRP", "VBP", "IN", "NNP", "."], heads=[1, 1, 1, 2, 1],
              deps=["nsubj", "ROOT", "prep", "pobj", "punct"], ents=[(3, 4, "GPE")])
    doc.spans["sc"] = [Span(doc, 2, 4, "LOC")]
    with doc.retokenize() as retokenizer:
        heads = [(doc[3], 1), doc[2]]
        retokenizer.split(doc[3], ["New", "York"], heads=heads,
                          attrs={"POS": ["PROPN", "PROPN"], "DEP": ["compound", "pobj"], "_": {"part": [1, 2]}})
    assert doc.text == "I live in NewYork." and [t.text for t in doc] == ["I", "live", "in", "New", "York", "."]
    assert [(t.head.i, t.dep_, t.pos_, t.tag_) for t in doc[3:5]] == [(4, "compound", "PROPN", "NNP"),
                                                                      (2, "pobj", "PROPN", "NNP")]
    assert doc[5].head.i == 1 and [(e.text, e.label_) for e in doc.ents] == [("NewYork", "GPE")]
    assert [(s.start, s.end) for s in doc.spans["sc"]] == [(2, 5)]
    assert [doc[3]._.part, doc[4]._.part] == [1, 2]
    with pytest.raises(ValueError, match="must be non-empty and spell the token"):
        with doc.retokenize() as retokenizer:
            retokenizer.split(doc[1], ["li", "ev"], heads=[doc[1], doc[1]])
    bare = Doc(vocab, ["gonna", "go"])  # no parse yet: the split's heads start one
    with bare.retokenize() as retokenizer:
        retokenizer.split(bare[0], ["gon", "na"], heads=[bare[1], (bare[0], 0)])
    assert [(t.text, t.head.i) for t in bare] == [("gon", 2), ("na", 0), ("go", 2)] and bare.text == "gonna go "
    Token.remove_extension("part")


def test_span_ents_sent_and_char_span():
    doc = parsed_doc()
    span = doc[2:9]  # "in New York City. Acme hired"
    assert [e.text for e in span.ents] == ["New York City", "Acme"]
    assert doc[3:5].sent.text == "I live in New York City." and doc[8:10].sent.text == "Acme hired me."
    city = doc[2:6].char_span(3, 16, label="CITY")  # offsets inside "in New York City"
    assert (city.start, city.end, city.text, city.label_) == (3, 6, "New York City", "CITY")
    assert doc[2:6].char_span(4, 16) is None  # not on a token boundary
    assert doc[2:6].char_span(4, 16, alignment_mode="expand").text == "New York City"


def test_extension_method_default_getter_and_force():
    Span.set_extension("shout", method=lambda span, marks=1: span.text.upper() + "!" * marks)
    doc = parsed_doc()
    assert doc[0:2]._.shout(3) == "I LIVE!!!" and doc[7:8]._.shout() == "ACME!"
    with pytest.raises(ValueError, match="already exists"):
        Span.set_extension("shout", default=False)
    Span.set_extension("shout", getter=lambda span: len(span), force=True)
    assert doc[0:2]._.shout == 2
    with pytest.raises(ValueError, match="one of default, getter"):
        Span.set_extension("both", default=1, method=len)
    Span.remove_extension("shout")


def test_add_label_before_initialize_and_on_a_trained_tagger():
    nlp = plait.blank("en")
    ner = nlp.add_pipe("ner", config={"model": {"@architectures": "plait.EntityTagger.v1", "hidden_width": 16,
                                                "maxout_pieces": 2, "tok2vec": TOK2VEC}})
    for label in ("ANIMAL", "ANIMAL", "PLANT"):
        ner.add_label(label)
    nlp.initialize()  # no data: the added labels are the label set
    assert ner.labels == ["ANIMAL", "PLANT"] and ner.add_label("PLANT") == 0
    torch.manual_seed(0)
    nlp = plait.blank("en")
    tagger = nlp.add_pipe("tagger", config={"model": {"@architectures": "plait.Tagger.v1", "tok2vec": TOK2VEC}})
    examples = plait.read_corpus(DEV, nlp)[:8]
    optimizer = nlp.initialize(lambda: examples)
    nlp.update(examples, sgd=optimizer)
    before = tagger.model.output.weight.detach().clone()
    text = "The quick brown fox jumps over the lazy dog ."
    tags = [t.tag_ for t in nlp(text)]
    assert tagger.add_label("NEWTAG") == 1 and tagger.labels[-1] == "NEWTAG"
    after = tagger.model.output.weight.detach()
    assert torch.equal(after[:-1], before) and not after[-1].any()
    assert [t.tag_ for t in nlp(text)] == tags
    with pytest.raises(ValueError, match="non-empty string"):
        tagger.add_label(7)


def test_update_with_no_examples_takes_no_step():
    nlp = plait.blank("en")
    nlp.add_pipe("tagger", config={"model": {"@architectures": "plait.Tagger.v1", "tok2vec": TOK2VEC}})
    examples = plait.read_corpus(DEV, nlp)[:4]
    optimizer = nlp.initialize(lambda: examples)
    weights = [p.detach().clone() for p in nlp.get_pipe("tagger").model.parameters()]
    losses = {"tagger": 1.5}
    assert nlp.update([], sgd=optimizer, losses=losses) == {"tagger": 1.5} and optimizer.steps == 0
    assert all(torch.equal(a, b) for a, b in zip(weights, nlp.get_pipe("tagger").model.parameters()))


def test_device_switches_without_a_gpu():
    if torch.cuda.is_available():
        pytest.skip("checks the machine without a GPU")
    assert plait.prefer_gpu() is False
    with pytest.raises(plait.UserError, match=r"require_gpu\(0\): no CUDA GPU"):
        plait.require_gpu(0)
    plait.set_gpu_allocator("pytorch")
    with pytest.raises(plait.UserError, match="only allocator is 'pytorch'"):
        plait.set_gpu_allocator("cupy")
    assert plait.require_cpu() is True
    nlp = plait.blank("en")
    tagger = nlp.add_pipe("tagger")  # built after require_cpu: on the CPU
    assert all(p.device.type == "cpu" for p in tagger.model.parameters())
