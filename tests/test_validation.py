"""aelib._validation: the shared checks behind every public function's error messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aelib._validation import (
    as_float_tensor,
    check_choice,
    check_fraction,
    check_module,
    check_nonnegative_float,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)

# --- as_float_tensor ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_numpy_float_arrays_become_tensors_with_the_same_values(dtype):
    x = np.arange(6, dtype=dtype).reshape(3, 2)
    t = as_float_tensor(x, "x", ndim=2)
    assert isinstance(t, torch.Tensor)
    assert t.dtype == torch.from_numpy(x).dtype
    np.testing.assert_array_equal(t.numpy(), x)


def test_non_contiguous_numpy_array_is_accepted():
    x = np.arange(12.0).reshape(3, 4)[:, ::2]
    np.testing.assert_array_equal(as_float_tensor(x, "x").numpy(), x)


def test_float_tensor_is_returned_as_is_and_dtype_cast_on_request():
    x = torch.randn(4, 2)
    assert as_float_tensor(x, "x") is x
    assert as_float_tensor(x, "x", dtype=torch.float64).dtype == torch.float64


@pytest.mark.parametrize(
    "value, hint",
    [
        (np.arange(4).reshape(2, 2), "x / 255"),
        (torch.arange(4).reshape(2, 2), "x / 255"),
        (np.zeros((2, 2), dtype=np.uint8), "x / 255"),
        (np.ones((2, 2), dtype=bool), "dtype bool"),
        (torch.ones(2, 2, dtype=torch.bool), "dtype torch.bool"),
    ],
)
def test_integer_and_bool_arrays_are_refused_not_cast(value, hint):
    with pytest.raises(TypeError, match=r"x: expected a floating-point") as info:
        as_float_tensor(value, "x")
    assert hint in str(info.value)


@pytest.mark.parametrize(
    "value",
    [
        torch.ones(2, dtype=torch.bool),
        torch.ones(2, dtype=torch.complex64),
        np.ones(2, dtype=np.complex128),
    ],
)
def test_bool_and_complex_messages_do_not_suggest_dividing_by_255(value):
    with pytest.raises(TypeError, match="x: expected a floating-point") as info:
        as_float_tensor(value, "x")
    assert "255" not in str(info.value)


@pytest.mark.parametrize("value", [[[1.0, 2.0]], (1.0, 2.0), 3.0, "abc", None])
def test_lists_scalars_strings_are_refused(value):
    with pytest.raises(
        TypeError, match=r"X: expected a torch.Tensor or numpy.ndarray with shape \(N, 2\)"
    ):
        as_float_tensor(value, "X", shape="(N, 2)")


def test_object_array_is_refused():
    with pytest.raises(TypeError, match="X: expected a numeric array, got a NumPy object array"):
        as_float_tensor(np.array([1.0, "a"], dtype=object), "X")


def test_wrong_ndim_names_expected_and_given_shape():
    with pytest.raises(ValueError, match=r"X: expected shape \(N, 2\), got shape \(3,\)"):
        as_float_tensor(torch.zeros(3), "X", ndim=2, shape="(N, 2)")
    with pytest.raises(ValueError, match=r"X: expected shape 1-D or 2-D, got shape \(1, 1, 1\)"):
        as_float_tensor(torch.zeros(1, 1, 1), "X", ndim=(1, 2))


def test_min_ndim_and_last_dim():
    with pytest.raises(ValueError, match=r"X: expected shape at least 2-D, got shape \(3,\)"):
        as_float_tensor(torch.zeros(3), "X", min_ndim=2)
    with pytest.raises(ValueError, match=r"X: expected shape \(\.\.\., 2\), got shape \(3, 3\)"):
        as_float_tensor(torch.zeros(3, 3), "X", last_dim=2)
    with pytest.raises(ValueError, match=r"X: expected shape \(\.\.\., 2\), got shape \(\)"):
        as_float_tensor(torch.tensor(1.0), "X", last_dim=2)


def test_empty_refused_unless_allowed():
    with pytest.raises(ValueError, match=r"X: expected a non-empty array, got shape \(0, 2\)"):
        as_float_tensor(torch.zeros(0, 2), "X")
    assert as_float_tensor(torch.zeros(0, 2), "X", allow_empty=True).shape == (0, 2)


@pytest.mark.parametrize(
    "bad, counts", [(float("nan"), "1 NaN and 0 inf"), (float("inf"), "0 NaN and 1 inf")]
)
@pytest.mark.parametrize("kind", ["numpy", "torch"])
def test_nan_and_inf_are_counted_in_the_message(bad, counts, kind):
    x = np.zeros((3, 2))
    x[1, 0] = bad
    if kind == "torch":
        x = torch.from_numpy(x)
    with pytest.raises(ValueError, match=f"X: expected finite values, got {counts} entries"):
        as_float_tensor(x, "X")


@pytest.mark.parametrize("where", [(0, 0, 0), (4999, 2, 1), (2500, 1, 0)])
def test_finiteness_is_checked_in_every_block_of_a_large_input(where):
    x = torch.zeros(5000, 3, 400)[:, :, ::2]  # 3 million elements, not contiguous
    assert as_float_tensor(x, "X") is x
    x[where] = float("inf")
    with pytest.raises(ValueError, match="X: expected finite values, got 0 NaN and 1 inf"):
        as_float_tensor(x, "X")


# --- scalar checks -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.int32(2)])
def test_positive_int_accepts_integers(value):
    out = check_positive_int(value, "n")
    assert out == int(value) and type(out) is int


@pytest.mark.parametrize("value", [True, False, 1.0, "3", None, np.float64(2.0)])
def test_positive_int_refuses_non_integers_and_bools(value):
    with pytest.raises(TypeError, match="n: expected a positive integer, got"):
        check_positive_int(value, "n")


@pytest.mark.parametrize("value", [0, -1, np.int64(-5)])
def test_positive_int_refuses_zero_and_negatives(value):
    with pytest.raises(ValueError, match=f"n: expected a positive integer, got {int(value)}"):
        check_positive_int(value, "n")


def test_nonnegative_int():
    assert check_nonnegative_int(0, "seed") == 0
    with pytest.raises(ValueError, match="seed: expected a non-negative integer, got -1"):
        check_nonnegative_int(-1, "seed")
    with pytest.raises(TypeError, match="seed: expected a non-negative integer, got bool True"):
        check_nonnegative_int(True, "seed")
    with pytest.raises(TypeError, match="seed: expected a non-negative integer, got float"):
        check_nonnegative_int(1.5, "seed")


def test_positive_float():
    assert check_positive_float(2, "lr") == 2.0
    assert check_positive_float(np.float32(0.5), "lr") == 0.5
    for bad in (0, 0.0, -1e-3):
        with pytest.raises(ValueError, match="lr: expected a positive number, got"):
            check_positive_float(bad, "lr")
    for bad in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(ValueError, match="lr: expected a finite number, got"):
            check_positive_float(bad, "lr")
    for bad in (True, "0.1", None, [0.1]):
        with pytest.raises(TypeError, match="lr: expected a positive number, got"):
            check_positive_float(bad, "lr")


def test_nonnegative_float():
    assert check_nonnegative_float(0, "delta") == 0.0
    assert check_nonnegative_float(1e6, "delta") == 1e6
    with pytest.raises(ValueError, match="delta: expected a non-negative number, got -1.0"):
        check_nonnegative_float(-1, "delta")
    with pytest.raises(TypeError, match="delta: expected a non-negative number, got str"):
        check_nonnegative_float("1", "delta")
    with pytest.raises(ValueError, match="delta: expected a finite number, got nan"):
        check_nonnegative_float(float("nan"), "delta")


def test_check_fraction_open_and_closed():
    assert check_fraction(0.25, "q") == 0.25
    assert check_fraction(0, "quantile", closed=True) == 0.0
    assert check_fraction(np.float32(1.0), "quantile", closed=True) == 1.0
    for bad in (0, 1, -0.5, 1.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"q: expected a number in \(0, 1\), got"):
            check_fraction(bad, "q")
    with pytest.raises(ValueError, match=r"quantile: expected a number in \[0, 1\], got 1.5"):
        check_fraction(1.5, "quantile", closed=True)
    for bad in (True, "0.5", None):
        with pytest.raises(TypeError, match=r"q: expected a number in \(0, 1\), got"):
            check_fraction(bad, "q")


def test_check_choice_lists_the_choices():
    assert check_choice("sum", "reduction", ("mean", "sum")) == "sum"
    with pytest.raises(ValueError, match=r"reduction: expected one of 'mean', 'sum', got 'max'"):
        check_choice("max", "reduction", ("mean", "sum"))


@pytest.mark.parametrize(
    "value", [np.array(["mean", "sum"]), torch.zeros(2), ["mean"], ("mean",), None, 0]
)
def test_check_choice_refuses_arrays_and_containers_with_a_clear_message(value):
    with pytest.raises(ValueError, match=r"reduction: expected one of 'mean', 'sum', got"):
        check_choice(value, "reduction", ("mean", "sum"))


def test_check_choice_accepts_str_subclasses_and_none():
    assert check_choice(np.str_("mean"), "reduction", ("mean", "sum")) == "mean"
    assert check_choice(None, "clamp", (None, "auto")) is None


def test_check_module():
    m = torch.nn.Linear(2, 2)
    assert check_module(m) is m
    with pytest.raises(TypeError, match="model: expected a torch.nn.Module, got function"):
        check_module(lambda x: x)
    with pytest.raises(TypeError, match="net: expected a torch.nn.Module, got Tensor of shape"):
        check_module(torch.zeros(2), "net")
