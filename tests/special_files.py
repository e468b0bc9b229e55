"""Special files where a pipeline file should be, for the tests of reads that must stay inside a folder and never
open what is not a regular file."""
from __future__ import annotations

import os
from pathlib import Path

KINDS = ("fifo", "link to a fifo", "/dev/zero", "/dev/urandom", "folder", "link out", "link loop", "link to folder")


def replace_with_special(target: Path, kind: str, outside: Path) -> None:
    """Put `kind` (one of KINDS) in place of the file `target`; a link out leads to `outside`, a folder beyond the
    pipeline's, or to a file there holding b"secret" (which no error message may quote)."""
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "link to a fifo":
        os.mkfifo(target.with_name(target.name + ".pipe"))
        target.symlink_to(target.with_name(target.name + ".pipe"))
    elif kind.startswith("/dev/"):
        target.symlink_to(kind)
    elif kind == "folder":
        target.mkdir()
    elif kind == "link out":
        (outside / "elsewhere").write_bytes(b"secret")
        target.symlink_to(outside / "elsewhere")
    elif kind == "link loop":
        target.symlink_to(target)
    elif kind == "link to folder":
        target.symlink_to(outside)
    else:
        raise ValueError(f"no special file of kind {kind!r}")
