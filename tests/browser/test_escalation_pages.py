"""The escalation dashboard in headless Chromium: tick cases, extend them, export."""

import pytest

from tests.functional.overdue import DOWNTOWN, at_risk_case, fresh, late_case

pytestmark = pytest.mark.browser

SCREENSHOTS = "/tmp"


def test_escalation_manager_extends_the_ticked_cases(visitor, logins, api):
    drains = [late_case(api, hours) for hours in (2, 5)]
    light = late_case(api, 3, category="street_lights", point=DOWNTOWN)
    escalated = late_case(api, 20 * 24)
    risky = at_risk_case(api)
    extended = {case.id: case.sla_due_at for case in (*drains, light, risky)}
    page = visitor().log_in("escalation", logins["escalation"]["password"]).page

    page.goto("/escalations/")
    rows = page.locator("table.escalations tbody tr")
    assert rows.count() == 5
    assert rows.nth(0).get_attribute("data-case") == str(escalated.id)
    assert rows.nth(4).get_attribute("data-case") == str(risky.id)
    page.screenshot(path=f"{SCREENSHOTS}/casemgr-escalations.png", full_page=True)

    page.check("#tick-all")  # shown and working only with the page's script
    assert page.locator("input[name=case_ids]:checked").count() == 5
    page.uncheck(f"input[name=case_ids][value='{escalated.id}']")
    assert page.eval_on_selector("#tick-all", "box => box.indeterminate")
    page.fill("#hours", "8")
    page.click("button[value=extend]")
    assert page.eval_on_selector("#reason", "box => box.validity.valueMissing")  # not sent

    page.fill("#reason", "Heavy rain all week")
    page.click("button[value=extend]")
    page.wait_for_selector(".flash")

    assert "Extended 4 of 4 cases by 8 working hours" in page.inner_text(".flash")
    for case_id, due_at in extended.items():
        assert fresh(case_id).sla_due_at > due_at
    assert page.locator("table.escalations tbody tr").count() == 1
