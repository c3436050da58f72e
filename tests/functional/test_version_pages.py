"""Version history, XML download and the readable diff, as process owners' pages."""

import pytest

from casemgr.db import session
from casemgr.processes import service as processes
from tests.functional.test_migration import complaint_xml
from tests.functional.test_pages import log_in


def renamed_resolve(app):
    text = complaint_xml(app, **{'name="Verify the fix"': 'name="Check the fix"'})
    for attribute in ("id", "attachedToRef", "targetRef", "sourceRef", "bpmnElement"):
        text = text.replace(f'{attribute}="resolve"', f'{attribute}="resolve_on_site"')
    return text.replace(">resolve</bpmn:flowNodeRef>", ">resolve_on_site</bpmn:flowNodeRef>")


@pytest.fixture
def second_version(app, logins):
    from casemgr.accounts import service as accounts

    version = processes.deploy(renamed_resolve(app), accounts.find_user("owner"))
    session.commit()
    return version


@pytest.mark.parametrize("username", ["citizen", "officer-water", "triage"])
def test_other_roles_get_403(client, logins, username):
    log_in(client, logins, username)

    for path in ("/processes/complaint/versions", "/processes/complaint/versions/1.bpmn",
                 "/processes/complaint/diff?older=1&newer=1",
                 "/processes/complaint/migration"):
        assert client.get(path).status_code == 403, path


def test_history_lists_versions_with_deployer_open_cases_and_downloads(
        client, logins, drain_case, second_version):
    log_in(client, logins, "owner")

    page = client.get("/processes/complaint/versions").get_data(as_text=True)

    first = page.split('data-version="1"')[1].split("</tr>")[0]
    newest = page.split(f'data-version="{second_version.version}"')[1].split("</tr>")[0]
    assert '<td class="open-cases">1</td>' in first and "system" in first
    assert '<td class="open-cases">0</td>' in newest and "owner" in newest
    assert f'href="/processes/complaint/versions/{second_version.version}.bpmn"' in page
    download = client.get(f"/processes/complaint/versions/{second_version.version}.bpmn")
    assert download.mimetype == "application/xml"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_data(as_text=True) == second_version.bpmn_xml
    assert client.get("/processes/complaint/versions/99.bpmn").status_code == 404
    assert client.get("/processes/nothing/versions").status_code == 404


def test_the_api_versions_list_gains_deployer_and_open_cases(api, drain_case, second_version):
    items = api.get("/processes/complaint/versions", "owner").get_json()["items"]

    assert items[0]["version"] == second_version.version and items[0]["created_by"] == "owner"
    assert items[-1]["open_cases"] == 1 and {"name", "created_at", "sha256"} <= set(items[0])


def test_the_diff_page_shows_added_removed_and_changed(client, logins, second_version):
    log_in(client, logins, "owner")

    response = client.get(f"/processes/complaint/diff?older=1&newer={second_version.version}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    added = page.split('class="diff-added"')[1].split("</section>")[0]
    removed = page.split('class="diff-removed"')[1].split("</section>")[0]
    changed = page.split('class="diff-changed"')[1].split("</section>")[0]
    assert 'data-element="resolve_on_site"' in added and "resolve_on_site" not in removed
    assert 'data-element="resolve"' in removed
    verify = changed.split('data-element="verify" data-field="name"')[1].split("</tr>")[0]
    assert "Verify the fix" in verify and "Check the fix" in verify


def test_the_diff_page_refuses_unknown_or_missing_versions(client, logins, second_version):
    log_in(client, logins, "owner")

    assert client.get("/processes/complaint/diff").status_code == 400
    assert client.get("/processes/complaint/diff?older=1&newer=99").status_code == 400
    assert client.get("/processes/complaint/diff?older=x&newer=1").status_code == 400
    assert client.get("/processes/nothing/diff?older=1&newer=2").status_code == 404


def test_the_process_list_links_to_every_owner_page(client, logins):
    log_in(client, logins, "owner")

    page = client.get("/processes/").get_data(as_text=True)

    for href in ("/processes/complaint/versions", "/processes/complaint/migration",
                 "/routing/", "/routing/test", "/routing/categories"):
        assert f'href="{href}"' in page, href
