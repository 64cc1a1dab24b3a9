"""Files that only Sapat's own user may read: backups, exported workbooks, the instance
folder (database, secret key, export files).

The process umask (often 022) would make them readable by every account on the server;
these helpers create them 0600 (folders 0700) whatever the umask.
"""
import os
from pathlib import Path
from typing import Union


def private_file(path: Union[str, os.PathLike]) -> Path:
    """Create `path` empty with mode 0600, or make an existing file 0600. Writers that open
    the path afterwards with "w" keep the mode."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path


def private_dir(path: Union[str, os.PathLike]) -> Path:
    """Create the folder `path` (and its parents) if needed and make it 0700."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path
