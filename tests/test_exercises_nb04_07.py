"""The checkers of notebooks 04–07: the solution passes, typical wrong answers fail with a hint."""

import pytest
import torch

from aelib.course import config
from aelib.course.exercises import (
    check_04_min_bias,
    check_04_pattern_freeze,
    check_05_collapse_loss,
    check_05_eps_onset,
    check_06_band_direction,
    check_06_band_fraction,
    check_07_continuity,
    check_07_largest_smooth,
)
from aelib.course.exercises.nb04 import pattern_freeze_point
from aelib.course.exercises.nb06 import band_fraction
from aelib.course.oob import out_of_bounds
from aelib.course.toy_training import figure1_data, figure1_model, fit_toy_autoencoder
from aelib.models import ACTIVATIONS


def test_04_min_bias(capsys):
    X = figure1_data("diagonal")
    right = float(-(X @ (config.DIAG_BETA * torch.ones(2))).min())
    assert check_04_min_bias(right)
    assert not check_04_min_bias(None) and "not attempted" in capsys.readouterr().out
    assert not check_04_min_bias(-right) and "sign" in capsys.readouterr().out
    assert not check_04_min_bias(right / 2) and "both coordinates" in capsys.readouterr().out
    assert not check_04_min_bias("1") and "one number" in capsys.readouterr().out


@pytest.mark.slow
def test_04_pattern_freeze(capsys):
    model = fit_toy_autoencoder(figure1_data("diagonal")).model
    right = pattern_freeze_point(model)
    assert check_04_pattern_freeze(right)
    assert not check_04_pattern_freeze(right - 1.0) and "farther" in capsys.readouterr().out
    assert not check_04_pattern_freeze(right + 1.0) and "before" in capsys.readouterr().out


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
    assert check_05_eps_onset(right)
    assert not check_05_eps_onset(right - 0.05) and "increase" in capsys.readouterr().out
    assert not check_05_eps_onset(right + 0.05) and "decrease" in capsys.readouterr().out


def test_06_band_direction(capsys):
    assert check_06_band_direction((1.0, -1.0)) and check_06_band_direction([-2.0, 2.0])
    assert not check_06_band_direction((1.0, 1.0)) and "principal" in capsys.readouterr().out
    assert not check_06_band_direction((0.0, 0.0)) and "non-zero" in capsys.readouterr().out
    assert not check_06_band_direction((1.0,)) and "2-vector" in capsys.readouterr().out


@pytest.mark.slow
def test_06_band_fraction(capsys):
    fit, X = figure1_model("1f")
    right = band_fraction(fit.model, X)
    assert check_06_band_fraction(right)
    assert not check_06_band_fraction(1 - right) and "lower" in capsys.readouterr().out
    assert not check_06_band_fraction(1.5) and "[0, 1]" in capsys.readouterr().out


def test_07_continuity(capsys):
    right = {k: v[1] for k, v in ACTIVATIONS.items()}
    assert check_07_continuity(right)
    assert not check_07_continuity({**right, "elu": "Cinf"}) and "C1" in capsys.readouterr().out
    assert not check_07_continuity({"relu": "C0"}) and "missing" in capsys.readouterr().out
    assert not check_07_continuity(["C0"]) and "dict" in capsys.readouterr().out


def test_07_largest_smooth(capsys):
    table = {k: {"area": float(i)} for i, k in enumerate(ACTIVATIONS)}
    smooth = [k for k in ACTIVATIONS if ACTIVATIONS[k][1] == "Cinf"]
    best = max(smooth, key=lambda k: table[k]["area"])
    assert check_07_largest_smooth(best, table)
    assert not check_07_largest_smooth("relu", table) and "not C^∞" in capsys.readouterr().out
    other = next(k for k in smooth if k != best)
    assert not check_07_largest_smooth(other, table) and "another" in capsys.readouterr().out
    assert not check_07_largest_smooth("swish", table)
