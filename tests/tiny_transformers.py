"""Tiny random BERT and RoBERTa models with real tokenizers trained here, for fast transformer tests.

The tokenizers are trained with `tokenizers` on the bundled wikitext-2 sample (a WordPiece vocabulary
for BERT, a byte-level BPE one for RoBERTa); the models are random, a few thousand weights.
"""
from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import (
    BertConfig,
    BertModel,
    DistilBertConfig,
    DistilBertModel,
    PreTrainedTokenizerFast,
    RobertaConfig,
    RobertaModel,
)

FIXTURES = Path(__file__).parent / "fixtures"
SIZES = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}


def _corpus() -> list[str]:
    return [line for line in (FIXTURES / "wikitext-2-sample.txt").read_text(encoding="utf8").splitlines() if line]


def _seeded(model_class, config):
    """The same random weights whatever ran before, so a test's numbers do not depend on the test order."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return model_class(config)


def make_tiny_bert(directory: Path, *, max_positions: int = 128, distil: bool = False) -> Path:
    """A WordPiece tokenizer ([CLS] ... [SEP], lowercased) and a random 2-layer BERT, saved to `directory`.

    With `distil`, the model is a DistilBERT, whose config names its settings differently (attention_dropout).
    """
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    tok.train_from_iterator(_corpus(), trainers.WordPieceTrainer(vocab_size=600, special_tokens=specials))
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]", model_max_length=max_positions)
    if distil:
        config = DistilBertConfig(vocab_size=tok.get_vocab_size(), max_position_embeddings=max_positions, dim=32,
                                  n_layers=2, n_heads=2, hidden_dim=64)
        _seeded(DistilBertModel, config).save_pretrained(directory)
    else:
        config = BertConfig(vocab_size=tok.get_vocab_size(), max_position_embeddings=max_positions, **SIZES)
        _seeded(BertModel, config).save_pretrained(directory)
    fast.save_pretrained(directory)
    return directory


def make_tiny_roberta(directory: Path) -> Path:
    """A byte-level BPE tokenizer (<s> ... </s>, Ġ for spaces) and a random 2-layer RoBERTa, saved to `directory`.

    The tokenizer states no length limit, so plait must find it from the model's position embeddings.
    """
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(_corpus(), trainers.BpeTrainer(vocab_size=600, special_tokens=specials,
                                                           initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")),
                                                      ("<s>", tok.token_to_id("<s>")), trim_offsets=True)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<pad>", cls_token="<s>", sep_token="</s>", mask_token="<mask>")
    config = RobertaConfig(vocab_size=tok.get_vocab_size(), max_position_embeddings=66, pad_token_id=1, **SIZES)
    _seeded(RobertaModel, config).save_pretrained(directory)
    fast.save_pretrained(directory)
    return directory
