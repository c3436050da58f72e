"""External entities and entity bombs, sent to every place that takes XML or a file."""

import io

import pytest

from casemgr.db import session
from tests.conftest import ROXBURY
from tests.functional.open311 import new_key
from tests.functional.test_authorization_matrix import Caller, _state, forget_request_state

PROCESS = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'id="d" targetNamespace="http://casemgr.org/bpmn">'
    '<bpmn:process id="complaint" isExecutable="true" name="&x;">'
    '<bpmn:startEvent id="s"/></bpmn:process></bpmn:definitions>'
)

DOCUMENTS = {
    "external entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        + PROCESS
    ),
    "network entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "http://127.0.0.1:5179/x">]>\n'
        + PROCESS
    ),
    "parameter entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;'
        '<!ENTITY x "x">]>\n' + PROCESS
    ),
    "billion laughs": (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "lol">'
        + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'
                  for n in range(9))
        + '<!ENTITY x "&j;">]>\n' + PROCESS
    ),
    "quadratic blow-up": (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x "' + "a" * 50_000 + '">]>\n'
        + PROCESS.replace('name="&x;"', 'name="' + "&x;" * 200 + '"')
    ),
}

#: (method, URL, how the document is sent, who sends it)
PROCESS_TARGETS = [
    ("POST", "/api/v1/processes/validate", "body", "owner"),
    ("PUT", "/api/v1/processes/complaint/draft", "body", "owner"),
    ("POST", "/processes/complaint/validate", "body", "owner"),
    ("POST", "/processes/complaint/draft", "body", "owner"),
]
FILE_TARGETS = [
    ("POST", "/dashboard/layers", "geojson", "admin"),
    ("POST", "/report", "photos", None),
    ("POST", "/open311/v2/requests.json", "media", None),
]


@pytest.fixture
def callers(app, api, logins):
    return {name: Caller(app, api, logins, name) for name in ("owner", "admin", None)}


def _send(caller, method, url, how, document, key=None):
    forget_request_state()
    if how == "body":
        headers = dict(caller.headers) if url.startswith("/api/") else {}
        headers["Content-Type"] = "application/xml"
        return caller.client.open(url, method=method, data=document.encode(), headers=headers)
    fields = _file_fields(how, key)
    fields[how] = (io.BytesIO(document.encode()), "evil.xml" if how != "photos" else "evil.jpg")
    return caller.client.open(url, method=method, data=fields,
                              content_type="multipart/form-data")


def _file_fields(how, key):
    point = {"lat": str(ROXBURY[0]), "long": str(ROXBURY[1])}
    return {
        "geojson": {"name": "Evil layer"},
        "photos": {"category": "drains", "description": "Blocked drain near the school",
                   "lat": str(ROXBURY[0]), "lon": str(ROXBURY[1])},
        "media": {"api_key": key, "service_code": "drains",
                  "description": "Blocked drain near the school", **point},
    }[how]


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
@pytest.mark.parametrize("target", PROCESS_TARGETS + FILE_TARGETS,
                         ids=lambda t: f"{t[0]} {t[1]}")
def test_malicious_xml_is_refused_and_nothing_is_stored(callers, target, document):
    method, url, how, username = target
    key = new_key("xml-client") if how == "media" else None
    before = _state()

    response = _send(callers[username], method, url, how, document, key)

    session.expire_all()
    body = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, (response.status_code, body[:300])
    assert "root:" not in body and "lollollol" not in body
    assert _state() == before


def test_deploy_after_a_refused_draft_deploys_nothing(callers):
    owner = callers["owner"]
    for how_url in ("/api/v1/processes/complaint/draft", "/processes/complaint/draft"):
        method = "PUT" if how_url.startswith("/api/") else "POST"
        _send(owner, method, how_url, "body", DOCUMENTS["billion laughs"])
    before = _state()

    forget_request_state()
    api = owner.client.post("/api/v1/processes/complaint/deploy", headers=owner.headers)
    forget_request_state()
    page = owner.client.post("/processes/complaint/deploy")

    assert api.status_code == page.status_code == 422
    assert _state() == before
