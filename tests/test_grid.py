"""The one plane grid: orientation, end points, dtype, and clear errors."""

from __future__ import annotations

import pytest
import torch

from aelib._grid import check_bounds, plane_grid


def test_rows_are_y_columns_are_x_and_points_line_up():
    xx, yy, points = plane_grid(((0.0, 2.0), (-1.0, 1.0)), 3, dtype=torch.float64)
    assert xx.shape == yy.shape == (3, 3) and points.shape == (9, 2)
    assert xx[0].tolist() == [0.0, 1.0, 2.0] and yy[:, 0].tolist() == [-1.0, 0.0, 1.0]
    values = points[:, 0] + 10 * points[:, 1]  # any function of the points
    assert torch.equal(values.reshape(3, 3), xx + 10 * yy)
    assert points.dtype == torch.float64


def test_one_pair_means_both_axes():
    assert check_bounds((-1, 1)) == ((-1.0, 1.0), (-1.0, 1.0))


@pytest.mark.parametrize("bad", ["ab", (1,), ((0, 1),), (("a", 1), (0, 1)), (True, 2), None])
def test_bad_bounds_are_a_type_error(bad):
    with pytest.raises(TypeError, match="bounds"):
        check_bounds(bad)


@pytest.mark.parametrize("bad", [(1, 0), ((0, 1), (2, 2)), ((0, float("inf")), (0, 1))])
def test_empty_or_infinite_bounds_are_a_value_error(bad):
    with pytest.raises(ValueError, match="bounds"):
        check_bounds(bad)


def test_resolution_must_be_an_int_of_at_least_two():
    with pytest.raises(ValueError, match="resolution"):
        plane_grid((0, 1), 1)
    with pytest.raises(TypeError, match="resolution"):
        plane_grid((0, 1), 2.5)
