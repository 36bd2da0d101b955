"""Each user's notifications, and the administrators' outbox."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from editorial.core.bounds import whole_number
from editorial.core.errors import DomainError
from editorial.core.unit_of_work import refused
from editorial.core.mailer import SmtpSettings
from editorial.accounts.permissions import can
from editorial.notifications import service
from editorial.core import reading

bp = Blueprint("notifications", __name__)

PER_PAGE = 25


@bp.get("/notifications")
@login_required
def mine():
    if not can(current_user, "view_notifications"):
        abort(403)
    page = reading.paginate(service.user_statement(current_user), request.args.get("page", 1, type=whole_number), PER_PAGE)
    return render_template("notifications/mine.html", page=page, labels=service.KIND_LABELS)


@bp.get("/admin/outbox")
@login_required
def outbox():
    if not can(current_user, "view_outbox"):
        abort(403, "Only administrators see the outbox.")
    status = request.args.get("status") or None
    if status is not None and status not in service.STATUSES:
        abort(404)
    page = reading.paginate(service.outbox_statement(status), request.args.get("page", 1, type=whole_number), PER_PAGE)
    counts = service.status_counts()
    return render_template(
        "notifications/outbox.html", page=page, status=status, statuses=service.STATUSES, counts=counts,
        labels=service.KIND_LABELS, smtp=SmtpSettings.from_config(current_app.config),
        is_stuck=service.is_stuck, can_requeue=service.can_requeue,
    )


@bp.post("/admin/outbox/<int:notification_id>/requeue")
@login_required
def requeue(notification_id: int):
    if not can(current_user, "requeue_notification"):
        abort(403, "Only administrators requeue messages.")
    try:
        service.requeue(current_user, notification_id)
    except DomainError as exc:
        refused(exc)
        flash(exc.message, "error")
        return redirect(url_for("notifications.outbox", status=request.args.get("status") or None)), 303
    flash(f"Message {notification_id} is queued again; the next run of the worker sends it.", "success")
    return redirect(url_for("notifications.outbox", status=request.args.get("status") or None)), 303
