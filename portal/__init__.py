"""Polku: the self-service portal for clients of Kela vocational rehabilitation in TYM."""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from flask.templating import Environment
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config as portal_config
from portal import static_files
from portal.parameters import PortalRequest

PACKAGE_DIR = Path(__file__).parent


def resource_dir(name: str) -> Path:
    """templates/, static/ and translations/ sit beside the package in a checkout, inside it in a wheel."""
    checkout = PACKAGE_DIR.parent / name
    return checkout if checkout.is_dir() else PACKAGE_DIR / name


# What a plain dict has as attributes (its methods): `mapping.items` in a template is the method.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class PortalEnvironment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one plain dict, not Jinja's view onto the environment's.

        Jinja looks through that view key by key when it starts a page and at every
        `{% from … import … %}`, about 20 µs each, and a client overview has a dozen. Every global
        is set while the app is made, before any template is loaded, as Jinja asks.
        """
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`data.rows` for a plain dict: its item at once, where Jinja would first look for an
        attribute `rows`, fail and then take the item. The failed look-up raises and catches an
        AttributeError with its message written out: several times the item's cost, and the
        panels' values and history rows (dicts) are read dozens of times a page. The result is
        Jinja's in every case, as a dict has no other attributes than its methods. (Jinja's own
        steps follow here rather than through super(): every `a.b` of every page comes here.)"""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


class Portal(Flask):
    jinja_environment = PortalEnvironment
    request_class = PortalRequest

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        asked = request.args.get("v") if has_request_context() else None
        return static_files.max_age(self, filename, asked)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Portal(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
        instance_relative_config=True,
    )
    app.config.update(portal_config.defaults(app.instance_path))
    portal_config.load(app.config, config)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(resource_dir("translations"))
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if app.config["ENV"] != "production":
        # A typo in a template should fail loudly in development and tests, not render blank.
        app.jinja_env.undefined = StrictUndefined

    from portal import cli, db, errors, security, templating
    from portal.content.checks import validate_at_start_up
    from portal.extensions import babel, csrf, limiter
    from portal.i18n import select_locale
    from portal.identity import access, keys
    from portal.identity.providers import MetadataCache, load_providers
    from portal.identity.sessions import ServerSessionInterface
    from portal.urls import RowIdConverter
    from portal.views import register_blueprints

    if app.config["TRUSTED_PROXIES"]:
        # Behind a load balancer the client's address and https come in its X-Forwarded-* headers:
        # the access log, the rate limits, HSTS and the sign-in's return address need them.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.url_map.converters["int"] = RowIdConverter  # before any rule that uses it
    db.init_app(app)
    app.session_interface = ServerSessionInterface()
    keys.init_app(app)
    app.extensions["polku.providers"] = load_providers(app.config)
    app.extensions["polku.oidc_cache"] = MetadataCache()
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    access.init_app(app)
    register_blueprints(app)
    cli.init_app(app)
    with app.app_context():
        validate_at_start_up()
    return app
