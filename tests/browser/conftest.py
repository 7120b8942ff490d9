"""Fixtures for the browser test: one private JupyterLab server and one headless Chromium.

The notebooks under test default to the two slider-heavy ones of the course. For development,
``AELIB_BROWSER_NOTEBOOKS`` may list other notebook paths (separated by ``os.pathsep``); the
server's root is then the deepest folder that contains all of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from jupyterlab_driver import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, LabServer, server_root


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, artifacts_dir):
    """A running JupyterLab; shut down (kernels included) at the end, also after a failure."""
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
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: run `bash tools/ensure_chromium.sh` (installs Debian's "
            "chromium with apt-get) or point AELIB_CHROMIUM at a Chromium binary"
        )
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
