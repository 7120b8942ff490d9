"""Shared feedback for exercise checkers.

Every checker follows one pattern: ``None`` (the exercise cell's placeholder) means "not
attempted"; a wrong answer prints a hint that says *what* is wrong; a right one says why it is
right. Checkers print and return a bool so notebooks can ``assert`` on the instructor's solution.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

__all__ = ["NOT_ATTEMPTED", "Feedback"]

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
        """``answer`` as a float if it is a real number or a one-element array, else ``None``."""
        if isinstance(answer, bool):
            return None
        if isinstance(answer, numbers.Real):
            return float(answer)
        if isinstance(answer, torch.Tensor) and answer.numel() == 1:
            return float(answer.item())
        if isinstance(answer, np.ndarray) and answer.size == 1:
            return float(answer.item())
        return None
