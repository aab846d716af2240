"""Headless Chromium driven over the DevTools protocol, to open a page as a person would and
hear what the browser says about it: console errors, script exceptions, failed loads, and
every request the page makes.

Requests are caught with the protocol's Fetch domain, which pauses each one before it leaves
the browser: it is recorded and failed there, so a page that tries to fetch from outside is
seen without any traffic leaving the machine (host resolution is also switched off).
"""

from __future__ import annotations

import base64
import contextlib
import json
import struct
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
START_TIMEOUT = 30.0
PAGE_TIMEOUT = 30.0
SETTLE = 0.5  # seconds after the load event for late requests and messages


class BrowserUnavailable(Exception):
    """Chromium is missing or would not start; carries its own output."""


@dataclass
class PageVisit:
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, but itself
    console_errors: list[str] = field(default_factory=list)  # console.error, exceptions, failed loads, CSP
    loaded: bool = False


@dataclass
class Rendering:
    measured: Any  # what the page script returned
    png: bytes  # a screenshot of the whole page, not only the window

    @property
    def size(self) -> tuple[int, int]:
        """The screenshot's width and height in pixels, from its PNG header."""
        width, height = struct.unpack(">II", self.png[16:24])
        return width, height


def chromium_command(profile: Path, *extra: str) -> list[str]:
    return [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *extra]


def screenshot(page: Path, target: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    """Chromium's own `--screenshot=`: the page as it renders, saved to `target`."""
    command = chromium_command(profile, f"--screenshot={target}", "--window-size=1280,2400", page.as_uri())
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def visit(page: Path, profile: Path) -> PageVisit:
    """Open `page` (a file) in a fresh browser and return what it requested and complained about."""
    with _browser(profile) as endpoint:
        return _DevTools(endpoint).visit(page.as_uri())


def render(page: Path, profile: Path, width: int, height: int, script: str) -> Rendering:
    """Open `page` in a window of `width` by `height` CSS pixels, run `script` (an expression
    whose value is JSON) once it has loaded, and take a screenshot of the whole page."""
    with _browser(profile) as endpoint:
        return _DevTools(endpoint).render(page.as_uri(), width, height, script)


@contextlib.contextmanager
def _browser(profile: Path) -> Iterator[str]:
    """A fresh headless Chromium on `profile`, its DevTools endpoint while the block runs."""
    if not CHROMIUM.exists():
        raise BrowserUnavailable(f"{CHROMIUM} is not installed (tests/run.sh installs it when run as root)")
    log = profile.parent / f"{profile.name}.chromium.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            chromium_command(profile, "--remote-debugging-port=0", "about:blank"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield _devtools_endpoint(profile, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _devtools_endpoint(profile: Path, process: subprocess.Popen[bytes], log: Path) -> str:
    """Chromium writes its chosen port and browser path to DevToolsActivePort once it listens."""
    active = profile / "DevToolsActivePort"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrowserUnavailable(f"chromium exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        lines = active.read_text().split() if active.exists() else []
        if len(lines) == 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.1)
    raise BrowserUnavailable(f"chromium did not start in {START_TIMEOUT:.0f}s:\n{log.read_text(errors='replace')}")


class _DevTools:
    def __init__(self, endpoint: str) -> None:
        self.socket = websocket.create_connection(endpoint, timeout=PAGE_TIMEOUT, suppress_origin=True)
        self.next_id = 0
        self.session: str | None = None
        self.visit_result = PageVisit()
        self.page_url = ""

    def visit(self, url: str) -> PageVisit:
        try:
            self._open(url, intercept=True)
            return self.visit_result
        finally:
            self.socket.close()

    def render(self, url: str, width: int, height: int, script: str) -> Rendering:
        try:
            self._open(url, intercept=False, window=(width, height))
            evaluated = self.call("Runtime.evaluate", {"expression": script, "returnByValue": True})
            if "exceptionDetails" in evaluated:
                raise AssertionError(f"the page script failed: {evaluated['exceptionDetails']}")
            content = self.call("Page.getLayoutMetrics")["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": content["width"], "height": content["height"], "scale": 1}
            shot = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
            return Rendering(evaluated["result"].get("value"), base64.b64decode(shot["data"]))
        finally:
            self.socket.close()

    def _open(self, url: str, intercept: bool, window: tuple[int, int] | None = None) -> None:
        """Navigate a new tab to `url` and wait until it has loaded and settled."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        if intercept:
            self.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]})
        if window:
            width, height = window
            self.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
        self.page_url = url
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + PAGE_TIMEOUT
        settle_until: float | None = None
        while time.monotonic() < (settle_until or deadline):
            self.socket.settimeout(max(0.05, (settle_until or deadline) - time.monotonic()))
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                continue
            self.event(message)
            if self.visit_result.loaded and settle_until is None:
                settle_until = time.monotonic() + SETTLE
        self.socket.settimeout(PAGE_TIMEOUT)

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.next_id += 1
        asked = self.next_id
        request: dict[str, Any] = {"id": asked, "method": method, "params": params or {}}
        if self.session and not method.startswith("Target."):
            request["sessionId"] = self.session
        self.socket.send(json.dumps(request))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == asked:
                if "error" in message:
                    raise BrowserUnavailable(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.event(message)

    def event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        result = self.visit_result
        if method == "Fetch.requestPaused":
            url = params["request"]["url"]
            if url == self.page_url:
                self.send("Fetch.continueRequest", {"requestId": params["requestId"]})
            else:
                if url not in result.requests:
                    result.requests.append(url)
                self.send("Fetch.failRequest", {"requestId": params["requestId"], "errorReason": "BlockedByClient"})
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if url != self.page_url and url not in result.requests:
                result.requests.append(url)
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            words = (str(arg.get("value", arg.get("description"))) for arg in params["args"])
            result.console_errors.append(" ".join(words))
        elif method == "Runtime.exceptionThrown":
            result.console_errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            result.console_errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Page.loadEventFired":
            result.loaded = True

    def send(self, method: str, params: dict[str, Any]) -> None:
        """A command whose answer is not waited for (answers are read and dropped by `call`/`visit`)."""
        self.next_id += 1
        request = {"id": self.next_id, "method": method, "params": params, "sessionId": self.session}
        self.socket.send(json.dumps(request))
