"""Slider explorers used by the notebooks, one submodule per part of the course.

Each is a plain function returning an ``ipywidgets`` object whose controls can be moved from
code (``w.children[0].value = …``), so tests drive them without a browser.
"""

from aelib.course.widgets.linear import *  # noqa: F403
from aelib.course.widgets.mnist import *  # noqa: F403
from aelib.course.widgets.toy import *  # noqa: F403
