"""Checkers of notebooks 08-10: the solution passes, typical wrong answers fail with their hint."""

import torch

from aelib.course.exercises import (
    check_08_hardest_digit,
    check_08_threshold,
    check_09_adversarial_z,
    check_09_percentile,
    check_10_grid_cost,
    check_10_mahalanobis_threshold,
)
from aelib.models import ConvAutoencoder


def test_08_hardest_digit(capsys):
    aucs = {0: 0.96, 1: 0.71, 9: 0.49}
    assert not check_08_hardest_digit(None, aucs)
    assert check_08_hardest_digit(9, aucs)
    assert not check_08_hardest_digit(0, aucs)
    assert "highest" in capsys.readouterr().out
    assert not check_08_hardest_digit(1, aucs)
    assert not check_08_hardest_digit(4, aucs)
    assert "not one of" in capsys.readouterr().out
    assert not check_08_hardest_digit("9", aucs)


def test_08_threshold(capsys):
    errors = torch.arange(1.0, 101.0)
    q = float(torch.quantile(errors, 0.95))
    assert check_08_threshold(q, errors)
    assert not check_08_threshold(10.0, errors)
    assert "raise" in capsys.readouterr().out
    assert not check_08_threshold(200.0, errors)
    assert "lower" in capsys.readouterr().out
    assert not check_08_threshold(None, errors)
    assert not check_08_threshold("x", errors)


def test_09_adversarial_z(capsys):
    model = ConvAutoencoder(2, (2, 4), seed=0).eval()
    X = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    z = torch.zeros(1, 2)
    with torch.inference_mode():
        a = model.decode(z)
    X_with_a = torch.cat([X, a])  # a is then a normal sample: zero distance, error = its own
    assert not check_09_adversarial_z(None, model, X, 1.0)
    # decoded points are near fixed points, so h(0) beats random images; far from random images
    assert check_09_adversarial_z((0.0, 0.0), model, X, 1.0)
    assert not check_09_adversarial_z((0.0, 0.0), model, X_with_a, 1.0)
    assert "only" in capsys.readouterr().out
    assert not check_09_adversarial_z("abc", model, X, 1.0)


def test_09_percentile(capsys):
    nn = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert check_09_percentile(75.0, 3.5, nn)
    assert not check_09_percentile(0.75, 3.5, nn)
    assert "fraction" in capsys.readouterr().out
    assert not check_09_percentile(25.0, 3.5, nn)
    assert "reversed" in capsys.readouterr().out
    assert not check_09_percentile(None, 3.5, nn)


def test_10_grid_cost(capsys):
    assert check_10_grid_cost(150.0**16, 150, 16)
    assert not check_10_grid_cost(150 * 16, 150, 16)
    assert "combination" in capsys.readouterr().out
    assert not check_10_grid_cost(16.0**150, 150, 16)
    assert "swapped" in capsys.readouterr().out
    assert not check_10_grid_cost(None, 150, 16)
    assert not check_10_grid_cost(-1, 150, 16)


def test_10_mahalanobis_threshold(capsys):
    adv = torch.tensor([5.0, 8.0])
    normal = torch.tensor([1.0, 2.0, 6.0])
    assert check_10_mahalanobis_threshold(4.9, adv, normal)
    assert not check_10_mahalanobis_threshold(5.0, adv, normal)
    assert "pass unflagged" in capsys.readouterr().out
    assert not check_10_mahalanobis_threshold(1.0, adv, normal)
    assert "raise" in capsys.readouterr().out
    assert not check_10_mahalanobis_threshold(None, adv, normal)


def test_check_10_passes_deployed_solution_and_typical_mistakes(capsys):
    import numpy as np
    import torch

    from aelib.course.exercises import check_10_passes_deployed

    assert not check_10_passes_deployed(None)
    assert "not attempted" in capsys.readouterr().out
    assert check_10_passes_deployed(lambda d, p: d.decision_function(p) <= d.threshold_)
    assert check_10_passes_deployed(
        lambda d, p: torch.as_tensor(d.decision_function(p)) <= d.threshold_
    )
    cases = [
        (lambda d, p: d.decision_function(p) > d.threshold_, "inverted"),
        (lambda d, p: d.decision_function(p) < d.threshold_, "exactly at the threshold"),
        (lambda d, p: d.decision_function(p), "boolean mask"),
        (lambda d, p: d.decision_function(p)[:3] <= d.threshold_, "one value per point"),
        (lambda d, p: 1 / 0, "ZeroDivisionError"),
        (lambda d, p: np.ones(len(p), dtype=bool), "points wrong"),
        (42, "expected a function"),
    ]
    for answer, hint in cases:
        assert not check_10_passes_deployed(answer)
        assert hint in capsys.readouterr().out
