"""Figures in the paper's style, one submodule per part of the course.

- :mod:`aelib.course.plots.linear`  notebooks 01–03 (PCA, hyperplanes, principal angles)
- :mod:`aelib.course.plots.toy`     notebooks 04–07 (Figure 1: error contours over the input plane)
- :mod:`aelib.course.plots.mnist`   notebooks 08–10 (Figure 2: latent error maps, digit grids)
- :mod:`aelib.course.plots.audit`   notebook 10 (the audit's miss rate by distance)
- :mod:`aelib.course.plots.candidates` notebook 10 (candidates beside their nearest training images)
"""

from aelib.course.plots._contour import error_contour  # noqa: F401
from aelib.course.plots.audit import plot_miss_rate  # noqa: F401
from aelib.course.plots.candidates import *  # noqa: F403
from aelib.course.plots.linear import *  # noqa: F403
from aelib.course.plots.mnist import *  # noqa: F403
from aelib.course.plots.sweep import *  # noqa: F403
from aelib.course.plots.toy import *  # noqa: F403
