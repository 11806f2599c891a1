"""Connection settings every PostgreSQL connection gets (gaizao/settings.py)."""

import pytest
from django.db import connection


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL setting")
def test_postgresql_connections_run_without_jit():
    # JIT compiling cost more than the short page and job queries it was
    # meant to speed up (docs/scale.md, "JIT off")
    with connection.cursor() as c:
        c.execute("SHOW jit")
        assert c.fetchone()[0] == "off"
