"""What a provider says about a person, read the same way for OpenID Connect
claims and SAML attributes, and the roles an organization's rules make of it.
Pure: no ORM."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Common names for each field when the admin has named none: OIDC claims first,
# then the SAML attribute names of eduPerson/InCommon, ADFS and Entra ID.
EMAIL_NAMES = (
    "email",
    "mail",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
)
GIVEN_NAME_NAMES = (
    "given_name",
    "givenName",
    "urn:oid:2.5.4.42",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
)
FAMILY_NAME_NAMES = (
    "family_name",
    "sn",
    "surname",
    "urn:oid:2.5.4.4",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
)
EMAIL_VERIFIED_NAMES = ("email_verified", "http://schemas.auth0.com/email_verified")

TRUE_WORDS = {"true", "1", "t", "y", "yes"}


@dataclass(frozen=True)
class Person:
    email: str
    email_verified: bool
    given_name: str
    family_name: str


def values_of(claims: Mapping[str, object], name: str) -> list[str]:
    """A claim or attribute as a list of strings: SAML gives lists, OIDC either."""
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value if item is not None]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def first_of(claims: Mapping[str, object], names: Iterable[str]) -> str:
    for name in names:
        if values := values_of(claims, name):
            return values[0].strip()
    return ""


def person_from(
    claims: Mapping[str, object],
    *,
    email_attribute: str = "",
    given_name_attribute: str = "",
    family_name_attribute: str = "",
    email_verified_attribute: str = "",
) -> Person:
    """The person a provider describes; an e-mail counts as verified only when
    the provider says so."""
    email = first_of(claims, [email_attribute] if email_attribute else EMAIL_NAMES)
    verified = first_of(
        claims,
        [email_verified_attribute]
        if email_verified_attribute
        else EMAIL_VERIFIED_NAMES,
    )
    return Person(
        email=email.lower(),
        email_verified=verified.lower() in TRUE_WORDS,
        given_name=first_of(
            claims, [given_name_attribute] if given_name_attribute else GIVEN_NAME_NAMES
        )[:150],
        family_name=first_of(
            claims,
            [family_name_attribute] if family_name_attribute else FAMILY_NAME_NAMES,
        )[:150],
    )


@dataclass(frozen=True)
class Rule:
    attribute: str
    value: str
    role: str


def roles_from(
    claims: Mapping[str, object], rules: Iterable[Rule], *, default_role: str = ""
) -> set[str]:
    """The roles the rules give: a rule holds when its attribute has its value
    among its values (case-insensitive). No rule holding: the default role."""
    roles = set()
    for rule in rules:
        wanted = rule.value.strip().casefold()
        if any(
            value.strip().casefold() == wanted
            for value in values_of(claims, rule.attribute)
        ):
            roles.add(rule.role)
    if not roles and default_role:
        roles.add(default_role)
    return roles


def managed_roles(rules: Iterable[Rule], *, default_role: str = "") -> set[str]:
    """The roles the provider owns: each sign-in grants or withdraws these, and
    leaves any other role an admin gave in Cairn alone."""
    roles = {rule.role for rule in rules}
    if default_role:
        roles.add(default_role)
    return roles


def parse_rules(text: str, *, roles: Iterable[str]) -> tuple[list[Rule], list[str]]:
    """Rules written one a line as `attribute, value, role`, and the problems."""
    known = set(roles)
    rules: list[Rule] = []
    problems: list[str] = []
    seen = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [part.strip() for part in line.rsplit(",", 2)]
        if len(parts) != 3 or not all(parts):
            problems.append(
                f"Line {number}: write 'attribute, value, role' (three parts)."
            )
            continue
        attribute, value, role = parts
        if role not in known:
            problems.append(
                f"Line {number}: '{role}' is no role; use one of "
                f"{', '.join(sorted(known))}."
            )
            continue
        if len(attribute) > 200 or len(value) > 500:
            problems.append(f"Line {number}: the attribute or value is too long.")
            continue
        key = (attribute, value, role)
        if key not in seen:
            seen.add(key)
            rules.append(Rule(attribute, value, role))
    return rules, problems


def format_rules(rules: Iterable[Rule]) -> str:
    return "\n".join(f"{rule.attribute}, {rule.value}, {rule.role}" for rule in rules)


def normalise_domains(text: str) -> list[str]:
    """E-mail domains from a comma- or line-separated list, lower-cased, with a
    leading @ dropped, in the order given."""
    domains: list[str] = []
    for part in text.replace("\n", ",").split(","):
        domain = part.strip().lower().lstrip("@")
        if domain and domain not in domains:
            domains.append(domain)
    return domains
