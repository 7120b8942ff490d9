"""The checkers of notebooks 04–07: the solution passes, typical wrong answers fail with a hint."""

import numpy as np
import pytest
import torch

from aelib.course import config
from aelib.course.exercises import (
    check_04_freeze_search,
    check_04_min_bias,
    check_04_pattern_freeze,
    check_05_collapse_loss,
    check_05_eps_onset,
    check_05_far_min_error,
    check_06_band_direction,
    check_06_band_fraction,
    check_06_ring_min,
    check_07_continuity,
    check_07_far_slopes,
    check_07_largest_smooth,
)
from aelib.course.exercises.nb04 import pattern_freeze_point
from aelib.course.exercises.nb06 import (
    band_fraction,
    equal_distance_offsets,
    line_points,
    lowest_error_direction,
)
from aelib.course.oob import activation_pattern, out_of_bounds
from aelib.course.toy_training import figure1_data, figure1_model, fit_toy_autoencoder
from aelib.models import ACTIVATIONS


def test_04_min_bias(capsys):
    X = figure1_data("diagonal")
    right = float(-(X @ (config.DIAG_BETA * torch.ones(2))).min())
    assert check_04_min_bias(right)
    assert not check_04_min_bias(None) and "not attempted" in capsys.readouterr().out
    assert not check_04_min_bias(-right) and "sign" in capsys.readouterr().out
    assert not check_04_min_bias(right / 2) and "both coordinates" in capsys.readouterr().out
    largest = float(-2 * config.DIAG_BETA * X[:, 0].double().max())  # close to -right here
    assert not check_04_min_bias(largest) and "largest α" in capsys.readouterr().out
    assert not check_04_min_bias("1") and "one number" in capsys.readouterr().out
    for scalar in (np.float64(right), np.float32(right), torch.tensor(right)):
        assert check_04_min_bias(scalar)
    for bad in (float("nan"), float("inf"), [right, right], {"b": right}):
        assert not check_04_min_bias(bad) and "one number" in capsys.readouterr().out


@pytest.mark.slow
def test_04_pattern_freeze(capsys):
    model = fit_toy_autoencoder(figure1_data("diagonal")).model
    right = pattern_freeze_point(model)
    assert check_04_pattern_freeze(right)
    assert check_04_pattern_freeze(right + 0.1) and check_04_pattern_freeze(right - 0.1)
    assert not check_04_pattern_freeze(right - 0.15) and "farther" in capsys.readouterr().out
    assert not check_04_pattern_freeze(right + 0.15) and "before" in capsys.readouterr().out
    assert not check_04_pattern_freeze("3.3") and "one number" in capsys.readouterr().out


def _freeze_point(model, direction, t_max, step):
    d = torch.as_tensor(direction, dtype=torch.float32)
    ts = torch.arange(0.0, t_max + step / 2, step)
    points = ts[:, None] * d / d.norm()
    pattern = activation_pattern(model, points)
    changes = torch.nonzero((pattern[1:] != pattern[:-1]).any(1)).flatten()
    return float(ts[changes[-1] + 1]) if len(changes) else 0.0


def test_04_freeze_search(capsys):
    assert check_04_freeze_search(_freeze_point)
    assert not check_04_freeze_search(None) and "not attempted" in capsys.readouterr().out

    def first_change(model, direction, t_max, step):
        d = torch.as_tensor(direction, dtype=torch.float32)
        ts = torch.arange(0.0, t_max + step / 2, step)
        pattern = activation_pattern(model, ts[:, None] * d / d.norm())
        changes = torch.nonzero((pattern[1:] != pattern[:-1]).any(1)).flatten()
        return float(ts[changes[0] + 1])

    assert not check_04_freeze_search(first_change) and "last change" in capsys.readouterr().out

    def no_norm(model, direction, t_max, step):
        d = torch.as_tensor(direction, dtype=torch.float32)
        ts = torch.arange(0.0, t_max + step / 2, step)
        pattern = activation_pattern(model, ts[:, None] * d)
        changes = torch.nonzero((pattern[1:] != pattern[:-1]).any(1)).flatten()
        return float(ts[changes[-1] + 1])

    assert not check_04_freeze_search(no_norm) and "Normalise" in capsys.readouterr().out
    assert not check_04_freeze_search(lambda *a: 1 / 0) and "ZeroDivision" in (
        capsys.readouterr().out
    )
    assert not check_04_freeze_search(3.3) and "function" in capsys.readouterr().out


def test_05_collapse_loss(capsys):
    X = figure1_data("banana")
    right = float(((X - X.mean(0)) ** 2).mean())
    assert check_05_collapse_loss(right)
    assert not check_05_collapse_loss(2 * right) and "sum" in capsys.readouterr().out
    assert (
        not check_05_collapse_loss(float((X**2).mean()))
        and "outputting 0" in capsys.readouterr().out
    )


@pytest.mark.slow
def test_05_eps_onset(capsys):
    fit, X = figure1_model("1c")
    right = out_of_bounds(fit.model, X).far_min_error
    assert check_05_eps_onset(right) and check_05_eps_onset(round(right, 3))
    assert check_05_eps_onset(right + 0.01)  # the slider's first reading with a zone
    # below the smallest outside MSE there is no zone, however close (the old window took these)
    for below in (right - 0.004, right - 0.01, right - 0.014):
        assert not check_05_eps_onset(below) and "increase" in capsys.readouterr().out
    assert not check_05_eps_onset(right + 0.05) and "decrease" in capsys.readouterr().out
    assert not check_05_eps_onset(np.nan) and "one number" in capsys.readouterr().out


def _far_min_error(model, X, lim, resolution, margin):
    g = torch.linspace(-lim, lim, resolution)
    grid = torch.cartesian_prod(g, g)
    far = torch.cdist(grid, X).min(1).values > margin
    with torch.no_grad():
        mse = ((model(grid) - grid) ** 2).mean(1)
    return float(mse[far].min())


def test_05_far_min_error(capsys):
    assert check_05_far_min_error(_far_min_error)
    assert not check_05_far_min_error(None) and "not attempted" in capsys.readouterr().out

    def everywhere(model, X, lim, resolution, margin):
        return _far_min_error(model, X, lim, resolution, -1.0)

    assert not check_05_far_min_error(everywhere) and "*all* grid" in capsys.readouterr().out

    def summed(model, X, lim, resolution, margin):
        g = torch.linspace(-lim, lim, resolution)
        grid = torch.cartesian_prod(g, g)
        far = torch.cdist(grid, X).min(1).values > margin
        with torch.no_grad():
            return float(((model(grid) - grid) ** 2).sum(1)[far].min())

    assert not check_05_far_min_error(summed) and "sum" in capsys.readouterr().out
    assert not check_05_far_min_error("f") and "function" in capsys.readouterr().out


def test_06_band_direction_bad_input(capsys):
    assert not check_06_band_direction(None) and "not attempted" in capsys.readouterr().out
    assert not check_06_band_direction((0.0, 0.0)) and "non-zero" in capsys.readouterr().out
    assert not check_06_band_direction((1.0,)) and "2-vector" in capsys.readouterr().out
    assert not check_06_band_direction(["a", "b"]) and "2-vector" in capsys.readouterr().out
    assert not check_06_band_direction("1,1") and "2-vector" in capsys.readouterr().out
    assert not check_06_band_direction((np.inf, 1.0)) and "finite" in capsys.readouterr().out


@pytest.mark.slow
def test_06_band_direction(capsys, course_cache):
    # the reference is derived from the 1f model's error (lowest_error_direction), not hard-coded
    fit, X = figure1_model("1f")
    ref = lowest_error_direction(fit.model, X).direction
    assert check_06_band_direction(tuple(ref.tolist()))
    assert check_06_band_direction(tuple((-3 * ref).tolist()))  # either sign, any length
    assert check_06_band_direction(np.asarray(ref)) and check_06_band_direction(ref.double())
    turned = torch.tensor([[0.966, -0.259], [0.259, 0.966]]) @ ref  # 15° off: still accepted
    assert check_06_band_direction(tuple((turned * 0.999 + ref * 0.001).tolist()))
    ortho = (-float(ref[1]), float(ref[0]))  # the paper's hyperplane
    assert not check_06_band_direction(ortho) and "paper's hyperplane" in capsys.readouterr().out
    off = torch.tensor([[0.866, -0.5], [0.5, 0.866]]) @ ref  # 30° off
    assert not check_06_band_direction(tuple(off.tolist())) and "red" in capsys.readouterr().out
    # the seeded 1f model: the lowest-error direction is the diagonal, the first PC
    assert check_06_band_direction((1.0, 1.0)) and check_06_band_direction(torch.tensor([-2, -2]))
    assert not check_06_band_direction((1.0, -1.0))


def _diagonal_projector() -> torch.nn.Module:
    """A linear "autoencoder" that projects onto the diagonal x1 = x2: zero error along it."""
    model = torch.nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.full((2, 2), 0.5))
    return model


def test_06_line_points():
    ts, pts = line_points(
        torch.tensor([1.0, 2.0]), (0.0, 3.0), offset=2.0, half_length=4.0, n_points=9
    )
    assert ts.tolist() == [-4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0]
    # d = (0, 1), normal n = d rotated by +90° = (-1, 0): the offset moves the line to x1 = -1
    assert torch.allclose(pts[:, 0], torch.full((9,), -1.0)) and torch.allclose(pts[:, 1], ts + 2)
    for bad in ((0.0, 0.0), (1.0,), (np.nan, 1.0)):
        with pytest.raises(ValueError, match="direction"):
            line_points(torch.zeros(2), bad)
    with pytest.raises(ValueError, match="origin"):
        line_points(torch.zeros(3), (1.0, 0.0))
    with pytest.raises(ValueError, match="n_points"):
        line_points(torch.zeros(2), (1.0, 0.0), n_points=1)


def test_06_lowest_error_direction_finds_the_zero_error_line():
    X = torch.tensor([[3.0, 3.0], [-3.0, -3.0], [2.0, 2.5], [-2.0, -2.5]])
    scan = lowest_error_direction(_diagonal_projector(), X)
    assert scan.angle == 45.0 and torch.allclose(scan.direction, torch.tensor([0.5, 0.5]) ** 0.5)
    assert scan.angles.shape == scan.medians.shape == (180,)
    assert float(scan.medians.argmax()) == 135.0  # the orthogonal line: largest error
    assert float(scan.medians.min()) < 1e-10
    with pytest.raises(ValueError, match="X"):
        lowest_error_direction(_diagonal_projector(), torch.zeros(3, 3))
    with pytest.raises(ValueError, match="n_angles"):
        lowest_error_direction(_diagonal_projector(), X, n_angles=1)


def test_06_equal_distance_offsets():
    X = torch.tensor([[3.0, 3.0], [-3.0, -3.0]])
    d0, s_minus, s_plus = equal_distance_offsets(X, (1.0, -1.0))
    assert d0 == pytest.approx(3 * 2**0.5, rel=1e-5)  # the line through the middle
    assert (s_minus, s_plus) == pytest.approx((-6 * 2**0.5, 6 * 2**0.5), rel=1e-5)
    with pytest.raises(ValueError, match="X"):
        equal_distance_offsets(torch.zeros(0, 2), (1.0, 0.0))
    with pytest.raises(ValueError, match="direction"):
        equal_distance_offsets(X, (0.0, 0.0))


@pytest.mark.slow
def test_06_band_fraction(capsys):
    fit, X = figure1_model("1f")
    right = band_fraction(fit.model, X)
    assert check_06_band_fraction(right)
    assert not check_06_band_fraction(1 - right) and "lower" in capsys.readouterr().out
    assert not check_06_band_fraction(1.5) and "[0, 1]" in capsys.readouterr().out


def _ring_min_error(model, radius, n_angles):
    angles = torch.arange(n_angles) * (2 * torch.pi / n_angles)
    ring = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
    with torch.no_grad():
        return float(((model(ring) - ring) ** 2).mean(1).min())


def test_06_ring_min(capsys):
    assert check_06_ring_min(_ring_min_error)
    assert not check_06_ring_min(None) and "not attempted" in capsys.readouterr().out

    def summed(model, radius, n_angles):
        angles = torch.arange(n_angles) * (2 * torch.pi / n_angles)
        ring = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
        with torch.no_grad():
            return float(((model(ring) - ring) ** 2).sum(1).min())

    assert not check_06_ring_min(summed) and "sum" in capsys.readouterr().out
    assert not check_06_ring_min(lambda m, r, n: _ring_min_error(m, 1.0, n)) and "radius" in (
        capsys.readouterr().out
    )
    assert not check_06_ring_min([1, 2]) and "function" in capsys.readouterr().out


def test_07_continuity(capsys):
    right = {k: v[1] for k, v in ACTIVATIONS.items()}
    assert check_07_continuity(right)
    assert not check_07_continuity({**right, "elu": "Cinf"}) and "C1" in capsys.readouterr().out
    assert not check_07_continuity({"relu": "C0"}) and "missing" in capsys.readouterr().out
    assert not check_07_continuity(["C0"]) and "dict" in capsys.readouterr().out
    assert not check_07_continuity({**right, "gelu": "C∞"})  # the right idea, spelled otherwise
    assert "one of 'C0', 'C1', 'Cinf'" in capsys.readouterr().out


@pytest.mark.slow
def test_07_largest_smooth_reference_is_the_recipe(capsys, course_cache):
    """The checker's answer is the recipe's, computed here without the checker's helper, and a
    table planted in the call (the notebook's old second argument) changes nothing."""
    from aelib.course.toy_recipes import fit_many

    datasets = {name: figure1_data(name) for name in ("gaussian", "two_gaussians", "banana")}
    areas = {}
    for act in (a for a in ACTIVATIONS if ACTIVATIONS[a][1] == "Cinf"):
        ok = [
            out_of_bounds(r.model, datasets[r.data], resolution=config.ACT_GRID).area
            for r in fit_many(datasets, act, list(range(config.ACT_SEEDS)))
            if not r.collapsed
        ]
        areas[act] = sum(ok) / len(ok)
    right = max(areas, key=areas.get)
    assert check_07_largest_smooth(right)
    wrong = min(areas, key=areas.get)
    assert not check_07_largest_smooth(wrong)
    assert "saturates" in capsys.readouterr().out or wrong not in ("tanh", "sigmoid")
    # overwriting the notebook's table so that the wrong answer is the largest does not help
    planted = {k: {"area": 100.0 if k == wrong else 0.0} for k in ACTIVATIONS}
    assert not check_07_largest_smooth(wrong, planted)
    assert check_07_largest_smooth(right, planted)
    assert not check_07_largest_smooth("relu") and "not C^∞" in capsys.readouterr().out
    assert not check_07_largest_smooth("swish") and "expected an activation" in (
        capsys.readouterr().out
    )
    assert not check_07_largest_smooth(["gelu"]) and "expected an activation" in (
        capsys.readouterr().out
    )


def _far_slopes(f, big):
    x = torch.tensor([-2 * big, -big, big, 2 * big], dtype=torch.float64)
    y = f(x)
    return float((y[1] - y[0]) / big), float((y[3] - y[2]) / big)


def test_07_far_slopes(capsys):
    assert check_07_far_slopes(_far_slopes)
    assert not check_07_far_slopes(None) and "not attempted" in capsys.readouterr().out
    swapped = lambda f, big: _far_slopes(f, big)[::-1]  # noqa: E731
    assert not check_07_far_slopes(swapped) and "swapped" in capsys.readouterr().out
    flipped = lambda f, big: (-_far_slopes(f, big)[0], _far_slopes(f, big)[1])  # noqa: E731
    assert not check_07_far_slopes(flipped) and "sign" in capsys.readouterr().out
    assert not check_07_far_slopes(lambda f, big: 0.0) and "pair" in capsys.readouterr().out
    on_floats = lambda f, big: ((f(-big) - f(-2 * big)) / big, (f(2 * big) - f(big)) / big)  # noqa: E731
    assert not check_07_far_slopes(on_floats) and "torch.tensor(big)" in capsys.readouterr().out
    assert not check_07_far_slopes("tanh") and "function" in capsys.readouterr().out


# --- notebook 04, section 2: the [2, 1, 2] networks and the fixed directions of their far field


def _one_unit(w, b, v, c):
    """A [2, 1, 2] ReLU autoencoder with the given weights (float64)."""
    from aelib.models import MLPAutoencoder

    m = MLPAutoencoder([2, 1, 2], activation="relu", seed=0).double()
    with torch.no_grad():
        m.encoder[0].weight[:] = torch.tensor([w], dtype=torch.float64)
        m.encoder[0].bias[:] = b
        m.decoder[0].weight[:] = torch.tensor(v, dtype=torch.float64)[:, None]
        m.decoder[0].bias[:] = torch.tensor(c, dtype=torch.float64)
    return m


def test_04_hand_built_network_is_the_projection_on_the_diagonal():
    from aelib.course.exercises.nb04 import (
        fixed_directions,
        frozen_affine_map,
        hand_built_diagonal_ae,
        min_bias,
    )

    hand = hand_built_diagonal_ae()
    assert float(hand.encoder[0].bias.detach()) == pytest.approx(min_bias())
    X = figure1_data("diagonal").double()
    with torch.no_grad():
        assert float(((hand(X) - X) ** 2).max()) < 1e-20
    A, b = frozen_affine_map(hand, (10.0, 10.0))
    torch.testing.assert_close(A, torch.full((2, 2), 0.5, dtype=torch.float64))
    torch.testing.assert_close(b, torch.zeros(2, dtype=torch.float64))
    A_off, b_off = frozen_affine_map(hand, torch.tensor([-10.0, -10.0]))
    assert float(A_off.abs().max()) == 0 and b_off.tolist() == pytest.approx([float(X.min())] * 2)
    assert fixed_directions(hand) == [45.0]
    assert fixed_directions(hand_built_diagonal_ae(beta=-2.0)) == [225.0]  # the mirror image
    for bad in (0.0, float("nan"), "1"):
        with pytest.raises(ValueError, match="beta"):
            hand_built_diagonal_ae(beta=bad)


def test_04_frozen_affine_map_is_exact_on_its_region():
    from aelib.course.exercises.nb04 import frozen_affine_map
    from aelib.models import MLPAutoencoder

    m = MLPAutoencoder([2, 6, 3, 6, 2], activation="relu", seed=3)
    x = torch.tensor([4.0, -7.0], dtype=torch.float64)
    A, b = frozen_affine_map(m, x)
    near = x + 1e-3 * torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.7, -0.7]], dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(m.double()(near), near @ A.T + b)
    assert m.encoder[0].weight.dtype == torch.float64  # ours: .double() above; the copy is inside
    with pytest.raises(TypeError, match="model"):
        frozen_affine_map("net", x)
    with pytest.raises(ValueError, match="point"):
        frozen_affine_map(m, torch.zeros(2, 2))
    with pytest.raises(ValueError, match="point"):
        frozen_affine_map(m, (float("inf"), 0.0))


def test_04_fixed_directions_need_eigenvalue_one_in_their_own_region():
    from aelib.course.exercises.nb04 import fixed_directions

    # tilted encoder, decoder on the diagonal with w.v = 1: the fixed direction is v, not w
    tilted = _one_unit([0.9, -0.1], 0.5, [1.25, 1.25], [-0.6, -0.6])
    assert fixed_directions(tilted) == [45.0]
    # w.v = 0.9: no eigenvalue 1, so no fixed direction
    assert fixed_directions(_one_unit([0.9, -0.1], 0.5, [1.125, 1.125], [0.0, 0.0])) == []
    # the eigenvector points into the region where the unit is off: not fixed
    assert fixed_directions(_one_unit([1.0, 0.0], -1.0, [1.0, 0.0], [0.0, 0.0])) == [0.0]
    assert fixed_directions(_one_unit([-1.0, 0.0], -1.0, [-1.0, 0.0], [0.0, 0.0])) == [180.0]
    with pytest.raises(ValueError, match="origin"):
        fixed_directions(tilted, origin=(0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="r_far"):
        fixed_directions(tilted, r_far=-1.0)
    with pytest.raises(TypeError, match="model"):
        fixed_directions(None)


def test_04_diagonal_212_runs_either_collapse_or_find_a_fixed_diagonal(course_cache):
    from aelib.course.exercises.nb04 import DIAG_212_SEEDS, diagonal_212_runs, fixed_directions

    runs = diagonal_212_runs()
    assert [r.seed for r in runs] == list(DIAG_212_SEEDS)
    found = 0
    for run in runs:
        fixed = fixed_directions(run.model)
        if run.collapsed:
            assert fixed == []
        else:
            found += 1
            assert run.loss < 1e-4 and fixed in ([45.0], [225.0])
    assert found >= 1
