"""The choices the modeller page hands its properties panel: what lint and the engine accept."""

import json

from lxml import html

from casemgr.accounts.models import ROLE_KEYS
from casemgr.notifications.messages import SUBJECTS
from forms.tasks import TASK_FORMS
from tests.functional.test_pages import log_in


def test_the_modeller_page_carries_the_panel_choices(client, logins):
    log_in(client, logins, "owner")

    page = client.get("/processes/complaint/modeller")

    assert page.status_code == 200
    root = html.fromstring(page.get_data(as_text=True))
    options = json.loads(root.get_element_by_id("modeller").get("data-options"))
    assert options["roles"] == list(ROLE_KEYS)
    assert options["forms"] == sorted(TASK_FORMS)
    assert set(options["service_kinds"]) == {"routing", "notify"}
    assert options["messages"] == sorted(SUBJECTS)
    assert "reporter" in options["recipients"]
    assert "textarea" in options["field_types"]
