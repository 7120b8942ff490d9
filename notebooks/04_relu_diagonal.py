# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · A ReLU autoencoder on the diagonal (§4.4.1)
#
# **Paper:** §4.4.1 *Failure of a non-linear network with ReLU activations*.
#
# **Learning goals**
# - build by hand the ReLU autoencoder the paper describes and *prove by computation* that
#   every point a = c(1, 1) with c ≥ min αᵢ — the data and everything beyond their upper end,
#   however far — is reconstructed perfectly (checked up to c = 10⁶), while below min αᵢ it is not;
# - train that same [2, 1, 2] autoencoder from ten seeds and check whether training finds the
#   hand-built weights, and read off the **fixed directions** of the affine map a ReLU network
#   becomes far from the data: the only directions where the far-field error can stay bounded;
# - train the paper's [2, 5, 1, 5, 2] on the same data and see that beyond the data's edge the set
#   of active ReLU units stops changing: the network becomes **one affine map** there;
# - connect this to the linear theory of notebooks 02–03.
#
# The data: normal samples xᵢ = αᵢ(1, 1) on the diagonal (αᵢ uniform in
# `config.DIAGONAL_ALPHA_RANGE`).

# %% [markdown]
# **Before you start**
#
# - **Prerequisites:** notebooks 02–03; a ReLU network as a piecewise-linear function (each unit is
#   on or off).
# - **Time:** about 45 minutes to read, run and do the exercises (our estimate for a
#   first reading; running the code itself takes a minute or less).
# - **Terms** such as *far*, *adversarial anomaly*, *ε-zone* or *PGD* are defined in the
#   [glossary](../docs/glossary.md).

# %%
import copy
import math

import matplotlib.pyplot as plt
import torch

from aelib.course import config
from aelib.course.exercises import (
    check_04_freeze_search,
    check_04_min_bias,
    check_04_pattern_freeze,
    diagonal_212_runs,
    fixed_directions,
    frozen_affine_map,
    hand_built_diagonal_ae,
    pattern_freeze_point,
)
from aelib.course.oob import activation_pattern, distance_to_data, out_of_bounds
from aelib.course.plots import activation_walk, figure1_panel
from aelib.course.toy_training import figure1_data, fit_toy_autoencoder
from aelib.course.widgets import ray_explorer
from aelib.course.widgets.diagonal import direction_explorer, ray_errors
from aelib.metrics import reconstruction_error
from aelib.models import MLPAutoencoder

X = figure1_data("diagonal")
print(f"{len(X)} points, alpha in [{X[:, 0].min():.3f}, {X[:, 0].max():.3f}]")

# %% [markdown]
# ## 1 · The hand-built ReLU autoencoder
#
# A linear AE with $W_\text{enc} = \beta(1,1)^T$ reconstructs the diagonal perfectly. The ReLU
# version (layer sizes [2, 1, 2]) uses the same weights plus an encoder bias $b$ that keeps every
# pre-activation non-negative, $x_i W_\text{enc} + b \ge 0$, i.e. $b \ge -\min_i x_i W_\text{enc}$
# (the paper writes this condition loosely as $b_\text{enc} \ge \min_i(x_i W_\text{enc})$). Then
# the ReLU acts as the identity on the data, and the decoder undoes the encoder:
#
# $$h = 2\beta\alpha + b,\qquad \hat x = \frac{h - b}{2\beta}(1,1) = \alpha(1,1).$$
#
# **Exercise 1.** Compute the smallest such bias $b$ for β = `config.DIAG_BETA`.

# %% nbgrader={"grade": false, "grade_id": "nb04_min_bias", "locked": false, "schema_version": 3, "solution": true, "task": false}
b = None  # your answer: the smallest b with x_i W_enc + b >= 0 for every i
### BEGIN SOLUTION
b = float(-(X @ (config.DIAG_BETA * torch.ones(2))).min())
### END SOLUTION

# %%
assert check_04_min_bias(b)

# %% [markdown]
# Now set the weights and check the paper's claim in float64: the data, and points
# a = c(1, 1) for huge c, are all reconstructed (up to rounding) perfectly. The claim needs
# $h = 2\beta c + b \ge 0$, i.e. $c \ge \min_i \alpha_i$: below the data's lower end the unit is
# off and the output is the constant $-b/(2\beta)\,(1, 1) = \min_i\alpha_i\,(1, 1)$, so the
# error grows (the last line below, at c = −10).

# %%
beta = config.DIAG_BETA
b_hand = float(-(X @ (beta * torch.ones(2))).min())  # the bias of Exercise 1
hand = MLPAutoencoder([2, 1, 2], activation="relu", seed=0).double()
with torch.no_grad():
    enc, dec = hand.encoder[0], hand.decoder[0]
    enc.weight[:] = beta * torch.ones(1, 2)
    enc.bias[:] = b_hand
    dec.weight[:] = torch.ones(2, 1) / (2 * beta)
    dec.bias[:] = -b_hand / (2 * beta) * torch.ones(2)
# the same network as the library's copy that the widgets and checkers below use
for mine, lib in zip(hand.parameters(), hand_built_diagonal_ae(beta).parameters(), strict=True):
    assert torch.allclose(mine, lib, atol=1e-6)

err_data = reconstruction_error(hand, X.double())
cs = torch.tensor([10.0, 1e3, 1e6], dtype=torch.float64)
A = cs[:, None] * torch.ones(2, dtype=torch.float64)
err_far = reconstruction_error(hand, A)
print(f"max MSE on the data: {err_data.max():.1e}")
for c, e in zip(cs, err_far, strict=True):
    dist = distance_to_data(c * torch.ones(1, 2), X).item()
    print(f"a = {c:.0e} * (1, 1): distance to the data {dist:.3g}, MSE {e:.1e}")
assert err_data.max() < 1e-20 and err_far.max() < 1e-12  # perfect, however far
err_below = float(reconstruction_error(hand, -10 * torch.ones(1, 2, dtype=torch.float64))[0])
print(f"a = -10 * (1, 1), below min alpha: MSE {err_below:.3g}")
assert err_below > 1  # the unit is off: a constant output

# %% [markdown]
# ## 2 · Does training find the hand-built weights?
#
# The paper: "the simplest non-linear autoencoder with ReLU activation **will find the same
# weights**, but with a bias such that $x_i W_\text{enc} + b_\text{enc} > 0$" (emphasis ours). We
# train that [2, 1, 2] ReLU autoencoder from ten seeds (`DIAG_212_SEEDS` = 0…9), each **once,
# without restarts**: full-batch Adam, lr `config.TOY_LR` = 0.01, `config.TOY_EPOCHS` = 2000 steps
# (the Figure-1 recipe's), all seeds in one batched pass (cached after the first run).
#
# **What to compare.** With encoder weights $w$, bias $b$, decoder weights $v$ and decoder bias
# $b_d$, the network is $f(x) = v\,\mathrm{relu}(w\cdot x + b) + b_d$. On the half-plane where
# the unit is on it is the affine map $x \mapsto Ax + b'$ with $A = v\,w^\top$; where it is off,
# the constant $b_d$. Far along a ray $x_0 + r\,u$ the error is $(A - I)(x_0 + r u) + b'$: it
# stays bounded only if $Au = u$, and then equals the constant $(A - I)x_0 + b'$ — zero for the
# hand-built network ($b' = 0$, $x_0$ on the diagonal). So the far field can be perfect only along
# the **eigen-directions of A with eigenvalue 1** that stay in the region where this map holds — the
# map's *fixed directions*.
# `frozen_affine_map(model, x)` reads $A$ and $b'$ off any ReLU network (its Jacobian at $x$),
# and `fixed_directions(model)` finds those directions (probing 360 rays from the origin at
# distance 1000, far enough that where a ray starts no longer matters). $A = v w^\top$ has
# eigenvalues $\lambda = w\cdot v$ (eigenvector $v$) and 0; for the hand-built network $A$ is
# the projection onto the diagonal:

# %%
A_on, b_on = frozen_affine_map(hand, torch.tensor([10.0, 10.0]))
A_off, b_off = frozen_affine_map(hand, torch.tensor([-10.0, -10.0]))
print(f"unit on  (at (10, 10)):   A = {A_on.tolist()}, b' = {b_on.tolist()}")
print(
    f"unit off (at (-10, -10)): A = {A_off.tolist()}, b' = {[round(v, 3) for v in b_off.tolist()]}"
)
print(f"eigenvalues of A (unit on): {torch.linalg.eigvalsh(A_on).round(decimals=6).tolist()}")
print(f"fixed directions of the hand-built network: {fixed_directions(hand)} degrees")
assert fixed_directions(hand) == [45.0]  # only the upper half of the diagonal

# %% [markdown]
# Now the ten trained networks beside it. Columns: the final training MSE; the angle between the
# encoder weights $w$ and the diagonal (hand-built: 0°); the point $\alpha^* = -b/(w\cdot(1,1))$
# on the diagonal where the unit switches (hand-built: $\min_i\alpha_i$, the smallest bias of
# Exercise 1); $\lambda = w\cdot v$; the fixed directions; the MSE at three far points; and, at
# distance $r = 100$ from the data's centre, the MSE along the fixed direction and the smallest
# MSE over all other directions of a 1° grid (at least 2° away from it).

# %% tags=["tolerance-trained"]
runs = diagonal_212_runs()
far = torch.tensor([[10.0, 10.0], [-10.0, -10.0], [10.0, -10.0]], dtype=torch.float64)
diag = torch.ones(2, dtype=torch.float64)
centre = X.double().mean(0)
grid = torch.arange(360.0, dtype=torch.float64)  # directions, degrees
rays = centre + 100 * torch.stack([grid.deg2rad().cos(), grid.deg2rad().sin()], 1)


def describe(model):
    """The table's numbers for one [2, 1, 2] network (float64 copy)."""
    m = copy.deepcopy(model).double()
    w, b = m.encoder[0].weight[0].detach(), float(m.encoder[0].bias.detach())
    v = m.decoder[0].weight[:, 0].detach()
    off = math.degrees(math.acos(min(1.0, abs(float(w @ diag)) / float(w.norm() * 2**0.5))))
    fixed = fixed_directions(m)
    with torch.no_grad():
        row = {
            "loss": float(((m(X.double()) - X.double()) ** 2).mean()),
            "off": off,
            "kink": -b / float(w @ diag),
            "lam": float(w @ v),
            "fixed": fixed,
            "far": ((m(far) - far) ** 2).mean(1).tolist(),
            "sign": float(w @ diag),
            "n_on": int((X.double() @ w + b > 0).sum()),  # training points where the unit is on
        }
        on_grid = ((m(rays) - rays) ** 2).mean(1)  # MSE at r = 100, every grid direction
    on = [float(ray_errors(m, centre, a, torch.tensor([100.0]))[0]) for a in fixed]
    away = torch.ones(360, dtype=torch.bool)
    for a in fixed:
        away &= ((grid - a + 180) % 360 - 180).abs() >= 2
    row["r100_fixed"], row["r100_other"] = (max(on) if on else None), float(on_grid[away].min())
    return row


rows = {"hand-built": describe(hand)}
rows.update({f"seed {run.seed}": describe(run.model) for run in runs})
print(
    f"{'model':<11}{'MSE data':>9}{'w vs diag':>10}{'alpha*':>8}{'lambda':>8}  {'fixed':<6}"
    f"{'(10,10)':>9}{'(-10,-10)':>10}{'(10,-10)':>9}{'r=100: fixed':>14}{'others':>9}"
)
for name, row in rows.items():
    fixed = ", ".join(f"{a:g}°" for a in row["fixed"]) or "none"
    on = "none" if row["r100_fixed"] is None else f"{row['r100_fixed']:.1g}"
    e = row["far"]
    print(
        f"{name:<11}{row['loss']:>9.2g}{row['off']:>9.1f}°{row['kink']:>8.3f}{row['lam']:>8.4f}  "
        f"{fixed:<6}{e[0]:>9.2g}{e[1]:>10.3g}{e[2]:>9.3g}{on:>14}{row['r100_other']:>9.3g}"
    )
found = [n for n, row in rows.items() if n != "hand-built" and row["fixed"]]
collapsed = [f"seed {run.seed}" for run in runs if run.collapsed]
mirrored = [n for n in found if rows[n]["sign"] < 0]
print(
    f"{len(found)} of {len(runs)} seeds reach a fixed direction "
    f"({len(found) - len(mirrored)} along 45°, {len(mirrored)} along 225°, the mirror image); "
    f"{len(collapsed)} collapsed to the mean (loss {runs[0].baseline:.3g})"
)

# %%
for name, row in rows.items():
    if name != "hand-built" and name in collapsed:  # dead on the data: the loss of the mean
        assert row["loss"] > 0.5 * runs[0].baseline and row["fixed"] == []
        assert row["n_on"] == 0  # the unit is off on every training point
        continue
    assert row["loss"] < 1e-4 and abs(row["lam"] - 1) < 5e-5  # A has eigenvalue 1 ...
    assert row["fixed"] == ([45.0] if row["sign"] > 0 else [225.0])  # ... along the diagonal
    assert row["r100_fixed"] < 1e-3 < 1 < row["r100_other"]  # (near) perfect only along it
    assert row["far"][2] > 1  # c(1, -1) is never reconstructed
assert len(found) + len(collapsed) == len(runs) and found  # each seed: one or the other

# %% [markdown]
# **Where training does and does not find the hand-built weights** (the numbers above):
#
# - **Collapse.** Some seeds (4 of 10 in our run) end at the loss of the mean: the unit is off on
#   every training point, so no gradient reaches the encoder. They have no fixed direction, and
#   every far point has a large error.
# - **The rest find the hand-built *function* on the diagonal**, not its weights: loss ≤ 4e-7,
#   $\lambda = 1.0000$ to four decimals, a fixed direction along the diagonal, and the unit
#   switches at the data's end ($\alpha^*$ = −0.995 or ≈ 0.99): the smallest bias that keeps every
#   point on, as in Exercise 1. But $w$ is *not* parallel to (1, 1) (1°–50° off): the data never
#   test $w$'s component along (1, −1), so it keeps its random starting value. That tilts the line
#   where the unit switches, and changes the error off the diagonal (the (10, −10) column: 100 for
#   the hand-built network, up to 237 for trained ones).
# - **Near-perfect, not perfect.** $\lambda$ is 1 only up to training's precision, so along the
#   fixed direction the error still grows, like $(1-\lambda)^2 r^2/2$: at $r = 100$ it is at most
#   5e-05 (seed 3) — far below ε, yet not the hand-built network's exact 0.
# - **The sign is a coin flip.** Four of the six chose $\beta < 0$, the mirror image: their
#   perfect half-ray is $c(1,1)$ with $c \to -\infty$, and at (10, 10) — the paper's direction —
#   their unit is off and the MSE is 81.
# - In **every** other direction the far field is far from perfect: at $r = 100$ the smallest
#   MSE 2° or more away from the fixed direction is 6.09 (hand-built) to 14.4, and in the
#   thousands for the collapsed seeds.

# %% [markdown]
# ### Explore: turn the ray
#
# The slider turns a ray $x_0 + r\,u_\theta$ around the data's centre $x_0$ and plots the
# error $r \mapsto \lVert f(x_0 + r u_\theta) - (x_0 + r u_\theta)\rVert^2/2$ for the
# hand-built network and two trained ones (a 45° seed and a 225° seed); the dashed arrows mark
# each network's fixed directions, where the far field is perfect.
#
# **Predict, then check.** Before you move the slider: using the table, explain why θ = 225°,
# the diagonal's other half, is not perfect for the hand-built network although it lies on the
# same line as its fixed direction. Then find a direction where the far field is **not** perfect
# for the hand-built network although it *is* for a trained one, and explain it from the table's
# columns; check both with the slider.

# %% tags=["nbval-ignore-output"]
best = sorted(found, key=lambda n: rows[n]["loss"])  # of each sign, the lowest training loss
seed_up, seed_down = (next(n for n in best if (rows[n]["sign"] > 0) == up) for up in (True, False))
direction_models = {"hand-built": hand}
direction_models.update(
    {f"trained {n}": runs[int(n.split()[1])].model for n in (seed_up, seed_down)}
)
directions = direction_explorer(direction_models, X, r_max=20.0, step=5.0)
directions

# %% [markdown] tags=["model-answer"]
# <details><summary><b>Model answer</b></summary>
#
# Only θ = 45° keeps the hand-built network's error at 0: $A$ is the projection onto the
# diagonal, so every other direction loses its component across the diagonal, and the error grows
# like $r^2\sin^2(\theta - 45°)/2$. θ = 225° is **not** perfect for it, although it is the same
# line: beyond the data's lower end the unit is off and the output is the constant
# $\min_i\alpha_i(1,1)$ (MSE 81.1 at (−10, −10) in the table). A 225° seed (β < 0) is exactly the
# mirror image: perfect along 225°, MSE 81 along 45°. Off the diagonal nothing is perfect: on the
# side where the unit is on the error grows like $r^2\sin^2(\theta - 45°)/2$ (A drops the part
# across the diagonal), on the other side like $r^2/2$ (a constant output). The hand-built network
# is one of a whole family of equally good solutions (either sign of β, any tilt of $w$ across
# the diagonal), and training lands on any of them.
#
# </details>

# %% [markdown]
# ## 3 · The paper's [2, 5, 1, 5, 2] on the same data

# The course's Figure-1 recipe: layer sizes `config.TOY_SIZES_SHALLOW` = [2, 5, 1, 5, 2], ReLU
# everywhere but the last layer, full-batch Adam (lr `config.TOY_LR`, `config.TOY_EPOCHS`
# steps), **`config.TOY_RESTARTS` restarts keeping the lowest training loss** — tiny ReLU AEs
# often die (notebook 05 measures how often and why).

# %% tags=["tolerance-trained"]
fit = fit_toy_autoencoder(X, activation="relu")
model = fit.model
print(f"restart losses: {[round(v, 4) for v in fit.final_losses.tolist()]}")
print(
    f"kept restart {fit.best} (loss {fit.loss:.2g}); {fit.n_collapsed} of {len(fit.final_losses)} "
    f"collapsed to the mean (loss {fit.baseline:.3g})"
)
assert fit.loss < 0.01

# %% [markdown]
# Where does this network reconstruct points *below ε*? That depends on how well its encoder
# and decoder match there (the paper: "there may be a mismatch between the encoder and
# decoder, even at the global optimum"). The whole plane tells the story:

# %% tags=["tolerance-trained"]
oob = out_of_bounds(model, X)
print(oob)
fig, ax = plt.subplots(figsize=(5.6, 4.6))
figure1_panel(oob, X, ax=ax, title="trained [2,5,1,5,2] ReLU AE on the diagonal", legend=True)
plt.show()

# %% [markdown]
# **Exercise 2 (slider).** Move the point along the diagonal. Find the smallest t ≥ 0 beyond
# which the list of active hidden units no longer changes (to within the slider step), and
# compare it with the data's edge.

# %% tags=["nbval-ignore-output"]
explorer = ray_explorer(model, X, oob, direction=(1.0, 1.0), t_max=14.0)
explorer

# %% nbgrader={"grade": false, "grade_id": "nb04_pattern_freeze", "locked": false, "schema_version": 3, "solution": true, "task": false}
t_freeze = None  # your answer: the t > 0 where the active units last change
### BEGIN SOLUTION
t_freeze = pattern_freeze_point(model)  # the scan behind the slider, at step 0.01
### END SOLUTION

# %%
assert check_04_pattern_freeze(t_freeze)

# %% [markdown]
# **Exercise 3 (code).** Now write the search the slider did by hand. `freeze_point(model,
# direction, t_max, step)` scans t = 0, step, 2·step, …, t_max along $a(t) = t\,d/\lVert d
# \rVert$, gets each point's pattern with `activation_pattern(model, points)` (a bool tensor, one
# row per point, one column per hidden unit) and returns the first t of the *last* pattern — the t
# just after the last change (0.0 if the pattern never changes), without calling the library's
# `pattern_freeze_point`. The checker runs it on fresh random networks and directions.

# %% nbgrader={"grade": false, "grade_id": "nb04_freeze_search", "locked": false, "schema_version": 3, "solution": true, "task": false}
freeze_point = None  # your answer: a function freeze_point(model, direction, t_max, step) -> t


### BEGIN SOLUTION
def freeze_point(model, direction, t_max, step):
    d = torch.as_tensor(direction, dtype=torch.float32)
    ts = torch.arange(0.0, t_max + step / 2, step)
    pattern = activation_pattern(model, ts[:, None] * d / d.norm())
    changes = torch.nonzero((pattern[1:] != pattern[:-1]).any(1)).flatten()
    return float(ts[changes[-1] + 1]) if len(changes) else 0.0


### END SOLUTION

# %%
assert check_04_freeze_search(freeze_point)

# %% [markdown]
# Now the whole walk at once, to compare with your answer: a point moves along the diagonal,
# a(t) = t·(1, 1)/√2, and we record which of the 11 hidden ReLU units (5 + 1 + 5) are active.
# The data lie between two edges, t = ±max‖xᵢ‖ (dashed).

# %%
ts = torch.linspace(-14, 14, 281)
ray = ts[:, None] * torch.ones(2) / 2**0.5
pattern = activation_pattern(model, ray)
errors = reconstruction_error(model, ray)
edge = float(X.norm(dim=1).max())
along = X @ (torch.ones(2) / 2**0.5)  # each data point's position t on the ray
edges = (float(along.min()), float(along.max()))  # ±edge: the data sit on the diagonal
print(f"data edges along the ray: t = {edges[0]:.3g} and {edges[1]:.3g}")
activation_walk(ts, errors, pattern, edge=edges, eps=config.EPSILON)
plt.show()

# %% [markdown]
# The paper's intuition: "At the edge of the data space, only a few of the ReLU neurons
# activate. Beyond this edge, no new neurons will activate, nor will any of the activated ones
# deactivate." We measure where the pattern *really* stops changing on each side of the
# diagonal. Along a ray every pre-activation is piecewise affine in t, so there are finitely many
# changes: beyond the last one the network is the single affine map $x \mapsto W x + c$ obtained
# by multiplying the active parts of its layers. We check that the pattern at the freeze point
# equals the one at t = 10⁶, and that the reconstruction is exactly affine there (its second
# differences vanish).

# %% tags=["tolerance-trained"]
t_plus = pattern_freeze_point(model, direction=(1.0, 1.0))
t_minus = pattern_freeze_point(model, direction=(-1.0, -1.0))
print(f"edge of the data: t = ±{edge:.3g}")
print(
    f"last pattern change: t = +{t_plus:.3g} ({t_plus / edge:.2g} x edge) "
    f"and t = -{t_minus:.3g} ({t_minus / edge:.2g} x edge)"
)
for sign, t_star in ((1.0, t_plus), (-1.0, t_minus)):
    probe = sign * torch.tensor([t_star + 0.1, 30.0, 1e3, 1e6])[:, None] * torch.ones(2) / 2**0.5
    p = activation_pattern(model, probe)
    assert (p == p[0]).all(), "the pattern still changes far out"
    far_t = sign * torch.tensor([t_star + 5.0, t_star + 10.0, t_star + 15.0])
    recon = model.double()(
        far_t.double()[:, None] * torch.ones(2, dtype=torch.float64) / 2**0.5
    ).detach()
    model.float()
    assert (recon[2] - 2 * recon[1] + recon[0]).abs().max() < 1e-9  # one affine map out there
n_after_edge = int((pattern[1:] != pattern[:-1]).any(1)[(ts[1:].abs() > edge)].sum())
print(f"pattern changes beyond the edge on the scan above: {n_after_edge}")
assert t_plus > edge and t_minus > edge and n_after_edge > 0  # units switch beyond the edge
err_far = reconstruction_error(model, torch.tensor([[10.0, 10.0], [-10.0, -10.0]]))
print(f"MSE at +-10 (1, 1): {err_far[0]:.3g}, {err_far[1]:.3g}")

# %% [markdown]
# Which directions does this network reconstruct perfectly far away? As in section 2: the
# eigen-directions with eigenvalue 1 of its frozen affine maps. Its bottleneck has one unit, so
# each frozen map $A$ has rank ≤ 1: one eigenvalue $\lambda$ (its eigenvector is the direction the
# decoder draws) and 0.

# %% tags=["tolerance-trained"]
for side, sign in (("+", 1.0), ("-", -1.0)):
    A_far, _ = frozen_affine_map(model, sign * torch.tensor([1e3, 1e3]))
    values, vectors = torch.linalg.eig(A_far)
    top = int(values.abs().argmax())
    where = f"frozen map far along {side}(1, 1):"
    if float(values.abs().max()) < 1e-9:
        print(f"{where} A = 0 (the bottleneck unit is off), all eigenvalues 0")
        continue
    vec = vectors[:, top].real
    angle = math.degrees(math.atan2(vec[1], vec[0])) % 180
    print(f"{where} eigenvalues 0 and {values[top].real:.3f} (eigenvector at {angle:.1f} deg)")
fixed_big = fixed_directions(model)
print(f"fixed directions: {fixed_big or 'none'}")
assert fixed_big == []  # no eigenvalue 1 on either side

# %% [markdown]
# Far along +(1, 1) the frozen map shrinks its eigen-direction (46.8°, close to the diagonal) by
# $\lambda$ (printed above), so along the diagonal the error grows roughly like
# $(1-\lambda)^2 r^2/2$ — slowly, which is why the MSE at +10(1, 1) is
# only 0.591 and the out-of-bounds zone reaches well beyond the data, but it is not perfect
# anywhere far out. Along −(1, 1) the bottleneck unit is off (all eigenvalues 0): a constant
# output. This network has **no** fixed direction, unlike the [2, 1, 2] networks of section 2.

# %% [markdown]
# So the paper's intuition holds *eventually* — beyond a finite distance the trained network is
# one affine map — but not exactly at the data's edge: in our run a few units still switch
# between the edge and the freeze points printed above.

# %% [markdown]
# ### Think!
#
# 1. The paper says the active pattern stops changing "at the edge of the data"; here the edge is
#    at $t = \pm 1.41$ but the last change is at $t = +3.32$ and $t = -11.6$. Why must the pattern
#    freeze *eventually* along any ray?
# 2. Beyond the freeze point the network is one affine map. Does that mean far points on the
#    diagonal are reconstructed well?
#
# Discuss with a partner, or write two or three sentences for each, before you read on.

# %% [markdown] tags=["model-answer"]
# <details><summary><b>Model answer</b></summary>
#
# 1. Along a ray $x(t) = t\,u$ each first-layer pre-activation is affine in $t$, so it changes
#    sign at most once. Between two consecutive changes the pattern is fixed, so the next layer's
#    pre-activations are affine in $t$ there and each changes sign finitely often; layer by layer
#    the number of breakpoints stays finite. Beyond the last one the pattern is constant and the
#    network is a single affine map $x \mapsto Wx + c$. Nothing ties that last breakpoint to the
#    data's edge: a unit whose switching line crosses the ray outside the data still switches there
#    (5 changes beyond the edge in our scan, the last at 2.4× and 8.2× the edge).
# 2. Not necessarily. Whether far points fall in the ε-zone depends on how well the frozen
#    encoder and decoder match along that direction. For the hand-built network they match exactly
#    (MSE 0 up to $10^6(1,1)$): (1, 1) is a fixed direction of its frozen map. The trained
#    [2, 5, 1, 5, 2] has **no** fixed direction: far along +(1, 1) its frozen map has eigenvalue
#    0.915, not 1, and along −(1, 1) only 0. Its MSE is 0.591 at $+10(1,1)$ and 81 at
#    $-10(1,1)$ — not perfect at (10, 10). Its out-of-bounds zone still reaches 6.45 from the data
#    (4.18 data radii), because the error grows only slowly, but no far point on the plane meets the
#    worst case. Affine far away makes failure *possible*, not certain.
#
# </details>

# %% [markdown]
# ## Summary
#
# - With $W_\text{enc} = \beta(1,1)^T$ and a bias $b \ge -\min_i x_i W_\text{enc}$, a ReLU AE
#   reconstructs every a = c(1, 1) with c ≥ min αᵢ perfectly (checked up to c = 10⁶); below the
#   data's lower end it outputs a constant. Far away it is one affine map, and the far field is
#   perfect exactly along that map's **fixed directions** (eigenvalue 1): here only 45°.
# - **Training the same [2, 1, 2] from ten seeds** (no restarts): 4 collapse to the mean; the
#   other 6 learn the hand-built *function* on the diagonal (λ = 1 to four decimals, the smallest
#   bias) but not its weights — $w$ keeps a random tilt across the diagonal, and 4 of the 6 pick the
#   mirror image (β < 0), whose perfect direction is 225°, with MSE 81 at (10, 10).
# - A *trained* ReLU AE has the same structure far from the data: the active set of ReLU units
#   freezes (in our run well beyond the data's edge, at the multiples of it printed above, not at
#   the edge itself), and beyond that the network is one affine map. How well it reconstructs far
#   points then depends on how the frozen encoder and decoder match along a direction: here far
#   diagonal points are *not* below ε (MSE 0.59 and 81 at ±10·(1, 1), printed above).
#
# **Next:** [05 · ReLU autoencoders on tabular data](05_relu_tabular.ipynb) maps the out-of-bounds
# zones of trained ReLU autoencoders on three data sets (Figure 1a–d).
#
# **Further reading** (all cited by the paper)
#
# - Glorot, X., Bordes, A. & Bengio, Y. (2011). Deep sparse rectifier neural networks. *AISTATS
#   2011*, 315–323. — why ReLU networks became the default (and why they are piecewise linear).
