"""Where the stack keeps downloaded/built artefacts (cache) and the data of `make up` (state).

Both live outside the repository so that a fresh clone or `git clean` never throws away a 3-minute
build, and so that nothing large is ever committed by accident.
"""

import os
from pathlib import Path


def _from_env(var: str, xdg_var: str, xdg_default: str) -> Path:
    explicit = os.environ.get(var)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get(xdg_var) or str(Path.home() / xdg_default)
    return Path(base).expanduser() / "tickethub"


def cache_dir() -> Path:
    """Installed binaries and jars: $TICKETHUB_CACHE_DIR, else ${XDG_CACHE_HOME:-~/.cache}/tickethub."""
    return _from_env("TICKETHUB_CACHE_DIR", "XDG_CACHE_HOME", ".cache")


def state_dir() -> Path:
    """Data of the `make up` stack: $TICKETHUB_STATE_DIR, else ${XDG_STATE_HOME:-~/.local/state}/tickethub."""
    return _from_env("TICKETHUB_STATE_DIR", "XDG_STATE_HOME", ".local/state")
