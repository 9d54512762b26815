"""One blueprint per feature: load, check access, validate, call one service, render."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.identity import devidp
    from portal.views import auth, clients, feedback, health, home, jwks, language, pages

    for module in (pages, language, feedback, health, auth, jwks, home, clients):
        app.register_blueprint(module.bp)
    devidp.init_app(app)
