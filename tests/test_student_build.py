"""The student version: `make student` (tools/build_student.py) strips solutions and nothing else.

The first half works on small notebooks written into ``tmp_path``; the second half checks the
course's own notebooks: exercise structure, checker coverage, and that the built student
notebooks run to the end ("Run All"), each unanswered exercise's check saying "not attempted yet".
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import NOTEBOOKS, ROOT
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import aelib.course.exercises

_spec = importlib.util.spec_from_file_location("build_student", ROOT / "tools/build_student.py")
build_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_student)
_spec = importlib.util.spec_from_file_location(
    "execute_notebook", ROOT / "tools/execute_notebook.py"
)
execute_notebook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebook)

# The model cache the course run should use (the user's, or tools/test.sh's fresh one), captured
# before the autouse fixture in conftest.py points AELIB_CACHE_DIR at a per-test directory.
COURSE_CACHE = os.environ.get("AELIB_CACHE_DIR")
STUB_FIRST = build_student.CODE_STUB.splitlines()[0]  # the stub's comment, maybe indented
NOT_ATTEMPTED = "not attempted"  # what aelib.course.exercises.Feedback.not_attempted prints


# --- helpers -----------------------------------------------------------------------------------


def nbgrader_meta(grade_id: str) -> dict:
    return {
        "nbgrader": {
            "grade": False,
            "grade_id": grade_id,
            "locked": False,
            "schema_version": 3,
            "solution": True,
            "task": False,
        }
    }


def demo_notebook() -> nbformat.NotebookNode:
    """A small instructor notebook with two exercises, stored outputs and notebook metadata."""
    stream = new_output("stream", name="stdout", text="setup done\n")
    figure = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Fig>"})
    cells = [
        new_markdown_cell("# Demo\nExercise 1: find the far point."),
        new_code_cell(
            "from aelib.course.exercises import Feedback\n"
            "def check_00_far(c):\n"
            "    fb = Feedback('00 · far')\n"
            "    if c is None:\n"
            "        return fb.not_attempted()\n"
            "    return fb.correct() if c == 50.0 else fb.wrong('c is the distance, not the loss')\n"
            "print('setup done')",
            execution_count=1,
            outputs=[stream],
        ),
        new_code_cell(
            "c = None  # your answer: the slider value c\n"
            "### BEGIN SOLUTION\nc = 50.0\nprint('solved')\n### END SOLUTION",
            execution_count=2,
            metadata=nbgrader_meta("nb00_far"),
            outputs=[new_output("stream", name="stdout", text="solved\n")],
        ),
        new_code_cell(
            "assert check_00_far(c)",
            execution_count=3,
            outputs=[new_output("stream", name="stdout", text="✓ 00 · far: correct.\n")],
        ),
        new_code_cell("x = 2 + 2\nx", execution_count=4, outputs=[figure]),
        new_code_cell(
            "k = None  # your answer\n"
            "for _ in range(1):\n"
            "    ### BEGIN SOLUTION\n"
            "    k = 3\n"
            "    ### END SOLUTION",
            execution_count=5,
            metadata=nbgrader_meta("nb00_indented"),
        ),
        new_code_cell(
            "check_00_far(k)",
            execution_count=6,
            outputs=[new_output("stream", name="stdout", text="✗ 00 · far: c is the distance\n")],
        ),
        new_markdown_cell("## Summary\nDone."),
    ]
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "jupytext": {"formats": "ipynb,py:percent"},
            "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
        },
    )
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def student_run_problems(nb: nbformat.NotebookNode) -> list[str]:
    """What is wrong with an executed student notebook (empty when all is as it should be).

    No cell may raise (solution cells hold the stub), and the check cell after each solution
    cell must report "not attempted".
    """
    problems, after_solution = [], None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        first = cell.source.splitlines()[0] if cell.source else ""
        if errors:
            e = errors[0]
            problems.append(f"cell {i} ({first!r}) raised {e.ename}: {e.evalue}")
        if build_student.is_solution_cell(cell):
            after_solution = cell.metadata["nbgrader"].get("grade_id")
            continue
        if after_solution and build_student.is_check_cell(cell):
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            if NOT_ATTEMPTED not in text:
                problems.append(
                    f"cell {i} (check after {after_solution}) printed {text!r}, "
                    f"expected '{NOT_ATTEMPTED} yet'"
                )
        after_solution = None
    return problems


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 600) -> nbformat.NotebookNode:
    execute_notebook.PollingNotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    ).execute()
    return nb


# --- the build on small notebooks -------------------------------------------------------------


def test_solutions_replaced_by_stub_and_placeholder_kept():
    instructor = demo_notebook()
    student = build_student.student_notebook(instructor)
    far, indented = student.cells[2].source, student.cells[5].source
    for src in (far, indented):
        assert "BEGIN SOLUTION" not in src and "END SOLUTION" not in src
        assert STUB_FIRST.strip() in src and "raise" not in src
    assert "50.0" not in far and "solved" not in far
    assert far.splitlines()[0] == "c = None  # your answer: the slider value c"
    # the stub keeps the indentation of the markers, so the cell is still valid Python
    assert "    pass" in indented and "k = 3" not in indented
    compile(indented, "<stub>", "exec")
    compile(far, "<stub>", "exec")
    # the instructor notebook object is untouched
    assert "c = 50.0" in instructor.cells[2].source


def test_asserted_check_becomes_a_bare_call():
    instructor = demo_notebook()
    student = build_student.student_notebook(instructor)
    assert instructor.cells[3].source == "assert check_00_far(c)"
    assert student.cells[3].source == "check_00_far(c);"  # the ; hides the True/False echo
    assert student.cells[6].source == instructor.cells[6].source == "check_00_far(k)"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("assert check_04_min_bias(b)", "check_04_min_bias(b);"),
        ("assert check_04_b(b), 'why'  # é\nprint(1)", "check_04_b(b);  # é\nprint(1)"),
        ("x = 1\nassert check_05_a(\n    x,\n)\n", "x = 1\ncheck_05_a(\n    x,\n);\n"),
        ("assert foo(x)", None),  # not a checker
        ("assert not check_05_a(x)", None),  # not a plain call
        ("if ok:\n    assert check_05_a(x)", None),  # not top-level
        ("s = 'assert check_05_a(x)'", None),  # inside a string
        ("%time assert check_05_a(x)", None),  # IPython magic: not parsed, left alone
    ],
)
def test_unassert_checks(source, expected):
    assert build_student.unassert_checks(source) == (source if expected is None else expected)


def test_outputs_cleared_only_for_solution_and_check_cells():
    instructor = demo_notebook()
    student = build_student.student_notebook(instructor)
    assert len(student.cells) == len(instructor.cells)
    cleared = {2, 3, 5, 6}
    for i, (s, t) in enumerate(zip(instructor.cells, student.cells, strict=True)):
        assert s.cell_type == t.cell_type and s.metadata == t.metadata
        if i in cleared:
            assert t.outputs == [] and t.execution_count is None, f"cell {i} kept its output"
            if i in (3, 6):
                assert t.source == build_student.unassert_checks(s.source)
        elif s.cell_type == "code":
            assert (t.source, t.outputs, t.execution_count) == (
                s.source,
                s.outputs,
                s.execution_count,
            ), f"cell {i} changed"
        else:
            assert t.source == s.source
    # notebook metadata: widget state and kernelspec kept, jupytext pairing dropped
    assert student.metadata["widgets"] == instructor.metadata["widgets"]
    assert student.metadata["kernelspec"] == instructor.metadata["kernelspec"]
    assert "jupytext" not in student.metadata and "jupytext" in instructor.metadata


def test_a_code_cell_after_a_solution_that_is_not_a_check_keeps_its_output():
    nb = demo_notebook()
    nb.cells[3].source = "print('unrelated')"  # no check_NN_ call
    student = build_student.student_notebook(nb)
    assert student.cells[3].outputs == nb.cells[3].outputs


def test_solution_cell_without_markers_is_replaced_whole():
    nb = demo_notebook()
    nb.cells[2].source = "c = 50.0"
    student = build_student.student_notebook(nb)
    assert student.cells[2].source == build_student.CODE_STUB


def test_solution_region_in_a_cell_without_solution_metadata_is_refused():
    nb = demo_notebook()
    nb.cells[2].metadata = {}
    with pytest.raises(RuntimeError, match="non-solution cell"):
        build_student.student_notebook(nb)


def test_unterminated_solution_region_is_refused():
    nb = demo_notebook()
    nb.cells[2].source = "c = None\n### BEGIN SOLUTION\nc = 50.0"
    with pytest.raises(RuntimeError, match="no end solution"):
        build_student.student_notebook(nb)


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(TypeError, match="NotebookNode"):
        build_student.student_notebook({"cells": []})
    with pytest.raises(ValueError, match="at least one"):
        build_student.build([], tmp_path / "out")
    with pytest.raises(ValueError, match="existing .ipynb"):
        build_student.build([tmp_path / "missing.ipynb"], tmp_path / "out")
    src = write(demo_notebook(), tmp_path / "src" / "00_demo.ipynb")
    with pytest.raises(ValueError, match="other than the notebooks' own"):
        build_student.build([src], tmp_path / "src")
    assert "c = 50.0" in src.read_text()


def test_solution_lines():
    src = "a = None\n### BEGIN SOLUTION\na = 1\n\n  b = 2\n### END SOLUTION\nprint(a)"
    assert build_student.solution_lines(src) == ["a = 1", "b = 2"]
    assert build_student.solution_lines("print(1)") == []


@pytest.mark.slow
def test_command_line_build_leaves_instructor_files_byte_identical(tmp_path):
    src = tmp_path / "notebooks"
    a = write(demo_notebook(), src / "00_demo.ipynb")
    b = write(demo_notebook(), src / "01_other.ipynb")
    script = src / "00_demo.py"
    script.write_text("# %%\nprint(1)\n")
    out = tmp_path / "student"
    stale = write(demo_notebook(), out / "02_renamed.ipynb")
    before = {p: digest(p) for p in (a, b, script)}
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools/build_student.py"),
            "--src",
            str(src),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "2 exercises stubbed" in run.stdout
    assert {p: digest(p) for p in before} == before, "the build changed an instructor file"
    assert sorted(p.name for p in out.iterdir()) == ["00_demo.ipynb", "01_other.ipynb"]
    assert not stale.exists(), "a full build keeps no stale student notebook"
    text = (out / "00_demo.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text and "c = 50.0" not in text
    nbformat.validate(nbformat.read(out / "00_demo.ipynb", as_version=4))
    # building twice gives the same bytes
    first = digest(out / "00_demo.ipynb")
    build_student.main(["--src", str(src), "--out", str(out)])
    assert digest(out / "00_demo.ipynb") == first


def test_command_line_reports_bad_input_and_keeps_student_files(tmp_path, capsys):
    out = tmp_path / "student"
    kept = write(demo_notebook(), out / "00_demo.ipynb")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit) as exit_info:
        build_student.main(["--src", str(tmp_path / "empty"), "--out", str(out)])
    assert exit_info.value.code == 2
    assert "expected at least one .ipynb" in capsys.readouterr().err
    assert kept.exists(), "a failed build must not delete the existing student notebooks"
    bad = demo_notebook()
    bad.cells[2].metadata = {}  # a solution region outside a solution cell
    write(bad, tmp_path / "bad" / "00_bad.ipynb")
    with pytest.raises(SystemExit):
        build_student.main(["--src", str(tmp_path / "bad"), "--out", str(out)])
    assert "non-solution cell" in capsys.readouterr().err


def test_problem_finder_flags_what_it_should():
    nb = build_student.student_notebook(demo_notebook())
    nb.cells[3].outputs = [new_output("stream", name="stdout", text="… not attempted yet\n")]
    nb.cells[6].outputs = [new_output("stream", name="stdout", text="… not attempted yet\n")]
    assert student_run_problems(nb) == []
    nb.cells[4].outputs = [new_output("error", ename="TypeError", evalue="None", traceback=[])]
    nb.cells[5].outputs = [new_output("error", ename="NameError", evalue="x", traceback=[])]
    nb.cells[6].outputs = [new_output("stream", name="stdout", text="✓ correct\n")]
    problems = student_run_problems(nb)
    assert len(problems) == 3
    assert "cell 4" in problems[0] and "TypeError" in problems[0]
    assert "cell 5" in problems[1] and "NameError" in problems[1]
    assert "cell 6" in problems[2] and "not attempted" in problems[2]


@pytest.mark.slow
def test_demo_student_notebook_runs_to_the_end(tmp_path):
    instructor = execute(demo_notebook(), tmp_path)
    code = [c for c in instructor.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert "✓ 00 · far: correct." in instructor.cells[3].outputs[0].text
    student = execute(build_student.student_notebook(demo_notebook()), tmp_path)
    assert student_run_problems(student) == []


# --- the course's notebooks -------------------------------------------------------------------


def checker_names() -> list[str]:
    return sorted(n for n in dir(aelib.course.exercises) if re.fullmatch(r"check_\d{2}_\w+", n))


def exercises(nb: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    return [(i, c) for i, c in enumerate(nb.cells) if build_student.is_solution_cell(c)]


def next_code_cell(nb: nbformat.NotebookNode, i: int) -> nbformat.NotebookNode | None:
    return next((c for c in nb.cells[i + 1 :] if c.cell_type == "code"), None)


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_course_exercise_structure(ipynb):
    from nbgrader.nbgraderformat import MetadataValidator

    nb = nbformat.read(ipynb, as_version=4)
    MetadataValidator().validate_nb(nb)  # nbgrader's own check: grade ids present and unique
    number = ipynb.name[:2]
    found = exercises(nb)
    assert len(found) >= 2, f"{ipynb.name}: {len(found)} exercise(s), expected at least 2"
    for i, cell in found:
        gid = cell.metadata["nbgrader"].get("grade_id", "")
        where = f"{ipynb.name} cell {i} ({gid})"
        assert gid.startswith(f"nb{number}_"), f"{where}: grade_id should start with nb{number}_"
        assert cell.cell_type == "code", f"{where}: expected a code cell"
        head = cell.source.split("### BEGIN SOLUTION")[0]
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source, where
        assert "None" in head, f"{where}: expected a `answer = None` placeholder above the markers"
        assert build_student.solution_lines(cell.source), f"{where}: empty solution"
        check = next_code_cell(nb, i)
        call = build_student.CHECK_CALL.search(check.source) if check is not None else None
        assert call, f"{where}: the next code cell should call check_{number}_<name>(answer)"
        assert call.group(1) == number, f"{where}: calls a checker of notebook {call.group(1)}"
        name = call.group(0).split("(")[0].strip()
        assert hasattr(aelib.course.exercises, name), (
            f"{where}: aelib.course.exercises has no {name}"
        )


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_course_has_a_slider_exercise(ipynb):
    """Some exercise follows a displayed widget, and the saved widget state holds a slider."""
    nb = nbformat.read(ipynb, as_version=4)
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = {m.get("model_name", "") for m in state.get("state", {}).values()}
    assert any(m.endswith("SliderModel") for m in models), (
        f"{ipynb.name}: no slider in the saved widget state (models: {sorted(models)})"
    )
    start, driven = 0, []
    for i, cell in exercises(nb):
        span = [c for c in nb.cells[start:i] if c.cell_type == "code"]
        if any(WIDGET_VIEW in o.get("data", {}) for c in span for o in c.outputs):
            driven.append(cell.metadata["nbgrader"]["grade_id"])
        start = i + 1
    assert driven, f"{ipynb.name}: no exercise comes after a displayed widget since the last one"


def test_every_checker_is_called_in_a_notebook_and_tested():
    names = checker_names()
    assert names, "aelib.course.exercises defines no check_NN_<name> functions"
    notebook_text = "".join(p.read_text(encoding="utf-8") for p in NOTEBOOKS)
    test_text = "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_exercises_*.py")
    )
    uncalled = [n for n in names if not re.search(rf"\b{n}\s*\(", notebook_text)]
    untested = [n for n in names if not re.search(rf"\b{n}\b", test_text)]
    assert not uncalled, f"checkers no notebook calls: {uncalled}"
    assert not untested, f"checkers no tests/test_exercises_*.py mentions: {untested}"


def test_teaching_guide_lists_every_exercise():
    """docs/teaching.md names each exercise's grade_id and checker (and no stale ones)."""
    guide = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    ids = {
        c.metadata["nbgrader"]["grade_id"]
        for p in NOTEBOOKS
        for _, c in exercises(nbformat.read(p, as_version=4))
    }
    missing = sorted(x for x in ids | set(checker_names()) if f"`{x}`" not in guide)
    assert not missing, f"docs/teaching.md does not mention: {missing}"
    listed = set(re.findall(r"`(nb\d{2}_\w+)`", guide))
    assert not listed - ids, f"docs/teaching.md lists exercises no notebook has: {listed - ids}"


def test_course_student_build_has_no_solutions(tmp_path):
    assert NOTEBOOKS, "no course notebooks"
    before = {p: digest(p) for p in NOTEBOOKS}
    built = build_student.build(NOTEBOOKS, tmp_path / "student")
    assert {p: digest(p) for p in NOTEBOOKS} == before, "the build changed a course notebook"
    for src, dst in zip(NOTEBOOKS, built, strict=True):
        text = dst.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, dst.name
        instructor = nbformat.read(src, as_version=4)
        student = nbformat.read(dst, as_version=4)
        answers = [
            c for c in instructor.cells if build_student.MODEL_ANSWER in c.metadata.get("tags", [])
        ]
        assert answers, f"{src.name}: no model answer to a Think! prompt"
        kept = [c for c in instructor.cells if c not in answers]
        assert len(student.cells) == len(kept)
        assert not any("Model answer" in c.source for c in student.cells), dst.name
        for i, (s, t) in enumerate(zip(kept, student.cells, strict=True)):
            if build_student.is_solution_cell(s):
                assert STUB_FIRST.strip() in t.source and t.outputs == []
                leaked = [
                    ln
                    for ln in build_student.solution_lines(s.source)
                    if ln in t.source and any(ch.isalnum() for ch in ln)  # not a lone "}"
                ]
                assert not leaked, f"{dst.name} cell {i}: solution lines left: {leaked}"
            else:  # unchanged, but for `assert check_...` turned into a bare call
                same = t.source in (
                    build_student.absolute_links(s.source),
                    build_student.unassert_checks(s.source),
                )
                assert same, f"{dst.name} cell {i} changed"


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_course_student_notebooks_execute(tmp_path, monkeypatch):
    """The whole student course runs; only the stubs raise, and every check says "not attempted".

    Slow (it executes all notebooks): one test, the model cache is the course's own (see
    ``COURSE_CACHE``) so a warm cache makes it quick and a cold one trains each model once.
    """
    assert NOTEBOOKS, "no course notebooks"
    if COURSE_CACHE:
        monkeypatch.setenv("AELIB_CACHE_DIR", COURSE_CACHE)
    else:
        monkeypatch.delenv("AELIB_CACHE_DIR", raising=False)
    out = tmp_path / "student"
    problems, timings = [], []
    for path in build_student.build(NOTEBOOKS, out):
        start = time.perf_counter()
        nb = execute(nbformat.read(path, as_version=4), out)
        timings.append(f"{path.name}: {time.perf_counter() - start:.0f} s")
        problems += [f"{path.name} {p}" for p in student_run_problems(nb)]
    print("student notebooks executed —", "; ".join(timings))
    assert not problems, "\n".join(problems)


# --- no answer in sight -------------------------------------------------------------------------
#
# In the student notebooks, nothing a learner can read before an exercise's check cell — markdown
# or a stored output — may show the exercise's accepted answer. Each checker registers what its
# answer looks like in print (aelib.course.exercises.answer_key): numbers, matched as the notebook
# would print them (rounded to the printed decimals, at least two significant digits, percentages
# read as fractions too; section numbers such as §4.1 are not numbers), and regular expressions for
# answers in words or formulas.

NUMBER = re.compile(
    r"(?<![\w.§])(?P<sign>[-−]?)(?P<mantissa>\d+(?:,\d{3})*(?:\.\d*)?|\.\d+)"
    r"(?:[eE](?P<exp>[-−+]?\d+))?(?P<percent>\s?%)?"
)


def printed_numbers(text: str) -> list[tuple[str, float, float]]:
    """Each number printed in ``text``: (as printed, value, half its last printed digit).

    Numbers with fewer than two significant digits ("3", "0.5", "100") are left out: they say
    too little to give an answer away, and are everywhere (indices, counts, parameters).
    """
    found = []
    for m in NUMBER.finditer(text):
        mantissa = m["mantissa"].replace(",", "")
        int_part, _, frac = mantissa.partition(".")
        digits = (int_part + frac).lstrip("0")
        if not frac:
            digits = digits.rstrip("0")
        if len(digits) < 2:
            continue
        exp = int(m["exp"].replace("−", "-")) if m["exp"] else 0
        sign = -1.0 if m["sign"] else 1.0
        value = sign * float(mantissa) * 10.0**exp
        half = 0.5 * 10.0 ** (exp - len(frac))
        found.append((m[0], value, half))
        if m["percent"]:
            found.append((m[0], value / 100, half / 100))
    return found


def answer_shown(text: str, key: aelib.course.exercises.AnswerKey) -> list[str]:
    """What in ``text`` gives away an answer with this key (empty: nothing)."""
    shown = [
        printed
        for printed, value, half in printed_numbers(text)
        for v in key.values
        if abs(value - v) <= half * (1 + 1e-9) + 1e-12 * abs(v)
    ]
    shown += [m.group(0) for p in key.patterns for m in re.finditer(p, text)]
    return shown


def readable_text(cell: nbformat.NotebookNode) -> str:
    """What a learner reads in a cell without running it: markdown, or a code cell's outputs."""
    if cell.cell_type == "markdown":
        return cell.source
    if cell.cell_type != "code":
        return ""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            data = out.get("data", {})
            parts += [data[k] for k in ("text/plain", "text/markdown", "text/html") if k in data]
        elif out.output_type == "error":
            parts.append(out.get("evalue", ""))
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def answer_leaks(nb: nbformat.NotebookNode, name: str) -> list[str]:
    """Where a notebook shows an exercise's answer before the exercise's check cell."""
    leaks = []
    for j, _ in exercises(nb):
        check_at = next(k for k in range(j + 1, len(nb.cells)) if nb.cells[k].cell_type == "code")
        checker = build_student.CHECK_CALL.search(nb.cells[check_at].source)
        checker_name = checker.group(0).split("(")[0].strip()
        key = aelib.course.exercises.answer_key(checker_name)
        for k, before in enumerate(nb.cells[:check_at]):
            for shown in answer_shown(readable_text(before), key):
                leaks.append(f"{name} cell {k} shows {checker_name}'s answer: {shown!r}")
    return leaks


def test_answer_scanner_reads_numbers_as_printed():
    key = aelib.course.exercises.AnswerKey(values=(3.3167, 0.915, 1.8488e33), patterns=(r"\bC1\b",))
    assert answer_shown("last change at t = +3.32 (1.2 x edge)", key) == ["3.32"]
    assert answer_shown("t ≈ 3.317", key) == ["3.317"]
    assert answer_shown("t ≈ 3.31 or 3", key) == []  # another value; too few digits
    assert answer_shown("t ≈ 3.3", key) == ["3.3"]  # two significant digits are enough
    assert answer_shown("higher MSE: 92 %", key) == ["92 %"]  # a fraction, printed as percent
    assert answer_shown("0.92, 91.5%", key) == ["0.92", "91.5%"]
    assert answer_shown("about 1.85e+33 points", key) == ["1.85e+33"]
    assert answer_shown("ELU is C1, ReLU C0", key) == ["C1"]
    assert answer_shown("no answer: 0.9, 4.25, 1,234", key) == []
    assert answer_shown("minus: −3.32", key) == []  # the sign counts
    assert answer_shown("the criterion of §3.32, §4.5.1", key) == []  # section numbers


def test_every_checker_has_an_answer_key():
    keys = set(aelib.course.exercises.answer_keys())
    assert set(checker_names()) <= keys, sorted(set(checker_names()) - keys)
    with pytest.raises(KeyError, match="check_00_missing"):
        aelib.course.exercises.answer_key("check_00_missing")


def test_reveals_answer_tag_clears_outputs():
    nb = demo_notebook()
    nb.cells[4].metadata["tags"] = [build_student.REVEALS_ANSWER]
    student = build_student.student_notebook(nb)
    assert nb.cells[4].outputs and student.cells[4].outputs == []
    assert student.cells[4].source == nb.cells[4].source  # only the output goes


@pytest.mark.slow
def test_no_answer_in_sight_in_student_notebooks(tmp_path, monkeypatch):
    """No markdown or stored output before an exercise's check cell shows its accepted answer.

    Slow: the answer keys come from the course's trained models (the course's model cache, see
    ``COURSE_CACHE``; a cold cache trains them once).
    """
    if COURSE_CACHE:
        monkeypatch.setenv("AELIB_CACHE_DIR", COURSE_CACHE)
    leaks = []
    for path in build_student.build(NOTEBOOKS, tmp_path / "student"):
        leaks += answer_leaks(nbformat.read(path, as_version=4), path.stem)
    assert not leaks, "\n".join(leaks)


def test_model_answer_cells_are_dropped():
    nb = demo_notebook()
    answer = nbformat.v4.new_markdown_cell("<details>model answer</details>")
    answer.metadata["tags"] = [build_student.MODEL_ANSWER]
    nb.cells.insert(1, answer)
    student = build_student.student_notebook(nb)
    assert len(student.cells) == len(nb.cells) - 1
    assert all("model answer" not in c.source for c in student.cells)


def test_links_outside_the_notebooks_become_absolute():
    nb = demo_notebook()
    nb.cells[0].source = "See the [glossary](../docs/glossary.md) and [next](02_x.ipynb)."
    student = build_student.student_notebook(nb)
    text = student.cells[0].source
    assert "](" + build_student.REPOSITORY_BLOB + "docs/glossary.md)" in text
    assert "[next](02_x.ipynb)" in text and "../" not in text
    assert build_student.REPOSITORY_BLOB.startswith("https://github.com/")
