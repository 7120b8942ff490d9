"""Exercise checkers: ``check_<notebook>_<name>(answer)`` prints specific feedback, returns a bool.

One submodule per notebook; all checkers are re-exported here, e.g.
``aelib.exercises.check_02_far_point(answer)``.
"""

from aelib.exercises._feedback import NOT_ATTEMPTED, Feedback  # noqa: F401
from aelib.exercises.nb01 import *  # noqa: F403
from aelib.exercises.nb02 import *  # noqa: F403
from aelib.exercises.nb03 import *  # noqa: F403
from aelib.exercises.nb04 import *  # noqa: F403
from aelib.exercises.nb05 import *  # noqa: F403
from aelib.exercises.nb06 import *  # noqa: F403
from aelib.exercises.nb07 import *  # noqa: F403
from aelib.exercises.nb08 import *  # noqa: F403
from aelib.exercises.nb09 import *  # noqa: F403
from aelib.exercises.nb10 import *  # noqa: F403
