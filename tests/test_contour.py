"""aelib.course.plots.error_contour: log-scale contours with the ε zone in red (Figures 1 and 2)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.colors import LogNorm, to_rgba
from matplotlib.contour import QuadContourSet

from aelib.course.plots import error_contour

RED = to_rgba("red")


def _bowl(h: int = 60, w: int = 80):
    """err = x² + y² on [-2, 2]²: below ε = 0.1 exactly in the disc of radius √0.1 ≈ 0.316."""
    xs, ys = torch.linspace(-2, 2, w), torch.linspace(-2, 2, h)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")  # same as meshgrid(xs, ys, indexing="xy")
    return xx, yy, xx**2 + yy**2


def _red_sets(ax):
    return [
        c
        for c in ax.collections
        if isinstance(c, QuadContourSet)
        and len(c.get_facecolor())
        and tuple(c.get_facecolor()[0][:3]) == RED[:3]
    ]


def _contains(cs, point) -> bool:
    return any(path.contains_point(point) for path in cs.get_paths())


def test_draws_log_scale_contours_and_the_red_eps_zone():
    fig, ax = plt.subplots()
    xx, yy, err = _bowl()
    cs = error_contour(ax, xx, yy, err, eps=0.1, levels=12)
    assert isinstance(cs, QuadContourSet)
    assert isinstance(cs.norm, LogNorm)
    assert len(cs.levels) == 13
    ratios = np.asarray(cs.levels[1:]) / np.asarray(cs.levels[:-1])
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)  # geometric: an exponential scale
    assert cs.levels[0] == pytest.approx(max(float(err.min()), 1e-8))
    assert cs.levels[-1] == pytest.approx(float(err.max()), rel=1e-6)
    (red,) = _red_sets(ax)
    assert _contains(red, (0.0, 0.0)) and _contains(red, (0.2, -0.2))
    assert not _contains(red, (0.5, 0.0)) and not _contains(red, (1.5, 1.5))
    fig.colorbar(cs, ax=ax)
    fig.canvas.draw()  # renders without error


def test_the_red_zone_follows_eps():
    xx, yy, err = _bowl()
    fig, ax = plt.subplots()
    error_contour(ax, xx, yy, err, eps=1.0)
    (red,) = _red_sets(ax)
    assert _contains(red, (0.8, 0.0)) and not _contains(red, (1.2, 0.0))


def test_no_red_zone_when_every_error_is_above_eps():
    xx, yy, err = _bowl()
    fig, ax = plt.subplots()
    error_contour(ax, xx, yy, err + 1.0, eps=0.1)
    assert _red_sets(ax) == []
    assert len([c for c in ax.collections if isinstance(c, QuadContourSet)]) == 1


def test_all_zero_errors_and_numpy_inputs():
    xx, yy, _ = _bowl(10, 10)
    fig, ax = plt.subplots()
    cs = error_contour(ax, xx.numpy(), yy.numpy(), np.zeros((10, 10)))
    assert cs.levels[0] == pytest.approx(1e-8)  # the floor keeps the log scale defined
    assert len(_red_sets(ax)) == 1
    fig.canvas.draw()


def test_accepts_tensors_that_require_grad():
    xx, yy, err = _bowl(10, 12)
    w = torch.ones((), requires_grad=True)
    fig, ax = plt.subplots()
    error_contour(ax, xx, yy, err * w)  # e.g. errors computed without torch.no_grad()


# --- bad input -------------------------------------------------------------------------------


def test_ax_must_be_an_axes():
    xx, yy, err = _bowl(5, 5)
    with pytest.raises(TypeError, match="ax: expected a matplotlib Axes, got NoneType"):
        error_contour(None, xx, yy, err)
    fig = plt.figure()
    with pytest.raises(TypeError, match="ax: expected a matplotlib Axes, got Figure"):
        error_contour(fig, xx, yy, err)


@pytest.mark.parametrize(
    "which, value, error, message",
    [
        ("xx", torch.zeros(25), ValueError, r"xx: expected shape \(H, W\), got shape \(25,\)"),
        (
            "yy",
            torch.zeros(1, 5, 5),
            ValueError,
            r"yy: expected shape \(H, W\), got shape \(1, 5, 5\)",
        ),
        (
            "errors",
            torch.zeros(5, 4),
            ValueError,
            r"xx, yy, errors: expected equal shapes, got \(5, 5\), \(5, 5\), \(5, 4\)",
        ),
        (
            "errors",
            torch.full((5, 5), float("nan")),
            ValueError,
            "errors: expected finite values, got 25 NaN",
        ),
        (
            "errors",
            torch.full((5, 5), float("inf")),
            ValueError,
            "errors: expected finite values, got 0 NaN and 25 inf",
        ),
        ("errors", -torch.ones(5, 5), ValueError, "errors: expected non-negative values"),
        (
            "errors",
            torch.zeros(0, 5),
            ValueError,
            r"errors: expected a non-empty array with shape \(H, W\)",
        ),
        (
            "xx",
            [[0.0] * 5] * 5,
            TypeError,
            r"xx: expected a torch.Tensor or numpy.ndarray with shape \(H, W\), got list",
        ),
        (
            "errors",
            np.zeros((5, 5), dtype=int),
            TypeError,
            "errors: expected a floating-point array",
        ),
    ],
)
def test_bad_arrays(which, value, error, message):
    xx, yy, err = _bowl(5, 5)
    args = {"xx": xx, "yy": yy, "errors": err} | {which: value}
    fig, ax = plt.subplots()
    with pytest.raises(error, match=message):
        error_contour(ax, **args)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"eps": 0}, ValueError, "eps: expected a positive number, got 0.0"),
        ({"eps": -0.1}, ValueError, "eps: expected a positive number, got -0.1"),
        ({"eps": "0.1"}, TypeError, "eps: expected a positive number, got str"),
        ({"eps": True}, TypeError, "eps: expected a positive number, got bool"),
        ({"levels": 0}, ValueError, "levels: expected a positive integer, got 0"),
        ({"levels": 10.0}, TypeError, "levels: expected a positive integer, got float"),
        ({"levels": False}, TypeError, "levels: expected a positive integer, got bool"),
    ],
)
def test_bad_scalars(kwargs, error, message):
    xx, yy, err = _bowl(5, 5)
    fig, ax = plt.subplots()
    with pytest.raises(error, match=message):
        error_contour(ax, xx, yy, err, **kwargs)
