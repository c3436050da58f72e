"""The page scripts ask the server through one helper, static/fetch.js, loaded before them."""

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
