"""``aelib.exercises`` is :mod:`aelib.course.exercises` (the name in the API contract; course layer)."""

import sys

from aelib.course import exercises as _module

sys.modules[__name__] = _module
