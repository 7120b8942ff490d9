"""Drive a real JupyterLab in headless Chromium: start a private server, run a notebook, move sliders.

Used by ``tests/browser/test_notebooks_in_lab.py`` through the fixtures in ``conftest.py``.

The server runs from the Python environment that runs pytest (the project's ``.venv``) on
127.0.0.1 with a random free port and a random token. Its Jupyter config, data, runtime and
JupyterLab settings directories are temporary, so a user's own configuration (kernels, extensions,
settings) neither leaks in nor gets changed. The news pop-up and the update check are switched off
(they can cover the page), autosave is off (the notebooks on disk stay as committed), notebook windowing is off (every cell stays in the DOM), and the
application object is exposed as ``window.jupyterapp`` so the test can read the notebook model.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path(os.environ.get("AELIB_CHROMIUM", "/usr/bin/chromium"))
FALSE_WORDS = {"", "0", "false", "no", "off"}


def under_ci(environ: dict[str, str] | None = None) -> bool:
    """True when the environment variable ``CI`` is set to a true value (``CI=true``, ``CI=1``)."""
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() not in FALSE_WORDS


def chromium_missing(chromium: Path = CHROMIUM) -> str | None:
    """Why the browser test cannot run here (Chromium missing), or ``None`` when it can."""
    if chromium.is_file() and os.access(chromium, os.X_OK):
        return None
    return (
        f"Chromium not found at {chromium}; install Debian's chromium or set AELIB_CHROMIUM; "
        "under CI this test must run"
    )


def require_chromium(chromium: Path = CHROMIUM, environ: dict[str, str] | None = None) -> None:
    """Skip the calling test when Chromium is missing, with the reason; under CI, fail instead."""
    import pytest

    reason = chromium_missing(chromium)
    if reason is None:
        return
    if under_ci(environ):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SERVER_START_TIMEOUT_S = 120
SERVER_STOP_TIMEOUT_S = 30

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DEFAULT_NOTEBOOKS = [
    ROOT / "notebooks" / "02_pca_svd_hyperplane.ipynb",
    ROOT / "notebooks" / "09_latent_space_attacks.ipynb",
]


def notebooks_under_test() -> list[Path]:
    """The notebooks the browser test opens (absolute paths; they may not exist yet)."""
    listed = os.environ.get("AELIB_BROWSER_NOTEBOOKS")
    if not listed:
        return DEFAULT_NOTEBOOKS
    return [Path(p).resolve() for p in listed.split(os.pathsep) if p]


def server_root() -> Path:
    """The repository root, or the deepest common folder of notebooks outside it."""
    paths = notebooks_under_test()
    if all(p.is_relative_to(ROOT) for p in paths):
        return ROOT
    return Path(os.path.commonpath([p.parent for p in paths]))


# JupyterLab user settings written into the temporary settings directory.
LAB_SETTINGS = {
    # No "Would you like to receive official Jupyter news?" toast, no update check.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Never write the course's notebooks (or their paired .py) back to disk during the test.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # Keep every cell attached to the DOM so outputs of off-screen cells can be inspected.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

# What the page reports about the open notebook (read from the model, not guessed from pixels).
NOTEBOOK_STATE_JS = """
(panelId) => {
  const app = window.jupyterapp;
  const panel = app && Array.from(app.shell.widgets('main')).find(w => w.id === panelId);
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const errors = [];
  let executed = 0, pending = 0;
  cells.forEach((c, i) => {
    if (c.model.executionCount !== null) executed += 1;
    const prompt = c.node.querySelector('.jp-InputPrompt');
    if (prompt && prompt.textContent.includes('*')) pending += 1;
    for (const o of c.model.outputs.toJSON()) {
      if (o.output_type === 'error') errors.push(`code cell ${i}: ${o.ename}: ${o.evalue}`);
    }
  });
  return {
    kernel: kernel ? kernel.status : 'none',
    connection: kernel ? kernel.connectionStatus : 'none',
    total: cells.length, executed, pending, errors,
  };
}
"""

# Text in the rendered page that means something failed even if no error output was stored.
DOM_FAILURE_JS = """
(panelId) => {
  const found = [];
  const panel = document.getElementById(panelId);
  for (const el of panel.querySelectorAll('.jp-Notebook .jp-OutputArea-output')) {
    const t = el.innerText || '';
    if (t.includes('Traceback (most recent call last)')) found.push('traceback: ' + t.slice(0, 300));
    if (t.includes('Error displaying widget')) found.push('widget: ' + t.slice(0, 300));
    if (t.includes('Failed to display Jupyter Widget')) found.push('widget: ' + t.slice(0, 300));
  }
  return found;
}
"""

# The cells that hold a rendered slider together with an Output widget (the linked output).
SLIDER_CELLS_JS = """
(panelId) => {
  const panel = document.getElementById(panelId);
  const cells = Array.from(panel.querySelectorAll('.jp-Notebook .jp-Cell'));
  const out = [];
  cells.forEach((cell, index) => {
    const handles = cell.querySelectorAll('.jp-OutputArea .widget-slider .noUi-handle');
    if (handles.length > 0) {
      out.push({index, sliders: handles.length,
                outputs: cell.querySelectorAll('.jp-OutputArea .widget-output').length});
    }
  });
  return out;
}
"""

# The content of a cell's Output widgets: text plus every image's source (a data: URL).
OUTPUT_SNAPSHOT_JS = """
([panelId, index]) => {
  const panel = document.getElementById(panelId);
  const cell = panel.querySelectorAll('.jp-Notebook .jp-Cell')[index];
  const parts = [];
  for (const o of cell.querySelectorAll('.jp-OutputArea .widget-output')) {
    parts.push(o.innerText);
    for (const img of o.querySelectorAll('img')) parts.push(img.getAttribute('src') || '');
  }
  return parts;
}
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _terminate_with_parent() -> None:
    """In the child: ask Linux to send SIGTERM if pytest dies without running its teardown.

    (A killed pytest would otherwise leave the server and its kernels running.) The server
    handles SIGTERM by shutting its kernels down. Elsewhere this does nothing.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class LabServer:
    """A private JupyterLab server in a child process (start with :meth:`start`)."""

    root_dir: Path
    work_dir: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.work_dir / "jupyterlab.log"

    def _prepare_dirs(self) -> dict[str, str]:
        env = dict(os.environ)
        for var, sub in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
        ]:
            (self.work_dir / sub).mkdir(parents=True, exist_ok=True)
            env[var] = str(self.work_dir / sub)
        for name, values in LAB_SETTINGS.items():
            path = self.work_dir / "lab-settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))
        (self.work_dir / "lab-workspaces").mkdir(exist_ok=True)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def start(self) -> LabServer:
        """Start the server and wait until its REST API answers."""
        env = self._prepare_dirs()
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            f"--LabApp.user_settings_dir={self.work_dir / 'lab-settings'}",
            f"--LabApp.workspaces_dir={self.work_dir / 'lab-workspaces'}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
            cmd.append("--ServerApp.allow_root=True")
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_terminate_with_parent,
        )
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with code {self.process.returncode} while starting:\n"
                    + self.log_path.read_text()[-3000:]
                )
            if self._api("GET", "/api/status") is not None:
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(
            f"JupyterLab did not answer on {self.url} within {SERVER_START_TIMEOUT_S} s:\n"
            + self.log_path.read_text()[-3000:]
        )

    def _api(self, method: str, path: str) -> dict | None:
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                body = response.read()
                return json.loads(body) if body else {}
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            return None

    def running_kernels(self) -> list[dict]:
        """The kernels the server is running (``[]`` if it does not answer)."""
        return self._api("GET", "/api/kernels") or []

    def stop(self) -> int | None:
        """Shut down through the REST API (kernels included); terminate, then kill, if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self._api("POST", "/api/shutdown")
        try:
            return self.process.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                return self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                return self.process.wait(timeout=10)


def digest(parts: list[str]) -> str:
    """A short fingerprint of an output snapshot (text and image sources)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


# The main-area notebook panel showing a given path, once its kernel session exists.
FIND_PANEL_JS = """
(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  const panel = Array.from(app.shell.widgets('main')).find(
    w => w.context && w.context.path === path && w.content && w.sessionContext);
  return panel && panel.isVisible ? panel.id : null;
}
"""


@dataclass
class LabNotebook:
    """One notebook open in a JupyterLab tab; every query is scoped to its panel."""

    page: object  # playwright.sync_api.Page
    panel_id: str

    @classmethod
    def find(cls, page, path: str, timeout_s: float) -> LabNotebook:
        """Wait until the notebook at server-relative ``path`` is the visible panel."""
        handle = page.wait_for_function(FIND_PANEL_JS, arg=path, timeout=timeout_s * 1000)
        return cls(page, handle.json_value())

    @property
    def panel(self):
        return self.page.locator(f'[id="{self.panel_id}"]')

    def cell(self, index: int):
        """Locator of the cell at DOM position ``index`` (markdown cells count)."""
        return self.panel.locator(".jp-Notebook .jp-Cell").nth(index)

    def state(self) -> dict | None:
        """Kernel status, executed/pending code cells and error outputs, from the model."""
        return self.page.evaluate(NOTEBOOK_STATE_JS, self.panel_id)

    def dom_failures(self) -> list[str]:
        """Tracebacks and widget-rendering errors visible in the notebook's outputs."""
        return self.page.evaluate(DOM_FAILURE_JS, self.panel_id)

    def slider_cells(self) -> list[dict]:
        """Cells (DOM index) with a rendered ipywidgets slider, with their Output-widget count."""
        return self.page.evaluate(SLIDER_CELLS_JS, self.panel_id)

    def output_snapshot(self, index: int) -> list[str]:
        """Text and image sources of the Output widgets in one cell."""
        return self.page.evaluate(OUTPUT_SNAPSHOT_JS, [self.panel_id, index])

    def wait_for_kernel_idle(self, timeout_s: float) -> dict:
        """Wait until the kernel is connected and idle; return the notebook state."""
        deadline = time.monotonic() + timeout_s
        state = None
        while time.monotonic() < deadline:
            state = self.state()
            if state and state["connection"] == "connected" and state["kernel"] == "idle":
                return state
            time.sleep(0.5)
        raise TimeoutError(f"kernel not idle after {timeout_s:.0f} s; last state: {state}")

    def wait_for_run_all(self, timeout_s: float) -> dict:
        """Wait until every code cell ran (or one failed) and the kernel stayed idle 2 polls."""
        deadline = time.monotonic() + timeout_s
        settled, state = 0, None
        while time.monotonic() < deadline:
            state = self.state()
            done = (
                state is not None
                and state["kernel"] == "idle"
                and state["pending"] == 0
                and (state["executed"] == state["total"] or state["errors"])
            )
            settled = settled + 1 if done else 0
            if settled >= 2:
                return state
            time.sleep(1.0)
        raise TimeoutError(f"notebook still running after {timeout_s:.0f} s; last state: {state}")
