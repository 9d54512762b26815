"""The portal's public keys: providers verify our signatures and encrypt ID tokens to us with them."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from portal.identity.access import public
from portal.identity.keys import portal_keys

bp = Blueprint("identity", __name__)


@bp.get("/.well-known/jwks.json")
@public
def jwks() -> Response:
    response = jsonify(portal_keys().public_jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
