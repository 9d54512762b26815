"""The yardstick: a bare Flask + Jinja page with one ORM query, padded to a requested HTML size."""

from __future__ import annotations

import os

from flask import Flask, render_template_string, request
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from portal.models import Client

TEMPLATE = """<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>{% for line in lines %}<p>{{ line }}</p>{% endfor %}</main></body></html>"""


def create_baseline() -> Flask:
    app = Flask("baseline")
    engine = create_engine(os.environ["PORTAL_DATABASE_URL"])

    @app.get("/page")
    def page() -> str:
        size = int(request.args.get("size", 5000))
        with Session(engine) as db:
            client = db.scalars(select(Client).order_by(Client.id).limit(1)).first()
        title = client.given_name if client else "Polku"
        # Each line renders to about 60 bytes of HTML: fill to the size of the page compared.
        lines = ["Lorem ipsum dolor sit amet, consectetur adipiscing elit sed."] * max(1, size // 68)
        return render_template_string(TEMPLATE, title=title, lines=lines)

    @app.get("/health")
    def health() -> str:
        return "ok"

    return app
