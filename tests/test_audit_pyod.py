"""aelib.audit on fitted PyOD autoencoder detectors: their raw space, their scores, their threshold."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aelib._pyod import PyODScoreModel
from aelib.audit import audit
from aelib.data import gaussian
from aelib.metrics import reconstruction_error

pyod_ae = pytest.importorskip("pyod.models.auto_encoder")
pyod_vae = pytest.importorskip("pyod.models.vae")

pytestmark = pytest.mark.slow  # each fit takes a few seconds on a shared CPU

R = 0.4  # min_distance: the scan below finds passing points this far from the data


@pytest.fixture(scope="module")
def X():
    return gaussian(200, seed=0).numpy().astype(np.float64)


@pytest.fixture(scope="module")
def clf(X):
    detector = pyod_ae.AutoEncoder(
        hidden_neuron_list=[16, 1, 16],
        epoch_num=50,
        batch_norm=False,
        dropout_rate=0.0,
        random_state=0,
        verbose=0,
    )
    return detector.fit(X)


def nearest(points, X) -> np.ndarray:
    return torch.cdist(torch.as_tensor(points).double(), torch.as_tensor(X)).min(1).values.numpy()


def test_deployed_threshold_finds_what_a_scan_finds(clf, X):
    report = audit(clf, X, threshold=clf.threshold_, min_distance=R)
    assert report.detector == "AutoEncoder" and report.threshold == pytest.approx(clf.threshold_)
    a = report.adversarial_anomalies
    points = a.numpy()  # raw space, straight into the detector
    scores = clf.decision_function(points) if len(a) else np.zeros(0)
    assert np.all(nearest(points, X) > R) if len(a) else True
    assert np.all(scores <= clf.threshold_) and np.all(clf.predict(points) == 0)
    # the reported errors are the detector's own scores (up to 1 float32 ulp: PyOD's float32
    # forward pass rounds differently with another batch composition)
    np.testing.assert_allclose(report.errors.numpy(), scores, rtol=0, atol=1e-6)
    # the search's arithmetic (score² as ‖x − m(x)‖²) matches PyOD's score
    cand = report.search.x
    ours = reconstruction_error(PyODScoreModel(clf, vae=False), cand, reduction="sum").double()
    gap = (ours.sqrt() - torch.as_tensor(clf.decision_function(cand.numpy()))).abs().max()
    assert float(gap) < 1e-5
    # an independent dense scan of the plane with the detector itself
    g = np.linspace(-8.0, 8.0, 161)
    grid = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    passing = (clf.decision_function(grid) <= clf.threshold_) & (nearest(grid, X) > R)
    assert report.reliable == (len(a) == 0)
    if passing.any():
        assert not report.reliable, f"the scan found {passing.sum()} passing points, audit none"
    assert report.max_distance == (float(report.distances.max()) if len(a) else 0.0)
    assert "deployed threshold: score ≤" in repr(report) and "hint" not in repr(report)


def test_worst_case_uses_the_detector_scores_and_suggests_its_threshold(clf, X):
    report = audit(clf, X, min_distance=R)
    assert report.min_normal_error == pytest.approx(float(clf.decision_scores_.min()))
    assert report.search.reduction == "score" and report.suggested_threshold == clf.threshold_
    a = report.adversarial_anomalies
    if len(a):
        assert np.all(clf.decision_function(a.numpy()) <= report.min_normal_error)
    text = repr(report)
    assert "worst case: score ≤ min normal score" in text and "threshold=clf.threshold_" in text
    assert "threshold=clf.threshold_" in report._repr_html_()


def test_vae_is_audited_deterministically(X):
    vae = pyod_vae.VAE(
        encoder_neuron_list=[8],
        decoder_neuron_list=[8],
        latent_dim=1,
        epoch_num=10,
        dropout_rate=0.0,
        random_state=0,
        verbose=0,
    ).fit(X)
    runs = [audit(vae, X, threshold=vae.threshold_, min_distance=R, steps=20) for _ in range(2)]
    assert torch.equal(runs[0].search.x, runs[1].search.x)
    report = runs[0]
    assert report.detector == "VAE" and "z = μ" in repr(report)
    # the score recomputed here: standardise, decode the mean, norm of the residual
    x = report.search.x.double().numpy()
    h = torch.as_tensor((x - vae.X_mean) / (vae.X_std + 1e-8), dtype=torch.float32)
    with torch.no_grad():
        vae.model.eval()
        recon = vae.model.decode(vae.model.encode(h)[0])
    expected = (h - recon).double().norm(dim=1)
    torch.testing.assert_close(report.search.errors, expected, rtol=1e-5, atol=1e-6)
    assert torch.all(report.errors <= vae.threshold_)


def test_unsupported_detectors_say_what_is_supported(X):
    from pyod.models.iforest import IForest

    forest = IForest(n_estimators=10, random_state=0).fit(X)
    with pytest.raises(TypeError, match="fitted PyOD AutoEncoder or VAE.*IForest"):
        audit(forest, X)
    with pytest.raises(TypeError, match="unfitted AutoEncoder"):
        audit(pyod_ae.AutoEncoder(verbose=0), X)
    with pytest.raises(TypeError, match="model: expected a torch.nn.Module or a fitted PyOD"):
        audit("model", X)
