"""One blueprint per feature: load, check access, validate, call one service, render."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.identity import devidp
    from portal.views import (
        auth,
        clients,
        devtools,
        feedback,
        health,
        home,
        jwks,
        language,
        mydata,
        pages,
        pathway,
    )

    for module in (pages, language, feedback, health, auth, jwks, home, clients, pathway, mydata):
        app.register_blueprint(module.bp)
    from portal.views import consent

    app.register_blueprint(consent.bp)
    from portal.views import booking

    app.register_blueprint(booking.bp)
    from portal.views import questionnaire

    app.register_blueprint(questionnaire.bp)
    devidp.init_app(app)
    devtools.init_app(app)
