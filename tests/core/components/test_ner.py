"""ner: BILUO tagging with constrained decoding, trained through the real trainer."""
import itertools

import torch

from plait.core.iob import iob_to_spans
from plait.models.biluo import biluo_spans, biluo_tags, constrained_viterbi, transition_mask

TEXTS = ["Karl Ove Knausgård was born in 1968 .", "Anders Lindström ( St. Lawrence River )"]


def test_ner_learns_entities_and_round_trips(fixtures_dir, train_pipeline, round_trip):
    wikiann = fixtures_dir / "wikiann-en-sample.tsv"
    run = train_pipeline(["ner"], wikiann, wikiann, steps=40)
    losses = run.losses("ner")
    assert losses[-1] < losses[0] / 2
    assert run.scores["ents_f"] > 0.8
    assert set(run.scores["ents_per_type"]) == {"ORG", "PER"}
    assert run.nlp.get_pipe("ner").labels == ["ORG", "PER"]
    round_trip(run.nlp, TEXTS, lambda d: [(e.text, e.label_) for e in d.ents])


def _well_formed(tags: list[str]) -> bool:
    inside = None
    for tag in tags:
        kind, _, label = tag.partition("-")
        if inside is not None and not (kind in "IL" and label == inside):
            return False
        if inside is None and kind in "IL":
            return False
        inside = label if kind in "BI" else None
    return inside is None


def test_constrained_decoding_only_yields_well_formed_sequences():
    tags = biluo_tags(["PER", "ORG", "LOC"])
    constraints = transition_mask(tags)
    generator = torch.Generator().manual_seed(0)
    scores = torch.randn(64, 12, len(tags), generator=generator).log_softmax(-1)
    lengths = [int(n) for n in torch.randint(1, 13, (64,), generator=generator)]
    decoded = constrained_viterbi([scores], lengths, *constraints)
    for ids, n in zip(decoded, lengths):
        assert len(ids) == n and _well_formed([tags[i] for i in ids])
        assert biluo_spans(ids, ["PER", "ORG", "LOC"]) == iob_to_spans([tags[i] for i in ids])
    assert sum(len(biluo_spans(ids, ["PER", "ORG", "LOC"])) for ids in decoded) > 64  # entities were compared
    # plain argmax on the same scores is ill-formed most of the time: the constraints do real work
    argmax = [[tags[i] for i in row[:n]] for row, n in zip(scores.argmax(-1).tolist(), lengths)]
    assert sum(not _well_formed(t) for t in argmax) > 32
    assert iob_to_spans(["B-PER", "L-PER", "O", "U-LOC"]) == [(0, 2, "PER"), (3, 4, "LOC")]


def _path_score(scores: torch.Tensor, ids: list[int]) -> float:
    return float(sum(scores[t, i] for t, i in enumerate(ids)))


def test_constrained_decoding_finds_the_best_well_formed_sequence_in_blocks_or_whole():
    tags = biluo_tags(["PER", "LOC"])
    constraints = transition_mask(tags)
    generator = torch.Generator().manual_seed(1)
    lengths = [5, 3, 1, 0]
    scores = torch.randn(len(lengths), 5, len(tags), generator=generator).log_softmax(-1)
    whole = constrained_viterbi([scores], lengths, *constraints)
    for ids, n, doc_scores in zip(whole, lengths, scores):
        candidates = [list(c) for c in itertools.product(range(len(tags)), repeat=n)
                      if _well_formed([tags[i] for i in c])]
        best = max(candidates, key=lambda c: _path_score(doc_scores, c))
        assert list(ids) == best
    # one doc fed in blocks (as a long doc is scored) decodes as when fed whole, across the block boundaries
    long = torch.randn(1, 50, len(tags), generator=generator).log_softmax(-1)
    at_once = constrained_viterbi([long], [50], *constraints)[0]
    in_blocks = constrained_viterbi(torch.split(long, [7, 1, 30, 12], dim=1), [50], *constraints)[0]
    assert list(in_blocks) == list(at_once) and _well_formed([tags[i] for i in at_once])


def test_grouped_decoding_matches_a_brute_force_search_under_any_transition_mask():
    # tags that allow the same previous tags share one max per step; check it against every path, for masks
    # with several groups, a tag no tag may follow and a tag that may follow nothing
    generator = torch.Generator().manual_seed(2)
    for trial in range(6):
        allowed = torch.rand(4, 4, generator=generator) < 0.6
        allowed[:, 0] = True  # tag 0 may follow anything, so some path is valid
        allowed[1, :] = trial % 2 == 0
        first, last = torch.tensor([True, True, False, True]), torch.tensor([True, False, True, True])
        lengths = [5, 4, 2, 1]
        scores = torch.randn(len(lengths), 5, 4, generator=generator).log_softmax(-1)
        for ids, n, doc_scores in zip(constrained_viterbi([scores], lengths, allowed, first, last), lengths, scores):
            valid = [c for c in itertools.product(range(4), repeat=n) if first[c[0]] and last[c[-1]]
                     and all(allowed[a, b] for a, b in zip(c, c[1:]))]
            assert list(ids) == list(max(valid, key=lambda c: _path_score(doc_scores, c)))
