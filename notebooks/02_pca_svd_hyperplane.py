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
# # 02 · PCA, its principal hyperplane, and anomalies with zero loss (§4.2)
#
# **Paper:** §4.2 *PCA* — Lemma 1 and Theorem 2.
#
# **Learning goals**
# - compute PCA by the singular value decomposition and read it as an encoder–decoder pair;
# - prove (and check numerically, for random subspaces) **Lemma 1**: every point of the column
#   space of $V_d$ is reconstructed with **zero loss**;
# - follow **Theorem 2**: $a = x_iV_dV_d^\top + cV_d^\top$ keeps zero loss while its distance to
#   *all* training data grows without bound — and see what a start $x_i$ on the **convex hull**
#   of the projected data adds: the sharp bound "distance $\ge \lVert c\rVert$" for every $c$
#   (any start works once $c$ is large enough).
#
# We work with a 3-D data set whose points lie close to a tilted 2-D plane (so $n = 3$, $d = 2$),
# and with the 2-D toy Gaussian of notebook 01 ($n = 2$, $d = 1$) for the slider.

# %% [markdown]
# **Before you start**
#
# - **Prerequisites:** notebook 01; the singular value decomposition, orthonormal bases and
#   orthogonal projection.
# - **Time:** about 60 minutes to read, run and do the exercises (our estimate for a
#   first reading; running the code itself takes a minute or less).
# - **Terms** such as *far*, *adversarial anomaly*, *ε-zone* or *PGD* are defined in the
#   [glossary](../docs/glossary.md).

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from aelib.course import config
from aelib.course.exercises import (
    check_02_far_point,
    check_02_theorem2_point,
    far_point_state,
    far_thresholds,
    plane_data,
)
from aelib.course.plots import hull_argument, plane_3d
from aelib.course.widgets import hyperplane_explorer
from aelib.data import gaussian
from aelib.linalg import hyperplane_anomaly, pca

X = plane_data()  # float64, shape (200, 3)
print(
    f"{tuple(X.shape)} points; generated with standard deviations {config.PLANE3D_STDS} "
    f"(two in-plane axes, one normal axis), mean {config.PLANE3D_MEAN}"
)

# %% [markdown]
# ## 1 · PCA by SVD
#
# Factorise the centred data matrix ($m\times n$) with the singular value decomposition
#
# $$X - \mathbf{1}\mu = U\Sigma V^\top,\qquad U^\top U = I,\; V^\top V = I,\;
#   \Sigma = \operatorname{diag}(\sigma_1 \ge \sigma_2 \ge \dots).$$
#
# The first $d$ columns of $V$, $V_d$ ($n \times d$), span the best-fitting $d$-dimensional
# subspace. PCA as an autoencoder:
#
# $$g(x) = (x-\mu)V_d \in \mathbb{R}^d,\qquad h(y) = yV_d^\top + \mu,\qquad
#   h(g(x)) = \mu + (x-\mu)V_dV_d^\top .$$
#
# The paper writes $X = U\Sigma V^\top$ without centring ($\mu = 0$); centring is what a linear
# autoencoder with biases learns (notebook 03, Theorem 4). `aelib.linalg.pca(X, d,
# center=False)` gives the paper's exact form; every statement below holds for both.
# Below we do the SVD by hand and compare with `aelib.linalg.pca` (singular vectors are unique
# only up to sign, so we compare $|v_k^\top v_k'|$).

# %%
mu = X.mean(0)
U, S, Vt = torch.linalg.svd(X - mu, full_matrices=False)
V2 = Vt[:2].T  # n x d = 3 x 2
p = pca(X, 2)
assert torch.allclose((V2 * p.components).sum(0).abs(), torch.ones(2, dtype=torch.float64))
assert torch.allclose(V2.T @ V2, torch.eye(2, dtype=torch.float64))  # orthonormal columns
explained = S**2 / (S**2).sum()
print(f"singular values {S.numpy().round(2)}; variance explained {explained.numpy().round(4)}")
print(
    f"training loss: mean {p.reconstruction_error(X).mean():.3g}, "
    f"min {p.reconstruction_error(X).min():.2e}, max {p.reconstruction_error(X).max():.3g}"
)

# %% [markdown]
# ## 2 · Lemma 1: the whole subspace is reconstructed perfectly
#
# **Lemma 1.** If $a$ lies in the column space of $V_d$ (for centred PCA: $a - \mu$ does), then
# $\mathcal{L}_R(a, h(g(a))) = 0$.
#
# *Proof.* Write $a = cV_d^\top$ for some $c\in\mathbb{R}^d$. Since $V_d^\top V_d = I_d$,
#
# $$h(g(a)) = aV_dV_d^\top = c\,V_d^\top V_d\,V_d^\top = cV_d^\top = a. \qquad\square$$
#
# Nothing in the proof limits $\|c\|$: points **arbitrarily far** from the data are reconstructed
# exactly. We check it in float64 for `config.LEMMA_TRIALS` random cases — random $n$ up to
# `config.LEMMA_MAX_N`, random $d<n$, random subspaces (both PCA subspaces of random data and
# plain random orthonormal bases) and random coefficients $c$ of size up to $10^3$ — and contrast
# it with points one unit *off* the subspace, whose loss is $1/n$.

# %%
gen = torch.Generator().manual_seed(0)
worst, off_best = 0.0, np.inf
for trial in range(config.LEMMA_TRIALS):
    n = int(torch.randint(2, config.LEMMA_MAX_N + 1, (1,), generator=gen))
    d = int(torch.randint(1, n, (1,), generator=gen))
    if trial % 2:  # the PCA subspace of random (uncentred, as in the paper) data
        data = torch.randn(3 * n, n, generator=gen, dtype=torch.float64)
        V = pca(data, d, center=False).components
    else:  # a random orthonormal basis
        V = torch.linalg.qr(torch.randn(n, d, generator=gen, dtype=torch.float64)).Q
    c = torch.randn(d, generator=gen, dtype=torch.float64) * 10 ** (
        3 * torch.rand(1, generator=gen)
    )
    a = c @ V.T
    worst = max(worst, float(((a - a @ V @ V.T) ** 2).mean()))
    w = torch.randn(n, generator=gen, dtype=torch.float64)
    w = w - w @ V @ V.T  # orthogonal to the subspace
    b = a + w / w.norm()  # one unit off the subspace
    off_best = min(off_best, float(((b - b @ V @ V.T) ** 2).mean()))
assert worst < config.LEMMA_TOL
assert off_best > 0.99 / config.LEMMA_MAX_N  # a unit step off costs ||w||^2 / n >= 1/n
print(
    f"{config.LEMMA_TRIALS} random cases: largest loss of a point in span(V_d) "
    f"< {config.LEMMA_TOL:g}: {worst < config.LEMMA_TOL}"
)
print(
    f"smallest loss of a point one unit off the subspace: {off_best:.2g} (= 1/n for the largest n)"
)

# %% [markdown]
# The same holds for the 3-D data with centring: $a = \mu + cV_2^\top$ for any $c$. The loss of
# such a point is below $10^{-10}$ (printed below), under the *smallest* loss of any training
# point — the worst case of notebook 01.

# %%
c = torch.tensor([300.0, -200.0], dtype=torch.float64)
a = p.mean + c @ p.components.T
loss_a = float(p.reconstruction_error(a))
min_train = float(p.reconstruction_error(X).min())
assert loss_a < config.LEMMA_TOL and loss_a <= min_train
print(
    f"a = mu + c V_2^T with c = {c.numpy()}: ||a - mu|| = {float((a - p.mean).norm()):.4g}, "
    f"loss < {config.LEMMA_TOL:g}: True, smallest training loss {min_train:.2e}"
)

# %% [markdown]
# ## 3 · Theorem 2: zero loss, arbitrarily far from all data
#
# **Theorem 2.** For any $\delta$ there is an $a$ with $\min_i \lVert x_i - a\rVert > \delta$ and
# $\mathcal{L}_R(a, h(g(a))) = 0$.
#
# *Proof sketch.* Take $a = x_iV_dV_d^\top + cV_d^\top$ (zero loss by Lemma 1: it is in the
# column space). The error $x_i - x_iV_dV_d^\top$ is orthogonal to the subspace and
# $a - x_iV_dV_d^\top = cV_d^\top$ lies in it, so by Pythagoras
#
# $$\lVert x_i - a\rVert^2 = \lVert x_i - x_iV_dV_d^\top\rVert^2 + \lVert cV_d^\top\rVert^2
#   \;\ge\; \lVert c\rVert^2 .$$
#
# That bounds the distance to **one** point. For the same bound from *all* points, start at a
# vertex $y_s$ of the convex hull of the projected data $XV_d$ and let $c$ point outward
# (section 4). First the Pythagoras step, numerically:

# %%
i = 0
proj = p.mean + (X[i] - p.mean) @ p.components @ p.components.T
c = torch.tensor([7.0, 24.0], dtype=torch.float64)
a = proj + c @ p.components.T
lhs = float((X[i] - a).norm() ** 2)
rhs = float((X[i] - proj).norm() ** 2 + (c @ p.components.T).norm() ** 2)
assert abs(lhs - rhs) < 1e-9 * lhs and lhs >= float(c @ c)
print(f"||x_i - a||^2 = {lhs:.6g} = {float((X[i] - proj).norm() ** 2):.4g} + {float(c @ c):.6g}")

# %% [markdown]
# `aelib.linalg.hyperplane_anomaly(X, pca, delta)` implements the full construction (start at
# the extreme point along $v_1$, move outward by just over $\delta$). We push $\delta$ from 1 to
# $10^6$: the distance to the nearest training point always exceeds $\delta$, while the loss stays
# at float64 rounding level — always below the smallest training loss.

# %%
rows = []
for delta in config.THEOREM2_DELTAS:
    a = hyperplane_anomaly(X, p, delta)
    dist = float((X - a).norm(dim=1).min())
    loss = float(p.reconstruction_error(a))
    rounding = (torch.finfo(torch.float64).eps * float(a.abs().max())) ** 2  # (eps |a|)^2
    assert dist > delta and loss <= min_train and loss <= 100 * rounding
    rows.append((delta, dist, loss <= min_train, loss <= 100 * rounding))
print(f"{'delta':>9} {'min_i dist(x_i, a)':>19} {'loss <= min train':>18} {'loss ~ rounding':>16}")
for delta, dist, below, tiny in rows:
    print(f"{delta:9.0e} {dist:19.7g} {below!s:>18} {tiny!s:>16}")

# %% [markdown]
# "Loss ~ rounding" means $\mathcal{L}_R(a) \le 100\,(\epsilon_{64}\max_j|a_j|)^2$: the loss is
# what float64 rounding of a vector of that size leaves, i.e. exactly zero in exact arithmetic.
# The figure shows the 3-D data, the principal plane, and the Theorem 2 point for $\delta = 10$.

# %%
a10 = hyperplane_anomaly(X, p, 10.0)
fig = plt.figure(figsize=(6.5, 5.5))
ax = fig.add_subplot(projection="3d")
plane_3d(X, p, {"a (δ = 10), loss 0": a10}, ax=ax)
ax.view_init(elev=15, azim=-30)
ax.set_title("3-D data, principal plane μ + span(V₂), and a zero-loss anomaly")
plt.show()

# %% [markdown]
# ## 4 · What a start on the convex hull buys: the sharp bound
#
# A hull start is *sufficient* for the sharp bound, not *necessary* for Theorem 2. From **any**
# start $y_i$, the triangle inequality gives $\lVert y_i + t\,u - y_j\rVert \ge t - \lVert y_i -
# y_j\rVert$, so every start ends at least $\delta$ from all data once
# $t > \delta + \max_j\lVert y_i - y_j\rVert$. A hull vertex gives more: distance $\ge t$ from
# every point, for every $t$.
#
# In latent coordinates $y_i = (x_i-\mu)V_d$, pick a unit direction $u$ and the hull vertex
# $y_s = \arg\max_i y_i\cdot u$. Every $y_i$ lies behind the line
# $\{y : (y - y_s)\cdot u = 0\}$, so $a$'s latent point $y_s + t\,u$ is at least $t$ from every
# $y_i$ — and distances in $\mathbb{R}^n$ are at least the distances of the projections. Starting
# from an **interior** point instead and moving the same (small) $t$ can land right next to other
# data (purple cross). The figure uses $u = (1,1)/\sqrt{2}$ and $t = 3$.

# %%
Y = p.encode(X)
u = torch.tensor([1.0, 1.0], dtype=torch.float64) / 2**0.5
s = int(torch.argmax(Y @ u))
assert bool(((Y - Y[s]) @ u <= 1e-12).all())  # every projected point is behind the line
t = 3.0
interior = int((Y - Y.mean(0)).norm(dim=1).argmin())
a = p.decode(Y[s] + t * u)
assert float((X - a).norm(dim=1).min()) >= t  # hull start: at least t from every x_i
b = p.decode(Y[interior] + t * u)
near_b = float(torch.cat([X[:interior], X[interior + 1 :]]).sub(b).norm(dim=1).min())
assert near_b < t  # interior start: some training point is closer than t
print(f"hull start: nearest training point {float((X - a).norm(dim=1).min()):.3g} >= t = {t}")
print(f"interior start: nearest other training point {near_b:.3g} < t (in R^3)")
near_y = float(
    torch.cat([Y[:interior], Y[interior + 1 :]]).sub(Y[interior] + t * u).norm(dim=1).min()
)
print(f"               in the latent plane (the figure's legend): {near_y:.3g}")
fig, ax = plt.subplots(figsize=(6, 5))
hull_argument(Y, u, t, interior_index=interior, ax=ax)
ax.set_title("Theorem 2 in the latent plane")
plt.show()

# %% [markdown]
# ## 5 · Explore: slide along the principal line
#
# On the 2-D toy Gaussian with $d = 1$, the slider moves $a = \mu + (y_s + c)\,v_1^\top$, where
# $y_s$ is the largest first principal coordinate (the hull vertex along $+v_1$, orange square).
# The dashed circle around $a$ passes through the nearest training point. For $c > 0$ the point
# moves away from the hull vertex, and section 4's argument makes it at least $c$ from every
# training point: $c = 50$ is (about) enough to be `config.NB02_FAR_DISTANCE` = 50 away.

# %%
X2 = gaussian(config.TOY_N, seed=0).double()
p2 = pca(X2, config.LINEAR_D_TOY)

# %% [markdown]
# **Exercise 1 (predict, then slide).** Now go the other way: find a **negative** $c$ whose point
# is still at least 50 from **every** training point.
#
# 1. *Before you touch the slider*, predict roughly how negative $c$ must be, and write it into
#    `c_predicted`. Look at the figure at $c = 0$: which way does $a$ travel for $c < 0$, and
#    what lies in its way?
# 2. Then slide to a negative $c$ where the title's "nearest training point" is at least 50, and
#    enter it as `c_far`.
#
# After the check, compare your prediction with what you found (Think! 2 below asks why).

# %% tags=["nbval-ignore-output"]
explorer = hyperplane_explorer(X2, p2)
explorer

# %% nbgrader={"grade": false, "grade_id": "nb02_far_point", "locked": false, "schema_version": 3, "solution": true, "task": false}
c_predicted = None  # your prediction, before using the slider: a (negative) number
c_far = None  # your answer: a negative c from the slider, 50 or more from every training point
### BEGIN SOLUTION
# going back along -v1, a first crosses the whole cloud (its extent along v1), then 50 more
y2 = p2.encode(X2)[:, 0]
c_predicted = -(config.NB02_FAR_DISTANCE + float(y2.max() - y2.min()))
c_far = -60.0  # on the slider: nearest training point 54.497 away
### END SOLUTION

# %%
assert check_02_far_point((c_predicted, c_far))

# %% [markdown]
# Both thresholds, computed exactly: a training point $x_i$ with principal coordinate $y_i$ and
# distance $r_i$ to the line is $\sqrt{(y_s + c - y_i)^2 + r_i^2}$ from $a$, so $a$ is 50 from it
# once $|y_s + c - y_i| \ge \sqrt{50^2 - r_i^2}$. For $c > 0$ the hull vertex $x_s$ itself decides
# ($r_s$ is small); for $c < 0$ the point with the *smallest* $y_i$, the hull vertex along $-v_1$:
# the negative threshold is larger in magnitude by about the data's extent along $v_1$. The loss
# stays at zero all along the line.

# %%
th = far_thresholds()
assert th["positive"] <= config.NB02_FAR_DISTANCE  # past the +v1 vertex: |c| = 50 suffices
assert abs(-th["negative"] - (config.NB02_FAR_DISTANCE + th["spread"])) < 0.1
for c_side in (th["positive"], th["negative"]):
    state = far_point_state(c_side + 1e-9 * (1 if c_side > 0 else -1))
    assert state["min_distance"] >= config.NB02_FAR_DISTANCE - 1e-6 and state["loss"] < 1e-20
print(
    f"far enough (>= {config.NB02_FAR_DISTANCE:g}) for c >= {th['positive']:.2f} "
    f"or c <= {th['negative']:.2f}; the data's extent along v1: {th['spread']:.2f}"
)

# %% [markdown]
# **Exercise 2 (code).** Implement Theorem 2's construction yourself:
# `far_point(X, mean, V, delta)` returns a point $a$ (shape $(n,)$) with zero PCA loss and
# $\min_i\lVert x_i - a\rVert > \delta$, for data `X` $(m, n)$, mean $\mu$ $(n,)$ and orthonormal
# $V_d$ `V` $(n, d)$. Choose any direction $u$ in latent space.

# %% nbgrader={"grade": false, "grade_id": "nb02_theorem2_point", "locked": false, "schema_version": 3, "solution": true, "task": false}
far_point = None  # your answer: a function far_point(X, mean, V, delta) -> a


### BEGIN SOLUTION
def far_point(X, mean, V, delta):
    Y = (X - mean) @ V  # latent coordinates
    u = torch.zeros(V.shape[1], dtype=V.dtype)
    u[0] = 1.0  # direction: the first principal axis
    s = int(torch.argmax(Y @ u))  # the hull vertex along u
    return mean + (Y[s] + (delta + 1.0) * u) @ V.T


### END SOLUTION

# %%
assert check_02_theorem2_point(far_point)

# %% [markdown]
# ### Think!
#
# 1. The reconstruction loss measures the distance to a *subspace*, never to the *data*. Where
#    exactly in Theorem 2's proof is the convex-hull vertex needed?
# 2. In Exercise 1, why did the negative $c$ have to be larger in magnitude than the positive one,
#    and by about how much? What does that say about starting from an interior point?
#
# Discuss with a partner, or write two or three sentences for each, before you read on.

# %% [markdown] tags=["model-answer"]
# <details><summary><b>Model answer</b></summary>
#
# 1. Lemma 1 gives zero loss for *any* $c$, and Pythagoras gives
#    $\lVert x_i - a\rVert \ge \lVert c\rVert$ — but only for the one $x_i$ we started from. For
#    the *same* bound from every point, every projected point $y_j$ must lie behind the start in
#    the direction of travel $u$: that is what a hull vertex $y_s = \arg\max_j y_j\cdot u$
#    guarantees. Then $y_s + t\,u$ is at least $t$ from every $y_j$, and distances in
#    $\mathbb{R}^n$ are at least the distances of the projections (projection onto orthonormal
#    $V_d$ never lengthens a vector). The hull is not *needed* for the theorem: from any start the
#    distance is at least $t - \max_j\lVert y_i - y_j\rVert$, which also grows without bound. A
#    hull start gives the sharp bound for small $t$ too. Section 4 shows the difference at
#    $t = 3$: from the hull vertex the nearest training point ends 3.04 away ($\ge t$), from an
#    interior start only 0.463.
# 2. The point stays on the principal line, so its loss is zero for every $c$. For $c > 0$ it
#    leaves from the hull vertex along $+v_1$ and every training point is behind it: $c \approx 50$
#    is enough (49.99). For $c < 0$ it first walks back *through* the data cloud, close to training
#    points, and becomes far only beyond the hull vertex along $-v_1$, the other end of the data:
#    $c \le -55.50$, larger in magnitude by the data's extent along $v_1$ (5.51). Moving inward from
#    a vertex is like starting from an interior point: zero loss, yet not far. Whether a point is
#    anomalous must be judged by its distance to the data, which the loss never sees.
#
# </details>

# %% [markdown]
# ## Summary
#
# - PCA by SVD gives $V_d$; as an autoencoder, $h(g(x)) = \mu + (x-\mu)V_dV_d^\top$.
# - **Lemma 1:** every point of $\mu + \operatorname{span}(V_d)$ has zero loss — verified for
#   random subspaces and dimensions to $< 10^{-10}$ in float64.
# - **Theorem 2:** starting at a hull vertex of $XV_d$ and moving outward along the subspace
#   gives anomalies with zero loss at any distance $\delta$ (checked up to $\delta = 10^6$); they
#   satisfy the worst case $\mathcal{L}_R(a) \le \min_i\mathcal{L}_R(x_i)$.
# - The reconstruction loss measures distance **to the subspace**, never distance **to the data**.
#
# **Next:** [03 · Linear autoencoders](03_linear_autoencoders.ipynb) shows that a linear autoencoder
# trained by gradient descent learns the same subspace (and, with biases, the same centring), so it
# inherits Theorem 2.
#
# **Further reading** (all cited by the paper)
#
# - Bourlard, H. & Kamp, Y. (1988). Auto-association by multilayer perceptrons and singular value
#   decomposition. *Biological Cybernetics* 59(4), 291–294. — the link between auto-association
#   and the SVD that §4 builds on.
# - Baldi, P. & Hornik, K. (1989). Neural networks and principal component analysis: learning from
#   examples without local minima. *Neural Networks* 2(1), 53–58. — linear autoencoders at their
#   optimum span the principal subspace (notebook 03).
