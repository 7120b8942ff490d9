"""Build the student version of the course: solutions replaced by stubs, everything else intact.

    make student        # or: .venv/bin/python tools/build_student.py [--out DIR] [NOTEBOOK ...]

Reads ``notebooks/NN_*.ipynb`` (never writes them) and writes ``student/NN_*.ipynb``, where

* in every solution cell (nbgrader metadata ``"solution": true``), the code between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` is replaced by :data:`CODE_STUB`, using
  nbgrader's own ``ClearSolutions`` preprocessor (the same one ``nbgrader generate_assignment``
  runs, with the same stub — see ``docs/teaching.md``); the placeholder line above the markers,
  e.g. ``c = None  # your answer: ...``, stays, so the check cell reports "not attempted yet";
* the outputs of each solution cell and of the check cell after it (the code cell that calls
  ``check_NN_name(...)``) are cleared, so the stored "✓ correct" does not give the answer away;
* the outputs of every cell tagged ``reveals-answer`` are cleared too: a cell whose output would
  show an exercise's answer before its check (the learner runs it, after answering, to see);
* in that check cell, a top-level ``assert check_NN_name(answer)`` (the instructor notebook
  asserts that its solution passes) becomes the bare call ``check_NN_name(answer)``: the student
  reads the checker's hint, not an ``AssertionError`` traceback under it;
* links from the notebooks to the rest of the repository (``../docs/glossary.md``,
  ``../README.md#...``) become links to the repository on GitHub, so a student folder copied
  elsewhere (a zip handed out, ``--out`` anywhere) keeps working links; links between notebooks
  stay relative;
* cells tagged ``model-answer`` (the collapsed model answers to a notebook's "Think!" prompts)
  are dropped, as nbconvert's ``TagRemovePreprocessor`` does in the nbgrader route
  (``docs/teaching.md``);
* every other cell, its outputs and figures, and the widget state are kept as they are.

Only ``.ipynb`` files are written: the jupytext pairing (``ipynb,py:percent``) is removed from the
student notebooks' metadata, so opening them never creates a ``.py`` copy with the instructor's
layout next to them. Students get notebooks, the instructor keeps the paired scripts.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.preprocessors import ClearSolutions

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

#: What replaces the solution region. ``nbgrader_config.py`` for a real nbgrader course sets
#: ``c.ClearSolutions.code_stub = {"python": CODE_STUB}`` so both routes produce the same cells.
#: It raises nothing: "Run All" on a student notebook reaches the end, each unanswered exercise's
#: check cell says "not attempted yet", and no later cell depends on the learner's answer.
CODE_STUB = "# YOUR CODE HERE: replace None above with your answer, then run the check below.\npass"

#: Markers of a solution region (nbgrader's defaults, written as ``### BEGIN SOLUTION``).
BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
#: Cell tag: the cell's stored outputs would give an exercise's answer away; cleared for students.
REVEALS_ANSWER = "reveals-answer"
#: Where the repository's files are published: ``../path`` links in markdown point there.
REPOSITORY_BLOB = (
    re.search(r'^Repository = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    + "/blob/main/"
)
#: A markdown link to a file outside notebooks/: ``](../something``.
PARENT_LINK = re.compile(r"\]\(\.\./")
#: Tag of a markdown cell holding a model answer: dropped from the student version.
MODEL_ANSWER = "model-answer"
#: A call of an exercise checker, ``check_<NN>_<name>(``, marks a check cell.
CHECK_CALL = re.compile(r"\bcheck_(\d{2})_(\w+)\s*\(")


def absolute_links(markdown: str) -> str:
    """``markdown`` with every ``](../path`` link pointing at the repository on GitHub."""
    return PARENT_LINK.sub("](" + REPOSITORY_BLOB, markdown)


def is_solution_cell(cell: NotebookNode) -> bool:
    """Whether ``cell`` carries nbgrader metadata with ``"solution": true``."""
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def reveals_answer(cell: NotebookNode) -> bool:
    """Whether ``cell`` is tagged ``reveals-answer`` (its outputs are cleared for students)."""
    return REVEALS_ANSWER in cell.get("metadata", {}).get("tags", [])


def is_check_cell(cell: NotebookNode) -> bool:
    """Whether ``cell`` is a code cell that calls an exercise checker ``check_NN_name(...)``."""
    return cell.cell_type == "code" and CHECK_CALL.search(cell.source) is not None


def solution_lines(source: str) -> list[str]:
    """The non-blank lines strictly between solution markers in ``source`` (stripped).

    Parameters
    ----------
    source : str
        A cell's source.

    Returns
    -------
    list of str
        Each solution line once, in order; empty when the source has no solution region.
    """
    if not isinstance(source, str):
        raise TypeError(f"source: expected a str, got {type(source).__name__}")
    lines, inside = [], False
    for line in source.splitlines():
        if BEGIN_SOLUTION in line:
            inside = True
        elif END_SOLUTION in line:
            inside = False
        elif inside and line.strip() and line.strip() not in lines:
            lines.append(line.strip())
    return lines


def unassert_checks(source: str) -> str:
    """Turn each top-level ``assert check_NN_name(...)`` in ``source`` into the bare call.

    The call ends with ``;`` so the cell shows only the checker's feedback, not its ``True``/``False``.

    Parameters
    ----------
    source : str
        A check cell's source.

    Returns
    -------
    str
        The source with those statements rewritten (found with :mod:`ast`, so strings, comments
        and nested code are never touched); unchanged if it has none or is not plain Python.
    """
    if not isinstance(source, str):
        raise TypeError(f"source: expected a str, got {type(source).__name__}")
    try:
        tree = ast.parse(source)
    except SyntaxError:  # e.g. IPython magics: leave the cell alone
        return source
    lines = source.splitlines(keepends=True)
    for node in reversed(tree.body):
        call = node.test if isinstance(node, ast.Assert) else None
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and CHECK_CALL.match(call.func.id + "(")
            and node.col_offset == 0
        ):
            continue
        statement = "".join(lines[node.lineno - 1 : node.end_lineno])
        old, new = ast.get_source_segment(source, node), ast.get_source_segment(source, call)
        if old and new and statement.startswith(old):
            lines[node.lineno - 1 : node.end_lineno] = [new + ";" + statement[len(old) :]]
    return "".join(lines)


def _clear_outputs(cell: NotebookNode) -> None:
    cell.outputs = []
    cell.execution_count = None


def student_notebook(nb: NotebookNode) -> NotebookNode:
    """Return the student version of an instructor notebook (the input is not modified).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An instructor notebook (nbformat 4) whose exercises follow the nbgrader conventions.

    Returns
    -------
    nbformat.NotebookNode
        A copy with every solution region replaced by :data:`CODE_STUB`; the outputs of solution
        cells, of the check cell after each one and of cells tagged ``reveals-answer`` cleared;
        cells tagged ``model-answer`` removed;
        ``assert check_NN_name(...)`` in those check cells turned into bare calls; and the
        jupytext pairing removed.

    Raises
    ------
    TypeError
        If ``nb`` is not a notebook node.
    RuntimeError
        From nbgrader, if a solution region sits in a cell without ``"solution": true`` metadata
        or a ``BEGIN SOLUTION`` has no matching ``END SOLUTION``.
    """
    if not isinstance(nb, NotebookNode) or "cells" not in nb:
        raise TypeError(f"nb: expected an nbformat NotebookNode, got {type(nb).__name__}")
    student = copy.deepcopy(nb)
    clear = ClearSolutions(
        code_stub={"python": CODE_STUB},
        begin_solution_delimeter=BEGIN_SOLUTION,
        end_solution_delimeter=END_SOLUTION,
        enforce_metadata=True,
    )
    student, _ = clear.preprocess(student, {})

    after_solution = False
    for cell in student.cells:
        if is_solution_cell(cell):
            if cell.cell_type == "code":
                _clear_outputs(cell)
            after_solution = True
        elif cell.cell_type == "code":
            if after_solution and is_check_cell(cell):
                _clear_outputs(cell)
                cell.source = unassert_checks(cell.source)
            elif reveals_answer(cell):
                _clear_outputs(cell)
            after_solution = False
    student.cells = [c for c in student.cells if MODEL_ANSWER not in c.metadata.get("tags", [])]
    for cell in student.cells:
        if cell.cell_type == "markdown":
            cell.source = absolute_links(cell.source)
    student.metadata.pop("jupytext", None)
    return student


def build(notebooks: Sequence[Path], out_dir: Path) -> list[Path]:
    """Write the student version of each notebook into ``out_dir``; return the written paths.

    Parameters
    ----------
    notebooks : sequence of pathlib.Path
        Instructor notebooks; they are only read.
    out_dir : pathlib.Path
        Destination directory, created if missing. Files keep their names.

    Returns
    -------
    list of pathlib.Path
        The student notebooks written, in the order given.

    Raises
    ------
    ValueError
        If ``notebooks`` is empty, a path is not an existing ``.ipynb`` file, or ``out_dir`` is the
        directory the notebooks come from (which would overwrite the instructor version).
    """
    paths = [Path(p) for p in notebooks]
    if not paths:
        raise ValueError("notebooks: expected at least one .ipynb path, got none")
    out_dir = Path(out_dir)
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"notebooks: expected existing .ipynb files, got {str(path)!r}")
        if out_dir.resolve() == path.parent.resolve():
            raise ValueError(
                f"out_dir: expected a directory other than the notebooks' own, got {str(out_dir)!r}"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        student = student_notebook(nbformat.read(path, as_version=4))
        text = nbformat.writes(student)
        if BEGIN_SOLUTION in text or END_SOLUTION in text:  # belt and braces: never ship one
            raise RuntimeError(f"{path.name}: a solution marker survived the build")
        target = out_dir / path.name
        nbformat.write(student, target)
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/NN_*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="default: student/")
    parser.add_argument("--src", type=Path, default=ROOT / "notebooks", help="default: notebooks/")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(args.src.glob(NOTEBOOK_GLOB))
    try:
        written = build(notebooks, args.out)
    except (ValueError, RuntimeError) as err:  # a bad argument or a malformed exercise cell
        parser.error(str(err))
    if not args.notebooks:  # a full build: drop stale copies of renamed or removed notebooks
        keep = {p.name for p in notebooks}
        for old in args.out.glob(NOTEBOOK_GLOB):
            if old.name not in keep:
                old.unlink()
    cwd = Path.cwd()
    for path in written:
        n = sum(is_solution_cell(c) for c in nbformat.read(path, as_version=4).cells)
        shown = path.resolve().relative_to(cwd) if path.resolve().is_relative_to(cwd) else path
        print(f"{shown}: {n} exercise{'s' * (n != 1)} stubbed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
