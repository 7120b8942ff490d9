"""aelib.course.plots.linear.hull_argument: the legend says which distance it shows."""

import matplotlib.pyplot as plt
import pytest
import torch

from aelib.course.plots import hull_argument


def test_hull_argument_labels_the_interior_distance_as_latent_plane():
    Y = torch.tensor([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0], [1.0, 1.0], [2.5, 1.0]])
    ax = hull_argument(Y, torch.tensor([1.0, 0.0]), 1.5, interior_index=3)
    (text,) = [t.get_text() for t in ax.get_legend().get_texts() if "interior" in t.get_text()]
    # from (1, 1) moved 1.5 along x to (2.5, 1): the point (2.5, 1) is there, at distance 0
    assert "0.00" in text and "latent-plane distance" in text
    with pytest.raises(ValueError, match="interior_index"):
        hull_argument(Y, torch.tensor([1.0, 0.0]), 1.5, interior_index=9)
    plt.close("all")
