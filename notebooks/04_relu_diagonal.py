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
#   every point a = c(1, 1) with c ≫ 0 — however far — is reconstructed perfectly (checked up to
#   c = 10⁶);
# - train a real ReLU autoencoder on the same data and see that beyond the data's edge the set of
#   active ReLU units stops changing: the network becomes **one linear map** there;
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
import matplotlib.pyplot as plt
import torch

from aelib.course import config
from aelib.course.exercises import (
    check_04_freeze_search,
    check_04_min_bias,
    check_04_pattern_freeze,
    pattern_freeze_point,
)
from aelib.course.oob import activation_pattern, distance_to_data, out_of_bounds
from aelib.course.plots import activation_walk, figure1_panel
from aelib.course.toy_training import figure1_data, fit_toy_autoencoder
from aelib.course.widgets import ray_explorer
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
# a = c(1, 1) for huge c, are all reconstructed (up to rounding) perfectly.

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

err_data = reconstruction_error(hand, X.double())
cs = torch.tensor([10.0, 1e3, 1e6], dtype=torch.float64)
A = cs[:, None] * torch.ones(2, dtype=torch.float64)
err_far = reconstruction_error(hand, A)
print(f"max MSE on the data: {err_data.max():.1e}")
for c, e in zip(cs, err_far, strict=True):
    dist = distance_to_data(c * torch.ones(1, 2), X).item()
    print(f"a = {c:.0e} * (1, 1): distance to the data {dist:.3g}, MSE {e:.1e}")
assert err_data.max() < 1e-20 and err_far.max() < 1e-12  # perfect, however far

# %% [markdown]
# ## 2 · A trained ReLU autoencoder on the same data
#
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
# Walk a point outward along the diagonal, a(t) = t·(1, 1)/√2, and record which of the 11 hidden
# ReLU units (5 + 1 + 5) are active. The data lie between two edges, t = ±max‖xᵢ‖ (dashed).

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
# Whether far points are also reconstructed *below ε* depends on how well the network's encoder
# and decoder match out there (the paper: "there may be a mismatch between the encoder and
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
# The paper's intuition: "at the edge of the data space only a few ReLU neurons activate; beyond
# this edge no new neurons will activate, nor will any of the activated ones deactivate". We
# measure where the pattern *really* stops changing on each side of the diagonal. Along a ray every
# pre-activation is piecewise affine in t, so there are finitely many changes: beyond the last one
# the network is the single affine map $x \mapsto W x + c$ obtained by multiplying the active
# parts of its layers. We check that the pattern at the freeze point equals the one at t = 10⁶,
# and that the reconstruction is exactly affine there (its second differences vanish).

# %%
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
err_far = reconstruction_error(model, torch.tensor([[10.0, 10.0], [-10.0, -10.0]]))
print(f"MSE at +-10 (1, 1): {err_far[0]:.3g}, {err_far[1]:.3g}")

# %% [markdown]
# So the paper's intuition holds *eventually* — beyond a finite distance the trained network is
# one linear map — but not exactly at the data's edge: in our run a few units still switch
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
#    (MSE 0 up to $10^6(1,1)$); for the trained one the MSE is 0.591 at $+10(1,1)$ and 81 at
#    $-10(1,1)$. Its out-of-bounds zone still reaches 6.45 from the data (4.18 data radii), but
#    no far point on the plane meets the worst case. Linear far away makes failure *possible*, not
#    certain.
#
# </details>

# %% [markdown]
# ## Summary
#
# - With $W_\text{enc} = \beta(1,1)^T$ and a bias $b \ge -\min_i x_i W_\text{enc}$, a ReLU AE
#   reconstructs every a = c(1, 1), c ≫ 0, perfectly (checked up to c = 10⁶).
# - A *trained* ReLU AE has the same structure far from the data: the active set of ReLU units
#   freezes (in our run well beyond the data's edge, at the multiples of it printed above, not at
#   the edge itself), and beyond that the network is one affine map. How well it reconstructs far
#   points then depends on how the frozen encoder and decoder match along a direction: here far
#   diagonal points are *not* below ε (MSE about 0.6 and 80 at ±10·(1, 1), printed above).
#
# **Next:** [05 · ReLU autoencoders on tabular data](05_relu_tabular.ipynb) maps the out-of-bounds
# zones of trained ReLU autoencoders on three data sets (Figure 1a–d).
#
# **Further reading** (all cited by the paper)
#
# - Glorot, X., Bordes, A. & Bengio, Y. (2011). Deep sparse rectifier neural networks. *AISTATS
#   2011*, 315–323. — why ReLU networks became the default (and why they are piecewise linear).
