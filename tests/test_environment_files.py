"""The three dependency lists agree, notebooks import only what is declared, the Binder badge works.

- ``pyproject.toml`` ``[project] dependencies`` is the source of truth (what ``make setup`` installs);
- ``environment.yml`` (local conda users) lists the same packages with the same lower bounds, and
  conda-forge's CPU build of PyTorch;
- ``binder/requirements.txt`` pins every one of them to an exact version that satisfies
  pyproject's bound, PyTorch from its CPU wheel index; anything else it pins must be a
  (transitive) dependency of a declared package;
- every notebook and every ``aelib`` module imports only the standard library, ``aelib`` and
  declared packages (parsed with :mod:`ast`);
- README's Binder badge is built from the repository URL declared in ``pyproject.toml`` and opens
  notebook 01's ``.ipynb`` in JupyterLab.
"""

from __future__ import annotations

import ast
import re
import sys
import urllib.parse
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
FIRST_NOTEBOOK = "notebooks/01_reconstruction_as_anomaly_score.ipynb"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# conda-forge names of PyPI distributions, and conda entries that are not Python packages.
CONDA_TO_PYPI = {"pytorch-cpu": "torch"}
CONDA_TOOLING = {"python", "pip"}
# Allowed in the environments beyond pyproject's list: the kernel that runs the notebooks.
KERNEL = {"ipykernel"}


def declared() -> dict[str, Requirement]:
    """pyproject's runtime dependencies, by canonical name."""
    reqs = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    return {canonicalize_name(r.name): r for r in reqs}


def binder_requirements() -> tuple[dict[str, Requirement], list[str]]:
    """binder/requirements.txt: requirements by canonical name, and the option lines."""
    reqs, options = {}, []
    for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-"):
            options.append(line)
            continue
        req = Requirement(line)
        reqs[canonicalize_name(req.name)] = req
    return reqs, options


def conda_environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_requirements() -> tuple[dict[str, str], list[str]]:
    """environment.yml: {canonical PyPI name: version spec} of the conda packages, pip lines."""
    specs, pip_lines = {}, []
    for entry in conda_environment()["dependencies"]:
        if isinstance(entry, dict):
            pip_lines.extend(entry.get("pip", []))
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", entry.strip())
        assert match, f"environment.yml: cannot parse dependency {entry!r}"
        name, spec = match.groups()
        specs[canonicalize_name(CONDA_TO_PYPI.get(name, name))] = spec.replace(" ", "")
    return specs, pip_lines


def transitive_requirements(names: set[str]) -> set[str]:
    """Every distribution the installed ``names`` depend on (extras excluded), recursively."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        try:
            reqs = requires(name) or []
        except PackageNotFoundError:
            continue
        for text in reqs:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            dep = canonicalize_name(req.name)
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


# --- pyproject / environment.yml / binder agree ---------------------------------------------------


def test_binder_pins_every_declared_dependency_within_its_bound():
    binder, _ = binder_requirements()
    for name, req in declared().items():
        assert name in binder, f"binder/requirements.txt does not pin {name} (pyproject: {req})"
        pins = [s for s in binder[name].specifier if s.operator == "=="]
        assert len(pins) == 1, f"binder/requirements.txt: {binder[name]} is not an exact pin"
        version = Version(pins[0].version)
        assert req.specifier.contains(version, prereleases=True), (
            f"binder pins {name}=={version}, outside pyproject's {req.specifier}"
        )


def test_binder_pins_only_exact_versions_of_declared_packages_or_their_dependencies():
    binder, _ = binder_requirements()
    decl = set(declared())
    allowed = decl | transitive_requirements(decl)
    for name, req in binder.items():
        assert [s.operator for s in req.specifier] == ["=="], f"not an exact pin: {req}"
        assert name in allowed, (
            f"binder/requirements.txt pins {name}, which is neither declared in pyproject.toml "
            "nor a dependency of a declared package"
        )


def test_binder_uses_cpu_builds_of_pytorch():
    binder, options = binder_requirements()
    assert any(CPU_INDEX in opt for opt in options), f"binder: no {CPU_INDEX} index option"
    for name in ("torch", "torchvision"):
        (pin,) = binder[name].specifier
        assert Version(pin.version).local == "cpu", f"binder pins {binder[name]}, not a +cpu build"


def test_binder_installs_aelib_and_python_version_is_supported():
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert re.search(r"pip install --no-deps .*-e \.", post_build), "postBuild must install aelib"
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"binder/runtime.txt: expected 'python-X.Y', got {runtime!r}"
    requires_python = PYPROJECT["project"]["requires-python"]
    assert Version(match.group(1)) in Requirement(f"python{requires_python}").specifier


def test_environment_yml_lists_the_declared_packages_with_the_same_bounds():
    specs, pip_lines = conda_requirements()
    packages = {n: s for n, s in specs.items() if n not in CONDA_TOOLING | KERNEL}
    decl = declared()
    assert set(packages) == set(decl), (
        f"environment.yml vs pyproject.toml: only in environment.yml "
        f"{sorted(set(packages) - set(decl))}, only in pyproject {sorted(set(decl) - set(packages))}"
    )
    for name, req in decl.items():
        assert packages[name] == str(req.specifier), (
            f"environment.yml has {name}{packages[name]}, pyproject.toml has {req}"
        )
    assert "-e ." in pip_lines, "environment.yml must install aelib itself (pip: -e .)"


def test_environment_yml_uses_the_cpu_build_of_pytorch():
    names = [
        re.split(r"[<>=!\s]", d, maxsplit=1)[0]
        for d in conda_environment()["dependencies"]
        if isinstance(d, str)
    ]
    assert "pytorch-cpu" in names and "pytorch" not in names, names
    assert "pytorch-gpu" not in names and "cudatoolkit" not in names, names


# --- imports ----------------------------------------------------------------------------------


def imported_top_level_modules(source: str) -> set[str]:
    """Top-level names of every absolute import in ``source`` (IPython magics removed)."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    tree = ast.parse("\n".join(lines))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def undeclared(modules: set[str]) -> list[str]:
    """The modules that are neither stdlib, aelib, nor provided by a declared distribution."""
    decl = set(declared())
    providers = packages_distributions()
    bad = []
    for module in sorted(modules):
        if module in sys.stdlib_module_names or module == "aelib":
            continue
        dists = {canonicalize_name(d) for d in providers.get(module, [])}
        if not dists & decl:
            bad.append(f"{module} (from {sorted(dists) or 'no installed distribution'})")
    return bad


NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
AELIB_MODULES = sorted((ROOT / "aelib").rglob("*.py"))


def test_the_course_has_notebooks_and_modules_to_check():
    assert NOTEBOOKS, "no notebooks found under notebooks/"
    assert AELIB_MODULES, "no aelib modules found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_imports_only_declared_packages(path):
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    bad = undeclared(imported_top_level_modules(source))
    assert not bad, f"{path.name} imports packages not declared in pyproject.toml: {bad}"


@pytest.mark.parametrize("path", AELIB_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_aelib_module_imports_only_declared_packages(path):
    bad = undeclared(imported_top_level_modules(path.read_text()))
    assert not bad, f"{path.relative_to(ROOT)} imports packages not in pyproject.toml: {bad}"


def test_import_parser_sees_nested_and_from_imports():
    src = "import a.b as c\nfrom d.e import f\nfrom . import g\n%matplotlib inline\ndef h():\n import i"
    assert imported_top_level_modules(src) == {"a", "d", "i"}
    assert undeclared({"os", "aelib", "torch", "sklearn"}) == []
    assert undeclared({"pandas_not_a_dependency_xyz"}) != []


# --- README Binder badge ----------------------------------------------------------------------


def repository() -> tuple[str, str]:
    """(owner, name) of the GitHub repository declared in pyproject's [project.urls]."""
    url = PYPROJECT["project"]["urls"]["Repository"]
    match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", url)
    assert match, f"[project.urls] Repository: expected a GitHub URL, got {url!r}"
    return match.group(1), match.group(2)


def binder_links(readme: str) -> list[str]:
    return re.findall(r"https://mybinder\.org/v2/[^\s)\]]+", readme)


def test_readme_binder_badge_opens_notebook_01_of_the_declared_repository():
    readme = (ROOT / "README.md").read_text()
    owner, name = repository()
    links = binder_links(readme)
    assert links, "README.md has no mybinder.org link"
    badge = re.search(
        r"\[!\[[^\]]*\]\(https://mybinder\.org/badge_logo\.svg\)\]\(([^)]+)\)", readme
    )
    assert badge, (
        "README.md has no Binder badge ([![...](https://mybinder.org/badge_logo.svg)](...))"
    )
    url = urllib.parse.urlsplit(badge.group(1))
    assert url.path == f"/v2/gh/{owner}/{name}/HEAD", f"badge points at {url.path}"
    urlpath = urllib.parse.parse_qs(url.query).get("urlpath", [""])[0]
    assert urlpath.lstrip("/") == f"lab/tree/{FIRST_NOTEBOOK}", f"badge urlpath is {urlpath!r}"
    assert (ROOT / FIRST_NOTEBOOK).exists(), f"the badge opens {FIRST_NOTEBOOK}, which is missing"
    for link in links:
        target = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query).get("urlpath", [""])[0]
        assert not target.endswith(".py"), f"a Binder link opens a jupytext script: {link}"
        assert f"/gh/{owner}/{name}/" in link, f"a Binder link names another repository: {link}"


def test_readme_github_links_name_the_declared_repository():
    readme = (ROOT / "README.md").read_text()
    owner, name = repository()
    for found_owner, found_name in re.findall(r"github\.com/([\w.-]+)/([\w.-]+)", readme):
        assert (found_owner, found_name.removesuffix(".git")) == (owner, name), (
            f"README links github.com/{found_owner}/{found_name}; pyproject declares {owner}/{name}"
        )
