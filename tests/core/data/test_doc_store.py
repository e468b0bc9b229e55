"""DocStore: the training corpus on disk, read back by index in any order."""
import plait
from plait.core.data.doc_store import DocStore
from plait.core.data.example import Example
from plait.core.doc import Doc
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


def test_the_first_pass_reads_the_corpus_once_and_an_unfinished_pass_loses_nothing(fixtures_dir):
    nlp = plait.blank("en")
    examples = list(read_examples(fixtures_dir / "ud-en-ewt-sample.conllu", nlp.vocab, nlp.make_doc))
    read = []

    def corpus():
        for eg in examples:
            read.append(eg)
            yield eg

    store = DocStore(nlp.vocab, corpus())
    assert read == []  # nothing is read before it is needed
    first = iter(store)
    assert next(first) is examples[0] and next(first) is examples[1]  # straight from the corpus
    del first  # a pass stopped early (as when init_nlp checks that the corpus is not empty)
    again = list(store)
    assert again[2:] == examples[2:] and again[0] is not examples[0]  # stored ones decoded, the rest passed on
    assert read == examples  # each example read from the corpus once
    assert len(store) == len(examples)
    assert [_annotations(eg.reference) for eg in store.load(store.refs([1, 0]))] == \
        [_annotations(examples[i].reference) for i in (1, 0)]
    assert [_annotations(eg.reference) for eg in store] == [_annotations(eg.reference) for eg in examples]


def test_a_predicted_doc_with_annotations_or_other_tokens_is_kept_and_a_bare_copy_is_made_again():
    nlp = plait.blank("en")
    reference = Doc(nlp.vocab, ["New", "York", "is", "big"], tags=["NNP", "NNP", "VBZ", "JJ"])
    annotated = reference.copy_tokens()
    annotated.set_strings("TAG", ["A", "B", "C", "D"])  # an annotating component's earlier output
    retokenized = Doc(nlp.vocab, ["New York", "is", "big"])
    bare = reference.copy_tokens()
    store = DocStore(nlp.vocab, [Example(p, reference) for p in (annotated, retokenized, bare)])
    back = store.load(store.refs([0, 1, 2]))
    assert back[0].predicted.strings_of("TAG") == ["A", "B", "C", "D"]
    assert [t.text for t in back[1].predicted] == ["New York", "is", "big"]
    assert [t.text for t in back[2].predicted] == ["New", "York", "is", "big"] and not back[2].predicted.columns
    assert back[2].predicted.lex is not back[2].reference.lex  # its own tokens, not the reference's arrays
    assert all(eg.reference.strings_of("TAG") == ["NNP", "NNP", "VBZ", "JJ"] for eg in back)
