"""The checkers of notebooks 01–03: the solution passes, typical wrong answers fail with a hint."""

from __future__ import annotations

import functools
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
from aelib.course.exercises.nb02 import far_point_state, far_thresholds
from aelib.course.widgets import hyperplane_explorer
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


@functools.lru_cache(maxsize=1)
def _negative_threshold_by_grid(step: float = 1e-3) -> float:
    """The largest c < 0 whose point is ≥ D from every training point, by brute force over a
    grid of c (distances to all points, not the checker's formula)."""
    X = gaussian(config.TOY_N, seed=0).double()
    p = pca(X, config.LINEAR_D_TOY)
    v = p.components[:, 0]
    ys = float(((X - p.mean) @ v).max())
    c = -torch.arange(0.0, 3 * config.NB02_FAR_DISTANCE, step, dtype=torch.float64)
    points = p.mean + (ys + c)[:, None] * v  # the slider's points, shape (len(c), 2)
    far = torch.cdist(points, X).min(dim=1).values >= config.NB02_FAR_DISTANCE
    return float(c[int(torch.nonzero(far)[0])])


def _slider_distance(c: float) -> float:
    X = gaussian(config.TOY_N, seed=0).double()
    w = hyperplane_explorer(X, pca(X, config.LINEAR_D_TOY))
    w.children[0].value = c
    return w.result["min_distance"]


def test_far_thresholds_match_the_slider():
    th = far_thresholds()
    assert th["negative"] == pytest.approx(_negative_threshold_by_grid(), abs=2e-3)
    # what a learner reads on the slider (step 0.5): -55.5 is just short, -56 is far enough
    assert 49.99 < _slider_distance(-55.5) < config.NB02_FAR_DISTANCE <= _slider_distance(-56.0)
    # the negative side is larger by about the data's extent along v1
    assert -th["negative"] - th["positive"] == pytest.approx(th["spread"], abs=0.05)
    assert th["positive"] <= config.NB02_FAR_DISTANCE < -th["negative"]
    assert far_point_state(th["negative"] - 1e-9)["min_distance"] >= config.NB02_FAR_DISTANCE - 1e-6
    assert far_point_state(th["negative"] + 0.01)["min_distance"] < config.NB02_FAR_DISTANCE


def test_check_02_far_point(capsys):
    target = config.NB02_FAR_DISTANCE
    neg = _negative_threshold_by_grid()  # independent of the checker
    right = (neg, neg - 0.5)
    assert check_02_far_point(right) and "close" in capsys.readouterr().out
    assert check_02_far_point((neg, -2 * target))  # any negative c far enough is right
    assert check_02_far_point((np.float32(neg), torch.tensor(neg - 1)))
    assert not check_02_far_point(None) and "not attempted" in capsys.readouterr().out
    assert not check_02_far_point((None, None)) and "not attempted" in capsys.readouterr().out
    # the hints: positive c, negative but still near the data, a missing prediction, types
    assert not check_02_far_point((neg, target)) and "negative" in capsys.readouterr().out
    assert not check_02_far_point((neg, -target)) and "opposite side" in capsys.readouterr().out
    assert not check_02_far_point((neg, neg + 0.25)) and "−v₁" in capsys.readouterr().out
    assert not check_02_far_point((None, neg - 1)) and "prediction" in capsys.readouterr().out
    assert not check_02_far_point((neg, None)) and "slider" in capsys.readouterr().out
    assert not check_02_far_point(-60.0) and "pair" in capsys.readouterr().out
    for bad in (("-55", -60.0), (math.nan, -60.0), (neg, math.inf), (neg, [1, 2]), (1, 2, 3)):
        assert not check_02_far_point(bad)
        assert "✗" in capsys.readouterr().out
    # the prediction's feedback: forgetting the cloud, overshooting, the wrong sign
    assert check_02_far_point((-target, -60.0)) and "too small" in capsys.readouterr().out
    assert check_02_far_point((-100.0, -60.0)) and "more negative" in capsys.readouterr().out
    assert check_02_far_point((target, -60.0)) and "not negative" in capsys.readouterr().out


def test_check_02_far_point_answer_key():
    from aelib.course.exercises import answer_key

    neg = _negative_threshold_by_grid()
    values = answer_key("check_02_far_point").values
    assert any(v == pytest.approx(neg, abs=2e-3) for v in values)
    assert any(v == pytest.approx(-neg, abs=2e-3) for v in values)


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


def _epoch_below_target(lr: float) -> int:
    """The first epoch from which the largest angle stays below target, recomputed here with
    aelib.linalg.principal_angles on every 10th snapshot, then epoch by epoch near the crossing."""
    X = plane_data()
    run = train_linear_autoencoder(X, 2, lr=lr)
    V = pca(X, 2).components
    target = math.radians(config.NB03_ANGLE_TARGET_DEG)

    def angle(k):
        return float(principal_angles(run.encoder_weights[k], V).max())

    last = len(run.encoder_weights) - 1
    coarse = [k for k in range(0, last + 1, 10) if angle(k) >= target]
    assert coarse, "never above the target"
    k = coarse[-1]
    while k < last and angle(k + 1) >= target:
        k += 1
    assert all(angle(j) < target for j in range(k + 1, min(k + 60, last + 1)))
    return k + 1


def test_check_03_converged_epoch(capsys):
    from aelib.course.exercises.nb03 import prediction_lr

    right = _epoch_below_target(config.LINEAR_AE_LR)  # independent of the checker
    actual = _epoch_below_target(prediction_lr())
    assert prediction_lr() == 2 * config.LINEAR_AE_LR
    assert actual < right  # the larger lr is faster ...
    assert actual > right / 2  # ... but not twice as fast: the naive guess is within 2x, not exact
    assert check_03_converged_epoch((right, right / 2)) and "intuition" in capsys.readouterr().out
    assert check_03_converged_epoch((right, actual))
    assert check_03_converged_epoch((right, right - 1)) and check_03_converged_epoch(
        (np.int64(right), torch.tensor(actual))
    )
    assert check_03_converged_epoch([float(right), np.float32(0.55 * actual)])
    assert not check_03_converged_epoch(None) and "not attempted" in capsys.readouterr().out
    assert not check_03_converged_epoch((None, None)) and "not attempted" in (
        capsys.readouterr().out
    )
    # the measured epoch, graded exactly as before (the prediction waits until it is right)
    assert not check_03_converged_epoch((right - 1, actual)) and "later epochs" in (
        capsys.readouterr().out
    )
    out_first = check_03_converged_epoch((right + 10, actual)), capsys.readouterr().out
    assert not out_first[0] and "first" in out_first[1] and str(actual) not in out_first[1]
    assert not check_03_converged_epoch((10**6, actual)) and "epochs run" in (
        capsys.readouterr().out
    )
    assert not check_03_converged_epoch((3.5, actual)) and "whole number" in (
        capsys.readouterr().out
    )
    for bad in (math.inf, -math.inf, math.nan, "12", [right]):
        assert not check_03_converged_epoch((bad, actual))
        assert "whole number" in capsys.readouterr().out
    # the prediction is credited and compared, never graded: wrong direction, no change, far off
    assert check_03_converged_epoch((right, 2 * right)) and "later, but it came earlier" in (
        capsys.readouterr().out
    )
    assert check_03_converged_epoch((right, right)) and "no change" in capsys.readouterr().out
    out = check_03_converged_epoch((right, actual / 3)), capsys.readouterr().out
    assert out[0] and "×0.33 the actual" in out[1] and "Adam" in out[1]
    for bad in (None, "200", math.nan, 0, -5, [1, 2]):
        assert not check_03_converged_epoch((right, bad))
        assert "prediction" in capsys.readouterr().out
    assert not check_03_converged_epoch(right) and "pair" in capsys.readouterr().out
    assert not check_03_converged_epoch((right, actual, 1)) and "pair" in capsys.readouterr().out


def test_check_03_converged_epoch_answer_key():
    from aelib.course.exercises import answer_key
    from aelib.course.exercises.nb03 import prediction_lr

    values = answer_key("check_03_converged_epoch").values
    assert float(_epoch_below_target(config.LINEAR_AE_LR)) in values
    assert float(_epoch_below_target(prediction_lr())) in values


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
