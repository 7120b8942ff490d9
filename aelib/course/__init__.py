"""The course layer: what the notebooks need on top of the audit library (``pip install aelib[course]``).

It builds on the core (:mod:`aelib.data`, :mod:`aelib.models`, :mod:`aelib.train`,
:mod:`aelib.metrics`, :mod:`aelib.linalg`, :mod:`aelib.attacks`, :mod:`aelib.audit`) and is never
imported by it.

- :mod:`aelib.course.config`             every hyperparameter the course chooses (printed by the notebooks)
- :mod:`aelib.course.settings`           each recipe's settings: a frozen dataclass, hashed whole
- :mod:`aelib.course.cache`              the trained-model cache, keyed by settings, data and code
- :mod:`aelib.course.toy_training`       many small MLP autoencoders trained in one batched pass
- :mod:`aelib.course.toy_recipes`        the cached Figure-1 models (restarts), notebook 07's study
- :mod:`aelib.course.oob`                out-of-bounds zones over a 2-D input plane (Figure 1)
- :mod:`aelib.course.mnist_experiments`  the cached MNIST models of notebooks 08-10
- :mod:`aelib.course.mitigations`        latent Mahalanobis score, negative-sample fine-tuning
- :mod:`aelib.course.plots`              the paper's figures (also importable as ``aelib.course.plots``)
- :mod:`aelib.course.widgets`            the slider explorers (``aelib.course.widgets``)
- :mod:`aelib.course.exercises`          the exercise checkers (``aelib.course.exercises``)
"""
