"""Rendering a config as text with a comment above every setting, for init-config and fill-config."""
from __future__ import annotations

import re

from confection import Config

from plait.core.config import SECTIONS

# Comments by dotted key (most specific) or by bare key name (shared meaning across blocks).
_BY_PATH = {
    "paths.train": "Training corpus: any format plait reads (.conllu, .iob, .jsonl, .tsv, .plait) or a directory.",
    "paths.dev": "Development corpus, scored every eval_frequency steps to pick model-best.",
    "paths.init_tok2vec": "Safetensors weights to start the tok2vec from (e.g. from pretraining), or null.",
    "paths.vectors": "Static vectors: a pipeline or table directory (from plait init-vectors), or null.",
    "system.seed": "Random seed: the same config and seed give the same scores on CPU.",
    "system.threads": ("Torch threads on CPU (0: OMP_NUM_THREADS if set, else 1 for training and, for "
                       "inference, 2 while other processes leave two cores free, else 1)."),
    "system.gpu_allocator": "spaCy's setting, kept for ported configs: \"pytorch\" or null (torch allocates either way).",
    "nlp.lang": "Language code: picks the tokenizer rules (unknown codes get language-neutral rules).",
    "nlp.pipeline": "Components to run, in order; each has a [components.NAME] block.",
    "nlp.batch_size": "Texts per batch in nlp.pipe and evaluation.",
    "nlp.disabled": "Components that are loaded but not run.",
    "training.seed": "Seed for training (defaults to system.seed).",
    "training.dropout": "Dropout rate of every component during training (a transformer keeps its own config's).",
    "training.accumulate_gradient": "Batches whose gradients are summed before each optimizer step.",
    "training.patience": "Stop after this many steps without a better dev score (0: never).",
    "training.max_epochs": "Stop after this many passes over the training corpus (0: no limit).",
    "training.max_steps": "Stop after this many optimizer steps (0: no limit).",
    "training.eval_frequency": "Score the dev corpus every this many steps.",
    "training.checkpoint_every": "Write a checkpoint (for --resume) every this many steps (0: at each evaluation).",
    "training.frozen_components": "Components not updated; a frozen tok2vec still feeds its listeners.",
    "training.annotating_components": "Components whose predictions are set on docs during training, for later ones.",
    "training.dev_corpus": "Dotted name of the dev corpus block.",
    "training.train_corpus": "Dotted name of the training corpus block.",
    "training.mixed_precision": "Autocast to fp16 (GPU) or bf16 (a CPU with native bf16) in the forward pass.",
    "training.score_weights": "Weights of each score in the combined score that picks model-best.",
    "initialize.init_tok2vec": "Pretrained tok2vec weights to load before training.",
    "initialize.vectors": "Static vectors table to load into the vocab before training (saved with the pipeline).",
    "components.transformer.model.adapter.dropout": "Dropout on the input of each LoRA adapter (0: none, fastest).",
    "paths.raw": "Raw text for plait pretrain: JSONL ({\"text\": ...} per line), .plait docs or any corpus "
                 "(tags ignored).",
    "corpora.pretrain.min_length": "Skip texts shorter than this many tokens.",
    "corpora.pretrain.max_length": "Skip texts longer than this many tokens (0: no limit).",
    "pretraining.max_epochs": "Passes over the raw text (0: no limit).",
    "pretraining.dropout": "Dropout rate in the pretrained layers.",
    "pretraining.n_save_every": "Also save model-last.safetensors every this many batches (0: at epoch ends only).",
    "pretraining.n_save_epoch": "Keep model{N}.safetensors every this many epochs (0: every epoch).",
    "pretraining.component": "Component whose model (or a layer of it) is pretrained.",
    "pretraining.layer": "Named layer inside the component's model, e.g. tok2vec (\"\": the whole model).",
    "pretraining.corpus": "Dotted name of the raw text corpus block.",
    "pretraining.objective.n_characters": "Leading and trailing UTF-8 bytes of each token to predict.",
    "pretraining.objective.hidden_size": "Width of the objective's hidden layer (thrown away after pretraining).",
    "pretraining.objective.loss": "Loss against the static vectors: cosine or L2.",
    "pretraining.objective.mask_rate": "Share of tokens replaced by a mask word before the encoder.",
    "pretraining.objective.replace_rate": "Share of tokens replaced by a random word of the batch before the encoder.",
}
_BY_KEY = {
    "factory": "Registered component factory that builds this component.",
    "path": "File or directory to read.",
    "gold_preproc": "Keep the corpus's own tokens instead of re-tokenizing the text.",
    "max_length": "Skip documents longer than this many tokens (0: no limit).",
    "limit": "Read at most this many documents (0: all).",
    "n_sents": "Sentences of a CoNLL-U or column file grouped into one doc (0: whole documents).",
    "across_docs": "Group sentences across # newdoc / -DOCSTART- boundaries, as spacy convert -n N does.",
    "spans_key": "Span group the spans go into or are read from: doc.spans[KEY].",
    "discard_oversize": "Drop items larger than a whole batch instead of batching them alone.",
    "tolerance": "How far a batch may overflow its target size.",
    "size": "Target batch size in words (a number or a schedule).",
    "start": "Schedule's first value.",
    "stop": "Schedule's limit.",
    "compound": "Factor applied to the value at each step.",
    "learn_rate": "Learning rate (a number or a schedule).",
    "beta1": "Adam's first-moment decay.",
    "beta2": "Adam's second-moment decay.",
    "eps": "Adam's epsilon.",
    "weight_decay": "Weight decay: L2 penalty, or decoupled (AdamW) when decoupled = true.",
    "decoupled": "Use decoupled weight decay (AdamW).",
    "grad_clip": "Clip the gradient norm to this value (0: no clipping).",
    "use_averages": "Evaluate and save a moving average of the weights instead of the last step's.",
    "min_length": "Tokens of at least this many characters are split.",
    "split_length": "Length in characters of each piece of a split token.",
    "rate": "Constant value.",
    "initial_rate": "Peak value, reached at the end of warmup.",
    "warmup_steps": "Steps of linear warmup.",
    "total_steps": "Step at which the value reaches 0.",
    "steps": "Number of steps the first value lasts.",
    "buffer": "Items sorted together by length before batching.",
    "format": "Corpus format name, or null to choose by file extension.",
    "column": "Doc column the tagger predicts: TAG (fine-grained, e.g. PTB) or POS (universal).",
    "overwrite": "Replace annotations the doc already has (false: fill only missing ones).",
    "width": "Width of the token vectors.",
    "attrs": "Lexical attributes to embed (NORM, LOWER, ORTH, PREFIX, SUFFIX, SHAPE).",
    "rows": "Rows of the hash table for each attribute, in the order of attrs.",
    "include_static_vectors": "Add the vocab's static word vectors (projected, never updated) as features; needs [initialize] vectors.",
    "depth": "Number of encoder layers.",
    "window_size": "Tokens on each side that one encoder layer sees.",
    "maxout_pieces": "Candidate units per maxout output.",
    "upstream": "Name of the encoder component to listen to (* for the nearest one before this component).",
    "hidden_width": "Width of the hidden layer between the token vectors and the output scores.",
    "context_width": "Width of the BiLSTM run over each sentence before the parser's scorers (half per direction).",
    "context_depth": "Layers of that BiLSTM (each over the whole sentence, the second over the first's output).",
    "arc_width": "Width of the two projections whose biaffine product scores each possible head.",
    "label_width": "Width of the two projections that score the label of each arc.",
    "min_freq": "Edits seen fewer times than this in the training data are not learned.",
    "top_k": "Best-scoring edits tried in turn before a token backs off to its own form.",
    "dropout": "Dropout rate.",
    "n_chars": "Characters embedded per token: the first and last n_chars // 2.",
    "char_width": "Width of each character embedding.",
    "feature": "Lexical attribute embedded beside the characters (e.g. NORM).",
    "ngram_size": "Longest n-gram of lowercased tokens counted as a feature (1: words only, 2: words and bigrams).",
    "length": "Rows of the hashed n-gram weight table (more rows, fewer collisions).",
    "exclusive_classes": "Whether the labels exclude each other (true for textcat, false for textcat_multilabel).",
    "threshold": "Probability at or above which a label counts as predicted, in scoring.",
    "component_learn_rates": "Learning rates (numbers or schedules) for named components, overriding learn_rate.",
    "max_batch_items": "Most padded wordpieces in one transformer forward pass: bounds memory, whatever the doc length.",
    "name": "HuggingFace model: a local directory, or a hub name (roberta-base), fetched into the HuggingFace cache.",
    "revision": "Hub branch, tag or commit of the model; the commit used is recorded in the saved meta.json.",
    "tokenizer_config": "Settings passed to AutoTokenizer.from_pretrained.",
    "transformer_config": "Settings passed to AutoModel.from_pretrained: keys of the model's config.json, and the like.",
    "attention_probs_dropout_prob": "Attention dropout while fine-tuning; at 0, training on CPU is about 25% faster.",
    "mixed_precision": "Run the transformer under autocast: fp16 on GPU, bf16 on a CPU with native bf16.",
    "grad_scaler_config": "Settings of torch's GradScaler when fp16 mixed precision runs on a GPU.",
    "overlong": "A span over the model's wordpiece limit: split into overlapping windows, or error.",
    "grad_factor": "Scale of the gradient this head sends to the transformer (0: frozen), a number or a schedule.",
    "rank": "Rank of each LoRA adapter's two low-rank matrices (8 to 16 usual): its size and capacity.",
    "alpha": "LoRA scale: an adapter's update is multiplied by alpha / rank (twice the rank usual).",
    "target_modules": "Layers given LoRA adapters: module names (e.g. query, value) or \"all-linear\".",
    "merge_on_save": "Save the weights with the adapters added in (no base model needed to load) instead of the "
                     "adapters alone.",
    "window": "Tokens per span.",
    "stride": "Tokens between the starts of consecutive spans (less than window: they overlap).",
}
_SETTING = re.compile(r"^([A-Za-z_@][\w@]*) = ")


def comment_for(section: str, key: str) -> str:
    """The comment for `section.key`; registered-function references get a generic one."""
    dotted = f"{section}.{key}" if section else key
    if dotted in _BY_PATH:
        return _BY_PATH[dotted]
    if key in _BY_KEY:
        return _BY_KEY[key]
    if key.startswith("@"):
        return f"Registered function (registry: {key[1:]}) that builds this block."
    if section == "training.score_weights":
        return f"Weight of {key} in the combined score that picks model-best."
    return EXTRA_COMMENTS.get(key, "")


# Components and models add their own key comments here when they are registered.
EXTRA_COMMENTS: dict[str, str] = {}


def _section_order(config: dict, prefix: str = "") -> list[str]:
    """Section names depth first: each section followed by its sub-sections, top level in SECTIONS order."""
    keys = [k for k, v in config.items() if isinstance(v, dict)]
    if not prefix:
        keys.sort(key=lambda k: SECTIONS.index(k) if k in SECTIONS else len(SECTIONS))
    order: list[str] = []
    for key in keys:
        name = f"{prefix}.{key}" if prefix else key
        order.append(name)
        order.extend(_section_order(config[key], name))
    return order


def commented(config: Config) -> str:
    """Config text, sections depth first, with a `# comment` line above every setting that has one."""
    blocks: dict[str, list[str]] = {}
    section = ""
    for line in config.to_str().splitlines():
        if line.startswith("["):
            section = line.strip("[]")
            blocks[section] = []
            continue
        match = _SETTING.match(line)
        if match and (text := comment_for(section, match.group(1))):
            blocks[section].append(f"# {text}")
        if line.strip():
            blocks[section].append(line)
    parts = [f"[{name}]\n" + "".join(f"{line}\n" for line in blocks[name])
             for name in _section_order(config) if name in blocks]
    return "\n".join(parts)
