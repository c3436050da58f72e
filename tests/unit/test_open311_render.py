"""Open311 rendering: one structure to XML and JSON, and the gravest error status."""

import json

import pytest
from defusedxml import ElementTree

from casemgr.open311.errors import Open311Error
from casemgr.open311.render import to_json, to_xml


def test_lists_take_their_item_names_and_values_their_text():
    body = [{"service_code": "a&b", "metadata": True, "keywords": None,
             "attributes": [{"values": [{"key": 1, "name": "<One>"}]}]}]
    root = ElementTree.fromstring(to_xml("services", body))
    service = root.find("service")
    assert service.findtext("service_code") == "a&b"
    assert service.findtext("metadata") == "true"
    assert service.find("keywords").text is None
    assert service.find("attributes/attribute/values/value/name").text == "<One>"
    assert json.loads(to_json(body)) == body


def test_characters_xml_cannot_carry_become_replacement_marks():
    xml = to_xml("service_requests", [{"description": "bell\x07 and nul\x00 end"}])
    assert ElementTree.fromstring(xml).findtext("request/description") == (
        "bell\ufffd and nul\ufffd end")


def test_text_is_utf8_in_both_formats():
    body = [{"description": "Jalan rusak di Menteng, ±3 m — parah"}]
    assert "±3 m — parah".encode() in to_xml("service_requests", body)
    assert "±3 m — parah".encode() in to_json(body)


@pytest.mark.parametrize("statuses, expected", [
    ([400, 404, 403], 403),
    ([400, 404], 404),
    ([400, 400], 400),
    ([429], 429),
])
def test_the_gravest_status_answers(statuses, expected):
    error = Open311Error([(status, f"error {status}") for status in statuses])
    assert error.status == expected
