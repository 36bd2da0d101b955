"""The one source of "now". The demo seeds a believable history by freezing it; tests may too."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

_frozen: ContextVar[datetime | None] = ContextVar("frozen_now", default=None)


def now() -> datetime:
    return _frozen.get() or datetime.now(timezone.utc)


@contextmanager
def frozen_at(moment: datetime):
    """Make now() answer `moment` inside the block (in this thread or task only)."""
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
