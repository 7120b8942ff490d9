"""Exercise checkers: ``check_<notebook>_<name>(answer)`` prints specific feedback, returns a bool.

One submodule per notebook; all checkers are re-exported here, e.g.
``aelib.course.exercises.check_02_far_point(answer)``.
"""

from aelib.course.exercises._feedback import NOT_ATTEMPTED, Feedback  # noqa: F401
from aelib.course.exercises.nb01 import *  # noqa: F403
from aelib.course.exercises.nb02 import *  # noqa: F403
from aelib.course.exercises.nb03 import *  # noqa: F403
from aelib.course.exercises.nb04 import *  # noqa: F403
from aelib.course.exercises.nb05 import *  # noqa: F403
from aelib.course.exercises.nb06 import *  # noqa: F403
from aelib.course.exercises.nb07 import *  # noqa: F403
from aelib.course.exercises.nb08 import *  # noqa: F403
from aelib.course.exercises.nb09 import *  # noqa: F403
from aelib.course.exercises.nb10 import *  # noqa: F403
from aelib.course.exercises.nb10_audit import *  # noqa: F403
