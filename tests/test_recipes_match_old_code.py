"""The recipes on the one training loop reproduce the code they replaced, bit for bit.

The ``_old_*`` functions are copies of the code aelib had before the classifier and the
negative-sample fine-tuning trained through :func:`aelib.train.fit` and before
:class:`aelib.models.ConvAutoencoder` took an ``activation`` (commit dad72e2), with the module
constants they read turned into arguments. They are the oracles: never edit them to make a test pass.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from aelib.attacks import nearest_distance
from aelib.course.mitigations import negative_finetune
from aelib.course.mnist_experiments import DigitClassifier, train_classifier
from aelib.course.settings import ClassifierSettings, NegativeSettings
from aelib.models import ACTIVATIONS, ConvAutoencoder, MLPAutoencoder, _seeded_init
from aelib.train import fit

# --- the old code ---------------------------------------------------------------------------


def _old_conv_autoencoder(latent_dim, channels, activation, seed):
    model = ConvAutoencoder(latent_dim, tuple(channels), seed=seed)
    if activation != "relu":
        with _seeded_init(0):
            for seq in (model.encoder, model.decoder):
                for i, layer in enumerate(seq):
                    if isinstance(layer, nn.ReLU):
                        seq[i] = ACTIVATIONS[activation][0]()
    return model


def _old_train_classifier(model, X, y, epochs, lr, batch_size, seed):
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        total = 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(X))
    model.eval()
    return {"losses": losses}


def _old_encode(model, X, batch_size=1024):
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            z = torch.cat(
                [model.encode(X[s : s + batch_size]) for s in range(0, len(X), batch_size)]
            )
    finally:
        model.train(was_training)
    return z.clone().double()


def _old_negative_finetune(
    model, X, min_distance, epochs, lr, batch_size, samples, steps, weight, cap, margin, seed
):
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def err(a):
        return ((model(a) - a) ** 2).flatten(1).mean(1)

    losses, neg_errors = [], []
    for _ in range(epochs):
        z_train = _old_encode(model, X).float()
        lo, hi = z_train.min(0).values, z_train.max(0).values
        side = (hi - lo).clamp_min(1e-6)
        lo, hi = lo - margin * side, hi + margin * side
        step = 0.05 * float(side.mean())
        order = torch.randperm(len(X), generator=gen)
        total_pos, total_neg, count_neg = 0.0, 0.0, 0
        for start in range(0, len(X), batch_size):
            batch = X[order[start : start + batch_size]]
            model.eval()
            z = lo + (hi - lo) * torch.rand(samples, len(lo), generator=gen)
            for _ in range(steps):
                z = z.detach().requires_grad_(True)
                (g,) = torch.autograd.grad(err(model.decode(z)).sum(), z)
                z = torch.maximum(
                    torch.minimum(z - step * g / g.norm(dim=1, keepdim=True).clamp_min(1e-12), hi),
                    lo,
                )
            with torch.no_grad():
                neg = model.decode(z.detach())
                neg = neg[nearest_distance(neg, X) > min_distance]
            model.train()
            pos_err = err(batch).mean()
            loss = pos_err
            if len(neg):
                neg_err = err(neg)
                loss = loss - weight * neg_err.clamp(max=cap).mean()
                total_neg += float(neg_err.detach().sum())
                count_neg += len(neg)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_pos += float(pos_err.detach()) * len(batch)
        losses.append(total_pos / len(X))
        neg_errors.append(total_neg / max(count_neg, 1))
    model.eval()
    return {"losses": losses, "negative_errors": neg_errors}


# --- helpers ----------------------------------------------------------------------------------


def _same_state(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def _images(n: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_conv_autoencoder_activation_equals_the_old_swap(activation):
    new = ConvAutoencoder(3, (2, 4), activation=activation, seed=7)
    old = _old_conv_autoencoder(3, (2, 4), activation, seed=7)
    assert [type(m) for m in new.modules()][1:] == [type(m) for m in old.modules()][1:]
    assert _same_state(new, old)
    x = _images(3)
    assert torch.equal(new(x), old(x))


def test_classifier_training_equals_the_old_loop():
    g = torch.Generator().manual_seed(1)
    X = _images(70, seed=2)
    y = torch.randint(0, 10, (70,), generator=g)
    settings = ClassifierSettings(epochs=3, lr=1e-2, batch_size=16, seed=4)
    new, old = DigitClassifier(seed=3), DigitClassifier(seed=3)
    got = train_classifier(new, X, y, settings)
    want = _old_train_classifier(old, X, y, epochs=3, lr=1e-2, batch_size=16, seed=4)
    assert got["losses"] == want["losses"]
    assert _same_state(new, old) and not new.training


@pytest.mark.parametrize(
    "make, X, pretrain",
    [
        (
            lambda: MLPAutoencoder([2, 8, 1, 8, 2], activation="relu", seed=1),
            torch.randn(120, 2, generator=torch.Generator().manual_seed(0))
            * torch.tensor([1.0, 0.1]),
            {"epochs": 300},
        ),
        (
            lambda: ConvAutoencoder(2, (2, 4), seed=1),
            _images(40, seed=3),
            {"epochs": 30, "batch_size": 32},
        ),
    ],
    ids=["mlp", "conv"],
)
def test_negative_finetune_equals_the_old_loop(make, X, pretrain):
    new, old = make(), make()
    for m in (new, old):  # a trained start, so that negatives are found and pushed
        fit(m, X, lr=1e-2, progress=False, **pretrain)
    settings = NegativeSettings(
        epochs=3, lr=1e-3, batch_size=25, samples=16, steps=2, weight=1.0, cap=1.0, seed=5
    )
    got = negative_finetune(new, X, 0.5, settings)
    want = _old_negative_finetune(
        old, X, 0.5, 3, 1e-3, 25, samples=16, steps=2, weight=1.0, cap=1.0, margin=1.0, seed=5
    )
    assert got == want
    assert any(v > 0 for v in want["negative_errors"])  # the negative term took part
    assert _same_state(new, old) and not new.training
