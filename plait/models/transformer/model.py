"""TransformerModel: a HuggingFace encoder run over the wordpieces of a batch of docs' spans.

The HuggingFace model is loaded by `load_pretrained()` when the pipeline is initialized, from `name`: a local
directory, else a HuggingFace hub name fetched into the HuggingFace cache (`hub.py`: safetensors weights only,
never remote code); or by `load_files(dir)` from a saved pipeline, which holds the model config and tokenizer
files so neither the original directory nor the hub is needed.
Windows are sorted by length and batched so that no batch holds more than `max_batch_items` padded
wordpieces: memory is bounded by that setting, not by the length of a document.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import torch
from torch import nn

from plait.models.dropout import use_fast_dropout
from plait.models.limits import DEFAULT_MAX_BATCH_ITEMS, TRIM_AFTER_STEPS
from plait.runtime.memory import release_freed_memory
from plait.models.precision import autocast
from plait.models.transformer.adapter import (
    LoraAdapter,
    add_lora,
    check_targets,
    has_adapters,
    load_hook,
    require_peft,
    save_hook,
)
from plait.models.transformer.hub import DEFAULT_REVISION, RevisionError, cached_model_folder, fetch
from plait.models.transformer.wordpieces import SpecialTokens, Wordpieces, make_wordpieces

# Fallback when neither the tokenizer nor the model config states a length limit.
_DEFAULT_MAX_LENGTH = 512


class TransformerOutput:
    """A batch's transformer output: wordpiece rows and their alignment to the batch's tokens.

    `tensors[0]` is the last hidden state, one row per wordpiece of every window (n_rows, width); further
    entries are the other outputs the model returned (all hidden states if asked for: per row; the pooler
    output: per window). `token`, `row` are the aligned (token, wordpiece row) pairs as tensors.
    """

    def __init__(self, wordpieces: Wordpieces, tensors: list[torch.Tensor], per_row: list[bool]) -> None:
        self.wordpieces = wordpieces
        self.tensors, self.per_row = tensors, per_row
        device = tensors[0].device
        self.token = torch.from_numpy(wordpieces.token).to(device)
        self.row = torch.from_numpy(wordpieces.row).to(device)
        self.doc_data: list[Any] = []  # each doc's TransformerData, set by the component before annotation setters

    @property
    def last_hidden_state(self) -> torch.Tensor:
        return self.tensors[0]

    @property
    def lengths(self) -> list[int]:
        return self.wordpieces.doc_lengths

    @property
    def n_tokens(self) -> int:
        return self.wordpieces.n_tokens


# The cost of one forward call beyond its padded wordpieces, in wordpieces: it stops batching from splitting
# windows into many tiny calls just to save a little padding.
_CALL_COST = 64


def _batches(lengths: np.ndarray, max_items: int) -> list[np.ndarray]:
    """Window indices in groups of at most `max_items` padded wordpieces (count x longest), least padding first.

    Windows are sorted longest first and cut into consecutive groups by dynamic programming, minimising the
    padded wordpieces plus a per-call cost: one 150-wordpiece window among 15-wordpiece ones gets its own
    call instead of padding dozens of short ones to 150.
    """
    order = np.argsort(-lengths, kind="stable")
    sizes = np.maximum(lengths[order], 1)
    n = len(order)
    best = np.zeros(n + 1)
    cut = np.zeros(n + 1, dtype=np.int64)
    first = 0
    for end in range(1, n + 1):
        while (end - first) * sizes[first] > max_items and first < end - 1:
            first += 1
        starts = np.arange(first, end)
        costs = best[starts] + (end - starts) * sizes[starts] + _CALL_COST
        k = int(np.argmin(costs))
        best[end], cut[end] = costs[k], starts[k]
    groups = []
    end = n
    while end > 0:
        groups.append(order[cut[end]:end])
        end = int(cut[end])
    return groups[::-1]


class TransformerSettingError(ValueError):
    """transformer_config holds a setting that this HuggingFace model does not take."""


# One setting, spelled differently by each architecture's config.json (BERT and most others first).
_SAME_SETTING = (
    ("attention_probs_dropout_prob", "attention_dropout", "attn_pdrop"),  # DistilBERT, BART; GPT-2
    ("hidden_dropout_prob", "dropout", "resid_pdrop"),
)


def fit_transformer_config(model_config: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """`settings` under the keys this model's config uses (attention_probs_dropout_prob is DistilBERT's
    attention_dropout); TransformerSettingError for a key the config does not have."""
    fitted = {}
    for key, value in settings.items():
        spellings = next((group for group in _SAME_SETTING if key in group), (key,))
        own = next((name for name in spellings if hasattr(model_config, name)), None)
        if own is None:
            keys = sorted(k for k in model_config.to_dict() if not k.startswith("_"))
            raise TransformerSettingError(f"{key!r} is not a setting of this {model_config.model_type} model; its "
                                          f"config.json has {', '.join(keys[:40])}")
        fitted[own] = value
    return fitted


def model_config_of(directory: Path) -> Any:
    """The HuggingFace config (config.json only, no weights) of a model folder."""
    from transformers import AutoConfig

    with _quiet_transformers():
        try:
            return AutoConfig.from_pretrained(str(directory), local_files_only=True, trust_remote_code=False)
        except (OSError, ValueError) as err:
            raise FileNotFoundError(f"{directory}: no usable config.json ({' '.join(str(err).split())[:200]})") \
                from err


class CorruptWeightsError(ValueError):
    """A safetensors weights file of the pretrained model that cannot be read (cut short, overwritten)."""


def check_weights(directory: Path, hint: str = "") -> None:
    """Open the header of every safetensors file in `directory` (no tensors are read): a file cut short or
    overwritten is a CorruptWeightsError naming it, before transformers reports it without its name."""
    from safetensors import SafetensorError, safe_open

    for path in sorted(directory.glob("*.safetensors")):
        try:
            with safe_open(str(path), framework="pt"):
                pass
        except (SafetensorError, OSError) as err:
            raise CorruptWeightsError(f"{path}: corrupt safetensors weights ({' '.join(str(err).split())[:160]})"
                                      f"{hint}") from err


class TransformerModel(nn.Module):
    """docs -> TransformerOutput, through `get_spans`, the fast tokenizer and the HuggingFace model."""

    # [training] dropout leaves the HuggingFace model alone: its rates are its config's (transformer_config).
    keeps_own_dropout = True

    def __init__(self, *, name: str, get_spans: Callable[[Sequence[Any]], list[list[Any]]],
                 tokenizer_config: dict[str, Any], transformer_config: dict[str, Any], mixed_precision: bool,
                 grad_scaler_config: dict[str, Any], overlong: str = "split",
                 revision: str = DEFAULT_REVISION, adapter: LoraAdapter | None = None,
                 downloads: bool = True) -> None:
        super().__init__()
        if overlong not in ("split", "error"):
            raise ValueError(f"overlong must be 'split' or 'error', not {overlong!r}")
        self.name, self.revision, self.get_spans = name, revision, get_spans
        self.tokenizer_config, self.transformer_config = dict(tokenizer_config), dict(transformer_config)
        self.mixed_precision, self.grad_scaler_config = mixed_precision, dict(grad_scaler_config)
        self.overlong = overlong
        self.max_batch_items = DEFAULT_MAX_BATCH_ITEMS  # the transformer component's setting, given at build
        self.transformer: nn.Module | None = None  # the HuggingFace AutoModel, once loaded
        self.tokenizer: Any = None
        self.special = SpecialTokens([], [])
        self.max_length = _DEFAULT_MAX_LENGTH
        self._folder: Path | None = None  # where the pretrained files are, once found (or fetched)
        # where the pretrained weights came from (hub name, revision asked for, commit used; or a directory):
        # set when they are loaded, kept by a saved pipeline (the component's state)
        self.origin: dict[str, str] | None = None
        self.downloads = downloads  # whether a hub name missing from the cache is fetched (v2) or refused (v1)
        self.adapter = adapter
        self.adapted = False  # whether the loaded model holds the adapters (a merged pipeline loads without them)
        self.merging = False  # whether state_dict adds the adapters into the weights (adapter.merged_saves)
        # whether saving adds the adapters into the weights; checkpoints turn it off to resume exactly
        self.merge_on_save = adapter is not None and adapter.merge_on_save
        if adapter is not None:
            self.register_state_dict_post_hook(save_hook)
            self.register_load_state_dict_pre_hook(load_hook)

    # -- loading --------------------------------------------------------------------------------------
    @property
    def is_loaded(self) -> bool:
        return self.transformer is not None

    def pretrained_folder(self) -> Path:
        """The folder holding the pretrained files: `name` if it is a local directory, else its snapshot in the
        HuggingFace cache, fetched from the hub the first time it is needed (`hub.fetch`)."""
        if self._folder is None:
            local = Path(self.name).expanduser()
            if local.is_dir():
                if self.revision != DEFAULT_REVISION:
                    raise RevisionError(f"{self.revision!r} names a hub revision, but {self.name!r} is a local "
                                        f"directory (leave revision at {DEFAULT_REVISION!r})")
                self._folder, origin = local, {"name": str(local.resolve())}
            else:
                snapshot = fetch(self.name, self.revision, local_only=not self.downloads)
                self._folder, origin = snapshot.path, snapshot.record()
            self.origin = origin
        return self._folder

    def model_config(self) -> Any:
        """The HuggingFace config of the pretrained model (its config.json; the weights are not read)."""
        return model_config_of(self.pretrained_folder())

    def load_pretrained(self) -> None:
        """Load the tokenizer and pretrained weights from `name` (safetensors weights only, no remote code)."""
        from huggingface_hub.errors import StrictDataclassError
        from transformers import AutoModel, AutoTokenizer

        folder = self.pretrained_folder()
        settings = fit_transformer_config(model_config_of(folder), self.transformer_config)
        hint = "" if self.origin.get("commit") is None else \
            f"; it is a download of {self.name!r}: delete {cached_model_folder(folder)} to fetch it again"
        check_weights(folder, hint)
        with _quiet_transformers():
            try:
                tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True, trust_remote_code=False,
                                                          **self.tokenizer_config)
                model = AutoModel.from_pretrained(str(folder), local_files_only=True, trust_remote_code=False,
                                                  use_safetensors=True, **settings)
            except (TypeError, StrictDataclassError) as err:  # a transformer_config key or value the model refuses
                reason = " ".join(str(err).split())[:300]
                raise TransformerSettingError(f"{reason}; this model takes the keys of its config.json") from err
            except OSError as err:
                raise FileNotFoundError(f"{folder}: cannot load the pretrained model "
                                        f"({' '.join(str(err).split())[:200]})") from err
        self._attach(tokenizer, model)

    def save_files(self, directory: Path) -> None:
        """Write the model config and tokenizer files (the weights go with the component's safetensors)."""
        self._require_loaded()
        directory.mkdir(parents=True, exist_ok=True)
        self.tokenizer.save_pretrained(str(directory))
        self.transformer.config.save_pretrained(str(directory))

    def load_files(self, directory: Path, weight_shapes: dict[str, tuple[int, ...]]) -> None:
        """Rebuild the tokenizer and an untrained model of the saved architecture; weights are loaded after.

        The architecture is first built without memory (torch's meta device) and checked against
        `weight_shapes` (this module's saved tensors), so an edited config.json fails before it allocates.
        """
        from transformers import AutoConfig, AutoModel, AutoTokenizer

        if not (directory / "tokenizer.json").is_file():  # without it a tokenizer loads with a near-empty vocab
            raise FileNotFoundError(f"{directory / 'tokenizer.json'}: missing (plait saves every fast tokenizer there)")
        adapters = has_adapters(weight_shapes)
        if adapters and self.adapter is None:
            raise ValueError(f"{directory.parent / 'model.safetensors'} holds LoRA adapters but the config has no "
                             "adapter block")
        with _quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
            config = AutoConfig.from_pretrained(str(directory), local_files_only=True)
            if adapters:  # the saved adapters and the base model the config names
                self._attach(tokenizer, self._base_model(config))
                return
            with torch.device("meta"):
                probe = AutoModel.from_config(config)
            for key, tensor in probe.state_dict().items():
                saved = weight_shapes.get(f"transformer.{key}")
                if saved is not None and saved != tuple(tensor.shape):
                    raise ValueError(f"{directory / 'config.json'} does not fit the saved weights: {key} is "
                                     f"{tuple(tensor.shape)} by the config but {saved} in the weights file")
            del probe
            model = AutoModel.from_config(config)
        self._attach(tokenizer, model, adapt=False)  # with an adapter block: its merged weights, a plain model

    def _base_model(self, config: Any) -> nn.Module:
        """The pretrained weights the adapters were trained on (the saved origin: a directory, or a hub name at the
        commit used) under the saved `config`, from a local directory or the HuggingFace cache only: loading a
        saved pipeline never downloads."""
        from transformers import AutoModel

        origin = self.origin or {"name": self.name}  # the saved record of the weights trained on
        local = Path(origin["name"]).expanduser()
        try:
            folder = local if local.is_dir() else \
                fetch(origin["name"], origin.get("commit") or self.revision, local_only=True).path
            return AutoModel.from_pretrained(str(folder), config=config, local_files_only=True,
                                             trust_remote_code=False, use_safetensors=True)
        except (OSError, ValueError) as err:
            raise FileNotFoundError(f"the pipeline holds LoRA adapters for the base model {self.name!r}, which "
                                    f"cannot be loaded: {' '.join(str(err).split())[:200]}") from err

    def check_adapter(self) -> None:
        """AdapterError for an adapter setting that does not fit the model's architecture (built on torch's meta
        device from config.json: no weights are read or allocated)."""
        from transformers import AutoModel

        if self.adapter is None:
            return
        require_peft()
        with _quiet_transformers(), torch.device("meta"):
            probe = AutoModel.from_config(self.model_config())
        check_targets(probe, self.adapter)

    def load_exported(self, directory: Path, graph: nn.Module) -> None:
        """Load the tokenizer saved in `directory` and run `graph` (an exported encoder with the HuggingFace
        model's `config` and `max_length`, see onnx.py) in place of the HuggingFace model."""
        from transformers import AutoTokenizer

        if not (directory / "tokenizer.json").is_file():
            raise FileNotFoundError(f"{directory / 'tokenizer.json'}: missing (plait saves every fast tokenizer there)")
        with _quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        self._attach(tokenizer, graph, adapt=False)
        self.max_length = graph.max_length

    def _attach(self, tokenizer: Any, model: nn.Module, adapt: bool = True) -> None:
        if not getattr(tokenizer, "is_fast", False):
            raise ValueError(f"{self.name!r}: plait aligns wordpieces with a fast tokenizer's offsets, and this "
                             "model has none (no tokenizer.json)")
        use_fast_dropout(model)
        self.adapted = adapt and self.adapter is not None
        if self.adapted:
            add_lora(model, self.adapter)
        self.tokenizer, self.transformer = tokenizer, model
        self.inference_attention = model.config._attn_implementation  # the kernel it loaded with
        # plait tokenizes whole spans and cuts them into windows itself: the tokenizer's over-length warning
        # ("will result in indexing errors") does not apply, so it is marked as already shown
        tokenizer.deprecation_warnings["sequence-length-is-longer-than-the-specified-maximum"] = True
        self.special = SpecialTokens.of(tokenizer)
        self.max_length = _max_length(tokenizer, model)

    def _require_loaded(self) -> None:
        if self.transformer is None:
            raise RuntimeError("the transformer is not loaded: initialize the pipeline (or load a saved one) first")

    @property
    def width(self) -> int:
        """The hidden size: the loaded model's, else from `name`'s config.json (no weights are read)."""
        config = self.transformer.config if self.transformer is not None else self.model_config()
        return int(config.hidden_size)

    # -- running --------------------------------------------------------------------------------------
    def forward(self, docs: Sequence[Any]) -> TransformerOutput:
        self._require_loaded()
        wordpieces = make_wordpieces(self.tokenizer, self.get_spans(docs), docs, max_length=self.max_length,
                                     special=self.special, split_overlong=self.overlong == "split")
        # an exported encoder (models/transformer/onnx.py) has no parameters: it runs on the CPU
        device = next(self.transformer.parameters(), torch.empty(0)).device
        lengths = np.fromiter((len(x) for x in wordpieces.ids), dtype=np.int64, count=len(wordpieces.ids))
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        # every window's wordpieces in row order, then one padding wordpiece (row n_rows) that fills batches out
        flat_ids = np.concatenate([*wordpieces.ids, [pad]]).astype(np.int64)
        outputs = _Gathered(wordpieces.n_rows, len(lengths), torch.is_grad_enabled())
        # training: the word embedding runs once over all rows, so its (vocabulary x width) gradient is made once
        # per step rather than once per batch; at inference each batch looks up its own, keeping memory bounded
        embedded = self.transformer.get_input_embeddings()(torch.from_numpy(flat_ids).to(device)) \
            if outputs.grad else None
        longest_doc = np.bincount(wordpieces.window_doc, weights=lengths).max(initial=0)
        # over a long doc the heap would otherwise grow batch by batch (370 MB over 100,000 words)
        trim = not outputs.grad and longest_doc > TRIM_AFTER_STEPS * self.max_batch_items
        self._choose_attention(device)
        for batch in _batches(lengths, self.max_batch_items):
            positions = np.arange(int(lengths[batch].max()))[None, :]
            valid = positions < lengths[batch][:, None]
            index = np.where(valid, wordpieces.row_starts[batch][:, None] + positions, wordpieces.n_rows)
            if embedded is None:
                inputs = {"input_ids": torch.from_numpy(flat_ids[index]).to(device)}
            else:
                inputs = {"inputs_embeds": embedded[torch.from_numpy(index).to(device)]}
            mask = torch.from_numpy(valid).to(device)
            with autocast(device, self.mixed_precision):
                out = self.transformer(**inputs, attention_mask=mask.long())
            rows = torch.from_numpy(index[valid]).to(device)  # where each unpadded position goes
            for key, value in model_outputs(out):
                if value.dim() == 3:
                    outputs.add(key, True, value[mask].float(), rows)
                else:
                    outputs.add(key, False, value.float(), torch.from_numpy(batch).to(device))
            if trim:
                del out
                release_freed_memory()
        if not outputs.tensors:
            return TransformerOutput(wordpieces, [torch.zeros((0, self.width), device=device)], [True])
        return TransformerOutput(wordpieces, *outputs.result())

    def _choose_attention(self, device: torch.device) -> None:
        """Eager attention when training on a CPU, the model's own kernel otherwise.

        On a CPU torch's fused attention has a slow backward and its unfused kernel computes bf16 inputs in fp32;
        eager attention (bf16 matmuls, fp32 softmax) trains faster (figures: BENCHMARKS.md, "Transformers").
        """
        wanted = "eager" if device.type == "cpu" and torch.is_grad_enabled() else self.inference_attention
        if self.transformer.config._attn_implementation != wanted:
            with _quiet_transformers():  # a model that cannot switch says so in a warning, and keeps its kernel
                self.transformer.set_attn_implementation(wanted)


class _Gathered:
    """The model's outputs of each length-sorted batch, put back in doc order (per row or per window).

    At inference each batch is copied straight into one preallocated tensor per output, so a long doc costs
    its output once; with gradients the pieces are joined by one differentiable `index_copy`.
    """

    def __init__(self, n_rows: int, n_windows: int, grad: bool) -> None:
        self.sizes = {True: n_rows, False: n_windows}
        self.grad = grad
        self.tensors: dict[str, tuple[bool, Any]] = {}

    def add(self, key: str, per_row: bool, values: torch.Tensor, index: torch.Tensor) -> None:
        if self.grad:
            self.tensors.setdefault(key, (per_row, []))[1].append((values, index))
            return
        if key not in self.tensors:
            self.tensors[key] = (per_row, values.new_empty((self.sizes[per_row], *values.shape[1:])))
        self.tensors[key][1].index_copy_(0, index, values)

    def result(self) -> tuple[list[torch.Tensor], list[bool]]:
        tensors, per_row = [], []
        for is_rows, value in self.tensors.values():
            if self.grad:
                values = torch.cat([v for v, _ in value])
                index = torch.cat([i for _, i in value])
                value = values.new_zeros((self.sizes[is_rows], *values.shape[1:])).index_copy(0, index, values)
            tensors.append(value)
            per_row.append(is_rows)
        return tensors, per_row


def model_outputs(out: Any) -> Iterator[tuple[str, torch.Tensor]]:
    """The model's per-wordpiece and per-window outputs, last hidden state first; hidden states one per layer.

    Attention maps (4 dimensions) are left out: they are per pair of wordpieces, not per row.
    """
    yield "last_hidden_state", out.last_hidden_state
    for key, value in out.items():
        if key == "last_hidden_state":
            continue
        if isinstance(value, torch.Tensor) and value.dim() in (2, 3):
            yield key, value
        elif key == "hidden_states" and isinstance(value, tuple):
            for i, layer in enumerate(value):
                yield f"hidden_states.{i}", layer


def _max_length(tokenizer: Any, transformer: nn.Module) -> int:
    """Wordpieces a window may hold: the tokenizer's limit, else the HuggingFace model's positions (less RoBERTa's
    offset)."""
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 0 < limit < 100_000:
        return limit
    positions = getattr(transformer.config, "max_position_embeddings", None)
    if not isinstance(positions, int) or positions <= 0:
        return _DEFAULT_MAX_LENGTH
    padding_idx = getattr(getattr(transformer, "embeddings", None), "padding_idx", None)
    return positions - (padding_idx + 1 if isinstance(padding_idx, int) else 0)


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' loading bars and warnings: plait reports its own progress and errors."""
    from transformers.utils import logging

    level = logging.get_verbosity()
    bars = logging.is_progress_bar_enabled()
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        logging.set_verbosity(level)
        if bars:
            logging.enable_progress_bar()


def build_transformer_model(*, name: str, get_spans: Callable, tokenizer_config: dict[str, Any] | None = None,
                            transformer_config: dict[str, Any] | None = None, mixed_precision: bool = False,
                            grad_scaler_config: dict[str, Any] | None = None,
                            overlong: str = "split", adapter: LoraAdapter | None = None) -> TransformerModel:
    """`plait.TransformerModel.v1`: as v2 at the hub's default revision ("main"), from a local directory or the
    HuggingFace cache only (v1 never downloaded: its configs keep meaning what they meant)."""
    return TransformerModel(name=name, get_spans=get_spans, tokenizer_config=tokenizer_config or {},
                            transformer_config=transformer_config or {}, mixed_precision=mixed_precision,
                            grad_scaler_config=grad_scaler_config or {}, overlong=overlong, adapter=adapter,
                            downloads=False)


def build_transformer_model_v2(*, name: str, get_spans: Callable, revision: str = DEFAULT_REVISION,
                               tokenizer_config: dict[str, Any] | None = None,
                               transformer_config: dict[str, Any] | None = None, mixed_precision: bool = False,
                               grad_scaler_config: dict[str, Any] | None = None,
                               overlong: str = "split", adapter: LoraAdapter | None = None) -> TransformerModel:
    """`plait.TransformerModel.v2`: a HuggingFace encoder, `name` a local directory or a HuggingFace hub name.

    A hub name is fetched into the HuggingFace cache at `revision` (a branch, tag or commit; the commit used is
    recorded in the saved pipeline's meta.json), safetensors weights only; HF_HUB_OFFLINE=1 or `--offline` keeps
    to the cache. `tokenizer_config` and `transformer_config` are passed to AutoTokenizer / AutoModel
    `from_pretrained`; `mixed_precision` runs the transformer under autocast (fp16 on GPU, where
    `grad_scaler_config` sets up torch's GradScaler; bf16 on a CPU with native bf16, float32 on other CPUs); a
    span longer than the model's limit is cut into overlapping windows (`overlong = "split"`) or is an error
    naming the doc (`"error"`). With an `adapter` (`plait.LoraAdapter.v1`) only its LoRA weights train and a
    saved pipeline holds them alone (or merged into the weights).
    """
    return TransformerModel(name=name, revision=revision, get_spans=get_spans, tokenizer_config=tokenizer_config or {},
                            transformer_config=transformer_config or {}, mixed_precision=mixed_precision,
                            grad_scaler_config=grad_scaler_config or {}, overlong=overlong, adapter=adapter)
