"""aelib.metrics: reconstruction_error (the anomaly score) and roc_auc."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from aelib.metrics import reconstruction_error, roc_auc
from aelib.models import ConvAutoencoder, MLPAutoencoder


def _zero_model(n: int = 2) -> nn.Linear:
    """Reconstructs every input as 0, so the error is a known function of x."""
    lin = nn.Linear(n, n)
    nn.init.zeros_(lin.weight)
    nn.init.zeros_(lin.bias)
    return lin


# --- reconstruction_error ----------------------------------------------------------------------


def test_hand_computed_values():
    X = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.0, 0.0]])
    torch.testing.assert_close(
        reconstruction_error(_zero_model(), X), torch.tensor([2.5, 5.0, 0.0])
    )
    torch.testing.assert_close(
        reconstruction_error(_zero_model(), X, reduction="sum"), torch.tensor([5.0, 10.0, 0.0])
    )


def test_default_reduction_is_mean():
    model = MLPAutoencoder([2, 5, 1, 5, 2], seed=0)
    X = torch.randn(9, 2)
    assert torch.equal(reconstruction_error(model, X), reconstruction_error(model, X, "mean"))


@pytest.mark.parametrize(
    "model, X",
    [
        (MLPAutoencoder([2, 5, 1, 5, 2], seed=0), torch.randn(11, 2)),
        (MLPAutoencoder([6, 4, 2, 4, 6], activation="tanh", seed=0), torch.randn(7, 6)),
        (ConvAutoencoder(latent_dim=2, channels=(2, 4), seed=0), torch.rand(3, 1, 28, 28)),
    ],
    ids=["mlp2", "mlp6", "conv784"],
)
def test_sum_is_n_features_times_mean(model, X):
    n_features = X[0].numel()
    mean = reconstruction_error(model, X, reduction="mean")
    total = reconstruction_error(model, X, reduction="sum")
    assert mean.shape == total.shape == (X.shape[0],)
    torch.testing.assert_close(total, n_features * mean, rtol=1e-5, atol=1e-7)
    with torch.no_grad():
        manual = ((model(X) - X) ** 2).flatten(1).mean(1)
    torch.testing.assert_close(mean, manual)


@pytest.mark.parametrize("batch_size", [1, 3, 10, 4096])
def test_batching_gives_the_same_result(batch_size):
    model = MLPAutoencoder([2, 5, 1, 5, 2], seed=0)
    X = torch.randn(10, 2)
    torch.testing.assert_close(
        reconstruction_error(model, X, batch_size=batch_size), reconstruction_error(model, X)
    )


def test_dtype_grad_and_training_mode():
    model = MLPAutoencoder([2, 5, 1, 5, 2], seed=0)
    model.train()
    err = reconstruction_error(model, np.random.default_rng(0).normal(size=(4, 2)))  # float64 in
    assert err.dtype == torch.float32 and not err.requires_grad
    assert model.training  # restored
    err /= err.max()  # an ordinary tensor: in-place arithmetic works
    double = MLPAutoencoder([2, 5, 1, 5, 2], seed=0).double().eval()
    assert reconstruction_error(double, torch.randn(4, 2)).dtype == torch.float64
    assert not double.training


def test_parameter_free_model():
    X = torch.randn(5, 3)
    assert torch.equal(reconstruction_error(nn.Identity(), X), torch.zeros(5))


# --- reconstruction_error: bad input -----------------------------------------------------------


@pytest.mark.parametrize(
    "X, error, message",
    [
        (
            [[1.0, 2.0]],
            TypeError,
            r"X: expected a torch.Tensor or numpy.ndarray with shape \(N, \*input_shape\), got list",
        ),
        ("data", TypeError, "X: expected a torch.Tensor or numpy.ndarray"),
        (torch.zeros(3, 2, dtype=torch.int32), TypeError, "X: expected a floating-point tensor"),
        (np.ones((3, 2), dtype=bool), TypeError, "X: expected a floating-point array"),
        (torch.zeros(3), ValueError, r"X: expected shape \(N, \*input_shape\), got shape \(3,\)"),
        (torch.zeros(0, 2), ValueError, "X: expected a non-empty array"),
        (torch.tensor([[float("nan"), 0.0]]), ValueError, "X: expected finite values, got 1 NaN"),
        (
            torch.tensor([[float("inf"), 0.0]]),
            ValueError,
            "X: expected finite values, got 0 NaN and 1 inf",
        ),
        (torch.zeros(3, 5), ValueError, r"X: expected input the model accepts, got shape \(3, 5\)"),
    ],
)
def test_bad_X(X, error, message):
    model = MLPAutoencoder([2, 5, 1, 5, 2], seed=0)
    with pytest.raises(error, match=message):
        reconstruction_error(model, X)


@pytest.mark.parametrize("reduction", ["max", "MEAN", None, ["mean"]])
def test_unknown_reduction(reduction):
    with pytest.raises(ValueError, match="reduction: expected one of 'mean', 'sum', got"):
        reconstruction_error(_zero_model(), torch.zeros(2, 2), reduction=reduction)


@pytest.mark.parametrize(
    "batch_size, error, message",
    [
        (0, ValueError, "batch_size: expected a positive integer, got 0"),
        (-1, ValueError, "batch_size: expected a positive integer, got -1"),
        (True, TypeError, "batch_size: expected a positive integer, got bool"),
        (2.5, TypeError, "batch_size: expected a positive integer, got float"),
    ],
)
def test_bad_batch_size(batch_size, error, message):
    with pytest.raises(error, match=message):
        reconstruction_error(_zero_model(), torch.zeros(2, 2), batch_size=batch_size)


def test_bad_model():
    with pytest.raises(TypeError, match="model: expected a torch.nn.Module, got function"):
        reconstruction_error(lambda x: x, torch.zeros(2, 2))
    wrong = nn.Linear(2, 3).train()
    with pytest.raises(
        ValueError,
        match=r"model: expected it to map a batch of shape \(2, 2\) to the same shape, got \(2, 3\)",
    ):
        reconstruction_error(wrong, torch.zeros(2, 2))
    assert wrong.training  # restored even on error


# --- roc_auc -----------------------------------------------------------------------------------


def test_perfect_separation_and_its_reverse():
    normal = torch.tensor([0.1, 0.2, 0.3])
    anomalous = torch.tensor([0.5, 0.9])
    assert roc_auc(normal, anomalous) == 1.0
    assert roc_auc(anomalous, normal) == 0.0


def test_ties_count_one_half():
    assert roc_auc(torch.ones(4), torch.ones(3)) == 0.5
    # pairs (normal, anomalous): (0,1) (0,2) (1,1)=tie (1,2) -> 3.5 / 4
    assert roc_auc(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0])) == pytest.approx(0.875)


def test_accepts_numpy_and_returns_a_float():
    auc = roc_auc(np.array([0.0, 1.0], dtype=np.float32), np.array([2.0]))
    assert type(auc) is float and auc == 1.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=1, max_size=12),
    st.lists(st.integers(0, 5), min_size=1, max_size=12),
)
def test_matches_the_pairwise_definition(normal, anomalous):
    """AUC = P(score_anomalous > score_normal) + P(tie) / 2 over all pairs (small ints: many ties)."""
    pairs = [(a > n) + 0.5 * (a == n) for n in normal for a in anomalous]
    expected = sum(pairs) / len(pairs)
    got = roc_auc(
        torch.tensor(normal, dtype=torch.float64), torch.tensor(anomalous, dtype=torch.float64)
    )
    assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "normal, anomalous, error, message",
    [
        (
            torch.zeros(3, 1),
            torch.zeros(2),
            ValueError,
            r"scores_normal: expected shape \(N,\), got shape \(3, 1\)",
        ),
        (
            torch.zeros(3),
            torch.zeros(2, 2),
            ValueError,
            r"scores_anomalous: expected shape \(M,\), got shape \(2, 2\)",
        ),
        (
            torch.zeros(0),
            torch.zeros(2),
            ValueError,
            r"scores_normal: expected a non-empty array with shape \(N,\)",
        ),
        (
            torch.zeros(3),
            torch.zeros(0),
            ValueError,
            r"scores_anomalous: expected a non-empty array with shape \(M,\)",
        ),
        (
            torch.tensor([0.0, float("nan")]),
            torch.zeros(2),
            ValueError,
            "scores_normal: expected finite values, got 1 NaN",
        ),
        (
            torch.zeros(2),
            torch.tensor([float("inf")]),
            ValueError,
            "scores_anomalous: expected finite values, got 0 NaN and 1 inf",
        ),
        (
            [0.1, 0.2],
            torch.zeros(2),
            TypeError,
            r"scores_normal: expected a torch.Tensor or numpy.ndarray with shape \(N,\), got list",
        ),
        (
            torch.zeros(2),
            torch.tensor([1, 2]),
            TypeError,
            "scores_anomalous: expected a floating-point tensor",
        ),
        (
            torch.zeros(2),
            np.array([True]),
            TypeError,
            "scores_anomalous: expected a floating-point array",
        ),
    ],
)
def test_roc_auc_bad_input(normal, anomalous, error, message):
    with pytest.raises(error, match=message):
        roc_auc(normal, anomalous)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=60),
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=60),
)
def test_matches_scikit_learn(normal, anomalous):
    """The rank formula is the AUC scikit-learn computes from the ROC curve."""
    from sklearn.metrics import roc_auc_score

    labels = np.r_[np.zeros(len(normal)), np.ones(len(anomalous))]
    expected = roc_auc_score(labels, np.r_[normal, anomalous])
    got = roc_auc(np.asarray(normal, dtype=np.float64), np.asarray(anomalous, dtype=np.float64))
    assert got == pytest.approx(expected, abs=1e-12)


def test_roc_auc_does_not_import_scikit_learn():
    import subprocess
    import sys

    code = (
        "import sys, torch; from aelib.metrics import roc_auc; "
        "roc_auc(torch.rand(50), torch.rand(40)); print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
