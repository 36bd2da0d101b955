"""Users, their roles, reviewer profiles and API tokens."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from editorial.core.model_base import Base, utcnow
from editorial.accounts.roles import Role


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    # Bumped whenever the user's sessions are ended (accounts/sessions.py): a sign-in waiting for
    # its second factor names the version it began under. Signed-in sessions are user_sessions rows.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Set when an administrator chose the password: it must be changed before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the password was last set, for PASSWORD_MAX_AGE_DAYS (None: an invited user, no password yet).
    password_changed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Consecutive failed sign-ins and signatures; reaching the threshold locks the account
    # (21 CFR Part 11 §11.300(d)) until an administrator unlocks it.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None]
    # Two-factor sign-in (TOTP, accounts/two_factor.py). The shared secret (base32) is needed to
    # check codes; a new one stays pending until the user confirms a code from it. Both are stored
    # encrypted (Fernet, editorial/core/secret_box.py) with a key kept outside the database.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None]
    # The last accepted 30-second time step: codes for it or an earlier one are refused (no replay).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # The IANA zone this user reads times in, beside UTC (times are stored in UTC).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")

    # The reviewer profile readers see next to a signature.
    credentials: Mapped[str | None] = mapped_column(String(120))
    specialty: Mapped[str | None] = mapped_column(String(200))
    affiliation: Mapped[str | None] = mapped_column(String(200))
    # None means "no statement on file"; "None" typed by the reviewer is a statement.
    disclosure: Mapped[str | None] = mapped_column(Text)
    credential_valid_until: Mapped[date | None] = mapped_column(Date)

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def roles(self) -> set[Role]:
        return {Role(row.role) for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def sorted_roles(self) -> list[Role]:
        return sorted(self.roles, key=list(Role).index)

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive and locked users
        return self.is_active_account and self.locked_at is None

    def get_id(self) -> str:
        # Which of the user's sessions the cookie stands for is kept beside it (accounts/sessions.py).
        return str(self.id)

    # The rest of what Flask-Login asks of a user (its UserMixin, written out: a model imports no
    # web framework, so the permission rules that read users stay free of one).
    @property
    def is_authenticated(self) -> bool:
        return self.is_active

    is_anonymous = False

    def __eq__(self, other):
        return self.get_id() == other.get_id() if isinstance(other, User) else NotImplemented

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # SHA-256 of the token: the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written at most once a minute (accounts/service.py, note_token_used).
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(Base):
    """A signed-in browser. The cookie holds a random key whose SHA-256 is kept here; every request
    checks that its session is still open, so signing out, or ending a session from another
    browser, takes effect at once (21 CFR Part 11 §11.300)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written at most once a minute (accounts/sessions.py, note_seen).
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship()


class Invitation(Base):
    """A single-use link with which a person sets their own password (an account an administrator
    made without one). Only the link's SHA-256 is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
