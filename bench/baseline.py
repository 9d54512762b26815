"""The yardstick: a bare Flask + Jinja page with one ORM query, padded to a requested HTML size.

The page is a template file rendered with render_template, as every Flask page is: Jinja compiles
it once and keeps it. (render_template_string would compile it again on every request, which took
most of the bare page's CPU and halved every ratio.)
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template, request
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from portal.models import Client


def create_baseline() -> Flask:
    app = Flask("baseline", template_folder=str(Path(__file__).parent / "templates"))
    engine = create_engine(os.environ["PORTAL_DATABASE_URL"])

    @app.get("/page")
    def page() -> str:
        size = int(request.args.get("size", 5000))
        with Session(engine) as db:
            client = db.scalars(select(Client).order_by(Client.id).limit(1)).first()
        title = client.given_name if client else "Polku"
        # Each line renders to about 60 bytes of HTML: fill to the size of the page compared.
        lines = ["Lorem ipsum dolor sit amet, consectetur adipiscing elit sed."] * max(1, size // 68)
        return render_template("baseline.html", title=title, lines=lines)

    @app.get("/health")
    def health() -> str:
        return "ok"

    return app
