"""The migration run page in headless Chromium: the progress bar follows the job."""

import pytest

from casemgr import jobs
from casemgr.db import session
from casemgr.processes import migration_runs
from casemgr.processes import service as processes
from tests.functional.test_migration import complaint_xml

pytestmark = pytest.mark.browser


def test_the_page_polls_the_run_until_it_is_done(app, visitor, logins, drain_case,
                                                 monkeypatch):
    target = processes.deploy(complaint_xml(app, **{
        'name="Verify the fix"': 'name="Check the fix"'}))
    session.commit()
    # Hold the job back, as a busy queue would, and run it once the page is watching.
    monkeypatch.setattr(jobs, "enqueue", lambda *args, **kwargs: None)
    run_id = migration_runs.start(target, None)
    page = visitor().log_in("owner", logins["owner"]["password"]).page

    page.goto(f"/processes/complaint/migrations/{run_id}")
    assert page.inner_text(".migration-status") == "queued"
    assert page.get_attribute("#migration-run", "data-finished") == "false"

    migration_runs.execute(run_id)

    page.wait_for_selector("#migration-run[data-finished=true]")
    assert page.inner_text(".migration-counts").startswith("done: 1 moved, 0 failed, of 1")
    assert page.evaluate("() => document.getElementById('migration-progress').value") == 1
