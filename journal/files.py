"""Files and folders the app writes are readable by its own user only (DESIGN.md "Operations").

The mode is given when a file or folder is created (`os.open(..., 0o600)`, `os.mkdir(...,
0o700)`), never fixed with chmod afterwards, so there is no moment in which another user could
open it. The process umask is left alone: it is global to the process (gunicorn, libraries,
the tests), and a umask can only take bits away, so explicit modes are enough and local.
"""
import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def private_dir(path):
    """Make folder *path* and its missing parents with mode 0700; existing ones are left alone."""
    path = Path(path)
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            pass
    return Path(path)


def create_private(path):
    """Create *path* as a new, empty file with mode 0600 (never an existing file or a link).

    :raises FileExistsError: when *path* exists
    """
    os.close(os.open(path, _CREATE, FILE_MODE))
    return Path(path)


def open_private(path, mode="wb"):
    """Open a new file *path* with mode 0600 for writing (like `open(path, "xb")`)."""
    return os.fdopen(os.open(path, _CREATE, FILE_MODE), mode)


def ensure_private(path):
    """Create *path* empty and 0600 unless it exists. Returns whether it was created."""
    try:
        create_private(path)
    except FileExistsError:
        return False
    return True


def fsync_dir(path):
    """Make a rename or a new file in folder *path* durable."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
