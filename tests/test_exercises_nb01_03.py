"""The checkers of notebooks 01–03: the solution passes, typical wrong answers fail with a hint."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from aelib.course import config
from aelib.course.exercises import (
    check_01_auc,
    check_01_flag_radius,
    check_02_far_point,
    check_02_theorem2_point,
    check_03_biases,
    check_03_converged_epoch,
    flag_radius,
    largest_angles,
    plane_data,
    train_linear_autoencoder,
)
from aelib.course.exercises.nb02 import far_point_state
from aelib.data import gaussian
from aelib.linalg import pca, principal_angles
from aelib.metrics import roc_auc

# --- 01 --------------------------------------------------------------------------------------------


def test_flag_radius_is_where_the_score_crosses_the_threshold():
    X = gaussian(config.TOY_N, seed=0).double()
    p = pca(X, config.LINEAR_D_TOY)
    threshold = float(p.reconstruction_error(X).max())
    r = flag_radius()
    theta = math.radians(config.NB01_FLAG_ANGLE)
    d = torch.tensor([math.cos(theta), math.sin(theta)], dtype=torch.float64)
    assert float(p.reconstruction_error((r + 1e-6) * d)) > threshold
    assert float(p.reconstruction_error((r - 1e-6) * d)) <= threshold
    # along the principal direction the score never grows: never flagged
    v = p.components[:, 0]
    assert math.isinf(flag_radius(math.degrees(math.atan2(float(v[1]), float(v[0])))))


def test_check_01_flag_radius(capsys):
    right = flag_radius()
    assert check_01_flag_radius(right)
    assert check_01_flag_radius(right + config.NB01_R_STEP / 2)  # a slider reading
    assert not check_01_flag_radius(None) and "not attempted" in capsys.readouterr().out
    assert not check_01_flag_radius(right - 0.2) and "farther" in capsys.readouterr().out
    assert not check_01_flag_radius(right + 1.0) and "first" in capsys.readouterr().out
    assert not check_01_flag_radius(flag_radius(0.0)) and "θ = 0°" in capsys.readouterr().out
    assert not check_01_flag_radius("1.3") and "one number" in capsys.readouterr().out
    assert check_01_flag_radius(np.float32(right + 0.01)) and check_01_flag_radius(
        torch.tensor(right + 0.01)
    )
    assert not check_01_flag_radius(math.nan) and "one number" in capsys.readouterr().out


def _auc_ok(sn, sa):
    sn, sa = np.asarray(sn)[None], np.asarray(sa)[:, None]
    return float(((sa > sn).sum() + 0.5 * (sa == sn).sum()) / (sn.size * sa.size))


def test_reference_solution_matches_roc_auc():
    rng = np.random.default_rng(1)
    sn, sa = rng.random(40), rng.random(30) + 0.2
    assert _auc_ok(sn, sa) == pytest.approx(roc_auc(sn, sa))


def test_check_01_auc(capsys):
    assert check_01_auc(_auc_ok)
    assert not check_01_auc(None) and "not attempted" in capsys.readouterr().out
    assert not check_01_auc(lambda sn, sa: 1 - _auc_ok(sn, sa)) and "1 − AUC" in (
        capsys.readouterr().out
    )
    strict = lambda sn, sa: float((sa[:, None] > sn[None]).mean())  # noqa: E731
    assert not check_01_auc(strict) and "ties" in capsys.readouterr().out
    count = lambda sn, sa: float((sa[:, None] > sn[None]).sum())  # noqa: E731
    assert not check_01_auc(count) and "divide" in capsys.readouterr().out
    assert not check_01_auc(lambda sn, sa: 1 / 0) and "ZeroDivisionError" in (
        capsys.readouterr().out
    )
    assert not check_01_auc(0.9) and "function" in capsys.readouterr().out


# --- 02 --------------------------------------------------------------------------------------------


def test_plane_data_is_nearly_flat_and_seeded():
    X = plane_data()
    assert X.shape == (config.PLANE3D_M, 3) and X.dtype == torch.float64
    assert torch.equal(X, plane_data())
    s = torch.linalg.svdvals(X - X.mean(0))
    assert s[2] < 0.2 * s[1]  # a 2-D principal plane
    with pytest.raises(ValueError):
        plane_data(m=0)
    with pytest.raises(TypeError):
        plane_data(seed=1.5)


def test_check_02_far_point(capsys):
    target = config.NB02_FAR_DISTANCE
    right = (target, far_point_state(target)["loss"])
    assert check_02_far_point(right)
    assert not check_02_far_point(None) and "not attempted" in capsys.readouterr().out
    assert not check_02_far_point((10.0, 0.0)) and "Increase c" in capsys.readouterr().out
    assert not check_02_far_point((-5.0, 0.0)) and "c > 0" in capsys.readouterr().out
    assert not check_02_far_point((target, target)) and "loss there" in capsys.readouterr().out
    assert not check_02_far_point(50.0) and "pair" in capsys.readouterr().out
    # the loss half: the slider's reading or 0, not any small number (the old window took 1e-7)
    state = far_point_state(target)
    assert check_02_far_point((target, 0.0)) and check_02_far_point((np.float64(target), 0))
    assert not check_02_far_point((target, 1e-7)) and "loss there" in capsys.readouterr().out
    small = state["min_normal_loss"]
    assert not check_02_far_point((target, small)) and "training" in capsys.readouterr().out
    assert not check_02_far_point((target, "0")) and "two" in capsys.readouterr().out
    assert not check_02_far_point((math.inf, 0.0)) and "two" in capsys.readouterr().out
    # far enough on the *other* side is a valid answer too: a zero-loss point 50+ away
    c = -2 * target
    assert check_02_far_point((c, far_point_state(c)["loss"]))


def _far_point_ok(X, mean, V, delta):
    Y = (X - mean) @ V
    s = int(torch.argmax(Y[:, 0]))
    u = torch.zeros(V.shape[1], dtype=V.dtype)
    u[0] = 1.0
    return mean + (Y[s] + (delta + 1.0) * u) @ V.T


def test_check_02_theorem2_point(capsys):
    assert check_02_theorem2_point(_far_point_ok)
    assert not check_02_theorem2_point(None) and "not attempted" in capsys.readouterr().out

    def from_mean(X, mean, V, delta):  # zero loss, but starts inside the hull and moves δ only
        return mean + delta * V[:, 0]

    assert not check_02_theorem2_point(from_mean) and "hull" in capsys.readouterr().out

    def off_plane(X, mean, V, delta):  # far, but not in the subspace
        return X[0] + (delta + 1e6) * torch.ones(X.shape[1], dtype=X.dtype)

    assert not check_02_theorem2_point(off_plane) and "perfectly" in capsys.readouterr().out
    assert not check_02_theorem2_point(lambda X, mean, V, delta: V) and "shape" in (
        capsys.readouterr().out
    )


# --- 03 --------------------------------------------------------------------------------------------


def test_largest_angles_matches_principal_angles():
    X = plane_data(m=50)
    run = train_linear_autoencoder(X, 2, epochs=30)
    V = pca(X, 2).components
    fast = largest_angles(run, V)
    assert fast.shape == (31,)
    for k in (0, 15, 30):
        assert float(fast[k]) == pytest.approx(
            float(principal_angles(run.encoder_weights[k], V).max()), abs=1e-12
        )
    # the last snapshot is the trained model's encoder
    assert torch.equal(run.encoder_weights[-1], run.model.encoder[0].weight.detach().T)


def test_train_linear_autoencoder_validates():
    with pytest.raises(ValueError, match="d < n"):
        train_linear_autoencoder(plane_data(m=20), 3)
    with pytest.raises(TypeError):
        train_linear_autoencoder([[1.0, 2.0]], 1)
    with pytest.raises(TypeError, match="LinearRun"):
        largest_angles("run", torch.eye(3)[:, :2])


def test_check_03_converged_epoch(capsys):
    from aelib.course.exercises.nb03 import _notebook_angles

    deg = torch.rad2deg(_notebook_angles())
    right = int(torch.nonzero(deg >= config.NB03_ANGLE_TARGET_DEG).flatten()[-1]) + 1
    assert deg[right:].max() < config.NB03_ANGLE_TARGET_DEG
    assert check_03_converged_epoch(right)
    assert not check_03_converged_epoch(None) and "not attempted" in capsys.readouterr().out
    assert not check_03_converged_epoch(right - 1) and "later epochs" in capsys.readouterr().out
    assert not check_03_converged_epoch(right + 10) and "first" in capsys.readouterr().out
    assert not check_03_converged_epoch(10**6) and "epochs run" in capsys.readouterr().out
    assert not check_03_converged_epoch(3.5) and "whole number" in capsys.readouterr().out
    for bad in (math.inf, -math.inf, math.nan, "12", [right]):
        assert not check_03_converged_epoch(bad) and "whole number" in capsys.readouterr().out
    assert check_03_converged_epoch(np.int64(right)) and check_03_converged_epoch(float(right))
    assert check_03_converged_epoch(torch.tensor(right))


def test_check_03_biases(capsys):
    assert check_03_biases(lambda X, W: (-X.mean(0) @ W, X.mean(0)))
    assert not check_03_biases(None) and "not attempted" in capsys.readouterr().out
    assert not check_03_biases(lambda X, W: (X.mean(0) @ W, X.mean(0))) and "sign" in (
        capsys.readouterr().out
    )
    assert not check_03_biases(lambda X, W: (-X.mean(0) @ W, torch.zeros(X.shape[1]))) and (
        "add the mean back" in capsys.readouterr().out
    )
    assert not check_03_biases(lambda X, W: (-X.mean(1)[:2], X.mean(1))) and "shape" in (
        capsys.readouterr().out
    )
    assert not check_03_biases(lambda X, W: (torch.zeros(W.shape[1]), X.mean(0))) and (
        "−x̄ W_enc" in capsys.readouterr().out
    )
    assert not check_03_biases(lambda X, W: ("a", "b")) and "numeric" in capsys.readouterr().out
