"""The output folder of a training or pretraining run: one run per folder, held under a lock while in use.

A folder holding an earlier run is refused unless the run is resumed (`--resume`) or replaced
(`--overwrite`); a replaced run stays untouched until the new run has saved its first model. At every start
the leftovers of writes killed halfway are cleaned up, and the metrics log is cut back to the checkpoint.
"""
from __future__ import annotations

import fcntl
import shutil
from pathlib import Path
from typing import IO, Any, Iterable

import srsly
from confection import Config

from plait.core import fs
from plait.core.errors import UserError
from plait.core.training.checkpoint import INFO_FILE, Checkpoint, read_checkpoint

CHECKPOINT_DIR = "checkpoint"
LOCK_FILE = ".plait-lock"


class RunDir:
    """An open run folder; `checkpoint` is set when the run resumes one."""

    def __init__(self, path: Path, *, log_name: str, lock: IO[Any], replaces_run: bool) -> None:
        self.path, self.log_path, self._lock = path, path / log_name, lock
        self.replaces_run = replaces_run  # an earlier run is still there, to be removed at the first save
        self.checkpoint: Checkpoint | None = None
        self.written: set[str] = set()  # what this run has saved in the folder
        self.created = False  # the folder did not exist before this run

    @classmethod
    def open(cls, path: Path, *, resume: bool, overwrite: bool, log_name: str, last_name: str) -> "RunDir":
        """Check and lock the folder; refuse to mix two runs in it. `last_name` is the final model a finished
        run leaves."""
        if resume and overwrite:
            raise UserError("--resume and --overwrite: pass one or the other")
        fs.check_output_dir(path, replace=True)
        created = not path.exists()
        path.mkdir(parents=True, exist_ok=True)
        lock = (path / LOCK_FILE).open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            raise UserError(f"{path}: another plait run is writing to this folder") from None
        fs.recover(path)
        holds_run = any(child.name != LOCK_FILE for child in path.iterdir())
        if holds_run and not (resume or overwrite):
            lock.close()
            raise UserError(f"{path}: holds an earlier run; pass --resume to continue it or --overwrite to "
                            "replace it")
        restart = resume and holds_run and not has_checkpoint(path / CHECKPOINT_DIR)
        if restart and (path / last_name).exists():
            lock.close()
            raise UserError(f"{path}: holds a finished run without a checkpoint (an older plait wrote it); pass "
                            "--overwrite to replace it")
        # a run killed before its first checkpoint starts again: it is replaced once the new one saves
        run_dir = cls(path, log_name=log_name, lock=lock, replaces_run=holds_run and (overwrite or restart))
        run_dir.created = created
        return run_dir

    @property
    def checkpoint_path(self) -> Path:
        return self.path / CHECKPOINT_DIR

    def resume(self, config: Config, kind: str) -> Checkpoint | None:
        """The checkpoint to continue from (None in a new folder), its metrics log cut back to match it."""
        if not has_checkpoint(self.checkpoint_path):
            return None
        self.checkpoint = read_checkpoint(self.checkpoint_path, config=config, kind=kind)
        self._cut_log(self.checkpoint.state.metrics_rows)
        return self.checkpoint

    def saved(self, *names: str) -> None:
        """Called after each save of a file or folder: the first one of a run that replaces another removes
        everything of the earlier run."""
        self.written.update(names)
        if not self.replaces_run:
            return
        for child in self.path.iterdir():
            if child.name not in self.written and child.name != LOCK_FILE:
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        self.replaces_run = False

    def append_log(self, records: Iterable[dict[str, Any]]) -> None:
        srsly.write_jsonl(self.log_path, [finite_or_none(r) for r in records], append=True, append_new_line=False)

    def log_rows(self) -> list[dict[str, Any]]:
        """The complete rows of the metrics log (a line cut short by a kill is not one)."""
        if not self.log_path.is_file():
            return []
        text = self.log_path.read_text(encoding="utf8")
        return [srsly.json_loads(line) for line in text.split("\n")[:-1] if line.strip()] if text else []

    def _cut_log(self, rows: int) -> None:
        kept = self.log_rows()[:rows]
        fs.write_text_atomic(self.log_path, "".join(srsly.json_dumps(r) + "\n" for r in kept))

    def close(self) -> None:
        """Release the folder; one that this run made and never wrote to is removed again."""
        self._lock.close()
        if self.created and not self.written and [p.name for p in self.path.iterdir()] == [LOCK_FILE]:
            (self.path / LOCK_FILE).unlink()
            self.path.rmdir()


def has_checkpoint(path: Path) -> bool:
    return (path / INFO_FILE).is_file()


def finite_or_none(value: Any) -> Any:
    """`value` with every NaN and infinity replaced by None, so that it can be written as JSON."""
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    return value
