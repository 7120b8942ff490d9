"""Input checks shared by every public function.

Each check raises ``TypeError`` (wrong kind of object or dtype) or ``ValueError`` (wrong shape,
empty, NaN/inf, out of range) with a message that names the argument, what was expected and what
was given. Nothing is silently coerced: integer or boolean arrays are refused rather than cast,
because an image array of ``uint8`` in 0..255 would otherwise be scored on the wrong scale.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import torch

__all__ = [
    "as_float_tensor",
    "check_positive_int",
    "check_nonnegative_int",
    "check_positive_float",
    "check_nonnegative_float",
    "check_fraction",
    "check_choice",
    "check_module",
]


def _describe(x: object) -> str:
    if isinstance(x, torch.Tensor | np.ndarray):
        return f"{type(x).__name__} of shape {tuple(x.shape)} and dtype {x.dtype}"
    return f"{type(x).__name__}"


def _all_finite(t: torch.Tensor, block: int = 1 << 20) -> bool:
    """``torch.isfinite(t).all()`` in blocks of about ``block`` elements: isfinite's temporaries
    (an ``abs`` copy and masks) would otherwise take about twice the memory of a large input."""
    if t.ndim == 0 or t.numel() == 0:
        return bool(torch.isfinite(t).all())
    # One pass without temporaries: a NaN or inf entry makes the sum NaN or inf. A non-finite sum
    # of finite entries (overflow) falls through to the exact check.
    if torch.isfinite(t.sum()):
        return True
    rows = max(1, block // (t.numel() // len(t)))
    return all(bool(torch.isfinite(part).all()) for part in t.split(rows))


def as_float_tensor(
    x: object,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    min_ndim: int | None = None,
    last_dim: int | None = None,
    shape: str | None = None,
    allow_empty: bool = False,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """Validate an array-like argument and return it as a floating-point tensor.

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor
        The value to check. Lists and other objects are refused.
    name : str
        The argument's name, used in error messages.
    ndim : int or sequence of int, optional
        Allowed numbers of dimensions.
    min_ndim : int, optional
        Smallest allowed number of dimensions.
    last_dim : int, optional
        Required size of the last dimension (e.g. 2 for points in the plane).
    shape : str, optional
        Human-readable expected shape for messages, e.g. ``"(N, 2)"``.
    allow_empty : bool
        Whether a tensor with zero elements is acceptable.
    dtype : torch.dtype, optional
        Cast the (already floating-point) result to this dtype; ``None`` keeps the input's.

    Returns
    -------
    torch.Tensor
        A floating-point tensor holding the same values (a NumPy array is converted without copy
        where possible).
    """
    expected = f" with shape {shape}" if shape else ""
    if isinstance(x, np.ndarray):
        if x.dtype == object:
            raise TypeError(f"{name}: expected a numeric array{expected}, got a NumPy object array")
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError(
                f"{name}: expected a floating-point array{expected}, got {_describe(x)}"
                + (
                    " (scale integer images to [0, 1] first, e.g. x / 255)"
                    if np.issubdtype(x.dtype, np.integer)
                    else ""
                )
            )
        t = torch.from_numpy(np.ascontiguousarray(x))
    elif isinstance(x, torch.Tensor):
        if not torch.is_floating_point(x):
            raise TypeError(
                f"{name}: expected a floating-point tensor{expected}, got {_describe(x)}"
                + (
                    " (scale integer images to [0, 1] first, e.g. x / 255)"
                    if x.dtype != torch.bool and not x.is_complex()
                    else ""
                )
            )
        t = x
    else:
        raise TypeError(
            f"{name}: expected a torch.Tensor or numpy.ndarray{expected}, got {_describe(x)}"
        )

    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if t.ndim not in allowed:
            want = shape or " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name}: expected shape {want}, got shape {tuple(t.shape)}")
    if min_ndim is not None and t.ndim < min_ndim:
        want = shape or f"at least {min_ndim}-D"
        raise ValueError(f"{name}: expected shape {want}, got shape {tuple(t.shape)}")
    if last_dim is not None and (t.ndim == 0 or t.shape[-1] != last_dim):
        want = shape or f"(..., {last_dim})"
        raise ValueError(f"{name}: expected shape {want}, got shape {tuple(t.shape)}")
    if not allow_empty and t.numel() == 0:
        raise ValueError(
            f"{name}: expected a non-empty array{expected}, got shape {tuple(t.shape)}"
        )
    if not _all_finite(t):
        n_nan = int(torch.isnan(t).sum())
        n_inf = int(torch.isinf(t).sum())
        raise ValueError(f"{name}: expected finite values, got {n_nan} NaN and {n_inf} inf entries")
    if dtype is not None:
        t = t.to(dtype)
    return t


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` if it is an integer ≥ 1, else raise ``TypeError``/``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected a positive integer, got {_describe(value)} {value!r}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value}")
    return int(value)


def check_nonnegative_int(value: object, name: str) -> int:
    """Return ``value`` if it is an integer ≥ 0, else raise ``TypeError``/``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name}: expected a non-negative integer, got {_describe(value)} {value!r}"
        )
    if value < 0:
        raise ValueError(f"{name}: expected a non-negative integer, got {value}")
    return int(value)


def _check_real(value: object, name: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected {what} number, got {_describe(value)} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value}")
    return value


def check_positive_float(value: object, name: str) -> float:
    """Return ``value`` as float if it is a finite real number > 0."""
    v = _check_real(value, name, "a positive")
    if v <= 0:
        raise ValueError(f"{name}: expected a positive number, got {v}")
    return v


def check_nonnegative_float(value: object, name: str) -> float:
    """Return ``value`` as float if it is a finite real number ≥ 0."""
    v = _check_real(value, name, "a non-negative")
    if v < 0:
        raise ValueError(f"{name}: expected a non-negative number, got {v}")
    return v


def check_fraction(value: object, name: str, *, closed: bool = False) -> float:
    """Return ``value`` as float if it lies in (0, 1), or in [0, 1] with ``closed=True``."""
    interval = "[0, 1]" if closed else "(0, 1)"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name}: expected a number in {interval}, got {_describe(value)} {value!r}"
        )
    v = float(value)
    if not (0 <= v <= 1 if closed else 0 < v < 1):  # NaN fails both
        raise ValueError(f"{name}: expected a number in {interval}, got {v}")
    return v


def check_choice(value: object, name: str, choices: Sequence[object]) -> object:
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError`` listing them."""
    try:  # arrays compare elementwise: never let `==` decide for them
        found = any(isinstance(value, type(c)) and bool(value == c) for c in choices)
    except (TypeError, ValueError, RuntimeError):
        found = False
    if not found:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}: expected one of {listed}, got {value!r}")
    return value


def check_module(model: object, name: str = "model") -> torch.nn.Module:
    """Return ``model`` if it is a ``torch.nn.Module``, else raise ``TypeError``."""
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"{name}: expected a torch.nn.Module, got {_describe(model)}")
    return model
