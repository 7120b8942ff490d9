"""No parameter default in aelib is read from a (mutable) ``config`` module at import time.

A default such as ``eps: float = config.EPSILON`` is evaluated once, when the module is imported,
so a notebook that later sets ``config.EPSILON = 0.05`` silently keeps the old value. Functions
take ``None`` instead and read the constant at call time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch
from test_oob import Constant
from test_oob import X as X_OOB

import aelib
from aelib.course import config
from aelib.course.exercises import plane_data
from aelib.course.oob import error_grid, out_of_bounds
from aelib.course.widgets import score_explorer
from aelib.data import gaussian
from aelib.linalg import pca

AELIB = Path(aelib.__file__).resolve().parent


def _config_aliases(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to a ``config`` module, and names imported *from* one, in this file."""
    modules, constants = {"config"}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[-1] == "config" and a.asname:
                    modules.add(a.asname)
        elif isinstance(node, ast.ImportFrom):
            from_config = (node.module or "").split(".")[-1] == "config"
            for a in node.names:
                if from_config:
                    constants.add(a.asname or a.name)
                elif a.name == "config":
                    modules.add(a.asname or a.name)
    return modules, constants


def _reads_config(expr: ast.expr, modules: set[str], constants: set[str]) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Attribute):
            base = node.value
            if isinstance(base, ast.Name) and base.id in modules:
                return True  # config.X, cfg.X
            if isinstance(base, ast.Attribute) and base.attr == "config":
                return True  # aelib.course.config.X
        elif isinstance(node, ast.Name) and node.id in constants:
            return True  # from aelib.course.config import X; def f(a=X)
    return False


def _violations(path: Path, root: Path = AELIB) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules, constants = _config_aliases(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        args = node.args
        positional = args.posonlyargs + args.args
        pairs = list(
            zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
        )
        pairs += [
            (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
        ]
        name = getattr(node, "name", "<lambda>")
        for arg, default in pairs:
            if _reads_config(default, modules, constants):
                where = f"{path.relative_to(root).as_posix()}:{default.lineno}"
                found.append(f"{where} {name}({arg.arg}={ast.unparse(default)})")
    return found


def _sources() -> list[Path]:
    return sorted(AELIB.rglob("*.py"))


def test_no_parameter_default_reads_config():
    bad = [v for p in _sources() for v in _violations(p)]
    assert not bad, (
        "parameter defaults read from config at import time; default to None and read "
        "config at call time instead:\n" + "\n".join(bad)
    )


def test_scanner_catches_each_spelling(tmp_path):
    src = (
        "from aelib.course import config\n"
        "import aelib.course.config as cfg\n"
        "from aelib.course.config import EPSILON\n"
        "import aelib\n"
        "def a(x=config.EPSILON): ...\n"
        "def b(*, x=cfg.EPSILON): ...\n"
        "def c(x=EPSILON): ...\n"
        "def d(x=config.NB01_PLANE[1]): ...\n"
        "def e(x=aelib.course.config.EPSILON): ...\n"
        "f = lambda x=config.EPSILON: x\n"
        "def ok(x=None, y=0.1):\n"
        "    return config.EPSILON if x is None else x\n"
    )
    probe = tmp_path / "probe.py"
    probe.write_text(src, encoding="utf-8")
    found = _violations(probe, root=tmp_path)
    assert sorted(v.split()[1].split("(")[0] for v in found) == [
        "<lambda>",
        "a",
        "b",
        "c",
        "d",
        "e",
    ]


# --- the defaults follow config changes made after import ------------------------------------------


# The constant autoencoder and the two-point data of tests/test_oob.py, defined there once.


def test_out_of_bounds_reads_config_at_call_time(monkeypatch):
    monkeypatch.setattr(config, "TOY_PLANE", (-2.0, 2.0))
    monkeypatch.setattr(config, "TOY_GRID", 5)
    monkeypatch.setattr(config, "EPSILON", 1.01)
    monkeypatch.setattr(config, "OOB_MARGIN", 0.25)
    o = out_of_bounds(Constant(), X_OOB)
    assert o.xx.shape == (5, 5)
    assert o.xx[0].tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert (o.eps, o.margin) == (1.01, 0.25)
    # MSE |x|²/2 < 1.01 on the 9 points with |x|² ≤ 2; (0, 0) is data, the other 8 are > 0.25 away
    assert o.zone.sum() == 8 and o.area == pytest.approx(8.0)
    # an explicit value still wins over config
    o = out_of_bounds(Constant(), X_OOB, eps=0.1, margin=0.75, resolution=3)
    assert (o.eps, o.margin, o.xx.shape) == (0.1, 0.75, (3, 3))
    assert o.area == 0.0
    xx, _, _ = error_grid(Constant())
    assert xx.shape == (5, 5) and (float(xx.min()), float(xx.max())) == (-2.0, 2.0)


def test_score_explorer_reads_config_at_call_time(monkeypatch):
    X = gaussian(config.TOY_N, seed=0).double()
    p = pca(X, 1)
    monkeypatch.setattr(config, "NB01_PLANE", (-3.0, 3.0))
    monkeypatch.setattr(config, "NB01_R_STEP", 0.25)
    monkeypatch.setattr(config, "NB01_GRID", 11)  # read in the body already; keeps this fast
    r = score_explorer(p, X).children[0]
    assert (r.max, r.step) == (3.0, 0.25)
    r = score_explorer(p, X, r_max=2.0, r_step=0.5).children[0]
    assert (r.max, r.step) == (2.0, 0.5)


def test_plane_data_reads_config_at_call_time(monkeypatch):
    monkeypatch.setattr(config, "PLANE3D_M", 7)
    assert plane_data().shape == (7, 3)
    assert plane_data(m=4).shape == (4, 3)
    monkeypatch.setattr(config, "PLANE3D_SEED", 3)
    assert torch.equal(plane_data(), plane_data(seed=3))
    assert not torch.equal(plane_data(), plane_data(seed=0))
