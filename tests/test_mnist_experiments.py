"""Tests of the MNIST training recipes (aelib.course.mnist_experiments) and the mitigations."""

import pytest
import torch
from torch import nn

from aelib.course import config
from aelib.course.mitigations import LatentMahalanobis, negative_finetune
from aelib.course.mnist_experiments import (
    MnistRun,
    classify,
    conv_autoencoder,
    data_fingerprint,
    digit_classifier,
    mnist_autoencoder,
    train_with_snapshots,
)
from aelib.models import ConvAutoencoder, MLPAutoencoder
from aelib.train import fit


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _images(n=40, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def test_train_with_snapshots_is_fit_plus_snapshots():
    X = _images()
    a = ConvAutoencoder(2, (2, 4), seed=3)
    b = ConvAutoencoder(2, (2, 4), seed=3)
    losses = fit(a, X, epochs=3, lr=1e-2, batch_size=16, seed=5, progress=False)
    out = train_with_snapshots(
        b, X, epochs=3, lr=1e-2, batch_size=16, seed=5, snapshot_epochs=[1, 3]
    )
    assert out["losses"] == pytest.approx(losses, rel=1e-6)
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.allclose(va, vb, atol=1e-6), k
    assert sorted(out["snapshots"]) == [1, 3]
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in out["snapshots"][3].items())
    assert not torch.equal(
        out["snapshots"][1]["decoder.0.weight"], out["snapshots"][3]["decoder.0.weight"]
    )
    with pytest.raises(ValueError):
        train_with_snapshots(b, X, epochs=0)
    with pytest.raises(TypeError):
        train_with_snapshots("model", X)


def test_conv_autoencoder_activation_swap():
    m = conv_autoencoder(3, (2, 4), activation="sigmoid", seed=0)
    kinds = [type(layer).__name__ for layer in [*m.encoder, *m.decoder]]
    assert "ReLU" not in kinds and kinds.count("Sigmoid") == 4  # 3 inside + the output
    ref = ConvAutoencoder(3, (2, 4), seed=0)
    assert all(torch.equal(p, q) for p, q in zip(m.parameters(), ref.parameters(), strict=True))
    assert m(_images(2)).shape == (2, 1, 28, 28)
    with pytest.raises(ValueError, match="activation"):
        conv_autoencoder(activation="swish")


def test_data_fingerprint():
    X = _images(4)
    assert data_fingerprint(X) == data_fingerprint(X.clone())
    assert data_fingerprint(X) != data_fingerprint(X[:3])
    assert data_fingerprint(X) != data_fingerprint(X + 1e-3)
    with pytest.raises(TypeError):
        data_fingerprint([1.0, 2.0])


def test_mnist_autoencoder_caches_and_snapshots(monkeypatch):
    monkeypatch.setattr(config, "MNIST_CHANNELS", (2, 4))
    monkeypatch.setattr(config, "MNIST_SNAPSHOT_EPOCHS", (1,))
    run = mnist_autoencoder((0, 1), seed=1, epochs=2)
    assert isinstance(run, MnistRun) and run.digits == (0, 1) and len(run.losses) == 2
    assert set(run.y.unique().tolist()) == {0, 1} and run.X.shape[1:] == (1, 28, 28)
    assert sorted(run.snapshots) == [1, 2]
    again = mnist_autoencoder((0, 1), seed=1, epochs=2)  # from the cache: identical weights
    assert all(
        torch.equal(p, q)
        for p, q in zip(run.model.parameters(), again.model.parameters(), strict=True)
    )
    assert again.losses == run.losses
    early = run.at_epoch(1)
    assert not torch.equal(early.decoder[0].weight, run.model.decoder[0].weight)
    assert all(
        torch.equal(p, q)
        for p, q in zip(run.at_epoch(2).parameters(), run.model.parameters(), strict=True)
    )
    with pytest.raises(ValueError, match="snapshot"):
        run.at_epoch(7)
    other = mnist_autoencoder((0, 1), seed=2, epochs=2)
    assert not torch.equal(other.model.decoder[0].weight, run.model.decoder[0].weight)


def test_digit_classifier_learns(monkeypatch):
    monkeypatch.setattr(config, "CLASSIFIER_EPOCHS", 1)
    model, acc = digit_classifier()
    assert acc > 0.6  # chance is 0.1
    pred, prob = classify(model, _images(3))
    assert pred.shape == (3,) and pred.dtype == torch.int64
    assert ((prob > 0) & (prob <= 1)).all()
    with pytest.raises(ValueError):
        classify(model, torch.zeros(3, 28, 28))


class _Head(nn.Module):
    """An 'autoencoder' whose code is the first two coordinates (for exact Mahalanobis checks)."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))

    def encode(self, x):
        return x[:, :2]

    def forward(self, x):
        return x


def test_latent_mahalanobis_matches_formula():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(500, 3, generator=g) * torch.tensor([1.0, 3.0, 1.0])
    m = LatentMahalanobis(_Head(), X, quantile=0.9, ridge=0.0)
    z = X[:, :2].double()
    cov = torch.cov(z.T)
    d = z - z.mean(0)
    expected = torch.sqrt(torch.einsum("ni,ij,nj->n", d, torch.linalg.inv(cov), d))
    assert torch.allclose(m.score(X).double(), expected, rtol=1e-4)
    assert m.threshold == pytest.approx(float(torch.quantile(expected, 0.9)), rel=1e-4)
    assert m.flags(torch.tensor([[0.0, 30.0, 0.0]])).item()
    assert not m.flags(torch.tensor([[0.0, 0.0, 0.0]])).item()
    assert torch.allclose(m.score_latent(X[:5, :2]), m.score(X[:5]))
    with pytest.raises(ValueError, match="more samples"):
        LatentMahalanobis(_Head(), X[:2])
    with pytest.raises(ValueError, match="quantile"):
        LatentMahalanobis(_Head(), X, quantile=1.5)
    with pytest.raises(TypeError):
        LatentMahalanobis(nn.Linear(3, 3), X)


def test_negative_finetune_trains_and_validates():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(200, 2, generator=g) * torch.tensor([1.0, 0.1])
    model = MLPAutoencoder([2, 8, 1, 8, 2], activation="relu", seed=0)
    fit(model, X, epochs=300, lr=1e-2, progress=False)
    before = [p.detach().clone() for p in model.parameters()]
    out = negative_finetune(
        model, X, min_distance=1.0, epochs=3, batch_size=50, samples=16, steps=2, cap=1.0
    )
    assert len(out["losses"]) == 3 and len(out["negative_errors"]) == 3
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert not model.training
    with pytest.raises(TypeError, match="encode"):
        negative_finetune(nn.Linear(2, 2), X, 1.0)
    with pytest.raises(ValueError):
        negative_finetune(model, X, -1.0)
