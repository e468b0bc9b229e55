"""Tree decoding: every decoded parse is a tree with one root, and the best one (checked by brute force)."""
import itertools

import numpy as np

from plait.models.tree import chu_liu_edmonds, decode_trees, single_root_mst


def is_tree(heads) -> bool:
    """One token heads itself (the root) and every other token reaches it without a cycle."""
    n = len(heads)
    roots = [i for i, h in enumerate(heads) if h == i]
    if len(roots) != 1:
        return False
    for i in range(n):
        seen, j = set(), i
        while heads[j] != j:
            if j in seen:
                return False
            seen.add(j)
            j = heads[j]
    return True


def tree_score(scores, heads) -> float:
    return float(sum(scores[i, h] for i, h in enumerate(heads)))


def best_by_brute_force(scores) -> float:
    n = len(scores)
    return max(tree_score(scores, h) for h in itertools.product(range(n), repeat=n) if is_tree(h))


def is_projective(heads) -> bool:
    arcs = [(min(i, h), max(i, h)) for i, h in enumerate(heads) if i != h]
    return not any(a < c < b < d for (a, b), (c, d) in itertools.permutations(arcs, 2))


def test_random_scores_decode_to_the_best_tree():
    rng = np.random.default_rng(0)
    for trial in range(300):
        n = int(rng.integers(1, 7))
        scores = rng.normal(size=(n, n)) * (10 if trial % 2 else 1)
        heads = single_root_mst(scores)
        assert is_tree(heads.tolist())
        assert np.isclose(tree_score(scores, heads), best_by_brute_force(scores))


def test_non_projective_gold_is_recovered():
    # "A hearing is scheduled on the issue today": the arc hearing -> on crosses is -> scheduled
    gold = [1, 3, 3, 3, 1, 6, 4, 3]
    assert is_tree(gold) and not is_projective(gold)
    rng = np.random.default_rng(1)
    for _ in range(20):
        scores = rng.normal(size=(8, 8))
        scores[np.arange(8), gold] += 8.0  # gold is then the best tree, not merely likely
        assert single_root_mst(scores).tolist() == gold


def test_batched_decoding_is_always_a_tree():
    rng = np.random.default_rng(2)
    lengths = rng.integers(1, 40, size=64)
    scores = rng.normal(size=(64, 40, 40)) * 3
    for s, n in enumerate(lengths):
        scores[s, :, n:] = -np.inf  # padding heads, as the parser pads them
    heads = decode_trees(scores, lengths)
    for s, n in enumerate(lengths):
        decoded = heads[s, :n]
        assert is_tree(decoded.tolist())
        assert np.isclose(tree_score(scores[s], decoded), tree_score(scores[s], single_root_mst(scores[s, :n, :n])))


def test_greedy_trees_are_kept_and_broken_ones_repaired():
    # sentence 0: the best heads already form a tree; sentence 1: two roots; sentence 2: a cycle 1 <-> 2
    scores = np.full((3, 3, 3), -5.0)
    for s, heads in enumerate(([0, 0, 1], [0, 1, 1], [0, 2, 1])):
        scores[s, np.arange(3), heads] = 5.0
    decoded = decode_trees(scores, np.array([3, 3, 3]))
    assert decoded[0].tolist() == [0, 0, 1]
    assert all(is_tree(h.tolist()) for h in decoded)


def _penalty_only(scores):
    """The single-root tree by the root-edge penalty alone (no unconstrained pass first): the reference."""
    n = len(scores)
    finite = scores[np.isfinite(scores)]
    graph = np.full((n + 1, n + 1), -np.inf)
    graph[1:, 1:] = scores
    graph[1:, 0] = np.diagonal(scores) - (n + 1) * (float(finite.max() - finite.min()) + 1.0)
    np.fill_diagonal(graph, -np.inf)
    heads = chu_liu_edmonds(graph)[1:] - 1
    return np.where(heads < 0, np.arange(n), heads)


def test_the_unconstrained_pass_first_finds_the_same_trees_as_the_penalty_alone():
    # long sentences with trained-looking scores (one strong head each, several strong roots or cycles) and
    # plain noise: both ways of decoding give the same heads
    rng = np.random.default_rng(3)
    for trial in range(200):
        n = int(rng.integers(2, 60))
        scores = rng.normal(size=(n, n))
        if trial % 2:
            scores[np.arange(n), rng.integers(0, n, size=n)] += 6.0
        decoded = single_root_mst(scores)
        assert is_tree(decoded.tolist())
        assert decoded.tolist() == _penalty_only(scores).tolist()
