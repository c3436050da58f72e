"""A real server on a free loopback port and headless Chromium driven by Playwright."""

import re
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
#: Predicates are functions, not bare expressions: those would need eval, which the CSP forbids.
IMAGES_LOADED = "() => Array.from(document.images).every(image => image.complete)"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def live_server(app):
    """Serve the test app on 127.0.0.1 with CSRF on and no map tiles (there is no internet)."""
    saved = {key: app.config[key] for key in ("WTF_CSRF_ENABLED", "CASEMGR_TILE_URL")}
    app.config.update(WTF_CSRF_ENABLED=True, CASEMGR_TILE_URL="")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    app.config.update(saved)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visitor:
    """One person at the browser: their own cookies, and the page errors they ran into."""

    def __init__(self, browser, base_url):
        self.context = browser.new_context(
            base_url=base_url, viewport={"width": 1280, "height": 900}
        )
        # Nothing leaves the machine: every request that is not to the test server fails.
        local = re.compile("^" + re.escape(base_url) + "/")
        self.context.route(lambda url: not local.match(url), lambda route: route.abort())
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.problems = []
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on(
            "console",
            lambda message: message.type == "error" and self.problems.append(message.text),
        )

    def log_in(self, username, password):
        self.page.goto("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("form.form button[type=submit]")
        self.page.wait_for_url(re.compile(r"/(tasks/)?$"))
        return self

    def close(self):
        # Let every image finish loading first: a request cut off mid-response makes
        # werkzeug's dev server leak the open static file (a ResourceWarning, so an error).
        self.page.wait_for_function(IMAGES_LOADED)
        self.context.close()
        assert self.problems == [], self.problems


@pytest.fixture
def visitor(browser, live_server):
    opened = []

    def open_visitor():
        opened.append(Visitor(browser, live_server))
        return opened[-1]

    yield open_visitor
    for each in opened:
        each.close()
