"""aelib._torch_utils.eval_mode: eval inside the block, every submodule's own flag restored after."""

from __future__ import annotations

import pytest
from torch import nn

from aelib._torch_utils import eval_mode


def mixed_model() -> nn.Module:
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.Linear(2, 2)))
    model.train()
    model[1][0].eval()  # a submodule frozen in eval mode inside a training model
    return model


def flags(model: nn.Module) -> list[bool]:
    return [m.training for m in model.modules()]


def test_eval_mode_restores_each_submodule_flag():
    model = mixed_model()
    before = flags(model)
    with eval_mode(model) as inside:
        assert inside is model and not any(flags(model))
    assert flags(model) == before == [True, True, True, False, True]


def test_eval_mode_restores_flags_on_exception():
    model = mixed_model()
    before = flags(model)
    with pytest.raises(RuntimeError, match="boom"), eval_mode(model):
        raise RuntimeError("boom")
    assert flags(model) == before
