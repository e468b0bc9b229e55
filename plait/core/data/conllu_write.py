"""Docs as CoNLL-U: one sentence per `doc.sents`, each a single dependency tree, spacing in MISC.

Columns ID, FORM, LEMMA, UPOS, XPOS, FEATS, HEAD, DEPREL from the token's annotation ("_" where there is none),
DEPS "_", MISC `SpaceAfter=No` where no whitespace follows the token inside its doc. Whitespace tokens are left
out. The evaluation of UD files wants one tree per sentence, so the arcs are made one: the sentence's first root
stays the root (DEPREL "root"), every other token whose head is itself, outside the sentence or on a cycle hangs
from it (DEPREL its label, else "dep"); with no parse, the first token is the root of all others.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from plait.core.doc import Doc
from plait.core.span import Span


def conllu_lines(docs: Iterable[Doc]) -> Iterator[str]:
    """The CoNLL-U lines (without line ends) of `docs`, a `# newdoc` before each doc's first sentence."""
    for d, doc in enumerate(docs, 1):
        yield f"# newdoc id = doc{d}"
        for s, sent in enumerate(doc.sents, 1):
            lines = list(_sentence_lines(doc, sent))
            if lines:
                yield f"# sent_id = doc{d}-s{s}"
                yield f"# text = {_one_line(''.join(t.text_with_ws for t in sent).strip())}"
                yield from lines
                yield ""


def _sentence_lines(doc: Doc, sent: Span) -> Iterator[str]:
    tokens = [t for t in sent if not t.text.isspace()]
    ids = {t.i: k for k, t in enumerate(tokens, 1)}
    heads = one_tree([ids.get(t.head.i, 0) if t.head.i != t.i else 0 for t in tokens])
    for k, (token, head) in enumerate(zip(tokens, heads), 1):
        after = token.i + 1
        spaced = after == len(doc) or bool(doc.spaces[token.i]) or doc[after].text.isspace()
        label = token.dep_ if token.dep_ and token.dep_.lower() != "root" else "dep"
        yield "\t".join((str(k), _one_line(token.text), token.lemma_ or "_", token.pos_ or "_", token.tag_ or "_",
                         token.morph_ or "_", str(head), "root" if head == 0 else label, "_",
                         "_" if spaced else "SpaceAfter=No"))


def _one_line(text: str) -> str:
    """A field or comment that cannot break the format: tabs and line breaks become spaces."""
    return " ".join(text.splitlines()).replace("\t", " ")


def one_tree(heads: list[int]) -> list[int]:
    """1-based heads (0: root) made into one tree: the first root (or the first word, when there is none) is the
    root; the other roots, and one word of each cycle, hang from it."""
    heads = list(heads)
    root = next((k for k, h in enumerate(heads, 1) if h == 0), 1)
    heads = [0 if k == root else (root if h == 0 else h) for k, h in enumerate(heads, 1)]
    state = [0] * (len(heads) + 1)  # 0 unseen, 1 on the current walk, 2 known to reach the root
    state[root] = 2
    for k in range(1, len(heads) + 1):
        walk, j = [], k
        while state[j] == 0:
            state[j] = 1
            walk.append(j)
            j = heads[j - 1]
        if state[j] == 1:  # the walk came back on itself: cut the cycle where it closed
            heads[j - 1] = root
        for w in walk:
            state[w] = 2
    return heads
