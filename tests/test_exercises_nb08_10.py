"""Checkers of notebooks 08-10: the solution passes, typical wrong answers fail with their hint.

The checkers compute their reference data from the course's recipes, never from the notebook's
variables: the slow tests recompute each reference here, directly from the recipe (not through
the checker's helpers), and check that planting other data in the call changes nothing.
"""

import math

import numpy as np
import pytest
import torch

from aelib.course import config
from aelib.course.exercises import (
    check_08_hardest_digit,
    check_08_threshold,
    check_08_threshold_at,
    check_09_adversarial_z,
    check_09_grid_min,
    check_09_percentile,
    check_10_grid_cost,
    check_10_mahalanobis_threshold,
)
from aelib.metrics import reconstruction_error, roc_auc


def _test_errors():
    from aelib.course.mnist_experiments import mnist_autoencoder
    from aelib.data import load_mnist

    X_test, y_test = load_mnist(range(10), train=False, source="bundled")
    run = mnist_autoencoder(config.MNIST_DIGITS_A, source="bundled")
    err = reconstruction_error(run.model, X_test, reduction="sum")
    return err, y_test, torch.isin(y_test, torch.tensor(config.MNIST_DIGITS_A))


@pytest.mark.slow
def test_08_hardest_digit(capsys, course_cache):
    err, y, normal = _test_errors()
    aucs = {d: roc_auc(err[normal], err[y == d]) for d in range(10) if not normal[y == d].any()}
    hardest, easiest = min(aucs, key=aucs.get), max(aucs, key=aucs.get)
    assert check_08_hardest_digit(hardest)
    assert check_08_hardest_digit(np.int64(hardest)) and check_08_hardest_digit(float(hardest))
    assert check_08_hardest_digit(torch.tensor(hardest))
    assert not check_08_hardest_digit(None) and "not attempted" in capsys.readouterr().out
    assert not check_08_hardest_digit(easiest) and "highest" in capsys.readouterr().out
    assert not check_08_hardest_digit(4) and "not one of" in capsys.readouterr().out
    assert not check_08_hardest_digit("9") and "a digit" in capsys.readouterr().out
    assert not check_08_hardest_digit(math.nan) and "a digit" in capsys.readouterr().out
    # overwriting the notebook's aucs so that the easiest digit looks hardest changes nothing
    planted = {d: (0.0 if d == easiest else 1.0) for d in aucs}
    assert not check_08_hardest_digit(easiest, planted)
    assert check_08_hardest_digit(hardest, planted)


@pytest.mark.slow
def test_08_threshold(capsys, course_cache):
    err, _, normal = _test_errors()
    e = torch.sort(err[normal].double()).values
    lowest = float(e[len(e) - int(0.05 * len(e)) - 1])
    assert float((e > lowest).double().mean()) <= 0.05 < float((e >= lowest).double().mean())
    assert check_08_threshold(lowest) and check_08_threshold(np.float32(lowest * 1.05))
    assert check_08_threshold(float(torch.quantile(err[normal], 0.95)))  # the solution
    assert not check_08_threshold(0.9 * lowest) and "raise" in capsys.readouterr().out
    assert not check_08_threshold(2 * lowest) and "lower" in capsys.readouterr().out
    assert not check_08_threshold(None) and "not attempted" in capsys.readouterr().out
    assert not check_08_threshold("x") and "a number" in capsys.readouterr().out
    # overwriting err[normal] with errors that make a high threshold look right changes nothing
    planted = torch.full((100,), 2 * lowest)
    assert not check_08_threshold(2 * lowest, planted) and "lower" in capsys.readouterr().out


def _threshold_at(errors, rate):
    values = torch.sort(torch.as_tensor(errors).flatten()).values
    allowed = int(rate * len(values) + 1e-9)
    return float(values[len(values) - allowed - 1])


def test_08_threshold_at(capsys):
    assert check_08_threshold_at(_threshold_at)
    assert not check_08_threshold_at(None) and "not attempted" in capsys.readouterr().out
    quantile = lambda e, r: float(torch.quantile(e, r))  # noqa: E731 - the wrong end
    assert not check_08_threshold_at(quantile) and "quantile" in capsys.readouterr().out
    top = lambda e, r: float(e.max())  # noqa: E731 - allowed, but not the lowest
    assert not check_08_threshold_at(top) and "lowest" in capsys.readouterr().out
    assert not check_08_threshold_at(0.95) and "function" in capsys.readouterr().out


def _attack():
    from aelib.attacks import latent_grid_search, nn_distances
    from aelib.audit import default_min_distance
    from aelib.course.mnist_experiments import mnist_autoencoder

    run = mnist_autoencoder(config.MNIST_DIGITS_A, source="bundled")
    far = default_min_distance(run.X, config.MNIST_FAR_QUANTILE)
    res = latent_grid_search(
        run.model, run.X, resolution=config.MNIST_GRID_RESOLUTION, reduction="sum", min_distance=far
    )
    return run, far, res, nn_distances(run.X)


@pytest.mark.slow
def test_09_percentile_and_adversarial_z(capsys, course_cache):
    run, far, res, nn = _attack()
    d_best = float(res.distance[0])
    right = 100 * float((nn < d_best).double().mean())
    assert check_09_percentile(right) and check_09_percentile(np.float64(right))
    assert not check_09_percentile(None) and "not attempted" in capsys.readouterr().out
    if 1 < right < 99:
        assert not check_09_percentile(right / 100) and "fraction" in capsys.readouterr().out
        assert not check_09_percentile(100 - right) and "reversed" in capsys.readouterr().out
    assert not check_09_percentile("97") and "percentage" in capsys.readouterr().out
    # planting a distance that makes 0 % right changes nothing
    assert not check_09_percentile(0.0, 0.0, nn) and right > 1

    z = res.z[0].tolist()
    assert check_09_adversarial_z(z) and check_09_adversarial_z(np.array(z))
    with torch.inference_mode():
        codes = run.model.encode(run.X)
    near = codes[0].tolist()  # the code of a training image: its decoding is close to the data
    assert not check_09_adversarial_z(near)
    out = capsys.readouterr().out
    assert "above the lowest normal error" in out or "only" in out
    assert not check_09_adversarial_z("abc") and "latent point" in capsys.readouterr().out
    assert not check_09_adversarial_z((math.nan, 0.0)) and "finite" in capsys.readouterr().out
    # old call with the notebook's data: a planted model/data set/distance is ignored
    X_with_a = torch.cat([run.X, run.model.decode(res.z[:1]).detach()])
    assert check_09_adversarial_z(z, run.model, X_with_a, 1e9)


def _grid_min(model, lo, hi, resolution):
    g = torch.linspace(lo, hi, resolution)
    zs = torch.cartesian_prod(g, g)
    with torch.inference_mode():
        a = model.decode(zs)
        err = ((model(a) - a) ** 2).flatten(1).sum(1)
    k = int(err.argmin())
    return zs[k].tolist(), float(err[k])


def test_09_grid_min(capsys):
    assert check_09_grid_min(_grid_min)
    assert not check_09_grid_min(None) and "not attempted" in capsys.readouterr().out

    def mean_error(model, lo, hi, resolution):
        z, e = _grid_min(model, lo, hi, resolution)
        return z, e / 784

    assert not check_09_grid_min(mean_error) and "mean over pixels" in capsys.readouterr().out

    def elsewhere(model, lo, hi, resolution):
        z, e = _grid_min(model, lo, hi, resolution)
        return [z[0] + 0.5, z[1]], e

    assert not check_09_grid_min(elsewhere) and "not where it is attained" in (
        capsys.readouterr().out
    )
    assert not check_09_grid_min(lambda *a: 5) and "no (z, error)" in capsys.readouterr().out
    assert not check_09_grid_min((0, 0)) and "function" in capsys.readouterr().out

    def swapped(model, lo, hi, resolution):
        z, e = _grid_min(model, lo, hi, resolution)
        return [z[1], z[0]], e

    assert not check_09_grid_min(swapped) and "order (z1, z2)" in capsys.readouterr().out

    def diagonal_only(model, lo, hi, resolution):
        g = torch.linspace(lo, hi, resolution)
        zs = torch.stack([g, g], 1)
        with torch.inference_mode():
            a = model.decode(zs)
            err = ((model(a) - a) ** 2).flatten(1).sum(1)
        return zs[int(err.argmin())].tolist(), float(err.min())

    assert not check_09_grid_min(diagonal_only)


def test_09_grid_min_cases_have_their_minimum_off_the_diagonal():
    from aelib.course.exercises.nb09 import _GRID_MIN_CASES, _grid_min, _ShiftedLatent
    from aelib.models import ConvAutoencoder

    for seed, lo, hi, res, shift in _GRID_MIN_CASES:
        model = _ShiftedLatent(ConvAutoencoder(2, (2, 4), seed=seed), shift).eval()
        z, _ = _grid_min(model, lo, hi, res)
        assert z[0] != pytest.approx(z[1], abs=1e-6)


def test_10_grid_cost(capsys):
    R, d = config.MNIST_GRID_RESOLUTION, max(config.NB10_LATENT_DIMS)
    assert check_10_grid_cost(float(R) ** d) and check_10_grid_cost(R**d)  # float or int
    assert check_10_grid_cost(float(R) ** d, R, d)  # the notebook's current call still works
    assert check_10_grid_cost(np.float64(R) ** d)
    assert not check_10_grid_cost(R * d) and "combination" in capsys.readouterr().out
    assert not check_10_grid_cost(float(d) ** R) and "swapped" in capsys.readouterr().out
    assert not check_10_grid_cost(None) and "not attempted" in capsys.readouterr().out
    assert not check_10_grid_cost(-1) and "positive" in capsys.readouterr().out
    assert not check_10_grid_cost(math.inf) and "inf" in capsys.readouterr().out
    assert not check_10_grid_cost("1e33") and "positive" in capsys.readouterr().out
    # passing other R and d (the notebook's numbers, overwritten) does not change the answer
    assert not check_10_grid_cost(10.0**2, 10, 2)


@pytest.mark.slow
def test_10_mahalanobis_threshold(capsys, course_cache):
    from aelib.attacks import LatentPGD
    from aelib.audit import default_min_distance
    from aelib.course.mitigations import LatentMahalanobis
    from aelib.course.mnist_experiments import mnist_autoencoder
    from aelib.data import load_mnist

    run = mnist_autoencoder(config.MNIST_DIGITS_A, latent_dim=16, source="bundled")
    far = default_min_distance(run.X, config.MNIST_FAR_QUANTILE)
    pgd = LatentPGD(
        steps=config.NB10_PGD_STEPS,
        restarts=config.NB10_PGD_RESTARTS,
        step_size=config.NB10_PGD_STEP,
    )(run.model, run.X, min_distance=far, reduction="sum", seed=0)
    maha = LatentMahalanobis(run.model, run.X)
    adv = maha.score(pgd.x[pgd.adversarial()])
    X_test, y_test = load_mnist(range(10), train=False, source="bundled")
    normal = maha.score(X_test[torch.isin(y_test, torch.tensor(config.MNIST_DIGITS_A))])
    lowest = float(adv.min())
    assert check_10_mahalanobis_threshold(0.99 * lowest)
    assert check_10_mahalanobis_threshold(0.99 * lowest, adv, normal)  # nb10's current call
    assert not check_10_mahalanobis_threshold(lowest)
    assert "1 adversarial anomaly passes unflagged: lower it" in capsys.readouterr().out
    assert not check_10_mahalanobis_threshold(0.5 * lowest) and "raise" in capsys.readouterr().out
    assert not check_10_mahalanobis_threshold("x") and "a number" in capsys.readouterr().out
    # planted adversarial scores that would make a too-high threshold right change nothing
    assert not check_10_mahalanobis_threshold(2 * lowest, adv * 3, normal)


def test_check_10_passes_deployed_solution_and_typical_mistakes(capsys):
    import numpy as np
    import torch

    from aelib.course.exercises import check_10_passes_deployed

    assert not check_10_passes_deployed(None)
    assert "not attempted" in capsys.readouterr().out
    assert check_10_passes_deployed(lambda d, p: d.decision_function(p) <= d.threshold_)
    assert check_10_passes_deployed(
        lambda d, p: torch.as_tensor(d.decision_function(p)) <= d.threshold_
    )
    cases = [
        (lambda d, p: d.decision_function(p) > d.threshold_, "inverted"),
        (lambda d, p: d.decision_function(p) < d.threshold_, "exactly at the threshold"),
        (lambda d, p: d.decision_function(p), "boolean mask"),
        (lambda d, p: d.decision_function(p)[:3] <= d.threshold_, "one value per point"),
        (lambda d, p: 1 / 0, "ZeroDivisionError"),
        (lambda d, p: 1 / 0, "use the `detector` argument"),
        (lambda d, p: np.ones(len(p), dtype=bool), "points wrong"),
        (lambda d, p: np.zeros(len(p), dtype=bool), "points wrong"),  # "nothing passes"
        # a cut-off of one's own: no longer mistaken for the at-the-threshold slip
        (lambda d, p: d.decision_function(p) <= 0.5 * d.threshold_, "not with a number"),
        (42, "expected a function"),
    ]
    for answer, hint in cases:
        assert not check_10_passes_deployed(answer)
        assert hint in capsys.readouterr().out


@pytest.mark.slow
def test_check_10_negative_audit_against_an_independent_audit(capsys, course_cache):
    import numpy as np

    from aelib.audit import audit, default_min_distance
    from aelib.course import config
    from aelib.course.exercises import check_10_negative_audit
    from aelib.course.mnist_experiments import mnist_autoencoder, negative_autoencoder

    run = mnist_autoencoder(config.MNIST_DIGITS_A, latent_dim=16, source="bundled")
    model = negative_autoencoder(run, default_min_distance(run.X, config.MNIST_FAR_QUANTILE))
    report = audit(model, run.X, reduction="sum")
    radii = report.max_distance / report.data_radius
    assert check_10_negative_audit((report.reliable, radii))
    assert "baseline" in capsys.readouterr().out
    assert check_10_negative_audit([np.bool_(report.reliable), radii * 1.05])
    cases = [
        ((not report.reliable, radii), "reliable"),
        ((report.reliable, report.max_distance), "distance in pixels"),
        ((report.reliable, report.max_distance / report.min_distance), "min_distance"),
        ((report.reliable, radii * 2), "max_distance / report.data_radius"),
        ((1, radii), "True or False"),
        ((report.reliable, "far"), "a number"),
        (radii, "a pair"),
    ]
    capsys.readouterr()
    for answer, hint in cases:
        assert not check_10_negative_audit(answer)
        assert hint in capsys.readouterr().out
    assert not check_10_negative_audit(None)


def test_check_10_negative_audit_accepts_a_clean_verdict(monkeypatch, capsys):
    """A model the audit calls reliable: (True, 0.0) is right, whatever the units hints say."""
    from aelib.course.exercises import check_10_negative_audit, nb10_audit

    class Clean:
        reliable, errors, max_distance, data_radius, min_distance = True, [], 0.0, 10.6, 6.9

    monkeypatch.setattr(nb10_audit, "negative_sample_audit", lambda source="bundled": Clean())
    assert check_10_negative_audit((True, 0.0))
    assert "evidence, not proof" in capsys.readouterr().out
    assert not check_10_negative_audit((False, 0.0))
    assert "no adversarial anomaly" in capsys.readouterr().out


def test_reference_audits_run_once_per_weights_and_data(monkeypatch):
    import torch

    import aelib.audit
    from aelib.course.exercises import nb10_audit
    from aelib.models import ConvAutoencoder

    calls = []
    monkeypatch.setattr(nb10_audit, "_AUDITS", {})
    monkeypatch.setattr(
        aelib.audit, "audit", lambda model, X, **kw: calls.append(kw) or f"report {len(calls)}"
    )
    model, X = ConvAutoencoder(latent_dim=2, seed=0), torch.rand(4, 1, 28, 28)
    first = nb10_audit._remembered_audit(model, X)
    assert nb10_audit._remembered_audit(ConvAutoencoder(latent_dim=2, seed=0), X.clone()) == first
    assert calls == [{"reduction": "sum"}]
    with torch.no_grad():
        model.decoder[0].bias.add_(1.0)  # other weights: a new audit
    assert nb10_audit._remembered_audit(model, X) == "report 2"
    assert nb10_audit._remembered_audit(model, X + 0.5) == "report 3"  # other data
    sigmoid = ConvAutoencoder(latent_dim=2, seed=0, activation="sigmoid")  # same weights
    assert nb10_audit._remembered_audit(sigmoid, X) == "report 4"


@pytest.mark.slow
def test_check_10_negative_audit_compares_with_a_given_baseline(monkeypatch, capsys, course_cache):
    """Section 4's report, handed over, is what the feedback compares with: no second audit."""
    from aelib.course.exercises import check_10_negative_audit, nb10_audit

    report = nb10_audit.negative_sample_audit()
    radii = report.max_distance / report.data_radius
    baseline = nb10_audit.baseline_audit()
    capsys.readouterr()

    audited = []

    def counted(source="bundled"):
        audited.append(source)
        return baseline

    monkeypatch.setattr(nb10_audit, "baseline_audit", counted)
    assert check_10_negative_audit((report.reliable, radii), baseline=baseline)
    shown = capsys.readouterr().out
    assert f"baseline {len(baseline.errors)}" in shown and "overwritten" not in shown
    assert audited == []  # the given baseline was used, no second audit
    # section 4's `report` overwritten by the learner's own audit: not the plain model's, so the
    # comparison audits the plain model instead of comparing the model with itself
    assert check_10_negative_audit((report.reliable, radii), baseline=report)
    assert "was `report` overwritten?" in capsys.readouterr().out
    assert audited == ["bundled"]
    assert not check_10_negative_audit((report.reliable, radii), baseline="report")
    assert "baseline: expected section 4's AuditReport" in capsys.readouterr().out
    # section 4's own numbers, copied instead of auditing nae16 (within 10 % of the right reach)
    copied = (baseline.reliable, baseline.max_distance / baseline.data_radius)
    assert not check_10_negative_audit(copied, baseline=baseline)
    assert "those are section 4's numbers" in capsys.readouterr().out
