"""How a delivery is signed. Pure: no ORM, no settings.

Two signatures ride every delivery, made with the same per-subscription secret:

- ``Cairn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">``, the
  form the README's verifier reads;
- the Standard Webhooks headers (https://www.standardwebhooks.com/,
  spec/standard-webhooks.md "Signature scheme"): ``webhook-id``,
  ``webhook-timestamp`` and ``webhook-signature: v1,<base64 HMAC-SHA256 of
  "id.timestamp.body">``, so its libraries verify Cairn's deliveries unchanged.

The secret is shown as ``whsec_`` + base64 of 32 random bytes, as Standard
Webhooks writes it; the HMAC key is the decoded bytes.
"""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def format_secret(secret: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(secret).decode("ascii")


def parse_secret(text: str) -> bytes:
    return base64.b64decode(text.removeprefix(SECRET_PREFIX), validate=True)


def cairn_signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def standard_signature(
    secret: bytes, message_id: str, timestamp: int, body: bytes
) -> str:
    """The base64 HMAC-SHA256 of ``"<id>.<timestamp>.<body>"`` (Standard Webhooks)."""
    message = f"{message_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode(
        "ascii"
    )


def signed_headers(
    secret: bytes, *, delivery_id: str, event_type: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """Every header a delivery carries besides the transport's own."""
    signature = cairn_signature(secret, timestamp, body)
    return {
        "Content-Type": "application/json",
        "User-Agent": "Cairn-Webhooks/1",
        "Cairn-Delivery": delivery_id,
        "Cairn-Event": event_type,
        "Cairn-Signature": f"t={timestamp},v1={signature}",
        "webhook-id": delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1,"
        + standard_signature(secret, delivery_id, timestamp, body),
    }
