"""Why a provider's response was refused, in words a person can act on. Pure."""

import jwt

REFUSALS = {
    "forged": (
        "The identity provider's signature on this sign-in does not check out: "
        "the response was altered or forged. You are not signed in."
    ),
    "expired": ("This sign-in response has expired. Start again from the login page."),
    "wrong-audience": (
        "This sign-in response was issued for another service (wrong audience), "
        "not for Cairn. You are not signed in."
    ),
    "replayed": (
        "This sign-in response was used already, or was not asked for by this "
        "browser: it cannot be used again. Start again from the login page."
    ),
    "wrong-issuer": (
        "This sign-in response does not come from the identity provider this "
        "organization configured. You are not signed in."
    ),
    "unverified-email": (
        "An account with the e-mail address {email} exists in Cairn already, and "
        "it can be joined to your organization's sign-in only when both Cairn and "
        "your identity provider have verified that address. Log in with your "
        "password and verify the address, or ask your organization's admin."
    ),
    "no-email": (
        "Your identity provider did not say your e-mail address, which Cairn needs "
        "for your account. Ask your organization's admin to release it."
    ),
    "failed": (
        "Signing in through your organization's identity provider did not work. "
        "Start again from the login page, or ask your organization's admin."
    ),
}


def reason_for_saml(error_text: str) -> str:
    """python3-saml's last error reason, sorted into one of REFUSALS."""
    text = error_text.lower()
    if any(
        word in text
        for word in ("signature", "digest", "reference validation", "not signed")
    ):
        return "forged"
    if "expired" in text or "notonorafter" in text or "timestamp" in text:
        return "expired"
    if "audience" in text:
        return "wrong-audience"
    if "issuer" in text:
        return "wrong-issuer"
    if "inresponseto" in text:
        return "replayed"
    return "failed"


def reason_for_exception(exception: BaseException | None) -> str:
    """An OpenID Connect failure (allauth wraps PyJWT's in OAuth2Error)."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        seen.add(id(exception))
        if isinstance(exception, jwt.InvalidAudienceError):
            return "wrong-audience"
        if isinstance(exception, jwt.ExpiredSignatureError):
            return "expired"
        if isinstance(exception, jwt.InvalidIssuerError):
            return "wrong-issuer"
        if isinstance(exception, jwt.InvalidSignatureError | jwt.DecodeError):
            return "forged"
        exception = exception.__cause__ or exception.__context__
    return "failed"
