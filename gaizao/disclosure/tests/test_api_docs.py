import re

import pytest


@pytest.mark.django_db
def test_api_docs_load_assets_from_the_application(client_for, users):
    r = client_for(users["district"]).get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    # No external host anywhere: no scheme-qualified or protocol-relative URL.
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html), html
    assert "cdn" not in html.lower()
