"""Making, changing and removing an org's catalogs (vCD's ``AdminCatalog``): a new catalog is
owned by its maker and recorded with a task (``catalogCreateCatalog``), as the product answers
the creation with the catalog and the task that made it; a catalog that still holds templates
or media is not removed unless the caller asks for its items to go too (``recursive``), as the
product refuses to delete a non-empty catalog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from localsphere.world import metadata, sharing, stamp
from localsphere.world.catalogs import add_catalog
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, bounded_text
from localsphere.world.identity import PrincipalView
from localsphere.world.schema import Catalog, CatalogItem
from localsphere.world.store import Store
from localsphere.world.tasks import Owner, Tasks

NAME_LENGTH = 128  # of a catalog's name (vCD's)
DESCRIPTION_LENGTH = 4096


@dataclass(frozen=True)
class Created:
    catalog_id: str
    task_id: str


class CatalogAdmin:
    def __init__(self, store: Store, clock: Clock, tasks: Tasks) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks

    def create(self, tenant: str, name: str, description: str, by: PrincipalView) -> Created:
        """A catalog of ``tenant``'s org owned by ``by``; Conflict when the org has one of that name."""
        bounded_text(name, "name", NAME_LENGTH)
        with self._store.write(serial=True) as s:
            now = self._clock.now(s)
            catalog_id = add_catalog(s, tenant, name, by.id, now, description[:DESCRIPTION_LENGTH])
            task_id = self._tasks.start(
                s,
                tenant,
                "catalogCreateCatalog",
                f"Created Catalog {name}({catalog_id})",
                Owner("catalog", catalog_id, name),
                by,
                seconds=0,
            )
            stamp.bump(s)
            return Created(catalog_id, task_id)

    def update(self, catalog_id: str, viewer: str | None, name: str | None, description: str | None) -> None:
        """Rename or describe a catalog the viewer sees (NotFound otherwise; Conflict for a name
        its org uses already)."""
        with self._store.write(serial=True) as s:
            row = self._row(s, catalog_id, viewer)
            if name is not None and name != row.name:
                bounded_text(name, "name", NAME_LENGTH)
                taken = select(Catalog.id).where(
                    Catalog.tenant == row.tenant, Catalog.name == name, Catalog.id != row.id
                )
                if s.scalars(taken).first() is not None:
                    raise Conflict("catalog.exists", f"The org already has a catalog named {name}.", name)
                row.name = name
            if description is not None:
                row.description = description[:DESCRIPTION_LENGTH]
            stamp.bump(s)

    def delete(self, catalog_id: str, viewer: str | None, recursive: bool = False) -> None:
        """Remove a catalog; one with items only when ``recursive`` (Invalid otherwise, naming
        how many it holds)."""
        with self._store.write() as s:
            row = self._row(s, catalog_id, viewer)
            held = s.scalar(select(func.count()).where(CatalogItem.catalog == row.id)) or 0
            if held and not recursive:
                raise Invalid(
                    "catalog.not_empty",
                    f"The catalog {row.name} cannot be deleted: it holds {held} item(s). Delete them first.",
                    row.name,
                )
            items = s.execute(
                select(CatalogItem.id, CatalogItem.entity_id).where(CatalogItem.catalog == row.id)
            ).all()
            metadata.forget(s, [row.id, *(i.id for i in items), *(i.entity_id for i in items)])
            sharing.forget(s, sharing.CATALOG, row.id)
            s.execute(delete(CatalogItem).where(CatalogItem.catalog == row.id))
            s.delete(row)
            stamp.bump(s)

    @staticmethod
    def _row(s: Session, catalog_id: str, viewer: str | None) -> Catalog:
        row = s.get(Catalog, catalog_id) if len(catalog_id) <= 36 else None
        if row is None or (viewer is not None and row.tenant != viewer):
            raise NotFound("catalog.not_found", f"No catalog with id {catalog_id}.", catalog_id)
        return row
