"""aelib.attacks: latent grid, latent PGD and input PGD searches on models defined here."""

from __future__ import annotations

import dataclasses
import inspect
import math

import pytest
import torch
from torch import nn

from aelib import attacks
from aelib.course import config
from aelib.metrics import reconstruction_error

# --- models written for these tests ---------------------------------------------------------


class ReluAE(nn.Module):
    """A small ReLU MLP autoencoder with encode/decode (random weights unless trained)."""

    def __init__(self, dim: int = 3, latent: int = 2, width: int = 8, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.encoder = nn.Sequential(nn.Linear(dim, width), nn.ReLU(), nn.Linear(width, latent))
        self.decoder = nn.Sequential(nn.Linear(latent, width), nn.ReLU(), nn.Linear(width, dim))

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))


class Contraction(nn.Module):
    """f(x) = c + s (x − c): L(x) = (1 − s)² ‖x − c‖², minimised exactly at c.

    encode and decode are the identity, so a latent search over z minimises L(z) directly.
    """

    def __init__(self, centre, s: float = 0.5) -> None:
        super().__init__()
        self.c = nn.Parameter(torch.as_tensor(centre, dtype=torch.float32))
        self.s = s

    def encode(self, x):
        return x

    def decode(self, z):
        return z

    def forward(self, x):
        return self.c + self.s * (x - self.c)


def ring(n: int = 40, radius: float = 0.3, centre=(0.5, 0.5)) -> torch.Tensor:
    t = torch.linspace(0, 2 * math.pi, n + 1)[:-1]
    return torch.stack([centre[0] + radius * t.cos(), centre[1] + radius * t.sin()], 1)


def brute_distance(x: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    diff = x.flatten(1)[:, None, :].double() - X.flatten(1)[None, :, :].double()
    return diff.pow(2).sum(-1).sqrt().min(1).values


@pytest.fixture
def toy():
    X = torch.randn(60, 3) * torch.tensor([1.0, 0.5, 0.2])
    return ReluAE(seed=1).eval(), X


# --- distances ------------------------------------------------------------------------------


def test_nearest_distance_and_nn_distances_match_brute_force():
    X = torch.randn(30, 1, 2, 3)
    Y = torch.randn(7, 1, 2, 3)
    torch.testing.assert_close(
        attacks.nearest_distance(Y, X, batch_size=3).double(), brute_distance(Y, X)
    )
    nn_d = attacks.nn_distances(X, batch_size=4).double()
    for i in range(len(X)):
        others = torch.cat([X[:i], X[i + 1 :]])
        torch.testing.assert_close(nn_d[i], brute_distance(X[i : i + 1], others)[0])
    with pytest.raises(ValueError, match="input shape"):
        attacks.nearest_distance(torch.randn(2, 5), torch.randn(3, 4))
    with pytest.raises(ValueError, match="at least 2"):
        attacks.nn_distances(torch.randn(1, 4))


# --- latent grid ------------------------------------------------------------------------------


def test_grid_result_shapes_and_orientation(toy):
    model, X = toy
    R = 17
    r = attacks.latent_grid_search(model, X, resolution=R, top_k=5)
    assert isinstance(r, attacks.GridSearchResult) and r.method == "latent grid"
    assert r.grid_x.shape == (R,) and r.grid_y.shape == (R,) and r.error_map.shape == (R, R)
    assert r.latents.shape == (60, 2) and r.normal_error.shape == (60,)
    assert r.x.shape == (len(r), 3) and r.z.shape == (len(r), 2) and 1 <= len(r) <= 5
    # error_map[i, j] is the error of h(z) at z = (grid_x[j], grid_y[i])
    for i, j in [(0, 0), (3, 11), (16, 2), (9, 9)]:
        z = torch.tensor([[float(r.grid_x[j]), float(r.grid_y[i])]])
        with torch.no_grad():
            a = model.decode(z)
            expected = ((model(a) - a) ** 2).mean()
        torch.testing.assert_close(r.error_map[i, j], expected)


def test_grid_default_bounds_enlarge_the_latent_box(toy):
    model, X = toy
    r = attacks.latent_grid_search(model, X, resolution=5)
    with torch.no_grad():
        lat = model.encode(X)
    lo, hi = lat.min(0).values, lat.max(0).values
    m = config.GRID_MARGIN
    torch.testing.assert_close(
        r.grid_x[[0, -1]],
        torch.stack([lo[0], hi[0]]) + m * (hi[0] - lo[0]) * torch.tensor([-1.0, 1.0]),
    )
    torch.testing.assert_close(
        r.grid_y[[0, -1]],
        torch.stack([lo[1], hi[1]]) + m * (hi[1] - lo[1]) * torch.tensor([-1.0, 1.0]),
    )
    r = attacks.latent_grid_search(model, X, resolution=5, bounds=((-1, 2), (3, 4)))
    assert r.grid_x.tolist() == pytest.approx([-1, -0.25, 0.5, 1.25, 2])
    assert r.grid_y.tolist() == pytest.approx([3, 3.25, 3.5, 3.75, 4])


def test_grid_candidates_are_genuine_sorted_minima(toy):
    model, X = toy
    r = attacks.latent_grid_search(model, X, resolution=25, top_k=50)
    assert torch.all(r.error[1:] >= r.error[:-1])
    torch.testing.assert_close(r.error, reconstruction_error(model, r.x))
    torch.testing.assert_close(r.distance.double(), brute_distance(r.x, X), rtol=1e-5, atol=1e-5)
    with torch.no_grad():
        torch.testing.assert_close(r.x, model.decode(r.z))
    torch.testing.assert_close(r.error[0], r.error_map.min())
    # each candidate is a local minimum of the map (lowest in its 3 x 3 neighbourhood)
    emap = r.error_map
    for z in r.z:
        j = int(torch.argmin((r.grid_x - z[0]).abs()))
        i = int(torch.argmin((r.grid_y - z[1]).abs()))
        block = emap[max(i - 1, 0) : i + 2, max(j - 1, 0) : j + 2]
        assert float(emap[i, j]) <= float(block.min())
    torch.testing.assert_close(r.normal_error, reconstruction_error(model, X))


def test_grid_min_distance_and_all_points(toy):
    model, X = toy
    everywhere = attacks.latent_grid_search(model, X, resolution=20, top_k=400, local_minima=False)
    assert len(everywhere) == 400  # every grid point is a candidate
    d = float(everywhere.distance.median())
    far = attacks.latent_grid_search(
        model, X, resolution=20, top_k=400, min_distance=d, local_minima=False
    )
    assert len(far) == int((everywhere.distance > d).sum())
    assert torch.all(far.distance > d) and far.min_distance == d
    # the far candidates are the lowest-error grid points among those beyond d
    expected = everywhere.error[everywhere.distance > d]
    torch.testing.assert_close(far.error, expected)


def test_grid_batching_and_reduction_do_not_change_results(toy):
    model, X = toy
    a = attacks.latent_grid_search(model, X, resolution=12, batch_size=1024)
    b = attacks.latent_grid_search(model, X, resolution=12, batch_size=7)
    torch.testing.assert_close(a.error_map, b.error_map)
    s = attacks.latent_grid_search(model, X, resolution=12, reduction="sum")
    torch.testing.assert_close(s.error_map, 3 * a.error_map)
    torch.testing.assert_close(s.normal_error, 3 * a.normal_error)


def test_grid_restores_training_mode_and_needs_2d_latent(toy):
    model, X = toy
    model.train()
    attacks.latent_grid_search(model, X, resolution=4)
    assert model.training
    with pytest.raises(ValueError, match="2-D latent"):
        attacks.latent_grid_search(ReluAE(latent=3), X, resolution=4)
    with pytest.raises(TypeError, match="encode"):
        attacks.latent_grid_search(nn.Identity(), X)
    with pytest.raises(ValueError, match="resolution"):
        attacks.latent_grid_search(model, X, resolution=1)
    with pytest.raises(ValueError, match="reduction"):
        attacks.latent_grid_search(model, X, reduction="max")
    with pytest.raises(ValueError, match="bounds"):
        attacks.latent_grid_search(model, X, bounds=((1, 0), (0, 1)))
    with pytest.raises(TypeError, match="X_normal"):
        attacks.latent_grid_search(model, X.tolist())
    with pytest.raises(TypeError, match="bounds"):
        attacks.latent_grid_search(model, X, bounds=(("a", 1), (0, 1)))


def test_results_are_ordinary_tensors(toy):
    """Results computed under inference mode must still allow in-place edits and autograd."""
    model, X = toy
    r = attacks.latent_grid_search(model, X, resolution=6)
    for t in (r.x, r.error, r.distance, r.z, r.normal_error, r.error_map, r.latents):
        assert not t.is_inference()
    r.normal_error.mul_(1.0)  # an in-place op raises on an inference tensor
    r.x.requires_grad_(True)


# --- latent PGD -----------------------------------------------------------------------------


def test_latent_pgd_descends_to_the_known_minimum():
    X = ring()  # the minimiser c = (0.5, 0.5) is 0.3 from every normal point
    model = Contraction((0.5, 0.5))
    r = attacks.latent_pgd_search(model, X, steps=150, restarts=6, seed=0)
    assert r.method == "latent PGD" and r.x.shape == (6, 2) and r.z.shape == (6, 2)
    assert float(r.error.max()) < 1e-4  # every restart reached c
    torch.testing.assert_close(r.x, torch.full((6, 2), 0.5), atol=0.02, rtol=0)
    torch.testing.assert_close(r.distance, torch.full((6,), 0.3), atol=0.02, rtol=0)
    assert torch.all(r.error <= r.min_normal_error)
    torch.testing.assert_close(r.error, reconstruction_error(model, r.x))


def test_latent_pgd_penalty_keeps_candidates_away():
    X = ring()
    model = Contraction((0.5, 0.5))
    r = attacks.latent_pgd_search(model, X, steps=150, restarts=6, min_distance=0.5, seed=0)
    # Starts inside the ring cannot cross it (the distance to the data is 0 there): those restarts
    # end in the infeasible hole and are listed last; the others reach the best feasible points,
    # 0.5 outside the ring, i.e. 0.8 from c: error 0.25 * 0.8**2 (mean over 2 coordinates: / 2).
    feasible = r.distance >= 0.5 - 1e-4
    assert int(feasible.sum()) >= 2
    k = int(feasible.sum())
    assert torch.all(feasible[:k]) and not torch.any(feasible[k:])  # feasible ones first
    assert float(r.error[0]) == pytest.approx(0.25 * 0.8**2 / 2, rel=0.05)
    assert not torch.any(r.adversarial())  # 0.08 is above the lowest normal error 0.01125


def test_latent_pgd_box_seed_and_validation(toy):
    model, X = toy
    r1 = attacks.latent_pgd_search(model, X, steps=20, restarts=5, seed=3, margin=0.2)
    r2 = attacks.latent_pgd_search(model, X, steps=20, restarts=5, seed=3, margin=0.2)
    r3 = attacks.latent_pgd_search(model, X, steps=20, restarts=5, seed=4, margin=0.2)
    torch.testing.assert_close(r1.x, r2.x)
    assert not torch.allclose(r1.x, r3.x)
    with torch.no_grad():
        lat = model.encode(X)
    lo, hi = lat.min(0).values, lat.max(0).values
    assert torch.all(r1.z >= lo - 0.2 * (hi - lo) - 1e-5) and torch.all(
        r1.z <= hi + 0.2 * (hi - lo) + 1e-5
    )
    assert torch.all(r1.error[1:] >= r1.error[:-1])
    assert r1.normal_error.shape == (60,)
    assert not any(
        p.grad is not None for p in model.parameters()
    )  # no gradients leak into the model
    with pytest.raises(ValueError, match="steps"):
        attacks.latent_pgd_search(model, X, steps=0)
    with pytest.raises(TypeError, match="restarts"):
        attacks.latent_pgd_search(model, X, restarts=2.5)
    with pytest.raises(ValueError, match="min_distance"):
        attacks.latent_pgd_search(model, X, min_distance=-1.0)
    with pytest.raises(TypeError, match="encode"):
        attacks.latent_pgd_search(nn.Identity(), X)


# --- input PGD ------------------------------------------------------------------------------


def test_input_pgd_finds_the_minimum_within_the_clamp():
    X = ring()
    model = Contraction((0.5, 0.5))
    r = attacks.input_pgd_search(model, X, steps=150, restarts=6, seed=0)
    assert r.method == "input PGD" and r.z is None and r.x.shape == (6, 2)
    assert float(r.error[0]) < 1e-4
    assert torch.all((r.x >= 0) & (r.x <= 1))


def test_input_pgd_projection_matches_a_brute_force_optimum():
    X = ring(radius=0.1, centre=(0.3, 0.5))
    model = Contraction((0.5, 0.5))  # c is 0.1 from the data
    md = 0.25  # the feasible set is the outside of a disc of radius 0.35 around (0.3, 0.5)
    r = attacks.input_pgd_search(model, X, steps=100, restarts=8, min_distance=md, seed=0)
    assert torch.all((r.x >= 0) & (r.x <= 1)) and torch.all(r.distance > md)
    # brute force over a fine grid of the unit square
    g = torch.linspace(0, 1, 301)
    pts = torch.stack(torch.meshgrid(g, g, indexing="xy"), -1).reshape(-1, 2)
    best = float(reconstruction_error(model, pts[brute_distance(pts, X) > md]).min())
    assert float(r.error[0]) <= best * 1.05 + 1e-6
    # the optimum: 0.35 from the ring's centre on the ray through c, i.e. (0.65, 0.5)
    torch.testing.assert_close(r.x[0], torch.tensor([0.65, 0.5]), atol=0.03, rtol=0)


def test_input_pgd_trapped_starts_are_listed_last():
    """Inside a ring of radius 0.3, no point is 0.4 from the data: starts there stay infeasible."""
    X = ring()
    r = attacks.input_pgd_search(
        Contraction((0.5, 0.45)), X, steps=60, restarts=16, min_distance=0.4, seed=0, screen=1
    )
    feasible = r.distance > 0.4
    k = int(feasible.sum())
    assert 1 <= k < 16 and torch.all(feasible[:k]) and not torch.any(feasible[k:])


def test_input_pgd_on_image_shaped_inputs_and_unbounded_data():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 16), nn.Sigmoid(), nn.Unflatten(1, (1, 4, 4)))
    X = torch.rand(20, 1, 4, 4)
    r = attacks.input_pgd_search(model, X, steps=10, restarts=3, reduction="sum")
    assert r.x.shape == (3, 1, 4, 4) and r.error.shape == (3,) and r.distance.shape == (3,)
    torch.testing.assert_close(r.error, reconstruction_error(model, r.x, reduction="sum"))
    torch.testing.assert_close(r.distance.double(), brute_distance(r.x, X), rtol=1e-5, atol=1e-5)
    # unbounded tabular data: the box is the data's, enlarged by the margin
    Xt = torch.randn(30, 2) * 5
    r = attacks.input_pgd_search(nn.Identity(), Xt, steps=5, restarts=8, clamp=None, margin=0.5)
    lo, hi = Xt.min(0).values, Xt.max(0).values
    assert torch.all(r.x >= lo - 0.5 * (hi - lo) - 1e-5) and torch.all(
        r.x <= hi + 0.5 * (hi - lo) + 1e-5
    )
    assert float(r.error.max()) == 0.0  # the identity reconstructs everything
    with pytest.raises(ValueError, match="clamp"):
        attacks.input_pgd_search(nn.Identity(), Xt, clamp=(1.0, 0.0))
    with pytest.raises(ValueError, match="clamp=None"):
        attacks.input_pgd_search(nn.Identity(), Xt)  # default clamp (0, 1) but data outside it
    with pytest.raises(TypeError, match="model"):
        attacks.input_pgd_search(lambda x: x, Xt)


def test_search_result_repr_and_adversarial_mask():
    X = ring()
    model = Contraction((0.5, 0.5))
    r = attacks.latent_pgd_search(
        model, X, steps=50, restarts=12, min_distance=0.1, seed=1, screen=1
    )
    expected = (r.error <= reconstruction_error(model, X).min()) & (r.distance > 0.1)
    assert r.adversarial().tolist() == expected.tolist()
    assert 0 < int(expected.sum()) < 12  # starts inside the ring reach c, the others cannot
    text = repr(r)
    assert "latent PGD" in text and "12 candidates" in text
    assert f"{int(expected.sum())} adversarial" in text


def test_screening_starts_in_narrow_valleys():
    """A 1-D valley of width 0.02 in a box of width ~3: screened starts find it, plain ones may not."""

    class Valley(nn.Module):
        def encode(self, x):
            return x[:, :1]

        def decode(self, z):
            return torch.cat([z, torch.zeros_like(z)], 1)

        def forward(self, x):  # error 0 only for |x1 - 1.7| < 0.01, else 1
            inside = ((x[:, :1] - 1.7).abs() < 0.01).to(x.dtype)
            return x + (1 - inside) * torch.ones_like(x)

    X = torch.tensor([[0.0, 0.0], [0.5, 0.0], [1.0, 0.0]])
    screened = attacks.latent_pgd_search(Valley(), X, steps=1, restarts=4, seed=0, screen=64)
    plain = attacks.latent_pgd_search(Valley(), X, steps=1, restarts=4, seed=0, screen=1)
    assert float(screened.error[0]) == 0.0 and abs(float(screened.z[0, 0]) - 1.7) < 0.01
    assert float(plain.error[0]) == 1.0
    with pytest.raises(ValueError, match="screen"):
        attacks.latent_pgd_search(Valley(), X, screen=0)


# --- one API: shared signature shape, settings objects, result names ---------------------------

SEARCHES = {
    attacks.latent_grid_search: attacks.LatentGrid,
    attacks.latent_pgd_search: attacks.LatentPGD,
    attacks.input_pgd_search: attacks.InputPGD,
}


def _kw_only(fn) -> list[str]:
    params = inspect.signature(fn).parameters.values()
    return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


def test_searches_share_one_signature_shape():
    for fn in SEARCHES:
        params = list(inspect.signature(fn).parameters.values())
        assert [p.name for p in params[:2]] == ["model", "X_normal"]
        positional = [p for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        assert len(positional) == 4, fn.__name__  # model, X_normal and the two main knobs
        assert _kw_only(fn)[:2] == ["min_distance", "reduction"], fn.__name__
    names = {fn.__name__: _kw_only(fn) for fn in SEARCHES}
    for a, kw_a in names.items():
        for b, kw_b in names.items():
            shared = [n for n in kw_a if n in kw_b]
            assert shared == [n for n in kw_b if n in kw_a], (a, b, shared)
    assert names["latent_pgd_search"][-1] == names["input_pgd_search"][-1] == "seed"
    # the positional calls of the DESIGN contract
    model, X = ReluAE(seed=1).eval(), torch.randn(30, 3)
    assert len(attacks.latent_grid_search(model, X, 6, ((-1, 1), (-1, 1)))) > 0
    assert len(attacks.latent_pgd_search(model, X, 3, 2)) == 2


def test_settings_objects_hold_the_functions_defaults():
    for fn, cls in SEARCHES.items():
        sig = inspect.signature(fn).parameters
        fields = dataclasses.fields(cls)
        assert [f.name for f in fields] == [n for n in sig if n in {f.name for f in fields}]
        for f in fields:
            assert f.default == sig[f.name].default, (cls.__name__, f.name)
        call = inspect.signature(cls.__call__).parameters
        assert [n for n in call if n != "self"][:4] == [
            "model",
            "X_normal",
            "min_distance",
            "reduction",
        ]
    # the course's documented constants describe the core's literal defaults
    assert attacks.LatentGrid() == attacks.LatentGrid(
        config.GRID_RESOLUTION,
        margin=config.GRID_MARGIN,
        top_k=config.GRID_TOP_K,
        batch_size=config.ATTACK_BATCH_SIZE,
    )
    assert attacks.LatentPGD() == attacks.LatentPGD(
        config.PGD_STEPS,
        config.PGD_RESTARTS,
        step_size=config.LATENT_PGD_STEP,
        margin=config.LATENT_PGD_MARGIN,
        penalty=config.PGD_DISTANCE_PENALTY,
        screen=config.PGD_SCREEN,
    )
    assert attacks.InputPGD() == attacks.InputPGD(
        config.PGD_STEPS,
        config.PGD_RESTARTS,
        step_size=config.INPUT_PGD_STEP,
        norm=config.INPUT_PGD_NORM,
        margin=config.INPUT_PGD_MARGIN,
        screen=config.PGD_SCREEN,
    )


def assert_same_result(a, b) -> None:
    assert type(a) is type(b) and a.method == b.method and a.min_distance == b.min_distance
    for name in ("x", "errors", "distances", "z", "normal_error"):
        ta, tb = getattr(a, name), getattr(b, name)
        assert (ta is None and tb is None) or torch.equal(ta, tb), name


def test_settings_objects_give_the_functions_results():
    model, X = ReluAE(latent=2, seed=1).eval(), torch.rand(40, 3)
    kw = dict(min_distance=0.2, reduction="sum")
    assert_same_result(
        attacks.LatentGrid(8, top_k=5, local_minima=False)(model, X, **kw),
        attacks.latent_grid_search(model, X, 8, top_k=5, local_minima=False, **kw),
    )
    assert_same_result(
        attacks.LatentPGD(10, 3, step_size=0.1, screen=4)(model, X, seed=2, **kw),
        attacks.latent_pgd_search(model, X, 10, 3, step_size=0.1, screen=4, seed=2, **kw),
    )
    assert_same_result(
        attacks.InputPGD(10, 3, norm="linf", screen=4)(model, X, seed=2, **kw),
        attacks.input_pgd_search(model, X, 10, 3, norm="linf", screen=4, seed=2, **kw),
    )
    pgd = attacks.LatentPGD(10, 3, screen=4)
    assert dataclasses.replace(pgd, step_size=0.1) == attacks.LatentPGD(
        10, 3, step_size=0.1, screen=4
    )


def test_settings_objects_are_validated_and_frozen():
    with pytest.raises(ValueError, match="steps"):
        attacks.LatentPGD(steps=0)
    with pytest.raises(ValueError, match="norm"):
        attacks.InputPGD(norm="l1")
    with pytest.raises(TypeError, match="clamp"):
        attacks.InputPGD(clamp=0.5)
    with pytest.raises(ValueError, match="bounds"):
        attacks.LatentGrid(bounds=((1, 0), (0, 1)))
    with pytest.raises(ValueError, match="resolution"):
        attacks.LatentGrid(1)
    with pytest.raises(ValueError, match="step_size"):
        dataclasses.replace(attacks.LatentPGD(), step_size=-1.0)
    with pytest.raises(TypeError):
        attacks.LatentPGD(200, 16, 0.02)  # step_size is keyword-only, as in the function
    pgd = attacks.LatentPGD()
    with pytest.raises(dataclasses.FrozenInstanceError):
        pgd.steps = 3
    with pytest.raises(ValueError, match="reduction"):
        pgd(ReluAE(), torch.randn(5, 3), reduction="max")
    assert attacks.InputPGD(clamp=[0, 1]).clamp == (0.0, 1.0)


def test_singular_result_names_are_read_only_aliases():
    model, X = ReluAE(seed=1).eval(), torch.randn(30, 3)
    r = attacks.latent_pgd_search(model, X, 3, 2, min_distance=0.1)
    assert r.error is r.errors and r.distance is r.distances
    with pytest.raises(AttributeError):
        r.error = r.errors
