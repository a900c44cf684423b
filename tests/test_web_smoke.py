"""First checks of the workspace (pages answer; to be replaced by the full HTTP suite)."""

from tests.web_helpers import database_url, import_example, postgres_server, requires_web, team, workspace  # noqa: F401

pytestmark = requires_web


def test_pages(workspace):  # noqa: F811
    clients = team(workspace)
    producer = clients["producer"]
    assert producer.get("/").status_code == 200
    response = import_example(workspace, producer, "film", "long_metrage")
    assert response.status_code == 303, response.text[:2000]
    for url in ["/p/film", "/p/film/facts/work", "/p/film/interview", "/p/film/evidence", "/p/film/review",
                "/p/film/missing", "/p/film/plan?target=afnor_spec_2308:2", "/p/film/calendar", "/p/film/history",
                "/p/film/team", "/p/film/downloads", "/p/film/criteria/AFN-INC-03", "/p/film/at/1",
                "/p/film/report.html", "/p/film/export.zip", "/p/film/bundle.zip"]:
        r = producer.get(url)
        assert r.status_code == 200, (url, r.text[:3000])
