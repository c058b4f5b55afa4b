"""Locust user for benchmarks/load.py: requests one URL over and over.

benchmarks/load.py runs locust once per endpoint (headless, bounded in users and time) and
sets, through the environment:
- BENCH_PATH: the path to request (with its query string);
- BENCH_NAME: the name the statistics are kept under;
- BENCH_WAIT: seconds each simulated user waits between two requests (0: back to back).
Every request says it came through the HTTPS proxy (X-Forwarded-Proto), as behind the
production reverse proxy, so that DEBUG-off settings do not redirect it.
"""

from __future__ import annotations

import os

from locust import constant, constant_pacing
from locust.contrib.fasthttp import FastHttpUser

PATH = os.environ.get("BENCH_PATH", "/")
NAME = os.environ.get("BENCH_NAME", PATH)
WAIT = float(os.environ.get("BENCH_WAIT", "0"))
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "en"}


class Visitor(FastHttpUser):
    """An anonymous visitor. With BENCH_WAIT > 0 each one sends a request every BENCH_WAIT
    seconds (constant pacing: the offered load is users / BENCH_WAIT requests per second);
    with 0 it sends the next as soon as the answer arrives (the server's capacity)."""

    wait_time = constant_pacing(WAIT) if WAIT > 0 else constant(0)

    def request_once(self) -> None:
        with self.client.get(PATH, name=NAME, headers=HEADERS, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    tasks = [request_once]
