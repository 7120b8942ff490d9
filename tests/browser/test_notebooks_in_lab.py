"""A learner's session, in a real browser: open a notebook in JupyterLab, run it, move its sliders.

For each notebook under test (02 and 09 by default, see ``conftest.py``):

1. open it in JupyterLab (headless Chromium) and wait for its kernel;
2. clear the stored outputs (Edit menu), so everything checked below is produced now,
   then Run > Run All Cells and wait until every code cell has run and the kernel is idle;
3. assert no error output in the notebook model and no traceback or widget-rendering error
   in the page;
4. for every cell with a rendered ipywidgets slider: click the slider's handle, press an
   arrow key a few times, and assert that the linked Output widget (plot image or text)
   changed and was redrawn without an error;
5. check that the notebook on disk (and its paired .py) was not modified (autosave is off);
6. save screenshots (whole page after the run; each slider cell before and after the move)
   under ``test-artifacts/browser/``.

The JupyterLab server and the browser are shut down by the fixtures, also when a step fails.
Marked ``browser`` and ``slow`` (``make check`` deselects it). Without Chromium the test is
skipped with the reason, except under CI (``CI`` set to a true value), where it fails instead.
The notebooks default to 02 and 09; for development, ``AELIB_BROWSER_NOTEBOOKS`` may list other
notebook paths (separated by ``os.pathsep``), see ``jupyterlab_driver.notebooks_under_test``.
"""

from __future__ import annotations

import hashlib
import re
import time
import urllib.parse
from pathlib import Path

import pytest
from jupyterlab_driver import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    LabNotebook,
    LabServer,
    digest,
    notebooks_under_test,
    require_chromium,
    server_root,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OPEN_TIMEOUT_S = 120  # page load + kernel start on a busy 2-core machine
RUN_ALL_TIMEOUT_S = 600  # a notebook from an empty model cache
SLIDER_TIMEOUT_S = 120  # the redraws of one slider move
KEY_PRESSES = 5  # arrow-key presses per slider: a step the screenshots make visible
TEST_TIMEOUT_S = OPEN_TIMEOUT_S + RUN_ALL_TIMEOUT_S + 300


# --- fixtures (here, not in a conftest.py: tests/ imports its own `conftest` by name) ---


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, artifacts_dir):
    """A running JupyterLab; shut down (kernels included) at the end, also after a failure."""
    require_chromium()  # before starting a server that no browser could open
    server = LabServer(root_dir=server_root(), work_dir=tmp_path_factory.mktemp("jupyterlab"))
    try:
        yield server.start()
    finally:
        server.stop()
        if server.log_path.exists():
            (artifacts_dir / "jupyterlab.log").write_text(server.log_path.read_text())


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser tab (own cookies and storage) at a size that shows a figure whole."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


# --- steps ---


def click_menu(page, menu: str, command: str) -> None:
    """Open a main-menu entry (e.g. "Run") and click the item bound to ``command``."""
    label = page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{menu}$"))
    label.click()
    item = page.locator(f'.lm-Menu-item[data-command="{command}"]').first
    item.wait_for(state="visible", timeout=10_000)
    item.click()


def wait_for_settled_output(
    nb: LabNotebook, cell_index: int, before: str, timeout_s: float
) -> list[str]:
    """Wait until the cell's Output widgets differ from ``before`` and stop changing."""
    deadline = time.monotonic() + timeout_s
    last, stable = None, 0
    while time.monotonic() < deadline:
        snap = nb.output_snapshot(cell_index)
        state = nb.state()
        changed = digest(snap) != before
        idle = state is not None and state["kernel"] == "idle"
        stable = stable + 1 if (changed and idle and digest(snap) == last) else 0
        if stable >= 2:
            return snap
        last = digest(snap)
        time.sleep(0.5)
    raise AssertionError(
        f"the output linked to the slider in cell {cell_index} did not change within "
        f"{timeout_s:.0f} s of moving the slider"
    )


def move_slider(nb: LabNotebook, cell_index: int) -> tuple[str, str]:
    """Click a cell's first slider handle, press an arrow key a few times; return (old, new)."""
    page = nb.page
    handle = nb.cell(cell_index).locator(".jp-OutputArea .widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    old = handle.get_attribute("aria-valuenow")
    handle.click()
    for key in ("ArrowRight", "ArrowLeft"):  # at the maximum, ArrowRight cannot move it
        for _ in range(KEY_PRESSES):
            page.keyboard.press(key)
            page.wait_for_timeout(100)
        page.wait_for_timeout(300)
        new = handle.get_attribute("aria-valuenow")
        if new != old:
            return old, new
    raise AssertionError(f"the slider in cell {cell_index} did not move with the arrow keys")


def file_fingerprints(notebook: Path) -> dict[str, str]:
    """SHA-256 of the notebook and of its paired jupytext script (if any)."""
    paths = [notebook, notebook.with_suffix(".py")]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.exists()}


def count_images(snapshot: list[str]) -> int:
    return sum(part.startswith("data:image") for part in snapshot)


@pytest.mark.timeout(TEST_TIMEOUT_S)
@pytest.mark.parametrize("notebook", notebooks_under_test(), ids=lambda p: p.stem)
def test_notebook_runs_and_sliders_update(notebook, lab_server, page, artifacts_dir):
    if not notebook.exists():
        pytest.fail(f"notebook not found: {notebook}")
    stem = notebook.stem
    for old in artifacts_dir.glob(f"{stem}__*.png"):
        old.unlink()
    on_disk = file_fingerprints(notebook)
    page_errors: list[str] = []
    page.on("pageerror", lambda err: page_errors.append(str(err)))
    rel = notebook.relative_to(lab_server.root_dir).as_posix()
    try:
        # ?reset: start from an empty workspace (no tabs restored from an earlier notebook).
        url = f"{lab_server.url}/lab/tree/{urllib.parse.quote(rel)}?reset&token={lab_server.token}"
        page.goto(url)
        nb = LabNotebook.find(page, rel, OPEN_TIMEOUT_S)
        nb.wait_for_kernel_idle(OPEN_TIMEOUT_S)
        assert page.locator(".jp-Dialog").count() == 0, "a dialog covers the notebook"

        click_menu(page, "Edit", "editmenu:clear-all")
        state = nb.state()
        assert state["executed"] == 0, f"outputs not cleared: {state}"

        started = time.monotonic()
        click_menu(page, "Run", "runmenu:run-all")
        state = nb.wait_for_run_all(RUN_ALL_TIMEOUT_S)
        print(f"{stem}: run all in {time.monotonic() - started:.1f} s, {state}")
        page.screenshot(path=artifacts_dir / f"{stem}__0_after_run_all.png")
        assert not state["errors"], f"error outputs: {state['errors']}"
        assert state["executed"] == state["total"], f"not every code cell ran: {state}"
        assert not nb.dom_failures(), f"errors shown in the page: {nb.dom_failures()}"

        cells = nb.slider_cells()
        assert cells, "no rendered ipywidgets slider found in the notebook"
        for n, cell in enumerate(cells, start=1):
            index = cell["index"]
            assert cell["outputs"] > 0, f"slider in cell {index} has no linked Output widget"
            locator = nb.cell(index)
            before = nb.output_snapshot(index)
            assert "".join(before).strip(), f"the slider's output in cell {index} is empty"
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=artifacts_dir / f"{stem}__{n}_cell{index}_before.png")
            started = time.monotonic()
            old, new = move_slider(nb, index)
            after = wait_for_settled_output(nb, index, digest(before), SLIDER_TIMEOUT_S)
            seconds = time.monotonic() - started
            locator.screenshot(path=artifacts_dir / f"{stem}__{n}_cell{index}_after.png")
            print(f"{stem}: cell {index} slider {old} -> {new}, output redrawn in {seconds:.2f} s")
            assert count_images(after) >= count_images(before), (
                f"cell {index}: the plot disappeared after moving the slider"
            )
            assert not nb.dom_failures(), f"errors after moving a slider: {nb.dom_failures()}"
        assert not nb.state()["errors"]
        assert not page_errors, f"JavaScript errors in the page: {page_errors}"
        assert file_fingerprints(notebook) == on_disk, (
            "the notebook changed on disk while the test ran (JupyterLab autosave must stay off)"
        )
    except BaseException:
        page.screenshot(path=artifacts_dir / f"{stem}__failure.png")
        raise
