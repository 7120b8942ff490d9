"""Audit a fitted PyOD autoencoder detector: an adapter module and the detector's own scores.

PyOD's ``AutoEncoder`` and ``VAE`` score a raw input x (shape (N, d)) as follows: standardise it,
x̃ = (x − X_mean) / (X_std + 1e-8) when ``preprocessing=True`` (else x̃ = x), reconstruct x̃ with
``clf.model`` in eval mode, and return the Euclidean norm ‖x̃ − f(x̃)‖₂ of the residual *in the
standardised space*.

The searches of :mod:`aelib.attacks` score a module m by ‖x − m(x)‖² (``reduction="sum"``).
:class:`PyODScoreModel` is the module whose residual *is* PyOD's: m(x) = x − (x̃ − f(x̃)), so
‖x − m(x)‖² = score(x)² exactly in real arithmetic. The search then runs in the raw input space
(where ``min_distance`` and the distances to the normal data are measured, and where the points it
returns can go straight to ``clf.decision_function``/``clf.predict``) and minimises a quantity
monotone in PyOD's score. ``encode``/``decode`` go through the standardisation (decode returns
raw-space points), so the latent searches work too. m(x) is not a reconstruction in the usual
sense, only one with the detector's residual; it exists for the search.

After the search every reported error is recomputed by the detector itself:
``clf.decision_function`` (float64) for an ``AutoEncoder``. PyOD's ``VAE`` samples its latent
z ~ N(μ, σ²) on every call, also in ``decision_function``, so its scores vary from call to call;
for a VAE the audit uses the deterministic path z = μ and scores it exactly as PyOD does.

pyod is imported only here, lazily, when :func:`pyod_model` is given something that is not a
``torch.nn.Module``: the core does not need pyod.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from aelib._torch_utils import eval_mode

__all__ = ["PyODScoreModel", "pyod_model"]

EPS = 1e-8  # pyod.utils.torch_utility.TorchDataset's default eps, which PyOD's detectors use
SUPPORTED = "a torch.nn.Module or a fitted PyOD AutoEncoder or VAE (pyod.models.auto_encoder, vae)"


def _describe(obj: object) -> str:
    return f"{type(obj).__module__}.{type(obj).__name__}"


def pyod_model(detector: object) -> PyODScoreModel:
    """The :class:`PyODScoreModel` of a fitted PyOD ``AutoEncoder``/``VAE``; else ``TypeError``."""
    try:
        from pyod.models.auto_encoder import AutoEncoder
        from pyod.models.vae import VAE
    except ImportError:
        raise TypeError(f"model: expected {SUPPORTED}, got {_describe(detector)}") from None
    if not isinstance(detector, AutoEncoder | VAE):
        raise TypeError(
            f"model: expected {SUPPORTED}, got {_describe(detector)} (not an autoencoder: "
            "the audit searches for inputs an autoencoder reconstructs well)"
        )
    if getattr(detector, "decision_scores_", None) is None or not isinstance(
        getattr(detector, "model", None), nn.Module
    ):
        raise TypeError(
            f"model: expected a fitted PyOD detector, got an unfitted {type(detector).__name__} "
            "(call clf.fit(X) first)"
        )
    return PyODScoreModel(detector, vae=isinstance(detector, VAE))


class PyODScoreModel(nn.Module):
    """A module whose residual x − m(x) is a PyOD detector's standardised residual.

    Parameters
    ----------
    detector : pyod.models.auto_encoder.AutoEncoder or pyod.models.vae.VAE
        Fitted; its ``model`` is shared (not copied): the audit changes no weights.
    vae : bool
        Whether ``detector.model`` is PyOD's ``VAEModel`` (``encode`` returns (μ, log σ²)).
    """

    def __init__(self, detector: object, *, vae: bool) -> None:
        super().__init__()
        self.detector = detector
        self.net = detector.model
        self.vae = vae
        p = next(self.net.parameters())
        d = int(detector.feature_size)
        pre = bool(detector.preprocessing)
        mean = detector.X_mean if pre else np.zeros(d)
        scale = detector.X_std + EPS if pre else np.ones(d)
        # float64 like PyOD's own standardisation (NumPy), then the network's dtype
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float64, device=p.device))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float64, device=p.device))
        self.name = type(detector).__name__

    def standardise(self, x: torch.Tensor) -> torch.Tensor:
        return ((x.double() - self.mean) / self.scale).to(x.dtype)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        h = self.standardise(x)
        return self.net.encode(h)[0] if self.vae else self.net.encoder(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        out = self.net.decode(z) if self.vae else self.net.decoder(z)
        return (out.double() * self.scale + self.mean).to(out.dtype)

    def residual(self, x: torch.Tensor) -> torch.Tensor:
        """x̃ − f(x̃): PyOD's residual in the standardised space (VAE: with z = μ)."""
        h = self.standardise(x)
        recon = self.net.decode(self.net.encode(h)[0]) if self.vae else self.net(h)
        return h - recon

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x - self.residual(x)

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        """The detector's scores of raw points ``x`` (N, d), float64, shape (N,).

        ``AutoEncoder``: ``clf.decision_function`` itself. ``VAE``: ‖x̃ − h(μ(x̃))‖₂, PyOD's
        score without its sampling noise.
        """
        points = x.detach().cpu().numpy().astype(np.float64)
        if len(points) == 0:  # decision_function refuses empty input
            return torch.zeros(0, dtype=torch.float64)
        if not self.vae:
            return torch.as_tensor(self.detector.decision_function(points), dtype=torch.float64)
        p = next(self.net.parameters())
        h = torch.as_tensor(points, device=p.device)
        with eval_mode(self.net), torch.inference_mode():
            res = self.residual(h.to(p.dtype)).double()
        return res.norm(dim=1).cpu()
