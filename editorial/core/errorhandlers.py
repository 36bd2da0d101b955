"""One mapping from errors to responses: JSON envelopes under /api, pages elsewhere."""
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from editorial.core.errors import DomainError
from editorial.core.unit_of_work import refused

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


def init_app(app):
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        refused(exc)
        if wants_json():
            return error_response(exc.status, exc.code, exc.message, exc.fields or None)
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = "Your form expired or came from elsewhere. Please go back, reload the page and try again."
        return render_template("error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            return error_response(status, _HTTP_CODES.get(status, "error"), exc.description or exc.name)
        return render_template("error.html", status=status, message=exc.description), status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("Unhandled error")
        if wants_json():
            return error_response(500, "internal_error", "Something went wrong on our side.")
        return render_template("error.html", status=500, message="Something went wrong on our side."), 500
