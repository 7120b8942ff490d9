"""``aelib.widgets`` is :mod:`aelib.course.widgets` (the name in the API contract; course layer)."""

import sys

from aelib.course import widgets as _module

sys.modules[__name__] = _module
