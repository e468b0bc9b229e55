"""A transformer by its HuggingFace hub name: its config, tokenizer and safetensors weights fetched into the cache.

`fetch(name, revision)` gives the snapshot folder HuggingFace's cache holds for that revision and the commit it
is, downloading what is missing through `huggingface_hub` (never pickle weights, never remote code). It reads
the variables HuggingFace's libraries read, when it is called rather than when `huggingface_hub` was imported,
so that `--offline` and a stand-in hub take effect in a running process: HF_ENDPOINT (the hub), HF_HUB_CACHE or
HF_HOME (the cache), HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE (the cache only, no network at all).
"""
from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

DEFAULT_REVISION = "main"
_DEFAULT_ENDPOINT = "https://huggingface.co"

# What a fetch takes from a repository's top folder: the model config, the tokenizer's files, safetensors weights
# (a sharded checkpoint's index too). Pickle weights (*.bin, *.pt, *.ckpt) and other folders never reach the disk.
ALLOW_PATTERNS = ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                  "added_tokens.json", "vocab.txt", "vocab.json", "merges.txt", "*.model", "*.safetensors",
                  "*.safetensors.index.json"]
IGNORE_PATTERNS = ["*/*"]


class HubError(ValueError):
    """A model name that cannot be fetched (no such model, not cached while offline, a failed download): one line."""


class RevisionError(HubError):
    """The `revision` setting names no branch, tag or commit of the model, or is given for a local directory."""


@dataclass(frozen=True)
class Snapshot:
    """A fetched model: the cache folder holding its files and where they came from."""

    path: Path
    name: str
    revision: str  # what the config asked for: a branch, tag or commit
    commit: str  # the commit that revision was when fetched
    endpoint: str

    def record(self) -> dict[str, str]:
        """What a saved pipeline's meta.json says about the weights it started from."""
        return {"name": self.name, "revision": self.revision, "commit": self.commit, "hub": self.endpoint}


def is_offline() -> bool:
    """True when HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) is set to 1 / true / yes / on, as huggingface_hub reads it."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().upper() in {"1", "ON", "YES", "TRUE"}


def hub_endpoint() -> str:
    """The hub HF_ENDPOINT names, huggingface.co by default."""
    return (os.environ.get("HF_ENDPOINT") or _DEFAULT_ENDPOINT).rstrip("/")


def cache_dir() -> Path:
    """HuggingFace's hub cache: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or "~/.cache", "huggingface")
    return Path(home).expanduser() / "hub"


def fetch(name: str, revision: str = DEFAULT_REVISION, *, local_only: bool = False) -> Snapshot:
    """The cached snapshot of hub model `name` at `revision`, downloaded first where it is missing (unless
    offline or `local_only`); HubError (RevisionError for the revision) in one line otherwise, with nothing half-written left in
    the cache (huggingface_hub writes each file under a temporary name and renames it when complete)."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        HFValidationError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )
    from huggingface_hub.utils import httpx, validate_repo_id

    try:
        validate_repo_id(name)
    except HFValidationError:
        raise HubError(f"{name!r} is neither a local model directory nor a HuggingFace hub name "
                       f"('owner/model')") from None
    offline, endpoint, cache = is_offline() or local_only, hub_endpoint(), cache_dir()
    try:
        with _quiet_hub():
            folder = snapshot_download(name, revision=revision, cache_dir=cache, endpoint=endpoint,
                                       local_files_only=offline, allow_patterns=ALLOW_PATTERNS,
                                       ignore_patterns=IGNORE_PATTERNS)
    except RevisionNotFoundError:
        raise RevisionError(f"{name!r} has no revision {revision!r} on {endpoint}") from None
    except RepositoryNotFoundError:
        raise HubError(f"{name!r}: no such model on {endpoint} (nor a local directory; a private or gated model "
                       f"needs a token: `hf auth login`)") from None
    except LocalEntryNotFoundError as err:
        if offline:
            raise HubError(f"{name!r} (revision {revision!r}) is not in the HuggingFace cache {cache}, and "
                           "downloads are off (HF_HUB_OFFLINE=1 or --offline)") from None
        cause = err.__cause__ or err
        raise HubError(f"{name!r}: cannot reach {endpoint} ({_one_line(cause)}), and revision {revision!r} is "
                       f"not in the HuggingFace cache {cache}") from None
    except (OSError, httpx.HTTPError) as err:  # the connection dropped, a file came short, the disk is full
        raise HubError(f"{name!r}: the download from {endpoint} failed ({_one_line(err)}); no partial file was "
                       "kept: run again to fetch it") from None
    path = Path(folder)
    if not any(path.glob("*.safetensors")):
        raise HubError(f"{name!r} (commit {path.name}) has no *.safetensors weights: plait loads safetensors "
                       "only, never pickle weights (pytorch_model.bin, *.pt)")
    return Snapshot(path=path, name=name, revision=revision, commit=path.name, endpoint=endpoint)


def cached_model_folder(snapshot: Path) -> Path:
    """The cache folder of the model a snapshot folder belongs to (models--owner--name): deleting it forgets
    every file fetched for that model."""
    return snapshot.parent.parent


def _one_line(err: BaseException, limit: int = 200) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= limit else text[:limit - 3] + "..."


@contextlib.contextmanager
def _quiet_hub() -> Iterator[None]:
    """huggingface_hub's warnings (retries, resumed downloads) off, plait reports the outcome in one line; its
    progress bars only on a terminal."""
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars
    from huggingface_hub.utils import logging

    level = logging.get_verbosity()
    bars_were_off = are_progress_bars_disabled()
    logging.set_verbosity_error()
    if not _on_terminal():
        disable_progress_bars()
    try:
        yield
    finally:
        logging.set_verbosity(level)
        if not bars_were_off:
            enable_progress_bars()


def _on_terminal() -> bool:
    stream: Any = sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())
