"""Without Chromium the browser test skips with its reason, but under CI it fails (fast, no browser)."""

from __future__ import annotations

import pytest
from jupyterlab_driver import chromium_missing, require_chromium, under_ci


@pytest.mark.parametrize("value", ["true", "1", "yes", "True", "on", "github-actions"])
def test_ci_set_to_a_true_value_counts_as_ci(value):
    assert under_ci({"CI": value})


@pytest.mark.parametrize("value", ["", "0", "false", "False", "no", "off", None])
def test_ci_unset_or_false_is_not_ci(value):
    assert not under_ci({} if value is None else {"CI": value})


def test_a_missing_chromium_is_reported_with_what_to_do(tmp_path):
    missing = tmp_path / "no-chromium"
    reason = chromium_missing(missing)
    assert reason is not None
    assert f"Chromium not found at {missing}" in reason
    assert "install Debian's chromium or set AELIB_CHROMIUM" in reason
    assert "under CI this test must run" in reason


def test_an_executable_chromium_is_accepted(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    assert chromium_missing(fake) is not None  # not executable yet
    fake.chmod(0o755)
    assert chromium_missing(fake) is None
    require_chromium(fake, {"CI": "true"})  # neither skips nor fails


def test_missing_chromium_skips_outside_ci_and_fails_under_ci(tmp_path):
    missing = tmp_path / "no-chromium"
    with pytest.raises(pytest.skip.Exception, match="Chromium not found"):
        require_chromium(missing, {})
    with pytest.raises(pytest.fail.Exception, match="under CI this test must run"):
        require_chromium(missing, {"CI": "true"})
