"""Keeping content current: attention list, review intervals, schedules, PEMAT-P."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from editorial.core.bounds import whole_number
from editorial.core.dates import local_to_utc
from editorial.desk import attention
from editorial.articles import pemat
from editorial.core.errors import DomainError, ValidationError
from editorial.core.extensions import db
from editorial.core.forms import apply_form
from editorial.articles.currency_forms import IntervalForm, PematForm, ScheduleForm, TopicForm
from editorial.articles.models import Article
from editorial.articles.currency_models import Topic
from editorial.accounts.permissions import can
from editorial.core.dates import format_datetime
from editorial.core.wording import count_of
from editorial.articles import currency, schedules
from editorial.articles.views import load_article, perform, show_refusal
from editorial.core import reading

bp = Blueprint("currency", __name__)


@bp.before_request
@login_required
def _editors_only():
    if not can(current_user, "manage_currency"):
        abort(403, "Only senior editors manage review cycles.")


@bp.get("/attention")
def attention_list():
    kind = request.args.get("kind", "overdue")
    if kind not in attention.KINDS:
        abort(404)
    sort = request.args.get("sort", "due")
    page = reading.paginate(attention.statement(kind, sort), request.args.get("page", 1, type=whole_number), 25)
    return render_template("currency/attention.html", page=page, kind=kind, kinds=attention.KINDS, sort=sort)


@bp.route("/topics", methods=["GET", "POST"])
def topics():
    form = TopicForm()
    if form.validate_on_submit():
        done, _ = apply_form(form, lambda: currency.set_topic_interval(
            current_user, form.name.data, form.review_interval_months.data,
        ))
        if done:
            flash(f"“{form.name.data}” is now reviewed every {count_of(form.review_interval_months.data, 'month')}.", "success")
            return redirect(url_for("currency.topics"))
    configured = db.session.scalars(select(Topic).order_by(Topic.name)).all()
    known = {t.name for t in configured}
    unconfigured = [name for name in db.session.scalars(select(Article.topic).distinct().order_by(Article.topic)) if name and name not in known]
    status = 422 if form.errors or form.form_errors else 200
    return render_template("currency/topics.html", form=form, topics=configured, unconfigured=unconfigured), status


@bp.post("/articles/<int:article_id>/review-interval")
def article_interval(article_id: int):
    article, _ = load_article(article_id, for_update=True)
    form = IntervalForm()
    if not form.validate_on_submit():
        return show_refusal(article, ValidationError("Use a whole number of months from 1 to 60, or leave it empty."))
    try:
        currency.set_article_interval(current_user, article, form.review_interval_months.data)
    except DomainError as exc:
        return show_refusal(article, exc)
    flash("Review interval saved; it applies from the next publication.", "success")
    return redirect(url_for("articles.detail", article_id=article.id))


@bp.post("/articles/<int:article_id>/schedules")
def create_schedule(article_id: int):
    article, _ = load_article(article_id, for_update=True)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return show_refusal(article, ValidationError("Choose an action and a date and time."))
    try:
        run_at = local_to_utc(form.run_at.data, current_user.time_zone)  # typed in the editor's zone
        item = schedules.schedule(current_user, article, form.action.data, run_at)
    except DomainError as exc:
        return show_refusal(article, exc)
    flash(f"Scheduled: {item.action} on {format_datetime(run_at, current_user.time_zone)}. Nothing changes until then.",
          "success")
    return redirect(url_for("articles.detail", article_id=article.id))


@bp.post("/articles/<int:article_id>/schedules/<int:schedule_id>/cancel")
def cancel_schedule(article_id: int, schedule_id: int):
    return perform(article_id, lambda article, _: schedules.cancel(current_user, article, schedule_id), "Schedule cancelled.")


@bp.route("/articles/<int:article_id>/pemat", methods=["GET", "POST"])
def pemat_checklist(article_id: int):
    article, _ = load_article(article_id, for_update=request.method == "POST")
    form = PematForm()
    if form.validate_on_submit():
        answers = {number: getattr(form, f"item_{number}").data for number in pemat.ITEMS}
        done, result = apply_form(form, lambda: currency.score_pemat(current_user, article, answers))
        if done:
            flash(f"PEMAT-P recorded for revision {result.revision_number}: understandability "
                  f"{result.understandability if result.understandability is not None else 'n/a'}%, actionability "
                  f"{result.actionability if result.actionability is not None else 'n/a'}%.", "success")
            return redirect(url_for("articles.detail", article_id=article.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("currency/pemat.html", article=article, form=form, understandability=pemat.UNDERSTANDABILITY,
                           actionability=pemat.ACTIONABILITY), status
