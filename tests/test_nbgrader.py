"""nbgrader works on the course: `nbgrader generate_assignment` releases it without solutions.

Runs the real ``nbgrader`` command of the venv (the ``instructor`` extra) in a temporary course
directory, with the ``nbgrader_config.py`` that docs/teaching.md tells instructors to write, on a
small demo notebook and on every course notebook.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import NOTEBOOKS, ROOT
from test_student_build import STUB_FIRST, build_student, demo_notebook, write
from traitlets.config import Config

ASSIGNMENT = "course"
NBGRADER = Path(sys.executable).with_name("nbgrader")

GUIDE = ROOT / "docs" / "teaching.md"


def documented_config() -> str:
    """The ``nbgrader_config.py`` that docs/teaching.md tells instructors to write."""
    found = re.search(r"cat > nbgrader_config.py <<'EOF'\n(.*?)\nEOF\n", GUIDE.read_text(), re.S)
    assert found, "docs/teaching.md has no `cat > nbgrader_config.py <<'EOF' ... EOF` block"
    return found.group(1) + "\n"


def test_documented_config_uses_the_student_build_stub():
    config = Config()
    exec(documented_config(), {"get_config": lambda: config})
    assert config.ClearSolutions.code_stub == {"python": build_student.CODE_STUB}


@pytest.mark.slow
def test_generate_assignment_releases_no_solution_text(tmp_path):
    assert NBGRADER.exists(), f"nbgrader is not installed in the venv ({NBGRADER}): make setup"
    assert NOTEBOOKS, "no course notebooks"
    course = tmp_path / "course"
    source = course / "source" / ASSIGNMENT
    notebooks = [write(demo_notebook(), source / "00_demo.ipynb")]
    for path in NOTEBOOKS:
        notebooks.append(Path(shutil.copy(path, source / path.name)))
    root = f"c.CourseDirectory.root = {str(course)!r}\n"
    (course / "nbgrader_config.py").write_text(documented_config() + root)

    # nbgrader runs `alembic` (its database migrations) from PATH: use the venv's, as an
    # activated venv (`source .venv/bin/activate`, see docs/teaching.md) would.
    env = {**os.environ, "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [str(NBGRADER), "generate_assignment", ASSIGNMENT, "--force"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr

    release = course / "release" / ASSIGNMENT
    assert sorted(p.name for p in release.glob("*.ipynb")) == sorted(p.name for p in notebooks)
    for src in notebooks:
        text = (release / src.name).read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, src.name
        released = nbformat.read(release / src.name, as_version=4)
        instructor = nbformat.read(src, as_version=4)
        ours = build_student.student_notebook(instructor)
        # both routes drop the model answers (nbconvert's TagRemovePreprocessor in the config)
        kept = [
            c
            for c in instructor.cells
            if build_student.MODEL_ANSWER not in c.metadata.get("tags", [])
        ]
        n_solutions = 0
        for i, (s, r, o) in enumerate(zip(kept, released.cells, ours.cells, strict=True)):
            # identical cells, except that `make student` also unasserts check calls
            same = o.source in (
                build_student.absolute_links(r.source),
                build_student.unassert_checks(r.source),
            )
            assert same, f"{src.name} cell {i}: nbgrader and make student differ"
            if build_student.is_solution_cell(s):
                n_solutions += 1
                assert STUB_FIRST in r.source, f"{src.name} cell {i}: no stub"
                leaked = [
                    ln
                    for ln in build_student.solution_lines(s.source)
                    if ln in r.source and any(ch.isalnum() for ch in ln)  # not a lone "}"
                ]
                assert not leaked, f"{src.name} cell {i}: solution text released: {leaked}"
        assert n_solutions >= 2, f"{src.name}: expected at least two exercises"
    # the gradebook knows the exercises, so `nbgrader autograde` can be used later
    assert (course / "gradebook.db").exists()
