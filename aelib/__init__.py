"""aelib: audit autoencoders for out-of-bounds reconstruction.

The companion library of the course "Autoencoders for anomaly detection are unreliable".
Submodules each have one job:

- :mod:`aelib.data`       toy data sets and MNIST
- :mod:`aelib.models`     MLP and convolutional autoencoders
- :mod:`aelib.train`      a small, seeded training loop
- :mod:`aelib.metrics`    reconstruction error and ROC AUC
- :mod:`aelib.linalg`     PCA, the Theorem 2 construction, principal angles
- :mod:`aelib.neighbors`  nearest-neighbour distances in bounded memory, sampled NN quantiles
- :mod:`aelib.attacks`    grid and projected-gradient searches for adversarial anomalies
- :mod:`aelib.audit`      one call that checks a trained autoencoder
- :mod:`aelib.plots`      the paper's figures
- :mod:`aelib.widgets`    slider explorers for the notebooks
- :mod:`aelib.exercises`  checkers that give learners feedback
- :mod:`aelib.oob`        out-of-bounds zones of a model over the input plane (Figure 1)
- :mod:`aelib.toy_training`  robust, cached training of the Figure-1 models (restarts, ensembles)
- :mod:`aelib.mnist_experiments`  the cached MNIST models of notebooks 08-10
- :mod:`aelib.mitigations`  latent Mahalanobis score, negative-sample fine-tuning
- :mod:`aelib.cache`      the trained-model cache;  :mod:`aelib.config`  every hyperparameter
"""

__version__ = "0.1.0"
