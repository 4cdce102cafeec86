"""Credentials: password hashing and policy, API keys, sign-in with lockout, the local account.

Passwords are argon2id hashes. API keys are high-entropy random strings, so a SHA-256 digest is
enough to store them. Every comparison of secrets is constant-time, and an unknown login costs
the same hashing work as a known one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from localsphere.world import identity, org_policy, stamp
from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid, Locked, NotFound, Unauthenticated
from localsphere.world.identity import LOCAL_DOMAIN, ORG, SSO, PrincipalView
from localsphere.world.policy import Policies
from localsphere.world.schema import Assignment, Domain, Principal, Token
from localsphere.world.state import WorldState
from localsphere.world.store import Store

LOCAL_ACCOUNT = f"admin@{LOCAL_DOMAIN}"
LOCAL_PASSWORD_LIFETIME = 90 * 86400
API_KEY_ALPHABET = string.ascii_letters + string.digits
RECOGNISE_FOR = 300.0  # seconds a verified password is recognised without a new argon2 verify
RECOGNISED_MOST = 10_000  # entries kept per process


@dataclass(frozen=True)
class PasswordPolicy:
    """A composition policy; ``violations`` names every rule a password breaks."""

    min_length: int = 12
    max_length: int = 127
    specials: str = "!%@$^#?*"
    min_letters: int = 2
    max_repeat: int = 3

    def violations(self, password: str) -> list[str]:
        found = []
        if not self.min_length <= len(password) <= self.max_length:
            found.append(f"Length must be between {self.min_length} and {self.max_length} characters")
        if not any(c.islower() for c in password):
            found.append("At least one lowercase letter is required")
        if not any(c.isupper() for c in password):
            found.append("At least one uppercase letter is required")
        if not any(c.isdigit() for c in password):
            found.append("At least one digit is required")
        if not any(c in self.specials for c in password):
            found.append(f"At least one special character from {' '.join(self.specials)} is required")
        if any(not c.isalnum() and c not in self.specials for c in password) or not password.isascii():
            found.append(f"Only these special characters are allowed: {' '.join(self.specials)}")
        if sum(c.isalpha() for c in password) < self.min_letters:
            found.append(f"At least {self.min_letters} alphabetic characters are required")
        if re.search(r"(.)\1{" + str(self.max_repeat) + "}", password):
            found.append(f"A character cannot be repeated more than {self.max_repeat} times consecutively")
        return found


LOCAL_ACCOUNT_POLICY = PasswordPolicy()
# vCenter Single Sign-On's default password policy (vSphere Authentication guide): 8 to 20
# characters, upper and lower case, a digit, a special character, two letters, no character
# more than three times in a row. The demo password keeps it.
SSO_POLICY = PasswordPolicy(min_length=8, max_length=20, specials=string.punctuation)


def check_password(password: str, policy: PasswordPolicy) -> None:
    """Invalid ``password.policy`` (arguments: each rule broken) unless ``password`` keeps ``policy``."""
    violations = policy.violations(password)
    if violations:
        raise Invalid(
            "password.policy", "Password does not meet the policy: " + "; ".join(violations), *violations
        )


@dataclass(frozen=True)
class LocalAccount:
    principal: PrincipalView
    role_id: str | None
    configured: bool
    locked: bool
    expiry_enabled: bool
    modified_at: float | None
    expires_at: float | None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_key() -> str:
    return "".join(secrets.choice(API_KEY_ALPHABET) for _ in range(32))


# What a recognised sign-in reads of its principal.
_SIGNING_IN = (
    select(
        Principal.id,
        Principal.kind,
        Principal.name,
        Principal.domain,
        Principal.created_at,
        Principal.enabled,
        Principal.failed_logins,
        Principal.locked_until,
        Principal.password_hash,
        Principal.password_expiry,
        Principal.password_changed_at,
        Domain.kind.label("domain_kind"),
    )
    .outerjoin(Domain, Domain.name == Principal.domain)
    .where(Principal.login == bindparam("login"))
)


class Recognised:
    """Passwords that verified a moment ago, recognised again without argon2: Ansible and Salt
    sign in again for every task. What is kept is a keyed hash of the password (HMAC-SHA256 under
    a random key of this process, never the password), bound to the principal and to the stored
    hash it verified against, for ``RECOGNISE_FOR`` seconds. A changed password is another stored
    hash, a deleted or re-created principal another id: the entry no longer applies. Disabled and
    locked accounts are refused after the check, as always; a wrong password finds no entry and
    costs a full verify."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._entries: dict[tuple[str, str], tuple[bytes, float]] = {}

    def _mark(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode(), hashlib.sha256).digest()

    def knows(self, principal_id: str, password_hash: str | None, password: str) -> bool:
        entry = self._entries.get((principal_id, password_hash or ""))
        return (
            entry is not None
            and time.monotonic() < entry[1]
            and hmac.compare_digest(entry[0], self._mark(password))
        )

    def remember(self, principal_id: str, password_hash: str | None, password: str) -> None:
        if password_hash is None:
            return
        if len(self._entries) >= RECOGNISED_MOST:
            self._entries.clear()
        self._entries[(principal_id, password_hash)] = (
            self._mark(password),
            time.monotonic() + RECOGNISE_FOR,
        )


class Auth:
    def __init__(self, store: Store, clock: Clock, state: WorldState, policies: Policies) -> None:
        self._store = store
        self._clock = clock
        self._state = state
        self._policies = policies
        base = policies.base
        self._hasher = PasswordHasher(time_cost=base.argon2_time_cost, memory_cost=base.argon2_memory_kib)
        self._dummy_hash = self._hasher.hash(secrets.token_hex(16))
        self._recognised = Recognised()

    def hash_password(self, password: str) -> str:
        return self._hasher.hash(password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return (
                self._hasher.verify(password_hash or self._dummy_hash, password) and password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def sign_in(
        self,
        login: str,
        *,
        password: str | None = None,
        api_key: str | None = None,
        sso_only: bool = False,
        org_users: bool = False,
    ) -> PrincipalView:
        """Check a password or API key, counting failures and locking the account after too many.
        ``sso_only``: only users of an SSO domain may sign in (as on vCenter, which knows neither
        appliance-local accounts nor service accounts); ``org_users``: the users of an org's own
        domain may too (they sign in only to their tenant: the vCD org, the vRA tenant).

        The slow hash check runs outside any transaction, so sign-ins never queue behind a write
        lock; a write happens only when there is a failure to count or a count to clear."""
        if password is not None:
            known = self.recognise(login, password, sso_only, org_users)
            if known is not None:
                return known
        with self._store.read() as s:
            row = identity.find(s, login)
            seen = (row.password_hash, row.api_key_digest) if row else (None, None)
            clean = row is None or (row.failed_logins == 0 and row.locked_until is None)
            row_id = row.id if row else ""
            recognised = password is not None and self._recognised.knows(row_id, seen[0], password)
        if password is not None:
            ok = recognised or self._verify(seen[0], password)
            if ok and not recognised:
                self._recognised.remember(row_id, seen[0], password)
        else:
            expected = seen[1] or digest(secrets.token_hex(16))
            ok = api_key is not None and hmac.compare_digest(expected, digest(api_key))
        counting = not (ok and clean)
        with self._store.write() if counting else self._store.read() as s:
            row = identity.find(s, login, for_update=counting)
            if row is not None and (row.password_hash, row.api_key_digest) != seen:
                ok = False  # the credential changed while it was being checked
            outcome = self._admit(s, row, ok, sso_only, org_users)
        return _outcome(outcome)  # a failure is raised once its count is committed

    def recognise(
        self, login: str, password: str, sso_only: bool = False, org_users: bool = False
    ) -> PrincipalView | None:
        """The principal signing in, when its password verified lately (``Recognised``) and its
        account has nothing to count or refuse: one read of a few columns, no hash, no write.
        None when ``sign_in`` must decide, which then gives the same answer it always would."""
        if "\x00" in login or len(login) > identity.LOGIN_LENGTH:
            return None
        state = self._state.reading()
        with self._store.query() as conn:
            row = conn.execute(_SIGNING_IN, {"login": login.lower()}).first()
        if (
            row is None
            or row.kind == identity.GROUP
            or not row.enabled
            or row.failed_logins
            or row.locked_until is not None
            or (sso_only and row.domain_kind != SSO)
            or (row.domain_kind == ORG and not org_users)
            or (
                row.password_expiry
                and row.password_changed_at is not None
                and row.password_changed_at + LOCAL_PASSWORD_LIFETIME < state.now
            )
            or not self._recognised.knows(row.id, row.password_hash, password)
        ):
            return None
        return PrincipalView(row.id, row.kind, row.name, row.domain, row.created_at)

    def _admit(
        self, s: Session, row: Principal | None, ok: bool, sso_only: bool, org_users: bool
    ) -> PrincipalView | Unauthenticated:
        """The principal of ``row`` if the attempt succeeds under the lockout policy, else its
        failure (counted in ``s``)."""
        kind = s.scalar(select(Domain.kind).where(Domain.name == row.domain)) if row is not None else None
        if (sso_only and kind != SSO) or (kind == ORG and not org_users):
            row = None
        limit = None
        if kind == ORG and row is not None:  # an org's own user: its org's password policy
            limit = org_policy.lockout(
                s, s.scalar(select(Domain.tenant).where(Domain.name == row.domain)) or ""
            )
        failure = self._judge(s, row, ok, self._clock.now(s), limit)
        if failure is None and row is not None:
            return PrincipalView.of(row)
        return failure or Unauthenticated("credentials.invalid", "Invalid username or password")

    def _judge(
        self, s: Session, row: Principal | None, ok: bool, now: float, limit: tuple[int, float] | None = None
    ) -> Unauthenticated | None:
        """Apply the lockout policy to one attempt; the failure count is written even when it fails.
        ``limit``: (failures, seconds locked) in place of the world's policy's (0 failures: none)."""
        bad = Unauthenticated("credentials.invalid", "Invalid username or password")
        if row is None or row.kind == identity.GROUP or not row.enabled:
            return bad
        policy = self._policies.read(s)
        if row.locked_until is not None and row.locked_until > now:
            return Locked("account.locked", f"User account {row.login} is locked", row.login)
        if not ok:
            if row.first_failed_at is None or now - row.first_failed_at > policy.lockout_window:
                row.failed_logins, row.first_failed_at = 0, now
            row.failed_logins += 1
            failures, duration = limit or (policy.lockout_failures, policy.lockout_duration)
            if failures and row.failed_logins >= failures:
                row.locked_until = now + duration
                row.failed_logins, row.first_failed_at = 0, None
            return bad
        row.failed_logins, row.first_failed_at, row.locked_until = 0, None, None
        changed = row.password_changed_at
        if row.password_expiry and changed is not None and changed + LOCAL_PASSWORD_LIFETIME < now:
            return Unauthenticated("password.expired", f"Password of {row.login} has expired", row.login)
        return None

    # The appliance-local account (admin@local): configured, changed, disabled, expiry enforced.

    def local_account(self) -> LocalAccount:
        with self._store.read() as s:
            row = self._local_row(s)
            role_id = s.scalars(select(Assignment.role_id).where(Assignment.principal_id == row.id)).first()
            return self._local_view(row, role_id, self._clock.now(s))

    def set_local_password(self, new_password: str, old_password: str | None) -> None:
        self.change_password(LOCAL_ACCOUNT, new_password, old_password, enable=True)

    def change_password(
        self,
        login: str,
        new_password: str,
        old_password: str | None,
        enable: bool = False,
        policy: PasswordPolicy = LOCAL_ACCOUNT_POLICY,
    ) -> None:
        """Replace a principal's password: the old one is checked first when it has one (a wrong
        one is not a failed sign-in: the caller is signed in already), the new one must keep
        ``policy``; the account is unlocked, and enabled when ``enable``. Invalid
        ``password.missing``, ``password.old_missing``, ``password.old_wrong`` (also when the
        password changed meanwhile), ``password.policy``; NotFound when ``login`` names none."""
        if not isinstance(new_password, str) or not new_password:
            raise Invalid("password.missing", "New password is required", "newPassword")
        with self._store.read() as s:
            current = self._row(s, login).password_hash
        if current is not None:
            if not old_password:
                raise Invalid("password.old_missing", "Old password is required", "oldPassword")
            if not self._verify(current, old_password):
                raise Invalid("password.old_wrong", "Old password is incorrect", "oldPassword")
        check_password(new_password, policy)
        new_hash = self.hash_password(new_password)
        with self._store.write() as s:
            row = self._row(s, login, for_update=True)
            if row.password_hash != current:
                raise Invalid("password.old_wrong", "Old password is incorrect", "oldPassword")
            row.password_hash, row.password_changed_at = new_hash, self._clock.now(s)
            row.locked_until, row.failed_logins = None, 0
            if enable:
                row.enabled = True

    def disable_local_account(self) -> None:
        with self._store.write() as s:
            row = self._local_row(s)
            row.password_hash, row.password_changed_at = None, self._clock.now(s)
            s.execute(update(Token).where(Token.principal_id == row.id).values(revoked=True))
            stamp.bump(s)

    def set_local_expiry(self, enforce: bool) -> None:
        with self._store.write() as s:
            self._local_row(s).password_expiry = enforce

    @staticmethod
    def _local_row(s: Session, for_update: bool = False) -> Principal:
        return Auth._row(s, LOCAL_ACCOUNT, for_update)

    @staticmethod
    def _row(s: Session, login: str, for_update: bool = False) -> Principal:
        row = identity.find(s, login, for_update)
        if row is None:
            raise NotFound("principal.not_found", f"{login} not found", login)
        return row

    @staticmethod
    def _local_view(row: Principal, role_id: str | None, now: float) -> LocalAccount:
        configured = row.password_hash is not None
        expires = None
        if configured and row.password_expiry and row.password_changed_at is not None:
            expires = row.password_changed_at + LOCAL_PASSWORD_LIFETIME
        return LocalAccount(
            principal=PrincipalView.of(row),
            role_id=role_id,
            configured=configured,
            locked=row.locked_until is not None and row.locked_until > now,
            expiry_enabled=row.password_expiry,
            modified_at=row.password_changed_at if configured else None,
            expires_at=expires,
        )


def _outcome(outcome: PrincipalView | Unauthenticated) -> PrincipalView:
    if isinstance(outcome, Unauthenticated):
        raise outcome
    return outcome
