"""Headless Chromium through Playwright, with no network, for the map tests.

The Debian ``chromium`` binary is used through ``executable_path`` (Playwright's own
browser download is never needed).  Where Chromium or Playwright is missing the tests skip
with the reason, unless ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but the browser tests cannot run: {reason}")
    pytest.skip(f"browser tests skipped: {reason} (they run, and must pass, under CI=true)")


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    path = chromium_path()
    if path is None:
        _unavailable("Debian chromium not found at /usr/bin/chromium or on PATH "
                     "(apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class OfflinePage:
    """A page whose every non-file, non-data request is aborted and recorded."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: Path) -> None:
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.wait_for_function("() => window.geoAtlas !== undefined", timeout=15000)

    def check_clean(self) -> None:
        assert self.blocked == [], f"page tried to use the network: {self.blocked}"
        assert self.errors == [], f"JavaScript errors: {self.errors}"

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        out = ARTIFACTS / name
        self.page.screenshot(path=str(out))
        return out


@pytest.fixture
def offline_page(browser: Any) -> Iterator[OfflinePage]:
    context = browser.new_context(viewport={"width": 1280, "height": 860},
                                  service_workers="block")
    page = context.new_page()
    state = OfflinePage(page=page)

    def _route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            state.blocked.append(url)
            route.abort()

    page.route("**/*", _route)
    page.on("pageerror", lambda exc: state.errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: state.errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    try:
        yield state
    finally:
        context.close()
