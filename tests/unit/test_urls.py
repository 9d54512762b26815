"""?next= can only lead back into the portal."""

import pytest

from portal import create_app
from portal.urls import safe_next


@pytest.fixture(scope="module")
def request_context(tmp_path_factory):
    app = create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('u')}/x.db"})
    with app.test_request_context():
        yield


@pytest.mark.usefixtures("request_context")
@pytest.mark.parametrize("target", ["/contact", "/accessibility?x=1", "/language/sv?next=/"])
def test_local_paths_are_kept(target):
    assert safe_next(target) == target


@pytest.mark.usefixtures("request_context")
@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\r\nSet-Cookie: x=1",
        "\\\\evil.example",
    ],
)
def test_other_targets_fall_back_to_the_start_page(target):
    assert safe_next(target) == "/"
