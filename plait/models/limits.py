"""How much a model works on at once, so that memory stays bounded whatever the input's length."""

# Tokens an encoder or a head works on at once at inference (a longer doc goes in pieces of this size), so that
# memory does not grow with a doc's length.
INFERENCE_CHUNK = 4096

# Most padded wordpieces in one transformer forward pass: the default of the transformer component's
# max_batch_items.
DEFAULT_MAX_BATCH_ITEMS = 4096

# A long doc at inference: more than this many transformer batches, or head chunks, of one doc. Its freed memory
# is handed back after each step; short docs skip that, as faulting the pages in again cost 12% of bf16
# nlp.pipe time.
TRIM_AFTER_STEPS = 8

# Token rows a span model gathers at once (spans in a block x the longest span): the pooled features of a long doc's
# suggested spans are made block by block, never all at once.
SPAN_ROWS = 16384
