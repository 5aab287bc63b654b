"""The server's guards: a body over the cap is refused (413) before it is read, a computation over its time limit
is stopped (504) and says so, a request that finds every worker busy for too long is refused (503), and an
exception that escapes an endpoint is a 500 problem with the version, never a traceback."""

from __future__ import annotations

import html
import threading
import time
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from lightdose.web.app import create_app
from lightdose.web.settings import Settings
from tests.web.test_problems import assert_problem

CAP = 64 * 1024
pytestmark = pytest.mark.slow  # an app of its own (a cold worker) and a 3-s time limit to run into


@pytest.fixture(scope="module")
def small():
    """An app with one cold worker, a 3-s time limit, a 0.5-s wait for a worker, a 64 KiB body cap and the host
    names it answers to (as `lightdose serve` on loopback), and one endpoint that fails."""
    app = create_app(Settings(workers=1, warm=False, compute_limit_s=3.0, queue_limit_s=0.5, max_body_bytes=CAP,
                              allowed_hosts=("testserver", "127.0.0.1")))

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret detail from the request")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_a_body_over_the_cap_is_refused_unread(small):
    big = b"name: x\n" + b"#" * (CAP + 1)
    body = assert_problem(small.post("/api/v1/validate", content=big, headers={"content-type": "application/yaml"}),
                          413)
    assert body["detail"] == "the request body is larger than this server's limit of 0.0625 MB; it was not read"


def test_a_streamed_body_over_the_cap_is_refused(small):
    def chunks():
        for _ in range(CAP // 1024 + 2):
            yield b"#" * 1024

    response = small.post("/api/v1/plan", content=chunks(), headers={"content-type": "application/yaml"})
    assert_problem(response, 413)


def test_a_ten_megabyte_upload_is_refused_by_the_default_cap(client):
    response = client.post("/plan", files={"file": ("big.yaml", b"#" * (10 * 1024 * 1024 + 1))},
                           data={"source": "yaml", "action": "run"}, headers={"accept": "text/html"})
    assert response.status_code == 413
    assert "larger than this server's limit of 10 MB" in html.unescape(response.text)


def test_an_exception_in_the_app_is_a_500_problem(small, caplog):
    with caplog.at_level("ERROR", logger="lightdose.web"):
        response = small.get("/api/v1/boom?patient=jane")
    body = assert_problem(response, 500)
    assert body["detail"].startswith("internal error, please report it with lightdose ")
    assert "secret detail" not in response.text
    assert "RuntimeError" in caplog.text and "patient=jane" not in caplog.text


def test_time_limit_and_busy(small):
    """A long computation meets the 3-s limit (504); meanwhile a second request finds the only worker busy (503)."""
    query = urlencode({"device": "pad-890", "site": "ankle-medial", "time": "4 h", "after": "4 h"})
    answers = {}

    def long_request() -> None:
        answers["long"] = small.get(f"/api/v1/perfusion?{query}")

    worker = threading.Thread(target=long_request)
    worker.start()
    time.sleep(1.0)
    busy = small.get("/api/v1/burn?temperature=44C&time=1h")
    worker.join(timeout=120)
    body = assert_problem(busy, 503)
    assert body["detail"].startswith("the server is busy (all 1 workers stayed busy for 0.5 s)")
    assert busy.headers["retry-after"] == "5"
    body = assert_problem(answers["long"], 504)
    assert body["detail"].startswith("the computation ran past this server's 3-s limit and was stopped")


def test_another_host_name_is_refused(small):
    """DNS rebinding: a page whose domain points at 127.0.0.1 sends its own host name, which the app refuses."""
    assert small.get("/api/v1/devices", headers={"host": "evil.example"}).status_code == 400
    assert small.get("/api/v1/devices", headers={"host": "127.0.0.1"}).status_code == 200
