"""Asynchronous intake: POST requests answers a token, a job files it, tokens/ gives the id."""

import os

import pytest
from sqlalchemy import func, select

from casemgr import jobs
from casemgr.cases import service as cases
from casemgr.cases.models import Attachment, CaseAnswer, Category
from casemgr.db import session
from casemgr.open311 import service
from casemgr.open311.models import PendingRequest
from tests.functional.open311 import (
    PREFIX,
    children,
    jpeg_bytes,
    json_body,
    json_errors,
    new_key,
    post_multipart,
    request_form,
    xml_root,
)

pytestmark = pytest.mark.usefixtures("open311_limits")


@pytest.fixture
def asynchronous(app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN311_ASYNC", True)


@pytest.fixture
def held_jobs(monkeypatch):
    """Keep queued jobs instead of running them, as a Redis queue without a worker would."""
    held = []
    monkeypatch.setattr(jobs, "enqueue", lambda func, *args, **kwargs: held.append(args))
    return held


def files_in(app):
    return len(os.listdir(app.config["UPLOAD_DIR"]))


def count(model):
    return session.scalar(select(func.count(model.id)))


def test_queued_request_answers_a_token_that_gives_the_id(app, client, asynchronous):
    from casemgr.cases import questions

    questions.define(cases.category_by_code("drains"), "DEPTH", "Depth in cm?", "number")
    before = files_in(app)
    form = {**request_form(new_key()), "attribute[DEPTH]": "20",
            "media": ("drain.jpg", jpeg_bytes())}
    response = post_multipart(client, f"{PREFIX}/requests.xml", form)
    assert response.status_code == 202, response.get_data(as_text=True)
    root = xml_root(response)
    assert root.tag == "service_requests"
    assert children(root[0]) == ["token", "service_notice", "account_id"]
    token = root[0].findtext("token")

    # Without Redis the job runs at once, so the token already has its id.
    answer = json_body(client.get(f"{PREFIX}/tokens/{token}.json"))
    case = cases.by_reference(answer[0]["service_request_id"])
    assert case.source == "open311" and case.description == "Drain blocked on the corner"
    assert [a.value for a in session.scalars(select(CaseAnswer))] == ["20"]
    assert count(PendingRequest) == 0
    # The waiting copy is gone; the case's own photo stays.
    assert (files_in(app), count(Attachment)) == (before + 1, 1)


def test_a_token_waits_for_its_job(app, client, asynchronous, held_jobs):
    before = files_in(app)
    form = {**request_form(new_key()), "media": ("drain.jpg", jpeg_bytes())}
    token = json_body(post_multipart(client, f"{PREFIX}/requests.json", form))[0]["token"]

    assert json_body(client.get(f"{PREFIX}/tokens/{token}.json")) == [
        {"service_request_id": None, "token": token}]
    waiting = xml_root(client.get(f"{PREFIX}/tokens/{token}.xml"))[0]
    assert children(waiting) == ["service_request_id", "token"]
    assert waiting.findtext("service_request_id") == ""
    assert cases.case_count() == 0 and files_in(app) == before + 1

    (pending_id,) = held_jobs.pop()
    case_id = service.file_pending(pending_id)
    reference = cases.get(case_id).reference
    assert json_body(client.get(f"{PREFIX}/tokens/{token}.json"))[0][
        "service_request_id"] == reference
    assert files_in(app) == before + 1 and count(Attachment) == 1
    assert service.file_pending(pending_id) is None


def test_a_request_its_intake_refuses_later_is_marked_failed(app, client, asynchronous,
                                                            held_jobs):
    # A category of this test's own: the seeded ones stay as the other tests expect them.
    closing = Category(code="closing", name="Closing soon",
                       unit=cases.category_by_code("drains").unit)
    session.add(closing)
    session.commit()
    before = files_in(app)
    form = {**request_form(new_key(), service_code="closing"),
            "media": ("drain.jpg", jpeg_bytes())}
    token = json_body(post_multipart(client, f"{PREFIX}/requests.json", form))[0]["token"]
    cases.category_by_code("closing").is_active = False
    session.commit()

    (pending_id,) = held_jobs.pop()
    assert service.file_pending(pending_id) is None
    errors = json_errors(client.get(f"{PREFIX}/tokens/{token}.json"), 404)
    assert errors == [f"token {token!r} was not filed: category: unknown category 'closing'"]
    assert cases.case_count() == 0 and files_in(app) == before


def test_refused_requests_queue_nothing(app, client, asynchronous, held_jobs):
    before = files_in(app)
    form = {**request_form(new_key(), service_code="nope"), "media": ("x.jpg", jpeg_bytes())}
    response = post_multipart(client, f"{PREFIX}/requests.json", form)
    assert json_errors(response, 404) == ["service_code 'nope' not found"]
    assert (count(PendingRequest), held_jobs, files_in(app)) == (0, [], before)
