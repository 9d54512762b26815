"""Error pages in the user's language; never a trace, always an error id in the log."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("portal.errors")

HANDLED = (400, 401, 403, 404, 405, 409, 413, 429, 500)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/csrf.html", code=400), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int, list[tuple[str, str]]]:
        code = error.code or 500
        template = f"errors/{code}.html" if code in HANDLED else "errors/generic.html"
        # The error's own headers go along (a 405's Allow); the page is HTML.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return render_template(template, code=code), code, headers

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int] | tuple[str, int, list[tuple[str, str]]]:
        if isinstance(error, HTTPException):
            return http_error(error)
        error_id = secrets.token_hex(4).upper()
        log.exception("unhandled error %s", error_id)
        return render_template("errors/500.html", code=500, error_id=error_id), 500

    # Flask calls this for errors raised while another error page renders.
    app.register_error_handler(InternalServerError, http_error)
