"""Readers' anonymous "Was this helpful?" answers: one vote per browser per article per day (a flag
in the signed session cookie) and a per-network cap that keeps no address (VoteLimiter in memory,
SharedVoteLimiter in Redis)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from datetime import date, datetime, time, timedelta, timezone

from editorial.articles.models import Article
from editorial.core.clock import now
from editorial.core.dates import today_utc
from editorial.core.extensions import db
from editorial.public.models import ArticleFeedback


def record_feedback(article: Article, helpful: bool) -> ArticleFeedback:
    """One anonymous vote about the article's live revision (loaded by live_article_by_slug)."""
    row = ArticleFeedback(article_id=article.id, revision_number=article.live_revision.number, helpful=bool(helpful))
    db.session.add(row)
    db.session.flush()
    return row


def _network_bucket(salt: bytes, client: str) -> str:
    """A client's network address as a keyed hash: countable for a day, never readable."""
    return hmac.new(salt, (client or "").encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]


class VoteLimiter:
    """Caps votes per client network per article per day, without keeping any address.

    A client is bucketed by HMAC-SHA256(salt, remote address); the salt is random, lives only
    in this process's memory and is replaced (with all counts) when the UTC day changes, so
    a bucket cannot be turned back into an address once the day is over, and nothing is ever
    written to disk or the database. The cap is generous (several people may share one
    network address); one browser voting once per article per day is enforced separately by
    a flag in its signed session cookie. Per process: with REDIS_URL set, SharedVoteLimiter
    keeps the same counts in Redis for every worker and server instead.
    """

    def __init__(self, per_article_per_day: int = 10, max_entries: int = 100_000):
        self.per_article_per_day = per_article_per_day
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._day: date | None = None
        self._salt = b""
        self._counts: dict[tuple[str, int], int] = {}

    def _rotate(self) -> None:
        today = today_utc()
        if today != self._day:
            self._day, self._salt, self._counts = today, secrets.token_bytes(32), {}

    def bucket(self, client: str) -> str:
        return _network_bucket(self._salt, client)

    def allow(self, client: str, article_id: int) -> bool:
        """Count one vote and say whether it is allowed."""
        with self._lock:
            self._rotate()
            key = (self.bucket(client), article_id)
            count = self._counts.get(key, 0)
            if count >= self.per_article_per_day:
                return False
            if count == 0 and len(self._counts) >= self.max_entries:
                return False  # full for today: refuse rather than grow without bound
            self._counts[key] = count + 1
            return True

    def reset(self) -> None:
        with self._lock:
            self._day, self._salt, self._counts = None, b"", {}


class SharedVoteLimiter:
    """VoteLimiter's cap, counted in Redis so that all workers and servers count together.

    The day's salt is random, created by whichever process needs it first (SET NX) and kept only
    until the day is over, like every count; so, as in memory, a bucket cannot be turned back
    into an address once its day has ended.
    """

    def __init__(self, client, per_article_per_day: int = 10, prefix: str = "vetted:votes:"):
        self.client = client
        self.per_article_per_day = per_article_per_day
        self.prefix = prefix

    def _day_and_salt(self) -> tuple[str, bytes, int]:
        today = today_utc()
        seconds_left = int((datetime.combine(today, time.min, tzinfo=timezone.utc) + timedelta(days=1) - now()).total_seconds())
        ttl = max(seconds_left, 1) + 60
        key = f"{self.prefix}salt:{today.isoformat()}"
        self.client.set(key, secrets.token_hex(32), nx=True, ex=ttl)
        return today.isoformat(), (self.client.get(key) or b""), ttl

    def allow(self, client: str, article_id: int) -> bool:
        """Count one vote and say whether it is allowed."""
        day, salt, ttl = self._day_and_salt()
        key = f"{self.prefix}{day}:{_network_bucket(salt, client)}:{article_id}"
        pipe = self.client.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        count, _ = pipe.execute()
        return count <= self.per_article_per_day

    def reset(self) -> None:
        for key in self.client.scan_iter(match=self.prefix + "*"):
            self.client.delete(key)


def vote_limiter(app) -> VoteLimiter | SharedVoteLimiter:
    limiter = app.extensions.get("public_vote_limiter")
    if limiter is None:
        per_day = app.config.get("PUBLIC_FEEDBACK_PER_CLIENT_PER_DAY", 10)
        if app.config.get("REDIS_URL"):
            import redis

            limiter = SharedVoteLimiter(redis.Redis.from_url(app.config["REDIS_URL"]), per_day,
                                        prefix=app.config.get("CACHE_KEY_PREFIX", "vetted:") + "votes:")
        else:
            limiter = VoteLimiter(per_day)
        limiter = app.extensions.setdefault("public_vote_limiter", limiter)
    return limiter


SESSION_VOTES = "helpful_votes"


def voted_today(session, article_id: int) -> bool:
    return (session.get(SESSION_VOTES) or {}).get(str(article_id)) == today_utc().isoformat()


def remember_vote(session, article_id: int) -> None:
    """Keep today's votes only (bounded), so the cookie never grows."""
    today = today_utc().isoformat()
    votes = {k: v for k, v in (session.get(SESSION_VOTES) or {}).items() if v == today}
    votes[str(article_id)] = today
    session[SESSION_VOTES] = dict(list(votes.items())[-200:])
