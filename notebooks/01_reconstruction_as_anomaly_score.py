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
# # 01 · Reconstruction error as an anomaly score (§3.1, §4.1)
#
# **Paper:** *Autoencoders for anomaly detection are unreliable*, §3.1 *Anomaly detection* and
# §4.1 *Anomaly detection using the reconstruction loss*.
#
# **Learning goals**
# - state the **semi-supervised** setting: train on normal data only, score new points;
# - compute the **reconstruction loss** $\mathcal{L}_R$ of an encoder–decoder pair and use it as
#   an anomaly score;
# - test the **perfect-detector criterion** and relate it to the **ROC AUC**;
# - recognise the paper's **worst case**: an anomaly far from all data that scores *no higher*
#   than the best-reconstructed training point, $\mathcal{L}_R(a) \le \min_i \mathcal{L}_R(x_i)$.
#
# The rest of the course shows that this worst case is not exotic: it is built into PCA (02),
# linear autoencoders (03) and, in practice, non-linear ones (04–10).

# %% [markdown]
# **Before you start**
#
# - **Prerequisites:** Python and NumPy; the mean and the squared error; what PCA does in one
#   sentence (notebook 02 explains it properly). No anomaly detection is assumed.
# - **Time:** about 45 minutes to read, run and do the exercises (our estimate for a
#   first reading; running the code itself takes a minute or less).
# - **Terms** such as *far*, *adversarial anomaly*, *ε-zone* or *PGD* are defined in the
#   [glossary](../docs/glossary.md).

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from aelib.course import config
from aelib.course.exercises import check_01_auc, check_01_flag_radius
from aelib.course.plots import score_histograms, score_map
from aelib.course.widgets import score_explorer
from aelib.data import gaussian
from aelib.linalg import pca
from aelib.metrics import roc_auc

X = gaussian(config.TOY_N, seed=0).double()  # training set: normal data only
X_test = gaussian(config.TOY_N, seed=config.NB01_TEST_SEED).double()  # new normal points
rng = np.random.default_rng(config.NB01_ANOMALY_SEED)
angle = rng.uniform(0, 2 * np.pi, config.NB01_ANOMALY_N)
radius = rng.uniform(*config.NB01_ANOMALY_RADIUS, config.NB01_ANOMALY_N)
A = torch.from_numpy(np.c_[radius * np.cos(angle), radius * np.sin(angle)])  # anomalies
print(f"train {tuple(X.shape)}, normal test {tuple(X_test.shape)}, anomalies {tuple(A.shape)}")
print(f"anomalies: uniform angle, radius uniform in {config.NB01_ANOMALY_RADIUS}")

# %% [markdown]
# ## 1 · The semi-supervised setting (§3.1)
#
# A data set is a matrix $X \in \mathbb{R}^{m\times n}$: $m$ samples $x_i$ (rows) with $n$
# features. A detector assigns each sample a score $s_i = f_\text{anomaly score}(x_i)$ that
# should be *higher for anomalies*.
#
# - **Unsupervised:** one data set, an unknown mix of normal points and anomalies.
# - **Semi-supervised** (the paper's setting, also called one-class classification): the training
#   set holds **only normal samples**; a test set may hold both. We write $X = X^\text{train}$ and
#   ask whether a new point $a$ is anomalous.
#
# Our normal data: `aelib.data.gaussian` — 100 points from a correlated 2-D Gaussian
# (covariance `config.GAUSSIAN_COV`), a cloud stretched along the diagonal. The anomalies are
# points on a ring of radius 3–6 around it. The paper proves its results in the semi-supervised
# setting because it is the *more restrictive* one: the model never sees an anomaly, and the
# proofs then hold for the unsupervised case too.
#
# ## 2 · Reconstruction loss as a score (§4.1)
#
# An encoder $g:\mathbb{R}^n\to\mathbb{R}^d$ with $d<n$ and a decoder
# $h:\mathbb{R}^d\to\mathbb{R}^n$ are fitted to reconstruct the training data,
# $X \xrightarrow{g} Y \xrightarrow{h} \hat X$. The score is the reconstruction loss, the mean
# squared error over the $n$ features:
#
# $$f_\text{anomaly score}(x) = \mathcal{L}_R\big(x, h(g(x))\big)
#   = \frac{1}{n}\sum_{j=1}^{n}\big(x_j - \hat x_j\big)^2 .$$
#
# The hope: a model that learned to compress *normal* data reconstructs it well and everything
# else badly. The simplest such model is PCA with $d = 1$: $g(x) = (x-\mu)v_1$ projects onto the
# data's main direction $v_1$ and $h(y) = y\,v_1^\top + \mu$ maps back (notebook 02 derives it;
# notebook 03 shows a trained linear autoencoder learns the same). Here we use it as a black box
# and check the score against the formula above.

# %%
model = pca(X, config.LINEAR_D_TOY)
recon = model.decode(model.encode(X_test))
by_hand = ((X_test - recon) ** 2).mean(dim=1)  # (1/n) sum_j (x_j - x̂_j)^2
s_train = model.reconstruction_error(X)
s_normal = model.reconstruction_error(X_test)
s_anom = model.reconstruction_error(A)
assert torch.allclose(by_hand, s_normal)
print(f"principal direction v1 = {model.components[:, 0].numpy().round(3)}")
print(
    f"median score: training {s_train.median():.3g}, normal test {s_normal.median():.3g}, "
    f"anomalies {s_anom.median():.3g}"
)

# %% [markdown]
# ## 3 · The perfect detector and the ROC AUC
#
# §3.1 calls a detector **perfect** on a test set if every anomaly scores above every normal
# point:
#
# $$\min_i f(x^\text{anomalous}_i) > \max_i f(x^\text{normal}_i).$$
#
# The **ROC AUC** summarises a detector without choosing a threshold: it is the probability that a
# random anomaly scores higher than a random normal point (ties count ½). It equals 1 **exactly**
# when the detector is perfect on that test set, and 0.5 is chance. Below: the two score
# distributions (log scale) with the largest *training* score as a dashed line — a natural
# threshold, since it flags no training point — and the ROC curve.

# %%
perfect = bool(s_anom.min() > s_normal.max())
auc_value = roc_auc(s_normal, s_anom)
assert perfect == (auc_value == 1.0)  # AUC = 1 exactly when the criterion holds
threshold = float(s_train.max())
missed = s_anom <= threshold
print(f"perfect detector: {perfect}   ROC AUC = {auc_value:.3f}")
print(f"anomalies scoring at most the largest training score: {int(missed.sum())} of {len(A)}")
axes = score_histograms(s_normal, s_anom, threshold=threshold)
axes[1].set_title(f"ROC curve, AUC = {auc_value:.3f}")
plt.tight_layout()
plt.show()

# %% [markdown]
# The AUC is high, yet the detector is not perfect: some anomalies score like normal data. *Where*
# are they? The map below shows the score over the plane, red where it is at most the largest
# training score — the region this detector calls normal. It is not a blob around the data but an
# infinite **band along the principal line**: the score only measures the distance *to the line*,
# not the distance *to the data*. The missed anomalies (stars) are exactly those on that band.

# %%
fig, ax = plt.subplots(figsize=(6.5, 5))
score_map(model, X, threshold, ax=ax, bounds=config.NB01_PLANE, resolution=config.NB01_GRID)
ax.scatter(*A[~missed].T, s=14, c="C1", edgecolors="black", lw=0.3, label="anomaly, flagged")
ax.scatter(
    *A[missed].T,
    s=90,
    marker="*",
    c="magenta",
    edgecolors="black",
    label="anomaly, missed",
)
ax.legend(fontsize=8, loc="lower right")
ax.set_title("PCA (d = 1) score; red: score ≤ largest training score")
plt.show()

# %% [markdown]
# ## 4 · The worst case (§4)
#
# The paper's worst case is stronger than "missed": an anomaly $a$ **far from all training data**
# that the detector ranks as less or equally anomalous than *every* training point,
#
# $$\mathcal{L}_R\big(a, h(g(a))\big) \;\le\; \min_i \mathcal{L}_R\big(x_i, h(g(x_i))\big).$$
#
# For PCA it is easy to produce: go far out along the principal line, $a = \mu + t\,v_1$. Such a
# point is reconstructed *exactly*, $h(g(a)) = \mu + \big((a-\mu)v_1\big)v_1^\top = a$, whatever
# $t$. Notebook 02 turns this into Lemma 1 and Theorem 2.

# %%
t = 10.0
a = model.mean + t * model.components[:, 0]
dist = float((X - a).norm(dim=1).min())
score_a = float(model.reconstruction_error(a))
assert score_a <= float(s_train.min())  # the worst case of §4
spread = float((X - model.mean).norm(dim=1).max())
assert dist > spread  # farther from every training point than any of them is from the mean
print(
    f"a = {a.numpy().round(2)}: nearest training point {dist:.3g} away "
    f"(the data lie within {spread:.3g} of their mean)"
)
shown = "< 1e-20" if score_a < 1e-20 else f"= {score_a:.1e}"  # 0 up to float64 rounding
print(f"score(a) {shown} <= smallest training score {float(s_train.min()):.1e}")

# %% [markdown]
# ## 5 · Explore: move a test point
#
# The slider moves a test point $a = r(\cos\theta, \sin\theta)$. The title says its score, whether
# it exceeds the largest training score (flagged) and how far the nearest training point is. Try
# $\theta = 45°$ (close to the data's long axis: $v_1$, printed above, points at about 42°) and
# $\theta = 135°$ (nearly across it).

# %% tags=["nbval-ignore-output"]
explorer = score_explorer(model, X)
explorer

# %% [markdown]
# **Exercise 1 (slider).** Set $\theta$ = 135° (`config.NB01_FLAG_ANGLE`) and increase $r$ from 0.
# At which radius $r$ is the point **first flagged**? Enter the slider value. Then set
# $\theta = 45°$ and push $r$ to the end: what happens, and why?

# %% nbgrader={"grade": false, "grade_id": "nb01_flag_radius", "locked": false, "schema_version": 3, "solution": true, "task": false}
r_flag = None  # your answer: the smallest slider r with "FLAGGED" at theta = 135 degrees
### BEGIN SOLUTION
# the slider's scan, done directly: r = 0, step, 2 step, ... along theta = 135 degrees
r_grid = torch.arange(0, config.NB01_PLANE[1], config.NB01_R_STEP, dtype=torch.float64)
theta = np.radians(config.NB01_FLAG_ANGLE)
ray = r_grid[:, None] * torch.tensor([np.cos(theta), np.sin(theta)])
r_flag = float(r_grid[model.reconstruction_error(ray) > threshold][0])
### END SOLUTION

# %%
assert check_01_flag_radius(r_flag)

# %% [markdown]
# The same scan along 45°, close to the long axis, all the way to the slider's end:

# %%
r_end = config.NB01_PLANE[1] + 1e-9
r_long = torch.arange(0, r_end, config.NB01_R_STEP, dtype=torch.float64)
ray_long = r_long[:, None] * torch.tensor([np.cos(np.radians(45.0)), np.sin(np.radians(45.0))])
score_long = model.reconstruction_error(ray_long)
print(f"45°, r up to {float(r_long[-1]):g}: highest score {float(score_long.max()):.3f}")
flagged = bool((score_long > threshold).any())
print(f"threshold {threshold:.3f}: flagged anywhere on the ray: {flagged}")
assert not flagged

# %% [markdown]
# Across the data the point is flagged after about 1.3 units; close to the long axis (45°) it is
# not flagged anywhere on the slider (up to $r = 8$, printed above) — a point at $r = 8$ on the
# 45° line is farther from the data than the flagged one, yet it scores lower. A distance-blind
# score is the root of the whole paper.
#
# **Exercise 2 (code).** Write `auc_by_counting(scores_normal, scores_anomalous)`, the ROC AUC
# *by counting*: over all pairs (normal $i$, anomalous $j$), the fraction with
# $s^\text{anom}_j > s^\text{normal}_i$, ties counting one half. Inputs are 1-D NumPy arrays.

# %% nbgrader={"grade": false, "grade_id": "nb01_auc", "locked": false, "schema_version": 3, "solution": true, "task": false}
auc_by_counting = None  # your answer: a function (scores_normal, scores_anomalous) -> float


### BEGIN SOLUTION
def auc_by_counting(scores_normal, scores_anomalous):
    sn = np.asarray(scores_normal)[None, :]
    sa = np.asarray(scores_anomalous)[:, None]
    return float(((sa > sn).sum() + 0.5 * (sa == sn).sum()) / (sn.size * sa.size))


### END SOLUTION

# %%
assert check_01_auc(auc_by_counting)

# %% [markdown]
# Once your function passes, it reproduces the AUC of section 3 from the notebook's scores:

# %% tags=["reveals-answer"]
if auc_by_counting is not None:  # runs your function: no assert, so Run All never stops here
    mine = auc_by_counting(s_normal.numpy(), s_anom.numpy())
    same = abs(mine - auc_value) < 1e-12
    print(f"your AUC {mine:.3f} {'=' if same else '≠'} aelib.metrics.roc_auc {auc_value:.3f}")
    if not same:
        print("not the same: see the check above, fix your function and run both cells again")

# %% [markdown]
# ### Think!
#
# 1. On the 45° line a point 8 units out is never flagged, while at 135° a point is flagged
#    1.263 units out. Why is a score that is blind to the distance *to the data* the root of the
#    whole paper?
# 2. The detector's ROC AUC is 0.927. How can a high AUC hide anomalies that are missed
#    *systematically*?
#
# Discuss with a partner, or write two or three sentences for each, before you read on.

# %% [markdown] tags=["model-answer"]
# <details><summary><b>Model answer</b></summary>
#
# 1. The PCA score is the squared distance to the principal *line* (divided by $n$), not to
#    the data. Along the line — 45° is within a few degrees of $v_1$ — moving out changes almost
#    nothing: $a = \mu + 10\,v_1$, 7.01 from the nearest training point, scores below $10^{-20}$,
#    under the smallest training score ($3.2\times10^{-5}$). Across the line the same distance is
#    penalised at once (flagged at $r = 1.263$). Every later notebook is this in another form: the
#    set a model reconstructs well (a subspace for PCA and linear AEs, linear pieces of a ReLU
#    network, decoded latent points of a convolutional AE) reaches beyond the data, and the loss
#    cannot tell where the data end.
# 2. The AUC averages over all (normal, anomaly) pairs of *this* test set. Here 19 of 100
#    anomalies score at most the largest training score, and they are not random: they are the
#    ones on the band along the principal line (the stars in the score map). Anomalies that happen
#    to lie off the band give a high AUC; anomalies that lie on it — by chance or because someone
#    puts them there — are missed every time. The AUC measures the anomalies you tested, not the
#    worst one.
#
# </details>

# %% [markdown]
# ## Summary
#
# - In the **semi-supervised** setting a model is fitted to normal data only; its
#   **reconstruction loss** $\mathcal{L}_R(x, h(g(x)))$ (MSE over features) is the anomaly score.
# - A detector is **perfect** on a test set when
#   $\min f(\text{anomalies}) > \max f(\text{normal})$, i.e. ROC AUC = 1. A high AUC can hide
#   anomalies that are missed systematically.
# - For PCA the region scored "normal" is a band around the principal subspace, unbounded along
#   it; points far out on it satisfy the paper's **worst case**
#   $\mathcal{L}_R(a) \le \min_i \mathcal{L}_R(x_i)$ while being far from every training point.
#
# **Next:** [02 · PCA, its principal hyperplane, and anomalies with zero
# loss](02_pca_svd_hyperplane.ipynb) proves this for PCA in any dimension (Lemma 1, Theorem 2).
#
# **Further reading** (all cited by the paper)
#
# - Bouman, R., Bukhsh, Z. & Heskes, T. (2024). Unsupervised anomaly detection algorithms on
#   real-world data: how many do we need? *JMLR* 25(105), 1–34. — how anomaly detectors are
#   benchmarked, by AUC over many data sets.
# - Nalisnick, E., Matsukawa, A., Teh, Y. W., Gorur, D. & Lakshminarayanan, B. (2019). Do deep
#   generative models know what they don't know? *ICLR 2019*. — likelihood models that score some
#   out-of-distribution data as more normal than the training data: the same blind spot in another
#   model family.
