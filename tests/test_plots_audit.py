"""aelib.course.plots.plot_miss_rate: draws a report's or a MissRate's curve; refuses the rest."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from torch import nn

from aelib.audit import audit, miss_rate_by_distance
from aelib.course.plots import plot_miss_rate
from aelib.data import gaussian


def test_plots_a_report_with_its_reach_and_a_bare_miss_rate():
    X = gaussian(60, seed=0)
    report = audit(nn.Identity(), X, steps=5, restarts=2)
    ax = plot_miss_rate(report)
    assert ax.get_xscale() == "log"
    assert len(ax.lines) == 2  # the curve and the farthest adversarial anomaly
    plt.close(ax.figure)
    ax = plot_miss_rate(miss_rate_by_distance(nn.Identity(), X), label="identity")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["identity"]
    plt.close(ax.figure)


def test_refuses_what_has_no_miss_rate():
    X = gaussian(30, seed=0)
    report = audit(nn.Identity(), X, steps=5, restarts=2, miss_rate=False)
    with pytest.raises(TypeError, match="without a miss rate"):
        plot_miss_rate(report)
    with pytest.raises(TypeError, match="expected an AuditReport"):
        plot_miss_rate("curve")
