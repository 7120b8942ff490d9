"""aelib._adam.Adam: bit-identical to torch.optim.Adam, without importing torch._dynamo."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from aelib._adam import Adam
from aelib.course.toy_training import AutoencoderEnsemble
from aelib.models import ConvAutoencoder

ROOT = Path(__file__).resolve().parents[1]


def _train(model: torch.nn.Module, X: torch.Tensor, make_optimizer, steps: int) -> list:
    optimizer = make_optimizer(list(model.parameters()))
    for _ in range(steps):
        loss = ((model(X) - X) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize(
    "make_model, X",
    [
        (lambda: ConvAutoencoder(latent_dim=2, channels=(2, 4), seed=0), torch.rand(16, 1, 28, 28)),
        (lambda: AutoencoderEnsemble([2, 5, 1, 5, 2], "relu", [0, 1, 2]), torch.randn(50, 2)),
    ],
    ids=["conv", "toy-ensemble"],
)
@pytest.mark.parametrize("lr", [1e-3, 5e-2])
def test_adam_matches_torch_optim_adam_bit_for_bit(make_model, X, lr):
    ours = _train(make_model(), X, lambda p: Adam(p, lr=lr), steps=30)
    torchs = _train(make_model(), X, lambda p: torch.optim.Adam(p, lr=lr), steps=30)
    assert all(torch.equal(a, b) for a, b in zip(ours, torchs, strict=True))
    initial = list(make_model().parameters())
    assert not all(torch.equal(a, b) for a, b in zip(ours, initial, strict=True))  # it moved


def test_adam_skips_parameters_without_a_gradient_as_torch_does():
    def run(make_optimizer):
        a, b = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(3))
        optimizer = make_optimizer([a, b])
        for step in range(6):
            optimizer.zero_grad()
            loss = (a**2).sum() + ((b**3).sum() if step >= 3 else 0)  # b's first gradient: step 4
            loss.backward()
            optimizer.step()
        return a.detach().clone(), b.detach().clone()

    ours, torchs = run(lambda p: Adam(p, lr=0.1)), run(lambda p: torch.optim.Adam(p, lr=0.1))
    assert torch.equal(ours[0], torchs[0]) and torch.equal(ours[1], torchs[1])
    assert not torch.equal(ours[1], torch.ones(3))


def test_adam_rejects_an_empty_parameter_list():
    with pytest.raises(ValueError, match="at least one parameter"):
        Adam([], lr=1e-3)


def test_training_does_not_import_the_compiler_stack():
    """torch.optim's first optimizer imports torch._dynamo (+150 MB); aelib's training must not."""
    script = textwrap.dedent(
        """
        import sys, torch
        from aelib.data import gaussian
        from aelib.models import MLPAutoencoder
        from aelib.train import fit
        from aelib.course.toy_training import AutoencoderEnsemble, train_ensemble
        X = torch.as_tensor(gaussian(50, seed=0), dtype=torch.float32)
        fit(MLPAutoencoder([2, 3, 1, 3, 2], seed=0), X, epochs=2, batch_size=10)
        train_ensemble(AutoencoderEnsemble([2, 3, 1, 3, 2], "relu", [0, 1]), X, epochs=2)
        print("dynamo loaded:", "torch._dynamo" in sys.modules)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "dynamo loaded: False" in done.stdout, done.stdout
