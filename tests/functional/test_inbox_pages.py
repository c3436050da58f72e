"""The inbox a page at a time: each page goes on where the last one stopped."""

import re
from datetime import timedelta

import pytest

from casemgr.db import session, utcnow
from casemgr.tasks.models import Task
from tests.functional.citizen_cases import file, log_in

#: Seven triage tasks: two share a due moment (the id breaks the tie), one has none.
HOURS_DUE = (5, 1, 3, 3, None, 2, 4)


@pytest.fixture
def triage_queue(app):
    cases = [file(description=f"Drain blocked, report {n}") for n in range(len(HOURS_DUE))]
    start = utcnow()
    for case, hours in zip(cases, HOURS_DUE, strict=True):
        task = session.query(Task).filter_by(case_id=case.id, status="open").one()
        task.due_at = None if hours is None else start + timedelta(hours=hours)
    session.commit()
    return [case.id for case in cases]


def _pages(api, username, **query):
    """Every page of the user's task list, following the next links."""
    pages = []
    response = api.get("/tasks", username, query_string=query)
    while True:
        assert response.status_code == 200, response.get_json()
        answer = response.get_json()
        pages.append([t["case_id"] for t in answer["items"]])
        if answer["next"] is None:
            assert answer["next_after"] is None
            return pages
        assert answer["next_after"] in answer["next"]
        response = api.client.get(answer["next"], headers=api.headers(username))


def test_the_pages_go_on_in_the_inbox_order_without_repeats(api, triage_queue):
    whole = _pages(api, "triage", limit=200)
    paged = _pages(api, "triage", limit=3)

    assert len(whole) == 1
    assert [len(page) for page in paged] == [3, 3, 1]
    assert [case for page in paged for case in page] == whole[0]
    by_hours = sorted(range(len(HOURS_DUE)), key=lambda n: (HOURS_DUE[n] is None,
                                                            HOURS_DUE[n] or 0, n))
    assert whole[0] == [triage_queue[n] for n in by_hours]


def test_a_page_keeps_the_filters(api, triage_queue):
    paged = _pages(api, "triage", limit=1, case_id=triage_queue[2])

    assert paged == [[triage_queue[2]]]


def test_the_default_page_is_fifty_tasks(api, triage_queue):
    answer = api.get("/tasks", "triage").get_json()

    assert len(answer["items"]) == len(HOURS_DUE)
    assert answer["next"] is None


@pytest.mark.parametrize("query", [{"after": "soon_12"}, {"after": "5_0"}, {"limit": "0"},
                                   {"limit": "201"}, {"limit": "ten"}, {"limit": "\u00b2"},
                                   {"case_id": "\u00b2"}, {"district_id": "9999999999"}])
def test_a_bad_page_parameter_is_400_naming_it(api, query):
    response = api.get("/tasks", "triage", query_string=query)

    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == set(query)


def test_the_inbox_page_links_to_the_next_page(client, logins, triage_queue, monkeypatch):
    from casemgr.tasks import service

    monkeypatch.setattr(service, "PAGE_SIZE", 4)
    log_in(client, "triage", logins["triage"]["password"])

    first = client.get("/tasks/").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" rel="next">', first)
    second = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)

    shown = [re.findall(r'data-task="(\d+)"', page) for page in (first, second)]
    assert [len(ids) for ids in shown] == [4, 3]
    assert not set(shown[0]) & set(shown[1])
    assert 'rel="next"' not in second
    assert client.get("/tasks/?after=garbage").status_code == 400
