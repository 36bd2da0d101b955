"""Review intervals and understandability scores."""
import json

from sqlalchemy import select

from editorial.audit import chain as audit
from editorial.articles import pemat
from editorial.core.errors import ValidationError
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.articles.currency_models import PematScore, Topic
from editorial.accounts.models import User
from editorial.accounts.permissions import require
from editorial.core.validation import FieldErrors, clean_text

MAX_INTERVAL_MONTHS = 60


def _months(errors: FieldErrors, value, field: str, required: bool):
    if value in (None, ""):
        if required:
            errors.add(field, "Give a number of months.")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INTERVAL_MONTHS:
        errors.add(field, f"Use a whole number of months from 1 to {MAX_INTERVAL_MONTHS}.")
        return None
    return value


def set_topic_interval(actor: User, name, months) -> Topic:
    require(actor, "manage_currency", message="Only senior editors set review intervals.")
    errors = FieldErrors()
    name = clean_text(errors, "name", name, max_length=120, required=True, label="Topic")
    months = _months(errors, months, "review_interval_months", required=True)
    errors.raise_if_any()
    topic = db.session.scalar(select(Topic).where(Topic.name == name))
    old = topic.review_interval_months if topic else None
    if topic is None:
        topic = Topic(name=name, review_interval_months=months)
        db.session.add(topic)
    topic.review_interval_months = months
    db.session.flush()
    audit.record("topic.interval_set", actor=actor, object_type="topic", object_id=topic.id,
                 detail={"topic": name, "from": old, "to": months})
    return topic


def set_article_interval(actor: User, article: Article, months) -> None:
    """Override the topic's interval for one article (None goes back to the topic's)."""
    require(actor, "manage_currency", message="Only senior editors set review intervals.")
    errors = FieldErrors()
    months = _months(errors, months, "review_interval_months", required=False)
    errors.raise_if_any()
    old = article.review_interval_months
    article.review_interval_months = months
    db.session.flush()
    audit.record("article.review_interval_set", actor=actor, object_type="article", object_id=article.id,
                 article_id=article.id, detail={"from": old, "to": months})


def score_pemat(actor: User, article: Article, answers: dict[int, str]) -> PematScore:
    """Record a PEMAT-P assessment of the article's current revision."""
    require(actor, "manage_currency", message="Only senior editors score understandability.")
    errors = pemat.check(answers)
    if errors:
        raise ValidationError("Answer every item of the checklist.", fields=errors)
    result = PematScore(
        article_id=article.id, revision_number=article.version, scorer_id=actor.id,
        answers=json.dumps({str(k): answers[k] for k in sorted(pemat.ITEMS)}),
        understandability=pemat.score(answers, pemat.UNDERSTANDABILITY),
        actionability=pemat.score(answers, pemat.ACTIONABILITY),
    )
    db.session.add(result)
    db.session.flush()
    audit.record("pemat.scored", actor=actor, object_type="pemat_score", object_id=result.id, article_id=article.id,
                 revision_number=article.version,
                 detail={"understandability": result.understandability, "actionability": result.actionability})
    return result


def latest_pemat(article: Article) -> PematScore | None:
    return db.session.scalar(
        select(PematScore).where(PematScore.article_id == article.id).order_by(PematScore.id.desc()).limit(1)
    )
