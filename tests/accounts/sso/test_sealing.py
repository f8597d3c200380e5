import pytest

from accounts import sealing
from credentials import keystore


def test_a_sealed_secret_opens_only_for_its_purpose_and_row(settings):
    settings.CAIRN_KEY_ENCRYPTION_KEY = "one-secret"
    sealed = sealing.seal(b"hush", purpose=b"p1", associated_data=b"row-1")
    assert b"hush" not in sealed
    assert sealing.unseal(sealed, purpose=b"p1", associated_data=b"row-1") == b"hush"
    with pytest.raises(sealing.SealError):
        sealing.unseal(sealed, purpose=b"p2", associated_data=b"row-1")
    with pytest.raises(sealing.SealError):
        sealing.unseal(sealed, purpose=b"p1", associated_data=b"row-2")


def test_rewrapping_keys_still_open_old_seals(settings):
    settings.CAIRN_KEY_ENCRYPTION_KEY = "old"
    sealed = sealing.seal(b"hush", purpose=b"p", associated_data=b"r")
    settings.CAIRN_KEY_ENCRYPTION_KEY = "new,old"
    assert sealing.unseal(sealed, purpose=b"p", associated_data=b"r") == b"hush"
    settings.CAIRN_KEY_ENCRYPTION_KEY = "new"
    with pytest.raises(sealing.SealError):
        sealing.unseal(sealed, purpose=b"p", associated_data=b"r")


def test_signing_keys_seal_as_before_and_do_not_open_as_client_secrets(settings):
    settings.CAIRN_KEY_ENCRYPTION_KEY = "k"
    sealed = keystore.seal_seed(bytes(32), public_multibase="z6Mk")
    assert keystore.open_seed(sealed, public_multibase="z6Mk") == bytes(32)
    from accounts.models.sso import CLIENT_SECRET_PURPOSE

    with pytest.raises(sealing.SealError):
        sealing.unseal(sealed, purpose=CLIENT_SECRET_PURPOSE, associated_data=b"z6Mk")
