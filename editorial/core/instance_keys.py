"""Keys generated on a server's first start and kept under instance/, readable by their owner only."""
import os
from pathlib import Path
from typing import Callable


def instance_key(instance_path: str, name: str, generate: Callable[[], str]) -> str:
    """The key in instance/NAME, written once with `generate()` (mode 0600) when it is not there yet;
    two processes starting at once write it once and both read the same key."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(generate())
    return path.read_text().strip()
