"""Every hyperparameter the course chooses, in one place.

The paper does not publish its code, optimiser, learning rates, epochs, data parameters or grid
ranges, so each value below is *our* choice. Notebooks print the ones they use, and where a choice
changes the outcome they show the sensitivity instead of hiding it.

The recipes that train models (Figure 1, notebook 07, the MNIST models) take their settings as
values, :mod:`aelib.course.settings`; the constants for them below are read from those dataclasses'
defaults, for the notebooks to print. Assigning to them changes no recipe: pass a settings object,
e.g. ``mnist_autoencoder(settings=MnistSettings(epochs=10))`` or ``mnist_autoencoder(epochs=10)``.
"""

from __future__ import annotations

from aelib.course.settings import (
    FIGURE1_PANELS,
    ClassifierSettings,
    MnistSettings,
    NegativeSettings,
    ToySettings,
    ToyStudySettings,
)

_TOY, _STUDY, _MNIST = ToySettings(), ToyStudySettings(), MnistSettings()
_CLASSIFIER, _NEGATIVE = ClassifierSettings(), NegativeSettings()

# --- Toy data: defined by the core (aelib.data), re-exported here for the notebooks to print ----
from aelib.data import (  # noqa: E402, F401
    BANANA_NOISE_STD,
    BANANA_X1_RANGE,
    DIAGONAL_ALPHA_RANGE,
    GAUSSIAN_COV,
    GAUSSIAN_MEAN,
    TWO_GAUSSIANS_COV,
    TWO_GAUSSIANS_MEANS,
)

# --- Training (aelib.train) --------------------------------------------------------------------
DEFAULT_LR = 1e-3

# --- Notebooks 01-03: linear theory ------------------------------------------------------------
LINEAR_D_TOY = 1  # latent dimension of PCA / linear AEs on the 2-D toy Gaussian (a line)
NB01_TEST_SEED = 1  # held-out normal test points: aelib.data.gaussian(TOY_N, seed=this)
NB01_ANOMALY_N = 100  # synthetic anomalies in notebook 01
NB01_ANOMALY_RADIUS = (3.0, 6.0)  # anomalies: uniform angle, radius uniform in this range
NB01_ANOMALY_SEED = 2
NB01_PLANE = (-8.0, 8.0)  # notebook 01 score maps: both axes
NB01_GRID = 161  # grid points per axis over NB01_PLANE (step 0.1)
NB01_FLAG_ANGLE = 135.0  # exercise: direction (degrees) along which the test point moves
NB01_R_STEP = 0.05  # slider step of the test point's radius

PLANE3D_M = 200  # points of the 3-D data set with a 2-D principal plane
PLANE3D_STDS = (3.0, 2.0, 0.3)  # standard deviations: two in-plane axes, then the normal axis
PLANE3D_MEAN = (1.0, -1.0, 0.5)  # its mean (non-centred data: the biases have work to do)
PLANE3D_SEED = 0
LEMMA_TRIALS = 200  # random (n, d, subspace, c) draws that check Lemma 1 / Lemma 3
LEMMA_MAX_N = 50  # largest input dimension n drawn in those checks
LEMMA_TOL = 1e-10  # float64 zero-loss tolerance asked for by the course (we see ~1e-30)
THEOREM2_DELTAS = (1.0, 10.0, 1e2, 1e3, 1e4, 1e5, 1e6)  # distances δ the construction must beat
NB02_FAR_DISTANCE = 50.0  # exercise: put the point at least this far from every training point
NB02_C_MAX = 100.0  # slider range of c, both ways
NB02_C_STEP = 0.5

LINEAR_AE_EPOCHS = 1200  # full-batch Adam steps for the linear AE of notebook 03
LINEAR_AE_LR = 5e-2  # its Adam learning rate (sensitivity over LINEAR_AE_LRS is shown)
LINEAR_AE_LRS = (2e-2, 5e-2, 1e-1)
LINEAR_AE_SEED = 0  # weight initialisation
LINEAR_AE_SEEDS = (0, 1, 2)  # initialisations compared in notebook 03
ANGLE_TOL = 1e-9  # radians: "the encoder spans the PCA plane" after LINEAR_AE_EPOCHS
BIAS_TOL = 1e-9  # |b_enc W_dec^T + b_dec - x̄(I - W_enc W_dec^T)|, see notebook 03 for the bound
NB03_ANGLE_TARGET_DEG = 1.0  # exercise: first epoch with every principal angle below this

# --- Notebooks 04-07: non-linear autoencoders on toy data (Figure 1) ---------------------------
EPSILON = 0.1  # the paper's "near-perfect reconstruction" threshold on the per-point MSE
TOY_N = 100  # points per distribution (the paper: 100); aelib.course.toy_recipes.figure1_data's n
TOY_SIZES_SHALLOW = _TOY.sizes  # Figure 1a, b, c, e, f: (2, 5, 1, 5, 2)
TOY_SIZES_DEEP = FIGURE1_PANELS["1d"][1]  # Figure 1d: (2, 100, 20, 1, 20, 100, 2)
TOY_EPOCHS = _TOY.epochs  # full-batch Adam steps for every Figure-1 model
TOY_LR = _TOY.lr  # Adam learning rate for the Figure-1 models
TOY_LR_DEEP = FIGURE1_PANELS["1d"][3]  # Adam learning rate of Figure 1d (1e-2 stalls at 0.1)
TOY_RESTARTS = _TOY.restarts  # independent initialisations; the lowest final loss is kept
COLLAPSE_FRACTION = _TOY.collapse_fraction  # "collapsed": loss > this x the mean-only loss
TOY_PLANE = (-10.0, 10.0)  # the wide input plane of the Figure-1 contours, both axes
TOY_GRID = 201  # grid points per axis over TOY_PLANE (step 0.1)
OOB_MARGIN = 1.0  # a grid point is "outside the data" if farther than this from every point
DIAG_BETA = 1.0  # hand-built ReLU AE of 4.4.1: encoder weights beta (1, 1)
ACT_SEEDS = 10  # notebook 07: seeds per activation and data set
ACT_EPOCHS = _STUDY.epochs  # notebook 07: Adam steps (lean; see its sensitivity check)
ACT_LR = _STUDY.lr  # notebook 07: Adam learning rate
ACT_GRID = 101  # notebook 07: grid points per axis over TOY_PLANE (step 0.2, keeps it fast)

# --- MNIST data, attacks and audit (aelib.data.load_mnist, aelib.attacks, aelib.audit) -------
from aelib._mnist import (  # noqa: E402, F401
    MNIST_BUNDLED_PER_DIGIT,
    MNIST_BUNDLED_TRAIN_PER_DIGIT,
    MNIST_DEFAULT_DIR,
    MNIST_DIR_ENV,
)

ATTACK_BATCH_SIZE = 256  # images per forward pass in the searches (bounded memory, in cache)
GRID_RESOLUTION = 200  # latent grid points per axis
GRID_MARGIN = 0.5  # default grid box: the latents' bounding box + this x its side, each way
GRID_TOP_K = 10  # candidates a grid search returns
PGD_STEPS = 200  # projected-gradient steps per restart
PGD_RESTARTS = 16  # random starts
PGD_SCREEN = 32  # random points screened per restart; each restart starts at the best one
LATENT_PGD_MARGIN = 1.0  # latent PGD box: the latents' bounding box + this x its side, each way
LATENT_PGD_STEP = 0.02  # latent step, as a fraction of the box's mean side; decays linearly to 0
INPUT_PGD_MARGIN = 1.0  # input PGD box when clamp=None: data box enlarged by this x its side
INPUT_PGD_STEP = 0.01  # input step: a sign step's size, as a fraction of the box's mean side
INPUT_PGD_NORM = "l2"  # input step geometry: "l2" slides along the distance constraint, "linf"
PGD_DISTANCE_PENALTY = 10.0  # latent PGD: weight of the squared shortfall below min_distance
AUDIT_NN_QUANTILE = 0.95  # audit's default min_distance: this quantile of the normal samples'
#                           nearest-neighbour distances ("as isolated as the most isolated 5 %")
AUDIT_TOP_K = 16  # audit with a latent grid: at most this many lowest-error grid points reported

# --- Notebooks 08-10: MNIST (Figure 2) ---------------------------------------------------------
MNIST_DIGITS_A = _MNIST.digits  # Figure 2a, 2c: the first normal class set, (4, 5, 7)
MNIST_DIGITS_B = (0, 1)  # Figure 2b, 2d, 2e: the second one
MNIST_LATENT_DIM = _MNIST.latent_dim  # §4.5.1: a two-dimensional latent space
MNIST_CHANNELS = _MNIST.channels  # channels of the two (transposed) convolutions
MNIST_EPOCHS = _MNIST.epochs  # mini-batch Adam epochs for every MNIST autoencoder
MNIST_LR = _MNIST.lr  # Adam learning rate
MNIST_BATCH_SIZE = _MNIST.batch_size  # mini-batch size
MNIST_SEED = _MNIST.seed  # initialisation and batch-order seed of the models the notebooks show
MNIST_SNAPSHOT_EPOCHS = _MNIST.snapshot_epochs  # weights kept after every epoch (epoch study)
MNIST_THREADS = _MNIST.threads  # torch threads while an MNIST recipe trains (scoped, aelib.threads)
MNIST_EPSILON = 0.1  # Figure 2's red zone: sum of squared errors over the 784 pixels < this
MNIST_GRID_RESOLUTION = 120  # latent grid points per axis for the Figure-2 maps
MNIST_SWEEP_SEEDS = (0, 1, 2)  # notebook 09: seeds of the seed-and-epoch study
MNIST_SWEEP_RESOLUTION = 50  # notebook 09: coarser grid per (seed, epoch) in the study
MNIST_FAR_QUANTILE = 0.95  # "far": beyond this quantile of training images' NN distances
PAPER_MNIST_LOSSES = {"457": (0.014, 8.47), "01": (0.022, 1.61)}  # (L(a), min L(x_i)), sums
CLASSIFIER_EPOCHS = _CLASSIFIER.epochs  # digit classifier (all ten digits): Adam epochs
CLASSIFIER_LR = _CLASSIFIER.lr  # its learning rate
CLASSIFIER_BATCH_SIZE = _CLASSIFIER.batch_size  # its mini-batch size
CLASSIFIER_SEED = _CLASSIFIER.seed  # its seed
NB10_LATENT_DIMS = (2, 8, 16)  # notebook 10: latent sizes where PGD replaces the grid
NB10_PGD_STEPS = 100  # notebook 10: latent-PGD steps per restart
NB10_PGD_RESTARTS = 16  # notebook 10: latent-PGD random starts
NB10_PGD_STEP = 0.1  # notebook 10: first latent PGD step / box's mean side (sensitivity shown)
MAHALANOBIS_QUANTILE = 0.99  # latent Mahalanobis score: threshold = this quantile on train
NEG_EPOCHS = _NEGATIVE.epochs  # negative-sample (NAE-style) fine-tuning epochs
NEG_LR = _NEGATIVE.lr  # its Adam learning rate
NEG_BATCH_SIZE = _NEGATIVE.batch_size  # its mini-batch size (of normal images)
NEG_SAMPLES = _NEGATIVE.samples  # negatives per mini-batch, uniform in the enlarged latent box
NEG_STEPS = _NEGATIVE.steps  # latent gradient steps pulling each negative to low error (attack)
NEG_STEP = _NEGATIVE.step  # one such step / the latent box's mean side
NEG_MARGIN = _NEGATIVE.margin  # latent box: the codes' box enlarged by this x its side, each way
NEG_WEIGHT = _NEGATIVE.weight  # weight of the negatives' (capped) error in the loss
NEG_CAP = _NEGATIVE.cap  # cap on a negative's mean squared error: push it up to here, not beyond
