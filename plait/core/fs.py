"""Writing files and folders so that a kill at any instant loses nothing: write under a temporary name, then
swap it into place with one atomic rename (folders: Linux's rename-exchange, so the old copy stays in place
until the new one is complete)."""
from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Iterator, TextIO

from plait.core.errors import UserError

# Hidden names of unfinished writes (`.NAME.tmp-PID...`) and of a replaced copy not yet removed (`.NAME.old-PID`);
# the id of the writing process tells a reader whether the write is still going on.
TMP_MARK, OLD_MARK = ".tmp-", ".old-"
_RENAME_EXCHANGE, _AT_FDCWD = 2, -100


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The permissions the user's umask gives a new file."""
    return 0o666 & ~_umask()


def temp_dir_for(dest: Path) -> Path:
    """A new empty folder beside `dest` (same filesystem, so it can be renamed onto it), with the
    permissions the user's umask gives a new folder (mkdtemp's own are owner-only)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    recover_swap(dest)  # every folder plait writes starts here: what a killed write of it left goes first
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}{TMP_MARK}{os.getpid()}-", dir=dest.parent))
    tmp.chmod(0o777 & ~_umask())
    return tmp


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step; False where the system or filesystem cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


# --------------------------------------------------------------------------------------------------
# Files inside a folder plait manages (a saved pipeline, a checkpoint): never outside it, never a special file.

MiB = 1 << 20


def path_inside(folder: Path, name: str | Path) -> Path:
    """`folder / name`, refused when it (or a symbolic link on the way) leads outside `folder`: a component
    name like "/abs/path" or "../x" must never make saving or loading touch another place."""
    path = folder / name
    try:
        root, resolved = folder.resolve(), path.resolve()
    except (OSError, RuntimeError) as err:  # a loop of symbolic links
        raise UserError(f"{path}: cannot resolve the path ({err})") from None
    if resolved != root and root not in resolved.parents:
        raise UserError(f"{path}: leads outside the folder {folder}; refusing to read or write it")
    return path


def regular_file_inside(folder: Path, name: str | Path) -> Path:
    """`folder / name`, which must be a regular file inside `folder`; the check runs before anything opens it,
    so a FIFO cannot block a read and a device cannot feed one forever. FileNotFoundError when it is missing."""
    path = path_inside(folder, name)
    if not path.is_file():  # follows links (path_inside has checked where they lead): True for a regular file only
        if not path.exists():
            raise FileNotFoundError(str(path))
        raise UserError(f"{path}: not a regular file ({_kind(path)}); refusing to read it")
    return path


def read_bytes_inside(folder: Path, name: str | Path, *, limit: int) -> bytes:
    """The content of the regular file `folder / name`, at most `limit` bytes (a bound fit for the file's
    kind); UserError naming the file otherwise, FileNotFoundError when it is missing."""
    path = regular_file_inside(folder, name)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # should a FIFO be swapped in after the check: never block
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise UserError(f"{path}: larger than the {limit // MiB} MiB a file of its kind may hold; refusing to read it")
    return data


def check_files_inside(folder: Path) -> None:
    """Refuse a folder any of whose entries, at any depth, is not a regular file or folder inside it, before a
    library (HuggingFace's tokenizer loader) opens files there by itself."""
    for parent, dirs, files in os.walk(folder):
        for name in dirs:
            if os.path.islink(os.path.join(parent, name)):
                raise UserError(f"{Path(parent, name)}: a symbolic link to a folder; refusing to follow it")
        for name in files:
            regular_file_inside(folder, Path(parent, name).relative_to(folder))


def _kind(path: Path) -> str:
    kinds = ((Path.is_dir, "a folder"), (Path.is_fifo, "a named pipe"), (Path.is_char_device, "a character device"),
             (Path.is_block_device, "a block device"), (Path.is_socket, "a socket"))
    return next((what for test, what in kinds if test(path)), "a special file")


def replace_dir(src: Path, dest: Path) -> None:
    """Move the complete folder `src` to `dest`, replacing what `dest` held: at every instant `dest` is the old
    or the new folder. Where the filesystem cannot swap, the old copy waits under `.NAME.old-PID` for the moment
    between two renames, and `recover` puts it back if a kill falls there."""
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise UserError(f"{dest}: exists and is not a folder; not replacing it")
    if not dest.exists():
        os.replace(src, dest)
    elif _exchange(src, dest):
        shutil.rmtree(src, ignore_errors=True)  # src now holds the old copy
    else:
        old = dest.with_name(f".{dest.name}{OLD_MARK}{os.getpid()}")
        os.replace(dest, old)
        os.replace(src, dest)
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def writing_dir(dest: Path) -> Iterator[Path]:
    """Yield an empty temporary folder to fill; on success it replaces `dest`, on any error it is removed."""
    tmp = temp_dir_for(dest)
    try:
        yield tmp
        replace_dir(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_output_file(path: Path) -> None:
    """Refuse, before any work, a path that cannot become a regular file: a folder, a FIFO or device, or a
    path under a file."""
    if path.exists():
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise UserError(f"{path}: is a folder; give a file name to write")
        if not stat.S_ISREG(mode):
            raise UserError(f"{path}: is not a regular file (a FIFO, device or socket); not writing to it")
    _check_parents(path)


def _check_parents(path: Path) -> None:
    """Refuse a path whose nearest existing parent is not a folder (it could never be created)."""
    parent = path.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UserError(f"{path}: {parent} is not a folder")


@contextlib.contextmanager
def writing_file(path: Path) -> Iterator[TextIO]:
    """Yield a text file to fill under a temporary name beside `path`; on success it replaces `path`, on any
    error it is removed."""
    check_output_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    try:
        with tmp.open("w", encoding="utf8") as out:
            yield out
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def copy_file_atomic(src: Path, dest: Path) -> None:
    """Copy `src` to `dest` through a temporary file beside `dest`, renamed into place."""
    check_output_file(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}{TMP_MARK}{os.getpid()}")
    try:
        shutil.copyfile(src, tmp)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, renamed into place."""
    with writing_file(path) as out:
        out.write(text)


def recover(folder: Path) -> None:
    """Clean up after writes killed halfway in `folder`: put back a replaced copy whose replacement never
    arrived, and remove unfinished temporary files and folders."""
    if folder.is_dir():
        for child in sorted(folder.iterdir()):
            _recover_entry(child)


def recover_swap(dest: Path) -> None:
    """Clean up after writes of `dest` killed halfway, as a writer or reader of the folder meets it: put back the
    replaced copy whose replacement never arrived, remove unfinished copies. Entries of a live process are
    left alone, so a run writing `dest` meanwhile keeps its own."""
    dest = Path(os.path.abspath(dest))  # "." and "model/.." name their folder
    if not dest.name or not dest.parent.is_dir():
        return
    try:  # best effort: a folder this process may not list or change (a read-only mount) is left as it is
        for child in sorted(dest.parent.iterdir()):
            if child.name.startswith((f".{dest.name}{TMP_MARK}", f".{dest.name}{OLD_MARK}")):
                _recover_entry(child)
    except OSError:
        pass


def _recover_entry(child: Path) -> None:
    """Put back or remove one hidden `.NAME.old-PID` or `.NAME.tmp-PID...` entry whose process is gone."""
    name = child.name
    mark = OLD_MARK if OLD_MARK in name else TMP_MARK if TMP_MARK in name else None
    if not name.startswith(".") or mark is None or _owner_alive(name, mark):
        return
    if mark == OLD_MARK:
        original = child.with_name(name[1:name.rindex(OLD_MARK)])
        if not original.exists():
            os.replace(child, original)
            return
    if child.is_dir() and not child.is_symlink():
        shutil.rmtree(child, ignore_errors=True)
    else:
        child.unlink(missing_ok=True)


def _owner_alive(name: str, mark: str) -> bool:
    """Whether the process whose id follows `mark` in `name` still runs (this one included)."""
    digits = re.match(r"\d+", name[name.rindex(mark) + len(mark):])
    if digits is None:
        return False
    try:
        os.kill(int(digits.group()), 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # another user's process
        return True
    return True


def check_output_dir(path: Path, *, replace: bool, flag: str = "--force") -> None:
    """Refuse to write a folder where a file is, or into a folder that holds anything, unless `replace`."""
    check_output_folder(path)
    if not replace and path.is_dir() and any(path.iterdir()):
        raise UserError(f"{path}: the folder is not empty; pass {flag} to replace what it holds")


def check_output_folder(path: Path) -> None:
    """Refuse, before any work, a path that cannot become a folder: a file, a broken link, a path under a file."""
    if path.is_symlink() and not path.exists():
        raise UserError(f"{path}: is a broken symbolic link")
    if path.exists() and not path.is_dir():
        raise UserError(f"{path}: is a file, not a folder")
    _check_parents(path)
