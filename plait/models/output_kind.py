"""The kinds of output an encoder component hands its listeners (no torch: a pipeline of tables loads without it)."""
from enum import Enum


class OutputKind(Enum):
    """What an encoder component hands its listeners: a tok2vec's TokenBatch or a transformer's wordpiece rows."""

    TOKENS = "tokens"
    WORDPIECES = "wordpieces"
