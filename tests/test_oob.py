"""Tests of aelib.course.oob: error grid, distances, activation patterns, the out-of-bounds measurement."""

import numpy as np
import pytest
import torch
from torch import nn

from aelib.course.oob import activation_pattern, distance_to_data, error_grid, out_of_bounds
from aelib.models import MLPAutoencoder


class Identity(nn.Module):
    """Perfect reconstruction everywhere: the whole far plane is out-of-bounds."""

    def __init__(self):
        super().__init__()
        self.p = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x + 0 * self.p


class Constant(nn.Module):
    """Outputs the origin: MSE = |x|^2 / 2, below eps only near the origin."""

    def __init__(self):
        super().__init__()
        self.p = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return 0 * x + 0 * self.p


X = torch.tensor([[0.0, 0.0], [0.5, 0.0]])


def test_error_grid_shapes_and_values():
    xx, yy, err = error_grid(Constant(), bounds=(-2, 2), resolution=5)
    assert xx.shape == yy.shape == err.shape == (5, 5)
    assert torch.allclose(err, (xx**2 + yy**2) / 2)
    xx, _, _ = error_grid(Constant(), bounds=((0, 1), (-3, 3)), resolution=3)
    assert xx[0].tolist() == [0.0, 0.5, 1.0]


def test_identity_zone_is_everything_far():
    o = out_of_bounds(Identity(), X, bounds=(-5, 5), resolution=51, margin=1.0)
    far = o.distance > 1.0
    assert torch.equal(o.zone, far)
    assert o.area == pytest.approx(float(far.sum()) * 0.04)
    assert o.touches_edge and o.worst_case
    assert o.max_distance == pytest.approx(float(o.distance.max()))


def test_constant_model_has_no_far_zone():
    # MSE < 0.1 only within radius sqrt(0.2) of the origin, which lies inside the margin
    o = out_of_bounds(Constant(), X, eps=0.1, margin=1.0, bounds=(-5, 5), resolution=51)
    assert not o.has_zone and o.area == 0.0 and o.farthest_point is None
    assert not o.worst_case and o.far_min_error > 0.1
    # with a tiny margin the zone exists and ends within sqrt(0.2) of the origin
    o = out_of_bounds(Constant(), X, eps=0.1, margin=0.05, bounds=(-5, 5), resolution=101)
    assert o.has_zone and o.max_distance <= 0.2**0.5 + 1e-6
    assert "OutOfBounds(" in repr(o) and set(o.summary()) >= {"area", "max_distance", "worst_case"}


def test_distance_to_data():
    d = distance_to_data(torch.tensor([[3.0, 4.0], [0.5, 1.0]]), X)
    assert torch.allclose(d, torch.tensor([22.25**0.5, 1.0]))


def test_activation_pattern_relu():
    m = MLPAutoencoder([2, 3, 1, 3, 2], activation="relu", seed=0)
    p = activation_pattern(m, torch.randn(7, 2))
    assert p.shape == (7, 7) and p.dtype == torch.bool


@pytest.mark.parametrize(
    ("call", "err"),
    [
        (lambda: error_grid("model"), TypeError),
        (lambda: error_grid(Identity(), bounds=(2, 1)), ValueError),
        (lambda: error_grid(Identity(), bounds="ab"), TypeError),
        (lambda: error_grid(Identity(), bounds=(0, float("inf"))), ValueError),
        (lambda: error_grid(Identity(), resolution=1), ValueError),
        (lambda: error_grid(Identity(), resolution=2.5), TypeError),
        (lambda: out_of_bounds(Identity(), X.tolist()), TypeError),
        (lambda: out_of_bounds(Identity(), torch.zeros(3, 3)), ValueError),
        (lambda: out_of_bounds(Identity(), np.array([[np.nan, 0.0]])), ValueError),
        (lambda: out_of_bounds(Identity(), X, eps=0), ValueError),
        (lambda: out_of_bounds(Identity(), X, margin=-1), ValueError),
        (lambda: distance_to_data(torch.zeros(2, 3), X), ValueError),
        (lambda: activation_pattern(Identity(), X), TypeError),
        (
            lambda: activation_pattern(
                MLPAutoencoder([2, 1, 2]), torch.zeros(2, 2, dtype=torch.long)
            ),
            TypeError,
        ),
    ],
)
def test_bad_inputs(call, err):
    with pytest.raises(err):
        call()


def test_grid_distances_are_remembered_per_data_set_and_handed_out_as_copies():
    gen = torch.Generator().manual_seed(3)
    X1, X2 = torch.randn(30, 2, generator=gen), torch.randn(30, 2, generator=gen)
    m1, m2 = MLPAutoencoder([2, 1, 2], seed=0), MLPAutoencoder([2, 1, 2], seed=1)
    a = out_of_bounds(m1, X1, bounds=(-4, 4), resolution=21)
    points = torch.stack([a.xx.reshape(-1), a.yy.reshape(-1)], dim=1)
    expected = distance_to_data(points, X1).reshape(a.xx.shape)
    assert torch.equal(a.distance, expected)
    a.distance.fill_(-1.0)  # a caller's change does not reach the next result
    b = out_of_bounds(m2, X1.clone(), bounds=(-4, 4), resolution=21)  # same data, other model
    assert torch.equal(b.distance, expected)
    c = out_of_bounds(m1, X2, bounds=(-4, 4), resolution=21)  # other data: its own distances
    assert torch.equal(c.distance, distance_to_data(points, X2).reshape(a.xx.shape))
    d = out_of_bounds(m1, X1, bounds=(-4, 4), resolution=11)  # other grid
    assert d.distance.shape == (11, 11)
