"""Field encryption is authenticated and bound to its column; look-up hashes are keyed."""

import pytest

from portal import create_app, crypto


@pytest.fixture
def context(tmp_path):
    app = create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/c.db"})
    with app.app_context():
        yield app


def test_a_value_round_trips_and_is_not_in_clear(context):
    sealed = crypto.encrypt("Työkyky 3/10, selkä", "answer")
    assert b"selk" not in sealed
    assert crypto.decrypt(sealed, "answer") == "Työkyky 3/10, selkä"


def test_the_same_value_encrypts_differently_each_time(context):
    assert crypto.encrypt("x", "answer") != crypto.encrypt("x", "answer")


def test_a_value_moved_to_another_column_does_not_decrypt(context):
    sealed = crypto.encrypt("150385-9013", "client.hetu")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(sealed, "answer")


def test_a_changed_byte_is_detected(context):
    sealed = bytearray(crypto.encrypt("150385-9013", "client.hetu"))
    sealed[-1] ^= 1
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(bytes(sealed), "client.hetu")


def test_lookup_hashes_depend_on_the_key(context):
    first = crypto.lookup_hash("150385-9013", "client.hetu")
    context.config["LOOKUP_HMAC_KEY"] = "another-key-entirely-another-key"
    assert crypto.lookup_hash("150385-9013", "client.hetu") != first
