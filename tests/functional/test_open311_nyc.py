"""A real file through POST requests: the NYC 311 sample, then read back page by page.

Each Complaint Type becomes a service (a category created here) whose default unit is its
agency. The server plays a New York one without districts: the demo's districts are
Boston's, so the service area check is off (as for a city with no districts loaded) and
every request goes to its category's default unit.
"""

import csv
import re

import pytest
from sqlalchemy import select

from casemgr.accounts import service as accounts
from casemgr.cases.models import Category
from casemgr.db import session
from tests.conftest import data_file
from tests.functional.open311 import PREFIX, children, json_errors, new_key, xml_root

pytestmark = pytest.mark.usefixtures("open311_limits")

#: Counted from the file itself (see data/README.md).
ROWS, WITH_PLACE, WITHOUT_PLACE = 999, 710, 289


def service_code(complaint_type):
    return "nyc-" + re.sub(r"[^a-z0-9]+", "-", complaint_type.lower()).strip("-")[:36]


def read_rows():
    with open(data_file("nyc311-sample.csv"), newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def create_services(rows):
    """One category per Complaint Type, its default unit the row's agency."""
    for complaint_type in sorted({row["Complaint Type"] for row in rows}):
        agency = next(r for r in rows if r["Complaint Type"] == complaint_type)
        unit = accounts.ensure_unit(f"nyc-{agency['Agency'].lower()}", agency["Agency Name"])
        session.add(Category(code=service_code(complaint_type), name=complaint_type,
                             unit=unit, description=f"NYC 311: {complaint_type}"))
    session.commit()


def form_of(row, key):
    form = {"api_key": key, "service_code": service_code(row["Complaint Type"]),
            "description": f"{row['Complaint Type']}: {row['Descriptor'] or 'no detail'}"}
    if row["Latitude"].strip() and row["Longitude"].strip():
        form.update(lat=row["Latitude"], long=row["Longitude"])
    if row["Incident Address"].strip():
        form["address_string"] = f"{row['Incident Address']}, {row['City']}".strip(", ")
    return form


def has_place(row):
    point = row["Latitude"].strip() and row["Longitude"].strip()
    return bool(point or row["Incident Address"].strip())


@pytest.fixture
def generous_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN311_RATE_LIMIT", "100000 per minute")


@pytest.fixture
def anywhere(app, monkeypatch):
    """Take points anywhere: Boston's districts do not make a New York service area."""
    monkeypatch.setitem(app.config, "CHECK_SERVICE_AREA", False)


def test_the_nyc_sample_files_every_row_with_a_place(client, generous_limit, anywhere):
    rows = read_rows()
    assert (len(rows), sum(map(has_place, rows))) == (ROWS, WITH_PLACE)
    create_services(rows)
    key = new_key("nyc-import")

    accepted = {}
    refused = 0
    for row in rows:
        response = client.post(f"{PREFIX}/requests.json", data=form_of(row, key))
        if response.status_code == 201:
            accepted[response.get_json()[0]["service_request_id"]] = row
            continue
        assert not has_place(row)
        assert json_errors(response, 400) == [
            "a location is required: lat and long, address_string or address_id"]
        refused += 1
    assert (len(accepted), refused) == (WITH_PLACE, WITHOUT_PLACE)

    found = read_back(client)
    assert set(found) == set(accepted)
    units = {c.code: c.unit.name for c in session.scalars(select(Category))}
    for reference, row in accepted.items():
        request = found[reference]
        assert request["service_code"] == service_code(row["Complaint Type"])
        assert request["service_name"] == row["Complaint Type"]
        assert request["status"] == "open"
        assert request["agency_responsible"] == units[request["service_code"]]
        if row["Latitude"].strip():
            assert (request["lat"], request["long"]) == (float(row["Latitude"]),
                                                         float(row["Longitude"]))
        else:
            assert (request["lat"], request["long"]) == (None, None)
            assert request["address"].startswith(row["Incident Address"])


def read_back(client, page_size=100):
    """Every request, page by page, until a page comes back empty."""
    found, page = {}, 1
    while True:
        query = f"page={page}&page_size={page_size}"
        body = client.get(f"{PREFIX}/requests.json?{query}").get_json()
        if not body:
            break
        assert len(body) <= page_size
        found.update((item["service_request_id"], item) for item in body)
        root = xml_root(client.get(f"{PREFIX}/requests.xml?{query}"))
        assert [r.findtext("service_request_id") for r in root] == [
            item["service_request_id"] for item in body]
        assert all(children(r)[0] == "service_request_id" for r in root)
        page += 1
    assert page == WITH_PLACE // page_size + 2
    return found
