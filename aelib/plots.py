"""``aelib.plots`` is :mod:`aelib.course.plots` (the name in the API contract; course layer)."""

import sys

from aelib.course import plots as _module

sys.modules[__name__] = _module
