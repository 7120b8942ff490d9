"""Exercise checkers: ``check_<notebook>_<name>(answer)`` prints specific feedback, returns a bool.

One submodule per notebook; all checkers are re-exported here, e.g.
``aelib.course.exercises.check_02_far_point(answer)``. Checkers take only the learner's answer
and compute their reference from the course's seeded (cached) recipes; each registers an
:class:`AnswerKey`, what its accepted answer looks like in print (:func:`answer_key`), for the
test that no notebook shows an answer before its exercise.
"""

from aelib.course.exercises._feedback import (  # noqa: F401
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    answer_key,
    answer_keys,
)
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
