"""Figures in the paper's style, one submodule per part of the course.

- :mod:`aelib.plots.linear`  notebooks 01–03 (PCA, hyperplanes, principal angles)
- :mod:`aelib.plots.toy`     notebooks 04–07 (Figure 1: error contours over the input plane)
- :mod:`aelib.plots.mnist`   notebooks 08–10 (Figure 2: latent error maps, digit grids)
"""

from aelib.plots._contour import error_contour  # noqa: F401
from aelib.plots.linear import *  # noqa: F403
from aelib.plots.mnist import *  # noqa: F403
from aelib.plots.toy import *  # noqa: F403
