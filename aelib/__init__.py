"""aelib: audit autoencoders for out-of-bounds reconstruction.

The companion library of the course "Autoencoders for anomaly detection are unreliable". Two layers
in one package. The **core** installs with PyTorch, NumPy, scikit-learn and tqdm only, imports no
Jupyter, widget or plotting package, and never changes process-wide state:

- :mod:`aelib.data`       toy data sets and MNIST
- :mod:`aelib.models`     MLP and convolutional autoencoders
- :mod:`aelib.train`      one small, seeded training loop with callbacks
- :mod:`aelib.metrics`    reconstruction error and ROC AUC
- :mod:`aelib.linalg`     PCA, the Theorem 2 construction, principal angles
- :mod:`aelib.neighbors`  nearest-neighbour distances in bounded memory, sampled NN quantiles
- :mod:`aelib.attacks`    grid and projected-gradient searches for adversarial anomalies
- :mod:`aelib.audit`      one call that checks a trained autoencoder
- :mod:`aelib.threads`    the one scoped context manager for torch's thread count

The **course layer**, :mod:`aelib.course` (``pip install aelib[course]``), holds the notebooks'
recipes, cached experiments, hyperparameters, figures (``aelib.course.plots``), slider explorers
(``aelib.course.widgets``) and exercise checkers (``aelib.course.exercises``).
"""

__version__ = "0.1.0"
