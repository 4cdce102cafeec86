"""Migration 0022 gives a world seeded before the administration API's vCD rights those rights
(in its predefined roles) and the Defer to Identity Provider role; it downgrades cleanly."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from localsphere.world.org_roles import (
    BY_NAME,
    CREATE_CATALOG,
    MANAGE_PEOPLE,
    ORGANIZATION_ADMINISTRATOR,
    RIGHTS,
)
from world.test_store import _downgrade, make_world

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

NEW = (
    CREATE_CATALOG,
    "Catalog: Edit Properties",
    "Group / User: View",
    MANAGE_PEOPLE,
    "Role: Create, Edit, Delete, or Copy",
)


def test_a_world_made_before_gets_the_new_rights_and_roles(tmp_path, new_database):
    world = make_world(tmp_path, new_database())
    try:
        _downgrade(world, "0021")
        with world.store.engine.begin() as conn:  # as a world of revision 0021 was
            for right in NEW:
                conn.execute(text("DELETE FROM role_privileges WHERE privilege = :p"), {"p": right})
                conn.execute(text("DELETE FROM privileges WHERE family = 'vcd' AND name = :p"), {"p": right})
            conn.execute(
                text("DELETE FROM roles WHERE id = :id"), {"id": BY_NAME["Defer to Identity Provider"].key}
            )
        world.store.migrate()
        with world.store.engine.connect() as conn:
            held = set(
                conn.scalars(
                    text("SELECT privilege FROM role_privileges WHERE role_id = :r"),
                    {"r": ORGANIZATION_ADMINISTRATOR.key},
                )
            )
            names = set(conn.scalars(text("SELECT name FROM privileges WHERE family = 'vcd'")))
            defer = conn.scalar(
                text("SELECT name FROM roles WHERE id = :id"),
                {"id": BY_NAME["Defer to Identity Provider"].key},
            )
        assert set(NEW) <= held and names == set(RIGHTS) and defer == "Defer to Identity Provider"
    finally:
        world.close()
