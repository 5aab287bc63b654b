"""Issue 14, acceptance 5: `lightdose serve` serves the app on loopback (the page and the API answer with the
expected content) and Ctrl-C stops it cleanly, with one line and no traceback."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from tests.web._web import LiveServer, lightdose_command


@pytest.mark.slow  # starts a server and warms its worker: ~20 s
def test_serve_answers_and_stops_cleanly_on_ctrl_c():
    server = LiveServer(workers=1)
    try:
        server.wait_ready()
        page = httpx.get(server.url + "/", timeout=30)
        assert page.status_code == 200
        assert "Dose explorer" in page.text and "Not a medical device" in page.text
        api = httpx.get(server.url + "/api/v1/depth-dose", params={"device": "pad-890", "site": "ankle-medial",
                                                                   "time": "20 min"}, timeout=60)
        assert api.status_code == 200
        assert api.json()["targets"][0]["target"] == "tibial-nerve"
    finally:
        code, out, err = server.interrupt()
        server.discard_log_if_clean()
    assert code in (0, 130), (code, out, err)
    assert f"open http://127.0.0.1:{server.port}/" in out
    assert "Traceback" not in out + err
    assert len([line for line in err.splitlines() if line.strip()]) <= 1, err


def test_another_host_is_warned_about():
    """A non-loopback address prints the warning that the app has no login (this one, from TEST-NET-1, cannot be
    bound here, so nothing listens)."""
    result = subprocess.run([*lightdose_command(), "serve", "--host", "192.0.2.1", "--port", "8000"],
                            capture_output=True, text=True, timeout=120)
    assert "has no login yet" in result.stderr
    assert result.returncode == 2
    assert "cannot listen on 192.0.2.1:8000" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_options_are_one_line_errors():
    result = subprocess.run([*lightdose_command(), "serve", "--workers", "0"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --workers: 0 is outside the allowed range 1–32"
