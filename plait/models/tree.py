"""Exact decoding of arc scores to one dependency tree per sentence (maximum spanning arborescence)."""
from __future__ import annotations

import numpy as np


def decode_trees(scores: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The best tree of each sentence: heads (S, L) from scores (S, L dep, L head), the root heading itself.

    scores[s, i, i] is the score of token i being the root. Sentences whose best head per token already forms a
    tree with one root (most of them, once trained) are found in one vectorised pass and keep those heads; only
    the others run Chu-Liu/Edmonds.
    """
    n_sents, width = scores.shape[:2]
    heads = scores.argmax(axis=2) if width else np.zeros((n_sents, 0), dtype=np.int64)
    for s in np.flatnonzero(~_is_tree(heads, lengths)):
        n = int(lengths[s])
        heads[s, :n] = single_root_mst(scores[s, :n, :n])
    return heads


def _is_tree(heads: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Whether each sentence's heads form a tree with exactly one root (padding ignored), by pointer doubling."""
    n_sents, width = heads.shape
    real = np.arange(width)[None, :] < lengths[:, None]
    sink = width  # roots and padding point at an extra node that points at itself
    parent = np.where(real & (heads != np.arange(width)[None, :]), heads, sink)
    parent = np.concatenate([parent, np.full((n_sents, 1), sink)], axis=1)
    for _ in range(max(1, int(np.ceil(np.log2(width + 1))))):
        parent = np.take_along_axis(parent, parent, axis=1)
    reaches_root = (parent[:, :width] == sink) | ~real
    roots = (real & (heads == np.arange(width)[None, :])).sum(axis=1)
    return reaches_root.all(axis=1) & (roots == 1)


def single_root_mst(scores: np.ndarray) -> np.ndarray:
    """The highest-scoring tree with exactly one root over scores (n dep, n head), diagonal = root scores.

    The best tree with any number of roots comes first: it needs few contractions (only the cycles of the
    best heads), and when it has one root it is also the best single-root tree. Otherwise every root edge is
    charged a penalty larger than any two trees' score difference, so the best arborescence uses one root edge
    and, among those, scores highest (exact, but every token then first picks a non-root head: many cycles).
    """
    n = scores.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = np.full((n + 1, n + 1), -np.inf)  # node 0 is the artificial root; graph[dep, head]
    graph[1:, 1:] = scores
    graph[1:, 0] = np.diagonal(scores)
    np.fill_diagonal(graph, -np.inf)
    heads = chu_liu_edmonds(graph)[1:]
    if np.count_nonzero(heads == 0) != 1:
        finite = scores[np.isfinite(scores)]
        graph[1:, 0] -= (n + 1) * (float(finite.max() - finite.min()) + 1.0)
        heads = chu_liu_edmonds(graph)[1:]
    heads = heads - 1
    return np.where(heads < 0, np.arange(n), heads)


def chu_liu_edmonds(graph: np.ndarray) -> np.ndarray:
    """Heads of the maximum spanning arborescence rooted at node 0 of graph[dep, head] (-inf: no edge)."""
    n = graph.shape[0]
    scores = graph.astype(np.float64, copy=True)
    np.fill_diagonal(scores, -np.inf)
    scores[0] = -np.inf
    heads = scores.argmax(axis=1)
    heads[0] = 0
    cycle = _find_cycle(heads)
    if cycle is None:
        return heads
    in_cycle = np.zeros(n, dtype=bool)
    in_cycle[cycle] = True
    outside = np.flatnonzero(~in_cycle)  # node 0 is never in a cycle, so outside[0] == 0
    m = len(outside)
    # contract the cycle into node m: edges out of it take its best member as head; edges into it are worth
    # what they gain over the cycle edge they replace
    sub = np.full((m + 1, m + 1), -np.inf)
    sub[:m, :m] = scores[outside[:, None], outside]
    leaving = scores[outside[:, None], cycle]
    sub[:m, m] = leaving.max(axis=1)
    entering = scores[cycle[:, None], outside] - scores[cycle, heads[cycle]][:, None]
    sub[m, :m] = entering.max(axis=0)
    sub_heads = chu_liu_edmonds(sub)
    result = heads.copy()
    for k in range(1, m):
        h = sub_heads[k]
        result[outside[k]] = cycle[leaving[k].argmax()] if h == m else outside[h]
    enter_from = sub_heads[m]
    result[cycle[entering[:, enter_from].argmax()]] = outside[enter_from]
    return result


def _find_cycle(heads: np.ndarray) -> np.ndarray | None:
    """The nodes of one cycle in a head assignment (node 0 is the root), or None."""
    state = np.zeros(len(heads), dtype=np.int8)  # 0 unseen, 1 on the current path, 2 done
    state[0] = 2
    for start in range(1, len(heads)):
        path = []
        node = start
        while state[node] == 0:
            state[node] = 1
            path.append(node)
            node = heads[node]
        if state[node] == 1:
            return np.array(path[path.index(node):])
        state[path] = 2
    return None
