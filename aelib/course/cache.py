"""A disk cache for trained models, so notebooks re-open in seconds.

An entry's key is a hash of every setting that affects the trained weights (the caller's
``config``) plus the aelib version. Entries are written atomically (temporary file, then rename)
and read with ``torch.load(..., weights_only=True)``; an unreadable or mismatching entry is
reported with a warning and rebuilt, never trusted. The cache is an accelerator only: deleting
it changes nothing but run time.

The directory is ``$AELIB_CACHE_DIR`` if set, else ``~/.cache/aelib``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

import aelib
from aelib._validation import check_module

__all__ = ["cache_dir", "cache_key", "load_or_train"]


def cache_dir() -> Path:
    """The cache directory: ``$AELIB_CACHE_DIR`` or ``~/.cache/aelib`` (created on demand)."""
    root = os.environ.get("AELIB_CACHE_DIR") or Path.home() / ".cache" / "aelib"
    return Path(root)


def cache_key(config: Mapping[str, Any]) -> str:
    """A stable hex digest of ``config`` (JSON-serialisable) and the aelib version.

    Parameters
    ----------
    config : mapping
        Every setting that affects the trained model: architecture, data, seed, epochs, …
    """
    if not isinstance(config, Mapping):
        raise TypeError(f"config: expected a mapping of settings, got {type(config).__name__}")
    try:
        text = json.dumps({"config": config, "aelib": aelib.__version__}, sort_keys=True)
    except TypeError as err:
        raise TypeError(f"config: expected JSON-serialisable values ({err})") from None
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def load_or_train(
    model: nn.Module,
    config: Mapping[str, Any],
    train: Callable[[nn.Module], Any],
    *,
    name: str = "model",
    use_cache: bool = True,
) -> tuple[nn.Module, Any]:
    """Load ``model``'s weights from the cache, or train it with ``train(model)`` and store them.

    Parameters
    ----------
    model : torch.nn.Module
        A freshly constructed model (its architecture must match ``config``).
    config : mapping
        Every setting that affects the result; hashed into the key.
    train : callable
        ``train(model)`` trains in place and returns something to keep beside the weights
        (e.g. the list of losses), made of tensors, numbers, lists and dicts.
    name : str
        A readable prefix for the cache file.
    use_cache : bool
        ``False`` always trains and writes nothing.

    Returns
    -------
    (model, extra)
        The trained model (in eval mode) and what ``train`` returned (from cache or fresh).
    """
    check_module(model)
    key = cache_key(config)
    if not callable(train):
        raise TypeError(f"train: expected a callable train(model), got {type(train).__name__}")
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str file-name prefix, got {type(name).__name__}")
    if not name or Path(name).name != name or name in (".", ".."):
        raise ValueError(f"name: expected a plain file-name prefix such as 'model', got {name!r}")
    if not isinstance(use_cache, bool):
        raise TypeError(f"use_cache: expected a bool, got {type(use_cache).__name__}")
    if not use_cache:
        extra = train(model)
        return model.eval(), extra
    path = cache_dir() / f"{name}-{key}.pt"
    if path.exists():
        try:
            entry = torch.load(path, map_location="cpu", weights_only=True)
            if entry.get("key") != key:
                raise ValueError("key mismatch")
            model.load_state_dict(entry["state_dict"])
            return model.eval(), entry.get("extra")
        except Exception as err:  # a corrupt entry must never crash a notebook
            reason = (str(err).splitlines() or [""])[0][:120]  # torch's messages run long
            warnings.warn(
                f"ignoring unreadable cache entry {path.name} ({type(err).__name__}: {reason}); "
                "retraining",
                stacklevel=2,
            )
    extra = train(model)
    _atomic_save({"key": key, "state_dict": model.state_dict(), "extra": extra}, path)
    return model.eval(), extra


def _atomic_save(obj: object, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
