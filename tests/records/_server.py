"""The web app on a records database as a live server: ``python tests/records/_server.py DATABASE_URL PORT`` (uvicorn
on 127.0.0.1, one worker process, no warm-up, no access log) — for the load and fault test and the benchmark."""

from __future__ import annotations

import sys

import uvicorn

from lightdose.web.app import create_app
from lightdose.web.settings import Settings


def main() -> None:
    url, port = sys.argv[1], int(sys.argv[2])
    app = create_app(Settings(workers=1, warm=False, database_url=url))
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
