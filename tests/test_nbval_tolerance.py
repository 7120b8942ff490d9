"""The notebook comparison: tolerated numbers pass, moved numbers and changed claims fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import nbformat
import pytest

from tests.nbval_tolerance import TOLERANCES, Tolerance, align_numbers, tolerance_of

ROOT = Path(__file__).resolve().parents[1]
TRAINED = TOLERANCES["tolerance-trained"]


def test_numbers_within_tolerance_align_to_the_stored_text():
    stored = "AUC 0.815 for digits {4,5,7}; L(a) = 0.0490 vs 60.1"
    new = "AUC 0.814 for digits {4,5,7}; L(a) = 0.0489 vs 60.2"
    aligned, beyond = align_numbers(stored, new, TRAINED)
    assert aligned == stored and beyond == []


def test_a_number_beyond_tolerance_is_reported_with_both_values():
    stored, new = "AUC 0.815, loss 0.0490", "AUC 0.905, loss 0.0490"
    aligned, beyond = align_numbers(stored, new, TRAINED)
    assert aligned == new
    assert beyond == ["stored 0.815 vs new 0.905: |diff| 0.09"]


def test_a_flipped_claim_or_changed_caption_is_not_aligned():
    for stored, new in [
        ("worst case: True (0.01 vs 0.02)", "worst case: False (0.01 vs 0.02)"),
        ("zone area 8.65", "zone width 8.65"),
        ("rows: 1 2", "rows: 1 2 3"),
    ]:
        aligned, beyond = align_numbers(stored, new, TRAINED)
        assert aligned == new and beyond == []  # nbval's exact diff then fails


def test_identifiers_and_integers_are_compared_as_written():
    # "nb08" and "x_1" are text; an integer count must match unless within the tolerance.
    assert align_numbers("nb08 x_1 16/16", "nb08 x_1 16/16", TRAINED) == ("nb08 x_1 16/16", [])
    assert align_numbers("nb08 16/16", "nb09 16/16", TRAINED)[0] == "nb09 16/16"
    _, beyond = align_numbers("14/16 restarts", "9/16 restarts", TRAINED)
    assert beyond == ["stored 14 vs new 9: |diff| 5"]


def test_percentages_use_percentage_points():
    tol = Tolerance(rtol=0.0, atol=0.0, atol_percent=10.0)
    assert align_numbers("has zone 97%", "has zone 90%", tol) == ("has zone 97%", [])
    _, beyond = align_numbers("has zone 97%", "has zone 80%", tol)
    assert beyond == ["stored 97 vs new 80: |diff| 17 percentage points"]


def test_negative_zero_scientific_and_signs():
    tol = Tolerance(rtol=0.1, atol=1e-3, atol_percent=0.0)
    assert align_numbers("c = -0.00, e 1.2e-05", "c = 0.00, e 1.3e-05", tol)[1] == []
    assert align_numbers("t = -1.73", "t = 1.73", tol)[1] == [
        "stored -1.73 vs new 1.73: |diff| 3.46"
    ]


def test_tolerance_tags_are_read_from_metadata_and_must_be_unique():
    assert tolerance_of({"metadata": {}}) is None
    assert tolerance_of({"metadata": {"tags": ["tolerance-search"]}})[0] == "tolerance-search"
    with pytest.raises(ValueError, match="one tolerance tag"):
        tolerance_of({"metadata": {"tags": ["tolerance-search", "tolerance-trained"]}})


def _notebook(path: Path, printed: str, stored: str, tags: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cell = nbformat.v4.new_code_cell(f"print({printed!r})", metadata={"tags": tags})
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored + "\n")]
    nb.cells = [cell]
    nbformat.write(nb, path)
    return path


def _nbval(paths: list[Path]) -> dict[str, str | None]:
    """nbval on the notebooks in one pytest run: name -> None (passed) or the failure report."""
    report = paths[0].parent / "report.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", *map(str, paths), "--nbval", "-p", "tests.nbval_tolerance",
         "-p", "no:cacheprovider", "-q", "--rootdir", str(paths[0].parent),
         f"--junitxml={report}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    cases = ElementTree.parse(report).getroot().iter("testcase")
    results = {}
    for case in cases:
        failed = case.find("failure")
        name = f"{case.get('classname')}::{case.get('name')}"  # e.g. "moved.ipynb::Cell 0"
        results[name] = None if failed is None else f"{failed.get('message')}\n{failed.text}"
    return results


@pytest.mark.notebooks
@pytest.mark.slow
def test_nbval_end_to_end(tmp_path):
    """Through nbval itself: within tolerance passes; beyond it, or exact cells, fail with both values."""
    cases = {
        "ok": ("AUC 0.814", "AUC 0.815", ["tolerance-trained"]),
        "moved": ("AUC 0.905", "AUC 0.815", ["tolerance-trained"]),
        "exact": ("AUC 0.814", "AUC 0.815", []),
        "claim": ("worst case: False", "worst case: True", ["tolerance-search"]),
    }
    paths = [_notebook(tmp_path / f"{name}.ipynb", *case) for name, case in cases.items()]
    results = _nbval(paths)
    assert len(results) == 4, results
    by_name = {key.split(".ipynb")[0]: value for key, value in results.items()}
    assert sorted(by_name) == sorted(cases), results
    assert by_name["ok"] is None, by_name["ok"]
    assert "number beyond tolerance: stored 0.815 vs new 0.905" in by_name["moved"]
    assert "0.814" in by_name["exact"] and "0.815" in by_name["exact"]
    assert "False" in by_name["claim"]
