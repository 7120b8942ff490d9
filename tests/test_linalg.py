"""aelib.linalg: PCA by SVD, the Theorem 2 construction, principal angles; Lemmas 1 and 3."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from aelib.linalg import PCA, hyperplane_anomaly, pca, principal_angles
from aelib.metrics import reconstruction_error
from aelib.models import MLPAutoencoder

F64 = torch.float64
FAST = settings(max_examples=40, deadline=None)


def _data(m: int = 30, n: int = 5, seed: int = 0, dtype=F64) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    mix = torch.randn(n, n, generator=g, dtype=F64)
    return (torch.randn(m, n, generator=g, dtype=F64) @ mix + 3.0).to(dtype)


# --- pca ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("d", [1, 3, 5])
def test_components_orthonormal_and_match_numpy_svd_up_to_sign(center, d):
    X = _data()
    p = pca(X, d, center=center)
    assert isinstance(p, PCA) and p.n_features == 5 and p.d == d
    assert p.components.shape == (5, d) and p.singular_values.shape == (d,)
    torch.testing.assert_close(p.components.T @ p.components, torch.eye(d, dtype=F64))
    Xn = X.numpy()
    mean = Xn.mean(0) if center else np.zeros(5)
    np.testing.assert_allclose(p.mean.numpy(), mean, atol=1e-12)
    _, s, vh = np.linalg.svd(Xn - mean, full_matrices=False)
    np.testing.assert_allclose(p.singular_values.numpy(), s[:d], rtol=1e-10)
    for k in range(d):
        v_np, v = vh[k], p.components[:, k].numpy()
        np.testing.assert_allclose(v * np.sign(v @ v_np), v_np, atol=1e-10)
    assert bool((p.singular_values[:-1] >= p.singular_values[1:]).all())


def test_center_false_differs_from_center_true_on_offset_data():
    X = _data()
    p_c, p_0 = pca(X, 1, center=True), pca(X, 1, center=False)
    assert torch.equal(p_0.mean, torch.zeros(5, dtype=F64))
    # uncentred, the first direction points (mostly) at the mean offset (3, 3, 3, 3, 3)
    offset = torch.ones(5, dtype=F64) / math.sqrt(5)
    assert abs(float(p_0.components[:, 0] @ offset)) > abs(float(p_c.components[:, 0] @ offset))


def test_dtype_is_kept_and_numpy_is_accepted():
    X32 = _data(dtype=torch.float32)
    assert pca(X32, 2).components.dtype == torch.float32
    assert pca(X32.double().numpy(), 2).components.dtype == F64


def test_encode_decode_reconstruct_error_2d_and_1d():
    X = _data(m=20, n=4)
    p = pca(X, 2)
    Z = p.encode(X)
    assert Z.shape == (20, 2)
    torch.testing.assert_close(Z, (X - X.mean(0)) @ p.components)
    R = p.reconstruct(X)
    assert R.shape == (20, 4)
    torch.testing.assert_close(R, p.decode(Z))
    torch.testing.assert_close(R, Z @ p.components.T + p.mean)
    err = p.reconstruction_error(X)
    err_sum = p.reconstruction_error(X, reduction="sum")
    assert err.shape == (20,)
    torch.testing.assert_close(err_sum, 4 * err)
    torch.testing.assert_close(err, ((X - R) ** 2).mean(1))
    # 1-D input gives the row of the 2-D result
    x = X[3]
    assert p.encode(x).shape == (2,) and p.decode(Z[3]).shape == (4,)
    torch.testing.assert_close(p.encode(x), Z[3])
    torch.testing.assert_close(p.decode(Z[3]), R[3])
    torch.testing.assert_close(p.reconstruct(x), R[3])
    e1 = p.reconstruction_error(x)
    assert e1.shape == () and float(e1) == pytest.approx(float(err[3]))
    # the centred data's energy splits into the kept and the lost part (Pythagoras)
    torch.testing.assert_close(err_sum, ((X - p.mean) ** 2).sum(1) - (Z**2).sum(1))


def test_full_rank_pca_reconstructs_everything():
    X = _data(m=10, n=3)
    p = pca(X, 3)
    far = torch.randn(7, 3, dtype=F64) * 1e3
    assert float(p.reconstruction_error(far).max()) < 1e-20


def test_pca_agrees_with_a_linear_autoencoder_holding_its_weights():
    """g(x) = (x − μ) V_d, h(y) = y V_dᵀ + μ as an MLPAutoencoder; metrics and PCA agree."""
    X = _data(m=25, n=4)
    p = pca(X, 2)
    model = MLPAutoencoder([4, 2, 4], activation=None, seed=0).double()
    with torch.no_grad():
        model.encoder[0].weight.copy_(p.components.T)
        model.encoder[0].bias.copy_(-p.mean @ p.components)
        model.decoder[0].weight.copy_(p.components)
        model.decoder[0].bias.copy_(p.mean)
    torch.testing.assert_close(reconstruction_error(model, X), p.reconstruction_error(X))


# --- pca: bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, error, message",
    [
        (torch.zeros(5, dtype=F64), ValueError, r"X: expected shape \(m, n\), got shape \(5,\)"),
        (
            torch.zeros(2, 3, 4, dtype=F64),
            ValueError,
            r"X: expected shape \(m, n\), got shape \(2, 3, 4\)",
        ),
        (
            torch.zeros(0, 3, dtype=F64),
            ValueError,
            r"X: expected a non-empty array with shape \(m, n\)",
        ),
        (
            [[1.0, 2.0], [3.0, 4.0]],
            TypeError,
            r"X: expected a torch.Tensor or numpy.ndarray with shape \(m, n\), got list",
        ),
        (np.arange(6).reshape(3, 2), TypeError, "X: expected a floating-point array"),
        (torch.ones(3, 2, dtype=torch.bool), TypeError, "X: expected a floating-point tensor"),
        (
            torch.tensor([[1.0, float("nan")], [0.0, 1.0]]),
            ValueError,
            "X: expected finite values, got 1 NaN",
        ),
        (
            torch.tensor([[1.0, float("inf")], [0.0, 1.0]]),
            ValueError,
            "X: expected finite values, got 0 NaN and 1 inf",
        ),
    ],
)
def test_pca_bad_X(X, error, message):
    with pytest.raises(error, match=message):
        pca(X, 1)


@pytest.mark.parametrize(
    "d, error, message",
    [
        (0, ValueError, "d: expected a positive integer, got 0"),
        (-1, ValueError, "d: expected a positive integer, got -1"),
        (True, TypeError, "d: expected a positive integer, got bool"),
        (1.0, TypeError, "d: expected a positive integer, got float"),
        ("2", TypeError, "d: expected a positive integer, got str"),
        (4, ValueError, "d: expected at most n = 3 components .*got 4"),
    ],
)
def test_pca_bad_d(d, error, message):
    with pytest.raises(error, match=message):
        pca(_data(m=10, n=3), d)


def test_pca_d_larger_than_m():
    with pytest.raises(
        ValueError, match=r"d: expected at most m = 2 components \(the number of samples\), got 3"
    ):
        pca(_data(m=2, n=5), 3)


@pytest.mark.parametrize("center", [1, "yes", None])
def test_pca_center_must_be_bool(center):
    with pytest.raises(TypeError, match="center: expected a bool, got"):
        pca(_data(), 1, center=center)


def test_pca_methods_bad_input():
    p = pca(_data(m=10, n=3), 2)
    with pytest.raises(
        ValueError, match=r"x: expected shape \(N, 3\) or \(3,\), got shape \(4, 2\)"
    ):
        p.encode(torch.zeros(4, 2))
    with pytest.raises(
        ValueError, match=r"x: expected shape \(N, 3\) or \(3,\), got shape \(1, 1, 3\)"
    ):
        p.reconstruct(torch.zeros(1, 1, 3))
    with pytest.raises(TypeError, match="x: expected a torch.Tensor or numpy.ndarray"):
        p.reconstruction_error([0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="x: expected finite values"):
        p.encode(torch.tensor([0.0, float("nan"), 0.0]))
    with pytest.raises(ValueError, match=r"y: expected shape \(N, 2\) or \(2,\), got shape \(3,\)"):
        p.decode(torch.zeros(3))
    with pytest.raises(TypeError, match="y: expected a floating-point tensor"):
        p.decode(torch.zeros(2, dtype=torch.int64))
    with pytest.raises(ValueError, match="reduction: expected one of 'mean', 'sum', got 'max'"):
        p.reconstruction_error(torch.zeros(3), reduction="max")


# --- hyperplane_anomaly (Theorem 2) ------------------------------------------------------------


@pytest.mark.parametrize("delta", [0, 1, 1e3, 1e6])
@pytest.mark.parametrize("dtype", [F64, torch.float32])
@pytest.mark.parametrize("d", [1, 2])
def test_hyperplane_anomaly_zero_loss_and_beyond_delta(delta, dtype, d):
    X = _data(m=40, n=4, dtype=dtype)
    p = pca(X, d)
    a = hyperplane_anomaly(X, p, delta)
    assert a.shape == (4,) and a.dtype == dtype
    dist = (X.double() - a.double()).norm(dim=1)
    assert float(dist.min()) > delta
    scale = float((a.double() ** 2).mean()) + 1.0
    tol = 1e-24 if dtype == F64 else 1e-11
    assert float(p.reconstruction_error(a)) <= tol * scale
    # … while every training point has a positive loss (d < n): a is an adversarial anomaly.
    # (In float32 a point 1e6 away rounds to a loss of ~1e-2, hence the float64 advice.)
    if dtype == F64:
        assert float(p.reconstruction_error(X).min()) > float(p.reconstruction_error(a))
    if delta >= 1e3:  # not absurdly far: within a hair of delta plus the data's own extent
        assert float(dist.min()) < delta + 100


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3, 1e5])
def test_hyperplane_anomaly_float32_data_of_any_size_is_beyond_delta(scale):
    """The construction's margin survives float32 rounding (it did not for data of size 1e5)."""
    g = torch.Generator().manual_seed(0)
    for d in (1, 2, 3):
        X = (torch.randn(20, 3, generator=g, dtype=F64) * scale + 5 * scale).float()
        p = pca(X, d)
        for delta in (0.0, 1e-3, 1.0, 1e3, 1e6):
            a = hyperplane_anomaly(X, p, delta)
            assert float((X.double() - a.double()).norm(dim=1).min()) > delta, (d, delta)


def test_hyperplane_anomaly_custom_direction():
    X = _data(m=40, n=5)
    p = pca(X, 3)
    u = torch.tensor([0.0, -3.0, 4.0], dtype=F64)
    delta = 10.0
    a = hyperplane_anomaly(X, p, delta, direction=u)
    y, ya = p.encode(X), p.encode(a)
    unit = u / u.norm()
    # a moved from the extreme training point along u, past all training points by > delta
    start = y[torch.argmax(y @ unit)]
    step = ya - start
    torch.testing.assert_close(step / step.norm(), unit)
    assert float(ya @ unit) > float((y @ unit).max()) + delta
    assert float((X - a).norm(dim=1).min()) > delta
    # the default direction is the first principal direction
    a0 = hyperplane_anomaly(X, p, delta)
    e0 = torch.tensor([1.0, 0.0, 0.0], dtype=F64)
    torch.testing.assert_close(hyperplane_anomaly(X, p, delta, direction=e0), a0)
    # numpy direction is fine
    torch.testing.assert_close(hyperplane_anomaly(X, p, delta, direction=u.numpy()), a)


def test_hyperplane_anomaly_bad_input():
    X = _data(m=10, n=3)
    p = pca(X, 2)
    with pytest.raises(TypeError, match="pca: expected a PCA from aelib.linalg.pca, got tuple"):
        hyperplane_anomaly(X, (p.mean, p.components), 1.0)
    with pytest.raises(ValueError, match=r"X: expected shape \(m, 3\), got shape \(3,\)"):
        hyperplane_anomaly(X[0], p, 1.0)
    with pytest.raises(
        ValueError, match=r"X: expected shape \(N, 3\) or \(3,\), got shape \(10, 2\)"
    ):
        hyperplane_anomaly(X[:, :2], p, 1.0)
    with pytest.raises(ValueError, match="X: expected finite values"):
        hyperplane_anomaly(torch.full((3, 3), float("nan")), p, 1.0)
    with pytest.raises(TypeError, match="X: expected a torch.Tensor or numpy.ndarray"):
        hyperplane_anomaly(X.tolist(), p, 1.0)
    with pytest.raises(ValueError, match="delta: expected a non-negative number, got -1.0"):
        hyperplane_anomaly(X, p, -1)
    with pytest.raises(ValueError, match="delta: expected a finite number, got inf"):
        hyperplane_anomaly(X, p, float("inf"))
    with pytest.raises(TypeError, match="delta: expected a non-negative number, got bool"):
        hyperplane_anomaly(X, p, True)
    with pytest.raises(TypeError, match="delta: expected a non-negative number, got str"):
        hyperplane_anomaly(X, p, "1")
    with pytest.raises(ValueError, match="direction: expected a nonzero vector, got all zeros"):
        hyperplane_anomaly(X, p, 1.0, direction=torch.zeros(2, dtype=F64))
    with pytest.raises(ValueError, match=r"direction: expected shape \(2,\), got shape \(3,\)"):
        hyperplane_anomaly(X, p, 1.0, direction=torch.ones(3, dtype=F64))
    with pytest.raises(TypeError, match="direction: expected a floating-point tensor"):
        hyperplane_anomaly(X, p, 1.0, direction=torch.tensor([1, 0]))
    with pytest.raises(TypeError, match="direction: expected a torch.Tensor or numpy.ndarray"):
        hyperplane_anomaly(X, p, 1.0, direction=[1.0, 0.0])


# --- principal_angles --------------------------------------------------------------------------


def test_identical_spans_have_zero_angles():
    A = _data(m=8, n=3)
    angles = principal_angles(A, A)
    assert angles.shape == (3,) and angles.dtype == F64
    assert float(angles.max()) < 1e-7


def test_orthogonal_spans_have_right_angles():
    E = torch.eye(5, dtype=F64)
    torch.testing.assert_close(
        principal_angles(E[:, :2], E[:, 2:4]), torch.full((2,), math.pi / 2, dtype=F64)
    )
    # one shared direction and one orthogonal one, ascending
    torch.testing.assert_close(
        principal_angles(E[:, :2], E[:, 1:4]), torch.tensor([0.0, math.pi / 2], dtype=F64)
    )


@pytest.mark.parametrize("phi", [1e-10, 1e-4, 0.3, math.pi / 3, math.pi / 2 - 1e-9])
def test_known_two_dimensional_angle(phi):
    A = torch.tensor([[1.0], [0.0]], dtype=F64)
    B = torch.tensor([[math.cos(phi)], [math.sin(phi)]], dtype=F64) * 7.0  # scale is irrelevant
    for got in (principal_angles(A, B), principal_angles(B, A), principal_angles(A, -B)):
        assert got.shape == (1,)
        assert float(got[0]) == pytest.approx(phi, rel=1e-9)


def test_plane_and_line_in_3d():
    plane = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], dtype=F64)
    line = torch.tensor([[1.0], [0.0], [1.0]], dtype=F64)  # 45° out of the plane
    torch.testing.assert_close(
        principal_angles(plane, line), torch.tensor([math.pi / 4], dtype=F64)
    )
    torch.testing.assert_close(
        principal_angles(line, plane), torch.tensor([math.pi / 4], dtype=F64)
    )


def test_float32_and_numpy_inputs():
    A = np.eye(3, 2, dtype=np.float32)
    assert principal_angles(A, torch.from_numpy(A)).dtype == F64


def test_principal_angles_bad_input():
    A = _data(m=6, n=2)
    with pytest.raises(
        ValueError,
        match=r"A, B: expected the same number of rows n, got shapes \(6, 2\) and \(5, 2\)",
    ):
        principal_angles(A, A[:5])
    with pytest.raises(ValueError, match="B: expected full column rank 2, got rank 1"):
        principal_angles(A, torch.stack([A[:, 0], 2 * A[:, 0]], 1))
    with pytest.raises(ValueError, match="A: expected full column rank 3, got rank 2"):
        principal_angles(
            torch.zeros(2, 3, dtype=F64) + torch.eye(2, 3, dtype=F64), torch.eye(2, dtype=F64)
        )
    with pytest.raises(ValueError, match=r"A: expected shape \(n, p\), got shape \(6,\)"):
        principal_angles(A[:, 0], A)
    with pytest.raises(ValueError, match=r"B: expected a non-empty array with shape \(n, q\)"):
        principal_angles(A, torch.zeros(6, 0, dtype=F64))
    with pytest.raises(
        TypeError,
        match=r"A: expected a torch.Tensor or numpy.ndarray with shape \(n, p\), got list",
    ):
        principal_angles(A.tolist(), A)
    with pytest.raises(TypeError, match="B: expected a floating-point tensor"):
        principal_angles(A, torch.ones(6, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match="B: expected finite values, got 1 NaN"):
        principal_angles(A, torch.tensor([[float("nan")]] + [[0.0]] * 5, dtype=F64))


# --- properties (hypothesis) -------------------------------------------------------------------


@st.composite
def data_and_d(draw, max_m: int = 12, max_n: int = 6):
    m = draw(st.integers(1, max_m))
    n = draw(st.integers(1, max_n))
    d = draw(st.integers(1, min(m, n)))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    X = draw(arrays(np.float64, (m, n), elements=st.floats(-1.0, 1.0, allow_subnormal=False)))
    return torch.from_numpy(X * scale), d


@FAST
@given(data_and_d(), st.booleans(), st.integers(0, 2**32 - 1))
def test_lemma_1_span_of_V_d_has_zero_loss(Xd, center, seed):
    """Lemma 1: a = c V_dᵀ (+ μ when centred) is reconstructed exactly, for any c."""
    X, d = Xd
    p = pca(X, d, center=center)
    rng = np.random.default_rng(seed)
    c = torch.from_numpy(rng.normal(size=d) * 10.0 ** rng.uniform(-3, 6))
    a = c @ p.components.T + p.mean
    scale = float((a**2).mean()) + float((X**2).mean()) + 1e-300
    assert float(p.reconstruction_error(a)) < 1e-10 * scale
    # the claim can fail: leaving the span costs exactly the orthogonal part (when d < n)
    if d < p.n_features:
        w = torch.from_numpy(rng.normal(size=p.n_features))
        w = w - p.components @ (p.components.T @ w)
        assume(float(w.norm()) > 1e-6)
        w = w / w.norm()
        err = float(p.reconstruction_error(a + w, reduction="sum"))
        assert err == pytest.approx(1.0, rel=1e-6, abs=1e-6 * scale)


@FAST
@given(data_and_d(), st.integers(0, 2**32 - 1))
def test_lemma_3_linear_autoencoder_with_W_enc_V_d_C(Xd, seed):
    """Lemma 3: W_enc = V_d C, W_decᵀ = C⁻¹ V_dᵀ reconstructs every a = c V_dᵀ exactly."""
    X, d = Xd
    n = X.shape[1]
    p = pca(X, d, center=False)
    rng = np.random.default_rng(seed)
    C = torch.from_numpy(rng.normal(size=(d, d)))
    assume(float(torch.linalg.cond(C)) < 1e4)
    W_enc = p.components @ C  # (n, d)
    W_dec_T = torch.linalg.inv(C) @ p.components.T  # (d, n)
    model = MLPAutoencoder([n, d, n], activation=None, bias=False).double()
    with torch.no_grad():
        model.encoder[0].weight.copy_(W_enc.T)  # nn.Linear computes x Wᵀ
        model.decoder[0].weight.copy_(W_dec_T.T)
    c = torch.from_numpy(rng.normal(size=(5, d)) * 10.0 ** rng.uniform(-3, 6))
    a = c @ p.components.T
    err = reconstruction_error(model, a)
    scale = (a**2).mean(1) + 1e-300
    assert bool((err < 1e-10 * scale).all())


@FAST
@given(data_and_d(), st.floats(0.0, 1e6, allow_subnormal=False), st.booleans())
def test_theorem_2_hyperplane_anomaly(Xd, delta, center):
    """Theorem 2: for any data and δ there is an a with zero loss and minᵢ ‖xᵢ − a‖ > δ."""
    X, d = Xd
    p = pca(X, d, center=center)
    a = hyperplane_anomaly(X, p, delta)
    assert float((X - a).norm(dim=1).min()) > delta
    scale = float((a**2).mean()) + float((X**2).mean()) + 1e-300
    assert float(p.reconstruction_error(a)) < 1e-10 * scale


@st.composite
def spans(draw):
    n = draw(st.integers(2, 7))
    p = draw(st.integers(1, n))
    q = draw(st.integers(1, n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    A = torch.from_numpy(rng.normal(size=(n, p)))
    B = torch.from_numpy(rng.normal(size=(n, q)))
    M = torch.from_numpy(rng.normal(size=(p, p)))
    return A, B, M


@FAST
@given(spans())
def test_principal_angles_invariant_to_column_space_preserving_maps(ABM):
    A, B, M = ABM
    assume(float(torch.linalg.cond(A)) < 1e4 and float(torch.linalg.cond(B)) < 1e4)
    assume(float(torch.linalg.cond(M)) < 1e4)
    angles = principal_angles(A, B)
    assert angles.shape == (min(A.shape[1], B.shape[1]),)
    assert bool((angles >= 0).all() and (angles <= math.pi / 2).all())
    assert bool((angles[1:] >= angles[:-1]).all())
    torch.testing.assert_close(principal_angles(A @ M, B), angles, atol=1e-8, rtol=0)
    torch.testing.assert_close(principal_angles(B, A), angles, atol=1e-8, rtol=0)
    assert float(principal_angles(A, A @ M).max()) < 1e-8
