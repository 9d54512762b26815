"""Packages the top-level templates/, static/ and translations/ inside the wheel as portal/<name>/."""

from setuptools import find_packages, setup

RESOURCES = {"portal.templates": "templates", "portal.static": "static", "portal.translations": "translations"}

setup(
    packages=find_packages(include=["portal", "portal.*"]) + list(RESOURCES),
    package_dir=RESOURCES,
    package_data={
        "portal": ["content/**/*", "migrations/script.py.mako", "migrations/versions/*.py"],
        **{name: ["**/*"] for name in RESOURCES},
    },
)
