"""The page scripts share their helpers: static/fetch.js asks the server, static/texts.js
reads the page's words; each is loaded once, before the scripts that use it."""

import re
from pathlib import Path

import pytest

from tests.functional.test_pages import log_in

STATIC = Path(__file__).parents[2] / "casemgr" / "static"
#: Our own page scripts; the vendored bundles are built elsewhere and left as they come.
SCRIPTS = sorted(path for path in STATIC.glob("*.js"))


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_only_the_shared_helper_calls_fetch(path):
    calls = re.findall(r"(?<![\w.])fetch\(", path.read_text(encoding="utf-8"))

    assert len(calls) == (1 if path.name == "fetch.js" else 0)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_no_script_keeps_its_own_copy_of_the_texts_helper(path):
    assert "function texts(" not in path.read_text(encoding="utf-8")


def script_order(page):
    return re.findall(r'<script src="/static/([\w./-]+\.js)', page)


@pytest.mark.parametrize("url, scripts", [
    ("/report", ["map.js", "report.js"]),
    ("/map", ["public_map.js"]),
    ("/routing/test", ["map.js", "routing-test.js"]),
    ("/dashboard/", ["dashboard.js", "task-heat.js"]),
])
def test_pages_load_the_helper_once_before_the_scripts_that_use_it(client, logins, url,
                                                                    scripts):
    log_in(client, logins, "admin")

    order = script_order(client.get(url).get_data(as_text=True))

    assert order.count("fetch.js") == 1, order
    assert all(order.index("fetch.js") < order.index(name) for name in scripts), order


@pytest.mark.parametrize("url, scripts", [
    ("/report", ["map.js"]),
    ("/routing/test", ["map.js", "routing-test.js"]),
    ("/dashboard/", ["dashboard.js", "task-heat.js"]),
])
def test_pages_load_the_texts_helper_once_before_the_scripts_that_use_it(client, logins, url,
                                                                          scripts):
    log_in(client, logins, "admin")

    order = script_order(client.get(url).get_data(as_text=True))

    assert order.count("texts.js") == 1, order
    assert all(order.index("texts.js") < order.index(name) for name in scripts), order
