"""The transformer model on tiny random BERT and RoBERTa models: alignment, windows, pooling and grad_factor."""
import numpy as np
import pytest
import torch

import plait
from plait.core.span_getters import create_strided_spans, doc_spans, sent_spans
from plait.core.training.schedules import constant, constant_then
from plait.models.precision import autocast_dtype, precision_note
from plait.models.transformer.pooling import ReduceFirst, ReduceLast, ReduceMax, ReduceMean, ReduceSum
from plait.models.transformer.model import TransformerModel, _batches
from plait.models.transformer.listener import TransformerListener
from plait.models.transformer.wordpieces import OverlongSpanError

TEXT = "Hello  world, don't stop!\n\nThe Valkyria Chronicles x\u200by (2011) was released in Japan."


def load(path, get_spans=doc_spans, **kwargs) -> TransformerModel:
    model = TransformerModel(name=str(path), get_spans=get_spans, tokenizer_config={},
                             transformer_config=kwargs.pop("transformer_config", {}),
                             mixed_precision=kwargs.pop("mixed_precision", False), grad_scaler_config={}, **kwargs)
    model.load_pretrained()
    return model


def pieces_of(model, output, doc_index=0):
    """{token index: [wordpiece strings]} for one doc of a batch output."""
    wp = output.wordpieces
    strings = [s for ids in wp.ids for s in model.tokenizer.convert_ids_to_tokens(ids.tolist())]
    base = sum(wp.doc_lengths[:doc_index])
    out = {}
    for token, row in zip(wp.token.tolist(), wp.row.tolist()):
        out.setdefault(token - base, []).append(strings[row])
    return out


def test_wordpiece_alignment_bert(tiny_bert):
    model = load(tiny_bert)
    doc = plait.blank("en")(TEXT)
    aligned = pieces_of(model, model([doc]))
    for i, token in enumerate(doc):
        if token.text.isspace():
            assert i not in aligned, "whitespace tokens get no wordpiece"
        elif "\u200b" not in token.text:
            joined = "".join(p.removeprefix("##") for p in aligned[i])
            # the token's pieces spell it out (a piece straddling two tokens adds characters of the other)
            assert token.text.lower() in joined or "[UNK]" in aligned[i], (token.text, aligned[i])
    # plait splits "don't" into do + n't; the wordpiece "##on" of "d ##on ' t" straddles both, so both get it
    do, nt = [i for i, t in enumerate(doc) if t.text in ("do", "n't")]
    assert set(aligned[do]) & set(aligned[nt])


def test_wordpiece_alignment_byte_level_bpe(tiny_roberta):
    model = load(tiny_roberta)
    doc = plait.blank("en")(TEXT)
    output = model([doc])
    aligned = pieces_of(model, output)
    assert output.wordpieces.ids[0][0] == model.tokenizer.convert_tokens_to_ids("<s>")
    for i, token in enumerate(doc):
        if token.text == " ":
            assert i not in aligned
            continue
        decoded = model.tokenizer.convert_tokens_to_string(aligned[i]).strip()
        # every aligned piece overlaps the token's characters, so the token's text lies within them
        assert token.text.strip() in decoded or decoded in token.text, (token.text, aligned[i])


def test_every_span_getter_covers_every_token(tiny_bert):
    nlp = plait.blank("en")
    doc = nlp(TEXT)
    doc.columns["SENT_START"][[0, 9]] = 1
    for getter in (doc_spans, sent_spans, create_strided_spans(window=4, stride=3)):
        model = load(tiny_bert, get_spans=getter)
        aligned = pieces_of(model, model([doc]))
        missing = [t.text for i, t in enumerate(doc) if i not in aligned and not t.text.isspace()]
        assert not missing, getter
    assert [len(s) for s in sent_spans([doc])[0]] == [9, len(doc) - 9]


def test_strided_spans_overlap_and_pool_over_both_windows(tiny_bert):
    doc = plait.blank("en")("one two three four five six seven eight nine ten")
    spans = create_strided_spans(window=4, stride=3)([doc])[0]
    assert [(s.start, s.end) for s in spans] == [(0, 4), (3, 7), (6, 10)]
    model = load(tiny_bert, get_spans=create_strided_spans(window=4, stride=3))
    output = model([doc])
    windows_of_token = {}
    starts = output.wordpieces.row_starts
    for token, row in zip(output.wordpieces.token.tolist(), output.wordpieces.row.tolist()):
        windows_of_token.setdefault(token, set()).add(int(np.searchsorted(starts, row, side="right") - 1))
    assert windows_of_token[3] == {0, 1} and windows_of_token[6] == {1, 2}
    assert windows_of_token[0] == {0}
    with pytest.raises(ValueError, match="skipped"):
        create_strided_spans(window=3, stride=4)


def test_overlong_span_is_split_into_windows_not_truncated(tiny_roberta):
    model = load(tiny_roberta)
    assert model.max_length == 64  # 66 positions less RoBERTa's padding offset
    words = (TEXT.replace("\n\n", " ") + " ") * 12
    doc = plait.blank("en")(words)
    output = model([doc])
    assert len(output.wordpieces.ids) > 1
    assert max(len(ids) for ids in output.wordpieces.ids) <= 64
    aligned = pieces_of(model, output)
    assert all(i in aligned for i, t in enumerate(doc) if not t.text.isspace())
    assert output.last_hidden_state.shape[0] == output.wordpieces.n_rows
    strict = load(tiny_roberta, overlong="error")
    with pytest.raises(OverlongSpanError, match=r"doc 0 \(token 0: 'Hello"):
        strict([doc])


def test_batches_bound_padded_size_and_cover_every_window():
    lengths = np.array([150] + [15] * 60 + [40] * 10)
    groups = _batches(lengths, 512)
    assert sorted(np.concatenate(groups).tolist()) == list(range(len(lengths)))
    assert all(len(g) * lengths[g].max() <= 512 for g in groups)
    assert [0] in [g.tolist() for g in groups]  # the long window is not padded together with the short ones


def test_rows_do_not_depend_on_batching(tiny_bert):
    """Windows are sorted and batched by length; each row must come back to its own window."""
    model = load(tiny_bert).eval()
    docs = [plait.blank("en")(t) for t in ("Short one.", TEXT, "A middle sized sentence here.")]
    with torch.no_grad():
        together = model(docs).last_hidden_state
        model.max_batch_items = 40
        apart = torch.cat([model([d]).last_hidden_state for d in docs])
    assert torch.allclose(together, apart, atol=1e-5)


@pytest.mark.parametrize("fixture", ["tiny_bert", "tiny_roberta"])
def test_training_forward_gives_the_models_own_rows_and_gradients(request, fixture):
    """Training embeds all wordpieces at once and attends eagerly on a CPU; rows and gradients must be the ones
    the HuggingFace model gives each window on its own ids, as at inference.

    In float64, so rounding cannot hide a wrong row; the loss is a fixed random linear function of the rows, since a
    sum of squares of LayerNorm outputs is constant and would send no gradient below the last LayerNorm."""
    model = load(request.getfixturevalue(fixture)).eval().double()  # eval: no dropout, so every pass is the same
    model.max_batch_items = 40  # several batches of several lengths
    docs = [plait.blank("en")(t) for t in ("Short one.", TEXT, "A middle sized sentence here.")]
    with torch.no_grad():
        inferred = model(docs).last_hidden_state
    output = model(docs)
    assert torch.allclose(output.last_hidden_state, inferred, atol=1e-5)
    weights = torch.randn(output.last_hidden_state.shape, generator=torch.Generator().manual_seed(0))
    (output.last_hidden_state * weights).sum().backward()
    ours = [p.grad for p in model.transformer.parameters()]
    model.zero_grad(set_to_none=True)
    alone = torch.cat([model.transformer(input_ids=torch.from_numpy(ids)[None]).last_hidden_state[0]
                       for ids in output.wordpieces.ids])
    (alone * weights).sum().backward()
    for mine, theirs in zip(ours, (p.grad for p in model.transformer.parameters())):
        assert (mine is None and theirs is None) or torch.allclose(mine, theirs, rtol=1e-7, atol=1e-9)
    assert model.transformer.get_input_embeddings().weight.grad.abs().sum() > 0


ROWS = torch.tensor([[1.0, 2.0], [3.0, -1.0], [5.0, 0.0], [7.0, 7.0]])
TOKEN = torch.tensor([0, 0, 2, 2, 2])
ROW = torch.tensor([0, 1, 1, 2, 3])


@pytest.mark.parametrize("pooling,expected", [
    (ReduceMean(), [[2.0, 0.5], [0, 0], [5.0, 2.0]]),
    (ReduceSum(), [[4.0, 1.0], [0, 0], [15.0, 6.0]]),
    (ReduceMax(), [[3.0, 2.0], [0, 0], [7.0, 7.0]]),
    (ReduceFirst(), [[1.0, 2.0], [0, 0], [3.0, -1.0]]),
    (ReduceLast(), [[3.0, -1.0], [0, 0], [7.0, 7.0]]),
])
def test_pooling(pooling, expected):
    rows = ROWS.clone().requires_grad_()
    out = pooling(rows, TOKEN, ROW, 3)
    assert out.tolist() == expected  # token 1 has no wordpiece: zeros
    out.sum().backward()
    assert rows.grad is not None and rows.grad.abs().sum() > 0


def _transformer_grad(model, docs, factors):
    """Gradient norm reaching the transformer when listeners with these grad factors each add their loss."""
    model.zero_grad()
    output = model(docs)
    total = 0
    for factor in factors:
        listener = TransformerListener(pooling=ReduceMean(), grad_factor=factor)
        listener.receive(docs, output)
        total = total + listener(docs).flat.pow(2).sum()
    if total.requires_grad:  # with grad_factor 0 nothing in the graph needs a gradient
        total.backward()
    return torch.cat([p.grad.flatten() if p.grad is not None else torch.zeros(p.numel())
                      for p in model.transformer.parameters()])


def test_grad_factor(tiny_bert):
    model = load(tiny_bert).train()
    docs = [plait.blank("en")(TEXT)]
    torch.manual_seed(0)
    assert _transformer_grad(model, docs, [0.0]).abs().sum() == 0, "grad_factor 0: nothing reaches the transformer"
    model.eval()  # no dropout: the same forward each time
    one = _transformer_grad(model, docs, [1.0])
    assert one.abs().sum() > 0
    assert torch.allclose(_transformer_grad(model, docs, [0.5]), 0.5 * one, rtol=1e-4, atol=1e-3)
    # two listeners sum their gradients in the one transformer
    assert torch.allclose(_transformer_grad(model, docs, [1.0, 0.5]), 1.5 * one, rtol=1e-4, atol=1e-3)


def test_grad_factor_schedule_advances_per_step():
    listener = TransformerListener(pooling=ReduceMean(), grad_factor=constant_then(rate=0.0, steps=2,
                                                                                   schedule=constant(rate=1.0)))
    seen = [listener.grad_factor]
    for _ in range(3):
        listener.advance()
        seen.append(listener.grad_factor)
    assert seen == [0.0, 0.0, 1.0, 1.0]


def test_mixed_precision_bf16_on_cpu(tiny_bert, bf16_cpu):
    docs = [plait.blank("en")(TEXT)]
    full = load(tiny_bert).eval()
    mixed = load(tiny_bert, mixed_precision=True).eval()
    with torch.no_grad():
        a, b = full(docs).last_hidden_state, mixed(docs).last_hidden_state
    assert b.dtype == torch.float32 and not torch.equal(a, b)  # computed in bf16, handed back in float32
    assert torch.nn.functional.cosine_similarity(a, b).min() > 0.99
    b_train = mixed.train()(docs).last_hidden_state
    b_train.sum().backward()
    assert all(p.grad is not None and p.grad.dtype == torch.float32 for p in mixed.transformer.encoder.parameters())


def test_mixed_precision_stays_float32_on_a_cpu_without_bf16(tiny_bert, monkeypatch):
    """Where the CPU has no native bf16, torch emulates it many times slower than float32: autocast stays off."""
    monkeypatch.setattr("plait.models.precision.native_bf16", lambda: False)
    docs = [plait.blank("en")(TEXT)]
    with torch.no_grad():
        a = load(tiny_bert).eval()(docs).last_hidden_state
        b = load(tiny_bert, mixed_precision=True).eval()(docs).last_hidden_state
    assert torch.equal(a, b)
    assert precision_note(torch.device("cpu"), wanted=True).startswith("mixed precision is off")
    assert precision_note(torch.device("cpu"), wanted=False) is None
    assert autocast_dtype(torch.device("cuda")) == torch.float16


def test_transformer_uses_plait_dropout_at_its_config_rates(tiny_bert):
    from plait.models.dropout import Dropout

    model = load(tiny_bert, transformer_config={"attention_probs_dropout_prob": 0.0})
    layers = [m for m in model.transformer.modules() if isinstance(m, torch.nn.Dropout)]
    assert layers and all(type(m) is Dropout for m in layers)
    assert model.transformer.config.attention_probs_dropout_prob == 0.0
    assert {m.p for m in layers} == {0.0, model.transformer.config.hidden_dropout_prob}
