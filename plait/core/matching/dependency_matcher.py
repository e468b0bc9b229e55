"""DependencyMatcher: patterns over the dependency parse, in spaCy's format (Semgrex-style relation operators).

A pattern is a list of nodes: the first names an anchor ({"RIGHT_ID": "verb", "RIGHT_ATTRS": {...}}), each
later one links a new token to a named earlier one: {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "subject",
"RIGHT_ATTRS": {"DEP": "nsubj"}}. A match is (match_id, [token index per node, in pattern order]).
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

from plait.core.doc import Doc
from plait.core.matching.attributes import token_test
from plait.core.matching.matcher import KeyedRules, OnMatch, key_hash


class _Tree:
    """The parse of one doc as plain lists: heads (the token itself for a root), children, tree roots."""

    def __init__(self, doc: Doc) -> None:
        n = len(doc)
        raw = doc.columns["HEAD"].tolist()
        self.head = [i if h < 0 else h for i, h in enumerate(raw)]
        self.children: list[list[int]] = [[] for _ in range(n)]
        for i, h in enumerate(self.head):
            if h != i:
                self.children[h].append(i)
        self.root = [self._root(i) for i in range(n)]
        self.n = n

    def _root(self, i: int) -> int:
        seen = {i}
        while self.head[i] != i and self.head[i] not in seen:
            i = self.head[i]
            seen.add(i)
        return i

    def ancestors(self, i: int) -> Iterator[int]:
        seen = {i}
        while self.head[i] != i and self.head[i] not in seen:
            i = self.head[i]
            seen.add(i)
            yield i

    def descendants(self, i: int) -> Iterator[int]:
        stack, seen = list(self.children[i]), {i}
        while stack:
            j = stack.pop()
            if j not in seen:
                seen.add(j)
                yield j
                stack.extend(self.children[j])

    def parent(self, i: int) -> list[int]:
        return [] if self.head[i] == i else [self.head[i]]

    def siblings(self, i: int) -> list[int]:
        return [j for j in self.children[self.head[i]] if j != i] if self.head[i] != i else []

    def same_tree(self, i: int, keep: Callable[[int], bool]) -> list[int]:
        return [j for j in range(self.n) if j != i and self.root[j] == self.root[i] and keep(j)]


# REL_OP -> the tokens B that stand in the relation to token A ("A op B"), as the usage guide defines them
RELATIONS: dict[str, Callable[[_Tree, int], Any]] = {
    "<": lambda t, a: t.parent(a),
    ">": lambda t, a: t.children[a],
    "<<": lambda t, a: t.ancestors(a),
    ">>": lambda t, a: t.descendants(a),
    ".": lambda t, a: t.same_tree(a, lambda b: b == a + 1),
    ".*": lambda t, a: t.same_tree(a, lambda b: b > a),
    ";": lambda t, a: t.same_tree(a, lambda b: b == a - 1),
    ";*": lambda t, a: t.same_tree(a, lambda b: b < a),
    "$+": lambda t, a: [b for b in t.siblings(a) if b == a + 1],
    "$-": lambda t, a: [b for b in t.siblings(a) if b == a - 1],
    "$++": lambda t, a: [b for b in t.siblings(a) if b > a],
    "$--": lambda t, a: [b for b in t.siblings(a) if b < a],
    ">+": lambda t, a: [b for b in t.children[a] if b == a + 1],
    ">-": lambda t, a: [b for b in t.children[a] if b == a - 1],
    ">++": lambda t, a: [b for b in t.children[a] if b > a],
    ">--": lambda t, a: [b for b in t.children[a] if b < a],
    "<+": lambda t, a: [b for b in t.parent(a) if b == a + 1],
    "<-": lambda t, a: [b for b in t.parent(a) if b == a - 1],
    "<++": lambda t, a: [b for b in t.parent(a) if b > a],
    "<--": lambda t, a: [b for b in t.parent(a) if b < a],
}
_Node = tuple[int, str, Callable[[Any], bool]]  # (index of the LEFT_ID node or -1, REL_OP, token test)


def compile_dependency_pattern(pattern: Any, where: str) -> list[_Node]:
    """The nodes of a pattern; ValueError naming `where`, the node and what is wrong with it."""
    if not isinstance(pattern, list) or not pattern or not all(isinstance(node, dict) for node in pattern):
        raise ValueError(f"{where}: a dependency pattern is a non-empty list of dicts, one per node")
    names: dict[str, int] = {}
    nodes: list[_Node] = []
    for i, node in enumerate(pattern):
        at = f"{where}, node {i}"
        unknown = set(node) - {"RIGHT_ID", "RIGHT_ATTRS", "LEFT_ID", "REL_OP"}
        if unknown:
            raise ValueError(f"{at}: unknown key {sorted(unknown)[0]!r} (use RIGHT_ID, RIGHT_ATTRS, LEFT_ID, REL_OP)")
        right_id = node.get("RIGHT_ID")
        if not isinstance(right_id, str) or not right_id:
            raise ValueError(f"{at}: RIGHT_ID must name the node")
        if right_id in names:
            raise ValueError(f"{at}: RIGHT_ID {right_id!r} is already the name of node {names[right_id]}")
        attrs = node.get("RIGHT_ATTRS")
        if not isinstance(attrs, dict):
            raise ValueError(f"{at}: RIGHT_ATTRS must be a dict of token attributes")
        test = token_test(attrs, f"{at} ({right_id})")
        if i == 0:
            if "LEFT_ID" in node or "REL_OP" in node:
                raise ValueError(f"{at}: the first node is the anchor and takes no LEFT_ID or REL_OP")
            nodes.append((-1, "", test))
        else:
            left, op = node.get("LEFT_ID"), node.get("REL_OP")
            if left not in names:
                raise ValueError(f"{at}: LEFT_ID {left!r} names no earlier node")
            if op not in RELATIONS:
                raise ValueError(f"{at}: unknown REL_OP {op!r} (use {' '.join(RELATIONS)})")
            nodes.append((names[left], op, test))
        names[right_id] = i
    return nodes


class DependencyMatcher(KeyedRules):
    """Dependency patterns by key: `add`, `remove`, `get`, `len`, `in`, and a call over a parsed Doc."""

    def __init__(self, vocab: Any, *, validate: bool = True) -> None:
        self.vocab = vocab
        self._rules: dict[int, tuple[OnMatch | None, list[list[dict]], list[list[_Node]]]] = {}

    def add(self, key: str | int, patterns: Sequence[list[dict[str, Any]]], *, on_match: OnMatch | None = None) -> None:
        """Add patterns under `key`; ValueError naming the key, the pattern and the node for a bad one."""
        match_id = key_hash(self.vocab, key, "DependencyMatcher.add")
        if not isinstance(patterns, (list, tuple)) or not patterns:
            raise ValueError(f"DependencyMatcher.add {key!r}: patterns is a non-empty list of patterns")
        compiled = [compile_dependency_pattern(p, f"pattern {i} of {key!r}") for i, p in enumerate(patterns)]
        _, old, old_compiled = self._rules.get(match_id, (None, [], []))
        self._rules[match_id] = (on_match, old + [list(p) for p in patterns], old_compiled + compiled)

    def remove(self, key: str | int) -> None:
        """Remove the rule of `key`; KeyError when there is none."""
        match_id = self._id(key)
        if match_id not in self._rules:
            raise KeyError(f"the dependency matcher has no rule {key!r}")
        del self._rules[match_id]

    def get(self, key: str | int, default: Any = None) -> tuple[OnMatch | None, list[list[dict]]] | Any:
        """(on_match, patterns) of `key`, or `default`."""
        rule = self._rules.get(self._id(key))
        return default if rule is None else rule[:2]

    def __call__(self, doc: Doc) -> list[tuple[int, list[int]]]:
        """Every match, as (match_id, [token index per pattern node]), each key's in the order of its anchors;
        each key's `on_match(matcher, doc, i, matches)` runs once per match."""
        tree = _Tree(doc)
        tokens = list(doc)
        matches: list[tuple[int, list[int]]] = []
        for match_id, (_, _, compiled) in self._rules.items():
            seen: set[tuple[int, ...]] = set()
            for nodes in compiled:
                for found in _assignments(nodes, tree, tokens):
                    if found not in seen:
                        seen.add(found)
                        matches.append((match_id, list(found)))
        for i, (match_id, _) in enumerate(matches):
            on_match = self._rules[match_id][0]
            if on_match is not None:
                on_match(self, doc, i, matches)
        return matches


def _assignments(nodes: list[_Node], tree: _Tree, tokens: list[Any]) -> Iterator[tuple[int, ...]]:
    """Each way to give every node a token (in node order), depth first from the anchor."""
    chosen: list[int] = []

    def extend(k: int) -> Iterator[tuple[int, ...]]:
        if k == len(nodes):
            yield tuple(chosen)
            return
        left, op, test = nodes[k]
        candidates = range(len(tokens)) if left < 0 else RELATIONS[op](tree, chosen[left])
        for b in candidates:
            if test(tokens[b]):
                chosen.append(b)
                yield from extend(k + 1)
                chosen.pop()

    yield from extend(0)
