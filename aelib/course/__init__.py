"""The course layer: what the notebooks need on top of the audit library (``pip install aelib[course]``).

It builds on the core (:mod:`aelib.data`, :mod:`aelib.models`, :mod:`aelib.train`,
:mod:`aelib.metrics`, :mod:`aelib.linalg`, :mod:`aelib.attacks`, :mod:`aelib.audit`) and is never
imported by it.

- :mod:`aelib.course.config`             every hyperparameter the course chooses (printed by the notebooks)
- :mod:`aelib.course.cache`              the trained-model cache
- :mod:`aelib.course.toy_training`       the Figure-1 models: batched restarts, cached (notebooks 04-07)
- :mod:`aelib.course.oob`                out-of-bounds zones over a 2-D input plane (Figure 1)
- :mod:`aelib.course.mnist_experiments`  the cached MNIST models of notebooks 08-10
- :mod:`aelib.course.mitigations`        latent Mahalanobis score, negative-sample fine-tuning
- :mod:`aelib.course.plots`              the paper's figures (also importable as ``aelib.plots``)
- :mod:`aelib.course.widgets`            the slider explorers (``aelib.widgets``)
- :mod:`aelib.course.exercises`          the exercise checkers (``aelib.exercises``)
"""
