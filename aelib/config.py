"""Every hyperparameter the course chooses, in one place.

The paper does not publish its code, optimiser, learning rates, epochs, data parameters or grid
ranges, so each value below is *our* choice. Notebooks print the ones they use, and where a choice
changes the outcome they show the sensitivity instead of hiding it.
"""

from __future__ import annotations

# --- Toy data (aelib.data) -------------------------------------------------------------------
GAUSSIAN_MEAN = (0.0, 0.0)
GAUSSIAN_COV = ((1.0, 0.75), (0.75, 1.0))

TWO_GAUSSIANS_MEANS = ((-2.5, -2.5), (2.5, 2.5))
TWO_GAUSSIANS_COV = ((0.5, 0.0), (0.0, 0.5))

BANANA_X1_RANGE = (-2.0, 2.0)  # x1 ~ Uniform(range)
BANANA_NOISE_STD = 0.25  # x2 = x1**2 + Normal(0, std)

DIAGONAL_ALPHA_RANGE = (-1.0, 1.0)  # x = alpha * (1, 1), alpha ~ Uniform(range)

# --- Training (aelib.train) --------------------------------------------------------------------
DEFAULT_LR = 1e-3

# --- Notebooks 01-03: linear theory ------------------------------------------------------------

# --- Notebooks 04-07: non-linear autoencoders on toy data (Figure 1) ---------------------------
EPSILON = 0.1  # the paper's "near-perfect reconstruction" threshold on the per-point MSE

# --- MNIST data, attacks and audit (aelib.data.load_mnist, aelib.attacks, aelib.audit) -------

# --- Notebooks 08-10: MNIST (Figure 2) ---------------------------------------------------------
