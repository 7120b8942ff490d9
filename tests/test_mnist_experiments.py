"""Tests of the MNIST training recipes (aelib.course.mnist_experiments) and the mitigations."""

import copy
import dataclasses

import pytest
import torch
from settings_changes import each_field_changed
from torch import nn

from aelib.attacks import latent_grid_search
from aelib.course import cache, mnist_experiments
from aelib.course.mitigations import LatentMahalanobis, negative_finetune
from aelib.course.mnist_experiments import (
    MnistRun,
    classify,
    digit_classifier,
    mnist_autoencoder,
    negative_autoencoder,
    seed_epoch_scan,
    seed_epoch_sweep,
    sweep_margin,
    train_with_snapshots,
)
from aelib.course.settings import ClassifierSettings, MnistSettings, NegativeSettings
from aelib.models import ConvAutoencoder, MLPAutoencoder
from aelib.train import fit

#: A small, fast stand-in for the course's MNIST autoencoder.
SMALL = MnistSettings(digits=(0, 1), seed=1, channels=(2, 4), epochs=2, snapshot_epochs=(1,))


def _images(n=40, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def test_train_with_snapshots_is_fit_plus_snapshots():
    X = _images()
    a = ConvAutoencoder(2, (2, 4), seed=3)
    b = ConvAutoencoder(2, (2, 4), seed=3)
    losses = fit(a, X, epochs=3, lr=1e-2, batch_size=16, seed=5, progress=False)
    settings = MnistSettings(epochs=3, lr=1e-2, batch_size=16, seed=5, snapshot_epochs=(1, 7))
    out = train_with_snapshots(b, X, settings)
    assert out["losses"] == losses
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(va, vb), k
    assert sorted(out["snapshots"]) == [1, 3]
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in out["snapshots"][3].items())
    assert not torch.equal(
        out["snapshots"][1]["decoder.0.weight"], out["snapshots"][3]["decoder.0.weight"]
    )
    with pytest.raises(TypeError, match="settings: expected a MnistSettings"):
        train_with_snapshots(b, X, ClassifierSettings())
    with pytest.raises(TypeError):
        train_with_snapshots("model", X)


def test_conv_autoencoder_activation():
    m = ConvAutoencoder(3, (2, 4), activation="sigmoid", seed=0)
    kinds = [type(layer).__name__ for layer in [*m.encoder, *m.decoder]]
    assert "ReLU" not in kinds and kinds.count("Sigmoid") == 4  # 3 inside + the output
    ref = ConvAutoencoder(3, (2, 4), seed=0)
    assert all(torch.equal(p, q) for p, q in zip(m.parameters(), ref.parameters(), strict=True))
    assert m(_images(2)).shape == (2, 1, 28, 28) and "activation='sigmoid'" in repr(m)
    with pytest.raises(ValueError, match="activation: expected one of"):
        ConvAutoencoder(activation="swish")
    with pytest.raises(TypeError, match="activation: expected one of"):
        ConvAutoencoder(activation=None)


def test_mnist_autoencoder_caches_and_snapshots():
    run = mnist_autoencoder((0, 1), settings=SMALL, progress=False)
    assert isinstance(run, MnistRun) and run.digits == (0, 1) and len(run.losses) == 2
    assert run.settings == SMALL and (run.seed, run.latent_dim, run.epochs) == (1, 2, 2)
    assert run.activation == "relu" and run.model.channels == (2, 4)
    assert set(run.y.unique().tolist()) == {0, 1} and run.X.shape[1:] == (1, 28, 28)
    assert sorted(run.snapshots) == [1, 2]
    again = mnist_autoencoder(settings=SMALL, progress=False)  # from the cache: identical weights
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
    other = mnist_autoencoder((0, 1), settings=SMALL, seed=2, progress=False)
    assert other.settings == dataclasses.replace(SMALL, seed=2)
    assert not torch.equal(other.model.decoder[0].weight, run.model.decoder[0].weight)


def test_mnist_autoencoder_trains_the_settings_it_was_given():
    """The old key/training mismatch: what the key says is what is trained."""
    run = mnist_autoencoder(settings=SMALL, use_cache=False, progress=False)
    model = ConvAutoencoder(2, (2, 4), seed=1)
    X = run.X
    losses = fit(model, X, epochs=2, lr=5e-3, batch_size=128, seed=1, progress=False)
    assert run.losses == losses
    assert all(
        torch.equal(p, q) for p, q in zip(run.model.parameters(), model.parameters(), strict=True)
    )


@pytest.fixture
def counted(monkeypatch):
    """Replaces the three recipes' training functions by stubs that count the calls."""
    calls = []

    def snapshots(model, X, settings, progress=False):
        calls.append("ae")
        return {"losses": [0.0] * settings.epochs, "snapshots": {}}

    def classifier(model, X, y, settings, progress=False):
        calls.append("clf")
        return {"losses": [0.0]}

    def negative(model, X, min_distance, settings):
        calls.append("nae")
        return {"losses": [0.0]}

    monkeypatch.setattr(mnist_experiments, "train_with_snapshots", snapshots)
    monkeypatch.setattr(mnist_experiments, "train_classifier", classifier)
    monkeypatch.setattr(mnist_experiments, "negative_finetune", negative)
    return calls


def test_every_mnist_setting_is_in_the_key(counted):
    mnist_autoencoder(settings=SMALL, progress=False)
    for name, other in each_field_changed(SMALL):
        n = len(counted)
        run = mnist_autoencoder(settings=other, progress=False)
        assert len(counted) == n + 1, name
        assert run.settings == other
    mnist_autoencoder(settings=SMALL, progress=False)
    assert len(counted) == 1 + len(dataclasses.fields(SMALL))


def test_every_classifier_setting_is_in_the_key(counted):
    base = ClassifierSettings()
    digit_classifier(settings=base, progress=False)
    for name, other in each_field_changed(base):
        n = len(counted)
        digit_classifier(settings=other, progress=False)
        assert len(counted) == n + 1, name
    digit_classifier(progress=False)
    assert counted == ["clf"] * (1 + len(dataclasses.fields(base)))


def test_every_negative_setting_the_start_and_the_distance_are_in_the_key(counted, monkeypatch):
    run = mnist_autoencoder(settings=SMALL, progress=False)
    base = NegativeSettings()
    negative_autoencoder(run, 3.0, settings=base)
    for name, other in each_field_changed(base):
        n = len(counted)
        negative_autoencoder(run, 3.0, settings=other)
        assert len(counted) == n + 1, name
    n = len(counted)
    negative_autoencoder(run, 3.5, settings=base)
    moved = copy.deepcopy(run)
    with torch.no_grad():
        moved.model.decoder[0].bias.add_(1e-3)
    negative_autoencoder(moved, 3.0, settings=base)
    assert len(counted) == n + 2
    negative_autoencoder(run, 3.0, settings=base)
    assert len(counted) == n + 2
    monkeypatch.setattr(cache, "TRAINING_CODE_VERSION", cache.TRAINING_CODE_VERSION + 1)
    negative_autoencoder(run, 3.0, settings=base)
    assert len(counted) == n + 3


def test_negative_autoencoder_seed_defaults_to_the_runs(monkeypatch):
    seen = []

    def spy(model, X, min_distance, settings):
        seen.append(settings)
        return {}

    monkeypatch.setattr(mnist_experiments, "negative_finetune", spy)
    run = mnist_autoencoder(settings=SMALL, progress=False)
    negative_autoencoder(run, 3.0, use_cache=False)
    negative_autoencoder(run, 3.0, use_cache=False, epochs=2)
    negative_autoencoder(run, 3.0, use_cache=False, settings=NegativeSettings())
    assert seen == [
        NegativeSettings(seed=1),
        NegativeSettings(seed=1, epochs=2),
        NegativeSettings(),
    ]
    with pytest.raises(TypeError, match="run: expected an MnistRun"):
        negative_autoencoder(run.model, 3.0)
    with pytest.raises(ValueError, match="min_distance: expected a positive number"):
        negative_autoencoder(run, 0.0)


def test_digit_classifier_learns():
    model, acc = digit_classifier(epochs=1, progress=False)
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
    settings = NegativeSettings(epochs=3, batch_size=50, samples=16, steps=2, cap=1.0)
    out = negative_finetune(model, X, min_distance=1.0, settings=settings)
    assert len(out["losses"]) == 3 and len(out["negative_errors"]) == 3
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert not model.training
    with pytest.raises(TypeError, match="encode"):
        negative_finetune(nn.Linear(2, 2), X, 1.0)
    with pytest.raises(ValueError):
        negative_finetune(model, X, -1.0)


@pytest.mark.parametrize("progress", [False, True])
def test_recipes_show_a_bar_only_when_asked(capsys, progress):
    """Training prints a tqdm bar (stderr outside Jupyter) with progress=True, nothing without."""
    mnist_autoencoder(settings=SMALL, use_cache=False, progress=progress)
    err = capsys.readouterr().err
    assert ("training" in err) == progress, err
    mnist_autoencoder(settings=SMALL, progress=progress)  # trains and stores
    capsys.readouterr()
    mnist_autoencoder(settings=SMALL, progress=progress)  # loaded: nothing to show
    assert capsys.readouterr().err == ""


def test_seed_epoch_sweep_is_the_grid_search_per_snapshot(capsys):
    small = {f.name: getattr(SMALL, f.name) for f in dataclasses.fields(SMALL)}
    small = {k: v for k, v in small.items() if k not in ("digits", "seed")}
    table = seed_epoch_sweep(
        {"01": (0, 1)}, [1, 2], {"01": 0.0}, resolution=5, progress=False, **small
    )
    assert capsys.readouterr().err == ""
    assert sorted(table) == [("01", s, e) for s in (1, 2) for e in (1, 2)]
    for s in (1, 2):
        run = mnist_autoencoder((0, 1), settings=SMALL, seed=s, progress=False)
        for e in (1, 2):
            res = latent_grid_search(
                run.at_epoch(e), run.X, resolution=5, reduction="sum", min_distance=0.0, top_k=1
            )
            assert table["01", s, e] == bool(res.adversarial().any())
    seed_epoch_sweep({"01": (0, 1)}, [1], {"01": 0.0}, resolution=5, progress=True, **small)
    assert "seeds × epochs" in capsys.readouterr().err
    with pytest.raises(ValueError, match="min_distance"):
        seed_epoch_sweep({"01": (0, 1)}, [1], {"457": 1.0}, resolution=5)
    with pytest.raises(TypeError, match="sets"):
        seed_epoch_sweep({}, [1], {}, resolution=5)


def test_seed_epoch_scan_keeps_every_snapshot_and_its_margin(capsys):
    small = {f.name: getattr(SMALL, f.name) for f in dataclasses.fields(SMALL)}
    small = {k: v for k, v in small.items() if k not in ("digits", "seed", "snapshot_epochs")}
    scan = seed_epoch_scan(
        {"01": (0, 1)},
        [1],
        {"01": 0.0},
        resolution=5,
        progress=True,
        snapshot_epochs=(1, 2),
        **small,
    )
    assert "seeds × epochs" in capsys.readouterr().err
    assert sorted(scan) == [("01", 1, 1), ("01", 1, 2)]
    run = mnist_autoencoder((0, 1), settings=SMALL, seed=1, snapshot_epochs=(1, 2), progress=False)
    res = latent_grid_search(
        run.at_epoch(1), run.X, resolution=5, reduction="sum", min_distance=0.0, top_k=1
    )
    assert torch.equal(scan["01", 1, 1].error_map, res.error_map)
    margin = sweep_margin(scan["01", 1, 1])
    assert margin == pytest.approx(float(res.errors[0]) / res.min_normal_error)
    assert (margin <= 1) == bool(res.adversarial().any())
    with pytest.raises(ValueError, match="min_distance"):
        seed_epoch_scan({"01": (0, 1)}, [1], {"457": 1.0}, resolution=5)


def test_sweep_margin_is_inf_without_a_far_candidate():
    X = _images(12)
    model = ConvAutoencoder(2, (2, 4), seed=0).eval()
    res = latent_grid_search(model, X, resolution=5, reduction="sum", min_distance=1e9, top_k=1)
    assert len(res) == 0 and sweep_margin(res) == float("inf")
    with pytest.raises(TypeError, match="GridSearchResult"):
        sweep_margin("result")


def test_scan_models_train_side_by_side_to_the_same_weights(monkeypatch, capsys, tmp_path):
    import threading

    from aelib.course import mnist_experiments as mx
    from aelib.threads import ENV_VAR

    jobs = [((0, 1), 0), ((0, 1), 1), ((4, 5), 1)]
    short = {"epochs": 1, "snapshot_epochs": (1,)}
    real, threads = mx.mnist_autoencoder, []

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(mx, "mnist_autoencoder", spy)
    torch.set_num_threads(2)  # two cores: two trainings at once, each on one thread
    side_by_side = mx._runs_side_by_side(jobs, "bundled", True, short)
    assert torch.get_num_threads() == 2  # restored
    shown = capsys.readouterr().err  # one bar over the models, none per model's epochs
    assert "models" in shown and "training" not in shown
    assert len(threads) == 3 and all(t.startswith("aelib-side") for t in threads)
    alone = [
        real(d, seed=s, source="bundled", use_cache=False, progress=False, **short) for d, s in jobs
    ]
    for a, b in zip(side_by_side, alone, strict=True):
        assert a.losses == b.losses
        assert all(torch.equal(v, b.model.state_dict()[k]) for k, v in a.model.state_dict().items())
    threads.clear()
    monkeypatch.setenv(ENV_VAR, "2")  # an explicit thread count: one training at a time
    monkeypatch.setenv("AELIB_CACHE_DIR", str(tmp_path / "empty"))  # trains again
    mx._runs_side_by_side(jobs[:2], "bundled", True, short)
    assert threads == [threading.current_thread().name] * 2
    shown = capsys.readouterr().err  # the same bar: stored outputs do not depend on the cores
    assert "models" in shown and "training" not in shown
