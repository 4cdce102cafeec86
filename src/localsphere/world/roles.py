"""The role and privilege catalogues of a product family: listing, paging, and editing roles.

System roles cannot be changed or deleted. Every role a user defines also holds the family's base
privileges (for vCenter: System.Anonymous, System.View and System.Read), as the product does.
Lists page by name (keyset), with an opaque marker naming the last role returned.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from localsphere.world import stamp
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, bounded_text
from localsphere.world.paging import Page, bounded_size, marker_after, next_marker
from localsphere.world.schema import Assignment, Privilege, Role, RolePrivilege
from localsphere.world.store import Store

BASE_PRIVILEGES = {"vcenter": ("System.Anonymous", "System.Read", "System.View")}


NAME_LENGTH = 255  # of a role
_PRIVILEGE_COLUMNS = (Privilege.name, Privilege.group, Privilege.description, Privilege.on_parent)


@dataclass(frozen=True)
class PrivilegeView:
    name: str
    group: str
    description: str
    on_parent: bool  # checked on the object's parent (deleting a VM asks for it on the folder)


@dataclass(frozen=True)
class RoleInfo:
    id: str
    name: str
    description: str
    privileges: frozenset[str]
    system: bool


class Roles:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    # Privileges

    def privileges(
        self,
        family: str,
        names: set[str] | None = None,
        marker: str | None = None,
        page_size: int | None = None,
        default_size: int = 200,
        on_parent: bool | None = None,
    ) -> Page:
        size, after = bounded_size(page_size, default_size), marker_after(marker)
        query = select(*_PRIVILEGE_COLUMNS).where(Privilege.family == family)
        if names is not None:
            query = query.where(Privilege.name.in_(sorted(names)))
        if on_parent is not None:
            query = query.where(Privilege.on_parent.is_(on_parent))
        if after is not None:
            query = query.where(Privilege.name > after)
        with self._store.query() as conn:
            rows = [PrivilegeView(*r) for r in conn.execute(query.order_by(Privilege.name).limit(size + 1))]
        more = len(rows) > size
        return Page(rows[:size], next_marker(rows[size - 1].name) if more else None)

    def privilege(self, family: str, name: str) -> PrivilegeView:
        with self._store.query() as conn:
            row = conn.execute(
                select(*_PRIVILEGE_COLUMNS).where(Privilege.family == family, Privilege.name == name)
            ).first()
        if row is None:
            raise NotFound("privilege.not_found", f"Privilege {name} not found", name)
        return PrivilegeView(*row)

    # Roles

    def list(
        self,
        family: str,
        names: set[str] | None = None,
        holding: set[str] | None = None,
        system: bool | None = None,
        marker: str | None = None,
        page_size: int | None = None,
        default_size: int = 200,
    ) -> Page:
        """Roles in lexicographical order of name; ``holding``: roles that hold all these privileges."""
        size, after = bounded_size(page_size, default_size), marker_after(marker)
        query = select(Role.id).where(Role.family == family)
        if names is not None:
            query = query.where(Role.name.in_(sorted(names)))
        if system is not None:
            query = query.where(Role.system.is_(system))
        if holding:
            query = query.where(
                select(func.count())
                .select_from(RolePrivilege)
                .where(RolePrivilege.role_id == Role.id, RolePrivilege.privilege.in_(sorted(holding)))
                .scalar_subquery()
                == len(holding)
            )
        if after is not None:
            query = query.where(Role.name > after)
        with self._store.read() as s:
            ids = list(s.scalars(query.order_by(Role.name).limit(size + 1)))
            roles = [self._info(s, i) for i in ids[:size]]
        return Page(roles, next_marker(roles[-1].name) if len(ids) > size else None)

    def get(self, family: str, role_id: str) -> RoleInfo:
        with self._store.read() as s:
            return self._info(s, self._role(s, family, role_id).id)

    def create(self, family: str, name: str, description: str, privileges: set[str]) -> str:
        for _ in range(3):  # another worker may take the same new id; then try the next one
            try:
                with self._store.write() as s:
                    self._check_name(s, family, name)
                    wanted = self._known(s, family, privileges) | set(BASE_PRIVILEGES.get(family, ()))
                    role_id = self._next_id(s, family)
                    s.add(
                        Role(
                            id=role_id,
                            family=family,
                            name=name,
                            description=description,
                            system=False,
                            created_at=self._clock.now(s),
                        )
                    )
                    s.flush()
                    s.add_all(RolePrivilege(role_id=role_id, privilege=p) for p in wanted)
                    return role_id
            except IntegrityError:
                continue
        raise Conflict("role.exists", f"A role named {name} already exists", name)

    def update(
        self,
        family: str,
        role_id: str,
        name: str | None,
        description: str | None,
        privileges: set[str] | None,
    ) -> None:
        with self._store.write() as s:
            role = self._editable(s, family, role_id)
            if name is not None and name != role.name:
                self._check_name(s, family, name)
                role.name = name
            if description is not None:
                role.description = description
            if privileges is not None:
                wanted = self._known(s, family, privileges) | set(BASE_PRIVILEGES.get(family, ()))
                s.execute(delete(RolePrivilege).where(RolePrivilege.role_id == role.id))
                s.add_all(RolePrivilege(role_id=role.id, privilege=p) for p in wanted)
                stamp.bump(s)  # whoever holds the role holds other privileges now

    def delete(self, family: str, role_id: str) -> None:
        with self._store.write() as s:
            role = self._editable(s, family, role_id)
            if s.scalars(select(Assignment.id).where(Assignment.role_id == role.id).limit(1)).first():
                raise Conflict("role.in_use", f"Role {role.name} is used by permissions", role_id)
            s.delete(role)
            stamp.bump(s)

    @staticmethod
    def _info(s: Session, role_id: str) -> RoleInfo:
        role = s.get(Role, role_id)
        assert role is not None
        held = frozenset(s.scalars(select(RolePrivilege.privilege).where(RolePrivilege.role_id == role_id)))
        return RoleInfo(role.id, role.name, role.description, held, role.system)

    @staticmethod
    def _role(s: Session, family: str, role_id: str) -> Role:
        role = s.get(Role, role_id)
        if role is None or role.family != family:
            raise NotFound("role.not_found", f"Role {role_id} not found", role_id)
        return role

    def _editable(self, s: Session, family: str, role_id: str) -> Role:
        role = self._role(s, family, role_id)
        if role.system:
            raise Invalid("role.system", f"System role {role.name} cannot be changed", role_id)
        return role

    @staticmethod
    def _check_name(s: Session, family: str, name: str) -> None:
        if not name.strip():
            raise Invalid("role.name_empty", "Role name must not be empty", "name")
        bounded_text(name, "name", NAME_LENGTH)
        if s.scalars(select(Role.id).where(Role.family == family, Role.name == name)).first():
            raise Conflict("role.exists", f"A role named {name} already exists", name)

    @staticmethod
    def _known(s: Session, family: str, privileges: set[str]) -> set[str]:
        known = set(
            s.scalars(
                select(Privilege.name).where(
                    Privilege.family == family, Privilege.name.in_(sorted(privileges))
                )
            )
        )
        unknown = sorted(privileges - known)
        if unknown:
            raise Invalid("privilege.unknown", f"Unknown privileges: {', '.join(unknown)}", *unknown)
        return known

    @staticmethod
    def _next_id(s: Session, family: str) -> str:
        ids = s.scalars(select(Role.id).where(Role.family == family))
        numbers = [int(i) for i in ids if i.lstrip("-").isdigit()]
        return str(max([1000, *numbers]) + 1)
