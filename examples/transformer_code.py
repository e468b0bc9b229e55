"""Custom transformer functions for `plait train examples/configs/transformer_custom.cfg --code examples/transformer_code.py`.

- `custom_sent_spans`: one span per sentence, except that a sentence longer than `max_length` tokens is
  cut into pieces of at most `max_length` tokens.
- `doc_embedding_setter`: after the transformer runs, stores on each doc the mean of the last hidden
  state rows of its tokens as `doc._.embedding` (with all-MiniLM-L6-v2 that is the model's own sentence embedding).
"""
from __future__ import annotations

from typing import Callable, Sequence

from plait import Doc, Span, registry

if not Doc.has_extension("embedding"):
    Doc.set_extension("embedding", default=None)


@registry.span_getters("custom_sent_spans")
def configure_custom_sent_spans(max_length: int) -> Callable[[Sequence[Doc]], list[list[Span]]]:
    def get_custom_sent_spans(docs: Sequence[Doc]) -> list[list[Span]]:
        spans = []
        for doc in docs:
            spans.append([])
            for sent in doc.sents:
                for start in range(sent.start, sent.end, max_length):
                    spans[-1].append(doc[start:min(start + max_length, sent.end)])
        return spans

    return get_custom_sent_spans


@registry.annotation_setters("doc_embedding_setter")
def configure_doc_embedding_setter() -> Callable:
    def set_doc_embedding(docs: Sequence[Doc], output) -> None:
        for doc in docs:
            data = doc._.trf_data
            rows = sorted(set(data.row.tolist()))  # the rows aligned with tokens: no [CLS], [SEP] or padding
            doc._.embedding = data.last_hidden_state[rows].mean(dim=0).cpu().numpy() if rows else None

    return set_doc_embedding
