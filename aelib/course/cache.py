"""A disk cache for trained models, so notebooks re-open in seconds.

An entry's key hashes everything that determines the trained weights: the recipe's whole settings
object (a frozen dataclass of :mod:`aelib.course.settings`, via ``dataclasses.asdict``), the inputs it
trains on (tensors enter as their :func:`fingerprint`: values, shape and dtype), the version of the
training code (:data:`TRAINING_CODE_VERSION`) and the aelib version. Nothing is written by hand, so
a key cannot miss a setting. Entries are written atomically (temporary file, then rename) and read
with ``torch.load(..., weights_only=True)``; an unreadable or mismatching entry is reported with a
warning and rebuilt, never trusted. The cache is an accelerator only: deleting it changes nothing
but run time.

The directory is ``$AELIB_CACHE_DIR`` if set, else ``~/.cache/aelib``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

import aelib
from aelib._validation import _describe, check_module

__all__ = ["TRAINING_CODE_VERSION", "cache_dir", "cache_key", "fingerprint", "load_or_train"]

#: The version of the code that trains the cached models. **Bump it** in any change that can change
#: trained weights for the same settings and data: :func:`aelib.train.fit`,
#: :func:`aelib.course.toy_training.train_ensemble`, the models' layers or initialisation
#: (:mod:`aelib.models`, ``DigitClassifier``), :func:`aelib.course.mitigations.negative_finetune`, or a
#: recipe's training function (:mod:`aelib.course.toy_recipes`, :mod:`aelib.course.mnist_experiments`). Every
#: cached model is then retrained once. (A new setting needs no bump: it is a field of the settings.)
TRAINING_CODE_VERSION = 2


def cache_dir() -> Path:
    """The cache directory: ``$AELIB_CACHE_DIR`` or ``~/.cache/aelib`` (created on demand)."""
    root = os.environ.get("AELIB_CACHE_DIR") or Path.home() / ".cache" / "aelib"
    return Path(root)


def fingerprint(X: torch.Tensor | np.ndarray, name: str = "X") -> str:
    """A short hash of an array's dtype, shape and values: how data enters a cache key.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Any shape and dtype, e.g. images (N, 1, 28, 28) or labels (N,).
    name : str
        The argument's name, for the error message.

    Returns
    -------
    str
        16 hex digits; equal for equal dtype, shape and values (bundled ≠ full MNIST).
    """
    if isinstance(X, np.ndarray):
        X = torch.from_numpy(np.ascontiguousarray(X))
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor or numpy.ndarray, got {_describe(X)}")
    t = X.detach().cpu().contiguous()
    h = hashlib.sha256(f"{t.dtype} {tuple(t.shape)}".encode())
    h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()[:16]


def _jsonable(value: object, name: str) -> object:
    """Tensors and arrays → their fingerprint, dataclasses → dicts, containers recursively."""
    if isinstance(value, torch.Tensor | np.ndarray):
        return fingerprint(value, name)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {type(value).__qualname__: dataclasses.asdict(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, f"{name}[{k!r}]") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, f"{name}[{i}]") for i, v in enumerate(value)]
    return value


def cache_key(settings: object, inputs: Mapping[str, Any] | None = None) -> str:
    """A stable hex digest of the settings, the inputs, the training-code and the aelib version.

    Parameters
    ----------
    settings : dataclass instance or mapping
        Every setting that affects the trained model: a frozen settings dataclass (hashed whole
        with ``dataclasses.asdict``, together with its class name), or a mapping of
        JSON-serialisable values.
    inputs : mapping, optional
        What the model is trained on or started from, e.g. ``{"X": images}``: tensors and arrays
        enter as their :func:`fingerprint`; other values must be JSON-serialisable.

    Returns
    -------
    str
        20 hex digits.
    """
    if dataclasses.is_dataclass(settings) and not isinstance(settings, type):
        kind, values = type(settings).__qualname__, dataclasses.asdict(settings)
    elif isinstance(settings, Mapping):
        kind, values = None, dict(settings)
    else:
        raise TypeError(
            "settings: expected a settings dataclass instance or a mapping of settings, "
            f"got {type(settings).__name__}"
        )
    if inputs is not None and not isinstance(inputs, Mapping):
        raise TypeError(f"inputs: expected a mapping name -> value, got {type(inputs).__name__}")
    payload = {
        "kind": kind,
        "settings": values,
        "inputs": _jsonable(dict(inputs or {}), "inputs"),
        "code": TRAINING_CODE_VERSION,
        "aelib": aelib.__version__,
    }
    try:
        text = json.dumps(payload, sort_keys=True)
    except TypeError as err:
        raise TypeError(f"settings, inputs: expected JSON-serialisable values ({err})") from None
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def load_or_train(
    model: nn.Module,
    settings: object,
    train: Callable[[nn.Module], Any],
    *,
    inputs: Mapping[str, Any] | None = None,
    name: str = "model",
    use_cache: bool = True,
) -> tuple[nn.Module, Any]:
    """Load ``model``'s weights from the cache, or train it with ``train(model)`` and store them.

    Parameters
    ----------
    model : torch.nn.Module
        A freshly constructed model (its architecture must match ``settings``).
    settings : dataclass instance or mapping
        Every setting that affects the result; hashed whole into the key (:func:`cache_key`).
    train : callable
        ``train(model)`` trains in place and returns something to keep beside the weights
        (e.g. the list of losses), made of tensors, numbers, lists and dicts.
    inputs : mapping, optional
        The data ``train`` uses (and anything else it starts from); tensors are fingerprinted.
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
    key = cache_key(settings, inputs)
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
