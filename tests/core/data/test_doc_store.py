"""DocStore: the training corpus on disk, read back by index in any order."""
import plait
from plait.core.data.doc_store import DocStore
from plait.core.data.readers import read_examples


def _annotations(doc):
    return [(t.text, t.tag_, t.head.i, t.dep_, t.ent_iob_, t.ent_type_) for t in doc]


def test_examples_come_back_by_index_in_any_order(fixtures_dir):
    nlp = plait.blank("en")
    examples = [eg for corpus in ("ud-en-ewt-sample.conllu", "wikiann-en-sample.tsv", "ud-en-ewt-sample.conllu")
                for eg in read_examples(fixtures_dir / corpus, nlp.vocab, nlp.make_doc)]
    store = DocStore(nlp.vocab, examples)
    order = [4, 0, 2, 3, 1]
    refs = list(store.refs(order))
    assert [len(r) for r in refs] == [len(examples[i].reference) for i in order]
    for i, eg in zip(order, store.load(refs)):
        assert [t.text for t in eg.predicted] == [t.text for t in examples[i].predicted]
        assert _annotations(eg.reference) == _annotations(examples[i].reference)
    assert [_annotations(eg.reference) for eg in store] == [_annotations(eg.reference) for eg in examples]


def test_an_empty_corpus():
    nlp = plait.blank("en")
    store = DocStore(nlp.vocab, [])
    assert len(store) == 0 and list(store) == []
