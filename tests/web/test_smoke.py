from tests.web.conftest import Browser


def test_pages_render_for_admin(app):
    b = Browser(app, "ada")
    for url in ["/", "/desk/", "/desk/cases", "/desk/lost", "/schedule/", "/schedule/rules", "/schedule/programmes",
                "/approvals/", "/approvals/templates", "/approvals/logs", "/scripts/", "/scripts/new"]:
        r = b.get(url)
        assert r.status_code == 200, (url, r.status_code, r.get_data(as_text=True)[:2000])
