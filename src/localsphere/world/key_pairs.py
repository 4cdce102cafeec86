"""vRA key pairs of Amazon compute resources: a tenant's named key pairs, each bound to a
simulated EC2 region (``regions.REGIONS``). An Amazon reservation names one and the machines
placed by it get it.

A key pair's private key (vRA's ``secretKey``) is a secret: given as PEM, or generated (RSA 2048,
``cryptography``) when not given, it is used once to derive the public key (kept in OpenSSH form,
with its MD5 fingerprint as EC2 shows one) and then dropped, never stored, logged or shown back.
Ids are whole numbers, as the 6.2 Programming Guide's examples show (``"id": 26``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localsphere.world import odata
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, bounded_text
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.regions import region
from localsphere.world.schema import KeyPair, Reservation
from localsphere.world.store import Store

NAME_LENGTH = 255
SECRET_LENGTH = 16_384  # characters of a PEM private key: an RSA 8192 key is about 6,400
_COLUMNS = (KeyPair.id, KeyPair.tenant, KeyPair.name, KeyPair.region, KeyPair.fingerprint)
FIELDS: odata.Fields = {"id": KeyPair.id, "name": KeyPair.name, "computeResourceId": KeyPair.region}


@dataclass(frozen=True)
class KeyPairView:
    id: int
    tenant: str
    name: str
    region: str  # the EC2 region it belongs to: vRA's computeResourceId
    fingerprint: str  # of the public key, MD5 in colon-separated hex


@dataclass(frozen=True)
class KeyPairSpec:
    name: str
    region: str
    secret_key: str | None = None  # PEM; None: generate one (or, on update, keep the key)


def _public(secret_key: str | None) -> tuple[str, str]:
    """The OpenSSH public key and MD5 fingerprint of ``secret_key`` (PEM), or of a new RSA key."""
    key: PrivateKeyTypes
    if secret_key is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        if len(secret_key) > SECRET_LENGTH:
            raise Invalid("key_pair.secret", "secretKey is too long to be a private key.", "secretKey")
        try:
            key = serialization.load_pem_private_key(secret_key.encode(), password=None)
        except (ValueError, TypeError):
            # Never quote the value: it is a secret, even when malformed.
            raise Invalid(
                "key_pair.secret", "secretKey is not an unencrypted PEM private key.", "secretKey"
            ) from None
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.md5(der, usedforsecurity=False).hexdigest()
    return public.decode(), ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def add_key_pair(s: Session, tenant: str, spec: KeyPairSpec, now: float) -> int:
    """Add a key pair in ``s`` (Invalid for a bad name, region or key; Conflict for a name the
    tenant has); returns its id. ``s`` must be a serial write: ids are the next whole number."""
    bounded_text(spec.name, "name", NAME_LENGTH)
    region(spec.region)
    _unique(s, tenant, spec.name, None)
    public, fingerprint = _public(spec.secret_key)
    key_id = (s.scalar(select(func.max(KeyPair.id))) or 0) + 1
    s.add(
        KeyPair(
            id=key_id,
            tenant=tenant,
            name=spec.name,
            region=spec.region,
            public_key=public,
            fingerprint=fingerprint,
            created_at=now,
        )
    )
    s.flush()
    return key_id


def key_pair_of(s: Session, tenant: str, key_id: int | str) -> KeyPair:
    """The tenant's key pair ``key_id``; NotFound for another tenant's, none, or no number."""
    row = s.get(KeyPair, int(key_id)) if str(key_id).isdigit() and len(str(key_id)) < 10 else None
    if row is None or row.tenant != tenant:
        raise NotFound("key_pair.not_found", f"Key pair {key_id} not found.", str(key_id))
    return row


def _unique(s: Session, tenant: str, name: str, own_id: int | None) -> None:
    clash = s.scalar(
        select(KeyPair.id).where(KeyPair.tenant == tenant, func.lower(KeyPair.name) == name.lower())
    )
    if clash is not None and clash != own_id:
        raise Conflict("key_pair.exists", f"A key pair named {name} already exists.", name)


def _view(row: KeyPair | tuple) -> KeyPairView:  # type: ignore[type-arg]
    if isinstance(row, KeyPair):
        return KeyPairView(row.id, row.tenant, row.name, row.region, row.fingerprint)
    return KeyPairView(*row)


class KeyPairs:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def list(self, tenant: str, listing: Listing) -> Counted[KeyPairView]:
        query = select(*_COLUMNS).where(KeyPair.tenant == tenant)
        with self._store.query() as conn:
            return cut(conn, query, FIELDS, listing, (KeyPair.id,), _view)

    def get(self, tenant: str, key_id: str) -> KeyPairView:
        with self._store.read() as s:
            return _view(key_pair_of(s, tenant, key_id))

    def create(self, tenant: str, spec: KeyPairSpec) -> KeyPairView:
        with self._store.write(serial=True) as s:
            key_id = add_key_pair(s, tenant, spec, self._clock.now(s))
        return self.get(tenant, str(key_id))

    def update(self, tenant: str, key_id: str, spec: KeyPairSpec) -> KeyPairView:
        """Rename it, move it to another region (unless a reservation names it) or give it a new
        private key (``spec.secret_key``; None keeps the key)."""
        bounded_text(spec.name, "name", NAME_LENGTH)
        region(spec.region)
        with self._store.write(serial=True) as s:
            row = key_pair_of(s, tenant, key_id)
            _unique(s, tenant, spec.name, row.id)
            if spec.region != row.region and _used_by(s, row.id):
                raise Conflict(
                    "key_pair.in_use",
                    f"Key pair {row.name} is used by reservation {_used_by(s, row.id)}.",
                    row.name,
                )
            if spec.secret_key is not None:
                row.public_key, row.fingerprint = _public(spec.secret_key)
            row.name, row.region = spec.name, spec.region
            view = _view(row)
        return view

    def delete(self, tenant: str, key_id: str) -> None:
        """Conflict while a reservation names it."""
        with self._store.write(serial=True) as s:
            row = key_pair_of(s, tenant, key_id)
            used_by = _used_by(s, row.id)
            if used_by:
                raise Conflict(
                    "key_pair.in_use", f"Key pair {row.name} is used by reservation {used_by}.", row.name
                )
            s.delete(row)


def _used_by(s: Session, key_id: int) -> str | None:
    return s.scalar(select(Reservation.name).where(Reservation.key_pair_id == key_id).limit(1))
