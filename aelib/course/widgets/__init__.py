"""Slider explorers used by the notebooks, one submodule per part of the course.

Each is a plain function returning an ``ipywidgets.interactive`` whose controls can be moved from
code (``w.children[0].value = …``), so tests drive them without a browser. Its ``children`` are
the sliders (sized to their number of positions), a one-line hint that the arrow keys step a
slider, and the ``Output`` (last). :func:`explorer_widget` builds that widget for any callback
(e.g. a notebook's own browser of precomputed results).
"""

from aelib.course.widgets._controls import explorer_widget as explorer_widget
from aelib.course.widgets.diagonal import *  # noqa: F403
from aelib.course.widgets.linear import *  # noqa: F403
from aelib.course.widgets.mnist import *  # noqa: F403
from aelib.course.widgets.pgd import *  # noqa: F403
from aelib.course.widgets.study import *  # noqa: F403
from aelib.course.widgets.sweep import *  # noqa: F403
from aelib.course.widgets.toy import *  # noqa: F403
