"""Shared feedback for exercise checkers, and the registry of their accepted answers.

Every checker follows one pattern: ``None`` (the exercise cell's placeholder) means "not
attempted"; a wrong answer prints a hint that says *what* is wrong; a right one says why it is
right. Checkers print and return a bool so notebooks can ``assert`` on the instructor's solution.
They never raise on a learner's answer (:func:`never_raises`), and each one registers what its
accepted answer looks like in print (:func:`answer_key`), so a test can check that no notebook
shows it before the exercise.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "NOT_ATTEMPTED",
    "AnswerKey",
    "Feedback",
    "answer_key",
    "answer_keys",
    "never_raises",
    "register_answer",
]

NOT_ATTEMPTED = None


class Feedback:
    """Prints the outcome of one exercise check.

    Parameters
    ----------
    exercise : str
        A short name shown in every message, e.g. ``"02 · far point"``.
    """

    def __init__(self, exercise: str) -> None:
        self.exercise = exercise

    def not_attempted(self) -> bool:
        """Say the answer is still the placeholder; return False."""
        print(f"… {self.exercise}: not attempted yet — replace the placeholder with your answer.")
        return False

    def wrong(self, hint: str) -> bool:
        """Print a specific hint for a wrong answer; return False."""
        print(f"✗ {self.exercise}: {hint}")
        return False

    def correct(self, message: str = "") -> bool:
        """Print a success message; return True."""
        print(f"✓ {self.exercise}: correct." + (f" {message}" if message else ""))
        return True

    def number(self, answer: object) -> float | None:
        """``answer`` as a float if it is a real number or a one-element array, else ``None``.

        Python, NumPy and torch numbers all count (``numpy.float32(0.5)``, ``torch.tensor(3)``,
        ``numpy.array([2.0])``); booleans, strings and complex numbers do not.
        """
        if isinstance(answer, bool | np.bool_):
            return None
        if isinstance(answer, numbers.Real):
            return float(answer)
        if isinstance(answer, torch.Tensor | np.ndarray):
            size = answer.numel() if isinstance(answer, torch.Tensor) else answer.size
            item = answer.item() if size == 1 else None
            if isinstance(item, numbers.Real) and not isinstance(item, bool):
                return float(item)
        return None

    def finite_number(self, answer: object) -> float | None:
        """Like :meth:`number`, but ``None`` for NaN and ±inf as well."""
        value = self.number(answer)
        return value if value is not None and math.isfinite(value) else None

    def integer(self, answer: object) -> int | None:
        """``answer`` as an int if it is a finite whole number (3, 3.0, ``numpy.int64(3)``)."""
        value = self.finite_number(answer)
        return int(value) if value is not None and value == int(value) else None


def never_raises(checker: Callable[..., bool]) -> Callable[..., bool]:
    """Wrap a checker so that an answer it cannot handle gives a hint, never a traceback.

    A learner's answer of an unexpected type (a string, a list of strings, NaN, a tensor of the
    wrong shape) must not raise inside the check cell: the learner would read a traceback from
    the library instead of feedback on their answer.
    """

    @functools.wraps(checker)
    def wrapper(answer: object, *args: object, **kwargs: object) -> bool:
        try:
            return bool(checker(answer, *args, **kwargs))
        except Exception as err:  # noqa: BLE001 - any failure on a learner's answer is a hint
            name = checker.__name__.removeprefix("check_")
            shown = repr(answer)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            print(
                f"✗ {name[:2]} · {name[3:].replace('_', ' ')}: could not check {shown} "
                f"({type(err).__name__}: {err}). Compare its type with the placeholder comment "
                "in the exercise cell."
            )
            return False

    return wrapper


@dataclass(frozen=True)
class AnswerKey:
    """What an exercise's accepted answer looks like when printed: for the no-answer-in-sight test.

    Attributes
    ----------
    values : tuple of float
        Numbers whose printed form gives the answer away: the accepted answer itself, or the
        number that decides it (e.g. the AUC of the hardest digit). A printed number matches a
        value if it equals the value rounded to the printed number of decimals and has at least
        two significant digits; a number printed with ``%`` is read as a fraction as well.
    patterns : tuple of str
        Regular expressions whose match gives the answer away (e.g. a formula in prose).
    """

    values: tuple[float, ...] = ()
    patterns: tuple[str, ...] = ()


_ANSWER_KEYS: dict[str, Callable[[], AnswerKey]] = {}


def register_answer(
    checker_name: str,
) -> Callable[[Callable[[], AnswerKey]], Callable[[], AnswerKey]]:
    """Decorator: register the function that computes ``checker_name``'s :class:`AnswerKey`."""

    def decorate(func: Callable[[], AnswerKey]) -> Callable[[], AnswerKey]:
        _ANSWER_KEYS[checker_name] = func
        return func

    return decorate


def answer_keys() -> list[str]:
    """The names of the checkers that registered an answer key, sorted."""
    return sorted(_ANSWER_KEYS)


def answer_key(checker_name: str) -> AnswerKey:
    """The :class:`AnswerKey` of a checker, computed from the course's seeded recipes.

    Parameters
    ----------
    checker_name : str
        E.g. ``"check_05_eps_onset"``.

    Raises
    ------
    KeyError
        If no answer key is registered under that name.
    """
    if checker_name not in _ANSWER_KEYS:
        raise KeyError(f"checker_name: expected one of {answer_keys()}, got {checker_name!r}")
    return _ANSWER_KEYS[checker_name]()
