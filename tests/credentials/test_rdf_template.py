"""The RDF of a credential from its shape's template is the RDF pyld gives it:
byte for byte the same canonical form, for any strings in the credential, and
the slow way wherever a template could not say the same."""

import copy
import logging

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from credentials import canonical, dataintegrity, jsonld, rdf_template
from credentials.openbadges import compose_credential
from tests.credentials.jsverifier import canonize_with_node
from tests.credentials.samples import PUBLIC_MULTIBASE, make_info, sign

V2 = "https://www.w3.org/ns/credentials/v2"
VOCAB = "https://cairn.example/vocab#"
CONTEXT = [
    V2,
    {
        "@vocab": VOCAB,
        "homepage": {"@id": f"{VOCAB}homepage", "@type": "@id"},
        "kind": {"@id": f"{VOCAB}kind", "@type": "@vocab"},
        "french": {"@id": f"{VOCAB}french", "@language": "fr"},
        "born": {
            "@id": f"{VOCAB}born",
            "@type": "http://www.w3.org/2001/XMLSchema#date",
        },
        "friends": {"@id": f"{VOCAB}friends", "@container": "@list"},
    },
]
CONTROLS = "".join(chr(code) for code in range(0x20)) + "\x7f"
TRICKY = [
    "",
    'say "hi"',
    "back\\slash \\n \\u0041",
    "line\nbreak\r\n\ttab",
    CONTROLS,
    "émoji 🎓 and 中文",
    "مرحبا بالعالم",
    "\u202eright to left\u202c",
    "\u2028\u2029\u00a0\u3000",
    "x" * 5000,
    "_:b0",
    "urn:x-cairn-slot:0",
    f"{rdf_template._PLACEHOLDER}0",
    f"<{rdf_template._PLACEHOLDER}1>",
    '" .\n<urn:evil> <urn:evil> "x',
    "@id",
    "1.5",
]
IRIS = [
    "urn:uuid:0b8f4d4e-6a43-4a55-9b2b-1f7c0e3c9a10",
    "https://cairn.example/a%20b/c?d=e&f#g",
    "https://cairn.example/ünïcode/路径#片段",
    "did:web:cairn.example%3A8443:people:ada",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6Mk",
    "mailto:ada@example.org",
    "http://data.europa.eu/esco/skill/1",
    "tag:cairn.example,2026:x",
    f"{rdf_template._PLACEHOLDER}3",
]
NOT_PLAIN_IRIS = [  # pyld reads them otherwise, or they are not IRIs
    "relative/path",
    "_:b1",
    "",
    "https://cairn.example/with space",
    "https://cairn.example/<angle>",
    "did:example:new\nline",
    "https://[bad",
    "@keyword",
    "schema:name",
]
NUMBERS = [0, 1, -7, 1.0, -0.0, 0.1, 1.5e300, 1e21, 10**21, 2**53 + 1, 1e-7, 2.5]

texts = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=40),
    st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=40),
    st.text(st.characters(max_codepoint=0x7F), max_size=20),
)
iri_text = st.text(
    st.characters(
        codec="utf-8", exclude_categories=["Z", "C"], exclude_characters='<>"{}|\\^`'
    ),
    max_size=12,
)
iris = st.one_of(
    st.sampled_from(IRIS),
    st.builds("https://cairn.example/{}#{}".format, iri_text, iri_text),
    st.builds("urn:{}:{}".format, st.sampled_from(["uuid", "isbn", "x"]), iri_text),
)
any_iris = st.one_of(
    iris,
    st.sampled_from(NOT_PLAIN_IRIS),
    st.builds("https://cairn.example/{}".format, st.text(st.characters(codec="utf-8"))),
)
numbers = st.one_of(st.sampled_from(NUMBERS), st.integers(), st.floats(width=64))


def _credential(values: dict) -> dict:
    """A credential of one shape: only its strings change with `values`."""
    return {
        "@context": CONTEXT,
        "id": values["id"],
        "type": ["VerifiableCredential"],
        "issuer": {"id": values["issuer"], "name": values["name"]},
        "validFrom": values["date"],
        "credentialSubject": {
            "id": values["subject"],
            "name": values["name"],
            "homepage": values["homepage"],
            "kind": values["kind"],
            "french": values["motto"],
            "born": values["date"],
            "motto": {"@value": values["motto"], "@language": "en-GB"},
            "slogan": {"@value": values["name"], "@direction": "rtl"},
            "tags": [values["tag"], values["name"], values["tag"]],
            "friends": [
                {"id": values["subject"], "name": values["tag"]},
                {"id": values["homepage"], "name": values["name"]},
            ],
            "score": 42,
            "ratio": 1.5,
        },
    }


credential_values = st.fixed_dictionaries(
    {
        "id": iris,
        "issuer": iris,
        "subject": iris,
        "homepage": any_iris,
        "kind": iris,
        "name": texts,
        "motto": texts,
        "tag": texts,
        "date": st.one_of(st.just("2026-01-01T00:00:00Z"), texts),
    }
)


@st.composite
def varied_credentials(draw) -> dict:
    """Credentials of many shapes: optional keys, lists, numbers, languages."""
    subject: dict = {"id": draw(iris)}
    for name in draw(st.lists(st.sampled_from(["name", "note", "title"]), unique=True)):
        subject[name] = draw(
            st.one_of(
                texts,
                numbers,
                st.booleans(),
                st.lists(st.one_of(texts, numbers), max_size=3),
                st.builds(
                    lambda value, language: {"@value": value, "@language": language},
                    texts,
                    st.sampled_from(["en", "fr-CA", "AR-eg"]),
                ),
            )
        )
    if draw(st.booleans()):
        subject["homepage"] = draw(st.lists(any_iris, min_size=1, max_size=3))
    if draw(st.booleans()):
        subject["knows"] = {"id": draw(iris), "name": draw(texts)}
    if draw(st.booleans()):  # blank nodes, alike or not
        subject["met"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"name": st.sampled_from(["Ada", "Alan", "Grace", "\n"])},
                    optional={"knows": st.fixed_dictionaries({"name": texts})},
                ),
                max_size=3,
            )
        )
    return {
        "@context": CONTEXT,
        "id": draw(iris),
        "type": ["VerifiableCredential"],
        "issuer": draw(iris),
        "credentialSubject": subject,
    }


def _slow(document: dict) -> str | type:
    """The canonical form through pyld, or the error it raises."""
    try:
        return canonical.canonical_form(jsonld.to_nquads(document))
    except Exception as error:
        return type(error)


def _fast(document: dict) -> str | type | None:
    """The canonical form through the shape's template, None if it has none for
    this document, or the error canonicalizing it raises."""
    rdf_template.fill(document)  # a shape's template is made when seen again
    filled = rdf_template.fill(document)
    if filled is None:
        return None
    try:
        return canonical.templated_canonical_form(filled)
    except Exception as error:
        return type(error)


def _same_either_way(document: dict) -> str:
    """Checks the template against pyld; says which way the document went."""
    slow = _slow(document)
    fast = _fast(document)
    if isinstance(slow, str):
        assert dataintegrity.canonical_nquads(document) == slow
    if fast is None:
        return "slow way"
    if isinstance(slow, str):
        assert fast == slow
        filled = rdf_template.fill(document)
        if not filled.canonical:
            return "template, every quad through pyoxigraph"
        if filled.nquads:
            return "template, quads with blank nodes through pyoxigraph"
        return "template, blank nodes labelled by their first-degree hashes"
    # pyld refused it: the template may not have accepted it
    assert not isinstance(fast, str), (slow, fast)
    return "both refuse"


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(credential_values)
def test_one_shape_with_any_strings_gives_pyld_s_canonical_form(values):
    event(_same_either_way(_credential(values)))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(varied_credentials())
def test_varied_shapes_give_pyld_s_canonical_form(document):
    event(_same_either_way(document))


def test_cairns_credentials_use_the_template():
    for variant in ["full", "minimal", "expiring", "with_status"]:
        credential = compose_credential(make_info(variant))
        assert _same_either_way(credential).startswith("template"), variant


def test_plain_values_use_the_template():
    values = {
        "id": IRIS[0],
        "issuer": IRIS[3],
        "subject": IRIS[1],
        "homepage": IRIS[2],
        "kind": IRIS[5],
        "name": CONTROLS,
        "motto": TRICKY[1],
        "tag": TRICKY[5],
        "date": "2026-01-01T00:00:00Z",
    }
    assert _same_either_way(_credential(values)).startswith("template")


@pytest.mark.parametrize(
    "iri",
    ["relative/path", "_:b1", "", "https://cairn.example/with space", "@keyword"],
)
def test_an_iri_pyld_reads_otherwise_goes_the_slow_way(iri):
    values = {
        "id": IRIS[0],
        "issuer": IRIS[3],
        "subject": IRIS[1],
        "homepage": iri,
        "kind": IRIS[5],
        "name": "Ada",
        "motto": "Hi",
        "tag": "t",
        "date": "2026-01-01T00:00:00Z",
    }
    assert _fast(_credential(values)) is None
    assert _same_either_way(_credential(values)) == "slow way"


def _subject(**properties) -> dict:
    return {
        "@context": [V2, {"@vocab": VOCAB, **properties.pop("context", {})}],
        "id": IRIS[0],
        "type": ["VerifiableCredential"],
        "issuer": IRIS[3],
        "credentialSubject": {"id": IRIS[1], **properties},
    }


NO_TEMPLATE = {
    # pyld changes the placeholder, or reads the real value otherwise.
    "a language from a term": _subject(
        context={"lang": "@language"}, motto={"@value": "x", "lang": "en"}
    ),
    "a JSON literal": _subject(
        context={"data": {"@id": f"{VOCAB}data", "@type": "@json"}},
        data={"a": "b", "c": ["d"]},
    ),
    "a double from a string": _subject(
        context={
            "weight": {
                "@id": f"{VOCAB}weight",
                "@type": "http://www.w3.org/2001/XMLSchema#double",
            }
        },
        weight="1.5",
    ),
    "an @index": _subject(
        context={"entries": {"@id": f"{VOCAB}entries", "@container": "@index"}},
        entries={"one": {"id": IRIS[2], "name": "a"}},
        more={"id": IRIS[2], "@index": "two"},
    ),
    "the urn prefix defined": _subject(
        context={"urn": "https://cairn.example/urn/"}, same={"id": IRIS[0]}
    ),
    "a placeholder in a type": {
        **_subject(name="x"),
        "type": ["VerifiableCredential", f"{rdf_template._PLACEHOLDER}0"],
    },
}


@pytest.mark.parametrize("document", NO_TEMPLATE.values(), ids=NO_TEMPLATE.keys())
def test_shapes_pyld_reads_otherwise_go_the_slow_way(document):
    assert _fast(document) is None
    slow = _slow(document)
    if isinstance(slow, str):
        assert dataintegrity.canonical_nquads(document) == slow


def test_blank_nodes_alike_are_labelled_by_pyoxigraph():
    twins = _subject(knows=[{"name": "Ada"}, {"name": "Ada"}], name="Grace")
    assert _same_either_way(twins) == (
        "template, quads with blank nodes through pyoxigraph"
    )
    twins["credentialSubject"]["knows"][1]["name"] = "Alan"
    assert _same_either_way(twins) == (
        "template, blank nodes labelled by their first-degree hashes"
    )


def test_a_scheme_defined_as_a_prefix_goes_the_slow_way():
    document = _subject(context={"did": "https://cairn.example/did/"}, homepage=IRIS[1])
    document["@context"][1]["homepage"] = {"@id": f"{VOCAB}homepage", "@type": "@id"}
    document["issuer"] = IRIS[0]
    assert _fast(document) is not None
    document["credentialSubject"]["homepage"] = "did:web:cairn.example"
    assert _fast(document) is None
    assert dataintegrity.canonical_nquads(document) == _slow(document)
    assert "<https://cairn.example/did/web:cairn.example>" in _slow(document)


def test_a_template_that_disagrees_is_dropped_and_said_once(caplog):
    document = _credential(
        {
            "id": IRIS[0],
            "issuer": IRIS[3],
            "subject": IRIS[1],
            "homepage": IRIS[2],
            "kind": IRIS[5],
            "name": "Ada",
            "motto": "Hi",
            "tag": "t",
            "date": "2026-01-01T00:00:00Z",
        }
    )
    rdf_template.fill(document)
    template = rdf_template.fill(document).template
    with caplog.at_level(logging.WARNING, logger="credentials.rdf_template"):
        rdf_template.confirm(template, False)
    assert len(caplog.records) == 1
    assert rdf_template.fill(document) is None
    assert rdf_template.fill(document) is None
    assert dataintegrity.canonical_nquads(document) == _slow(document)
    rdf_template.clear()


def _unsecured(signed: dict) -> dict:
    return {key: value for key, value in signed.items() if key != "proof"}


def test_a_tampered_credential_fails_through_the_template():
    signed = sign(compose_credential(make_info()))
    for _ in range(3):  # the template is made and confirmed on the way
        assert dataintegrity.verify_credential(
            signed, public_multibase=PUBLIC_MULTIBASE
        )
    assert rdf_template.fill(_unsecured(signed)).template.confirmed
    for change in ["Spreadsheets", "Spreadsheets\n", 'Spread"sheets']:
        tampered = copy.deepcopy(signed)
        tampered["credentialSubject"]["achievement"]["name"] = change
        assert rdf_template.fill(_unsecured(tampered)) is not None
        assert not dataintegrity.verify_credential(
            tampered, public_multibase=PUBLIC_MULTIBASE
        )


@pytest.mark.node
def test_templated_canonical_forms_are_the_javascript_references():
    values = [
        {
            "id": IRIS[index % 8],
            "issuer": IRIS[(index + 3) % 8],
            "subject": IRIS[(index + 1) % 8],
            "homepage": IRIS[(index + 2) % 8],
            "kind": IRIS[(index + 5) % 8],
            "name": TRICKY[index % len(TRICKY)],
            "motto": CONTROLS[index:] + TRICKY[(index + 1) % len(TRICKY)],
            "tag": TRICKY[(index + 7) % len(TRICKY)],
            "date": "2026-01-01T00:00:00Z",
        }
        for index in range(12)
    ]
    documents = [_credential(value) for value in values]
    documents += [
        {**compose_credential(make_info()), "credentialSubject": subject}
        for subject in [
            {"type": ["AchievementSubject"], "id": IRIS[1]},
            {"type": ["AchievementSubject"], "id": IRIS[4]},
        ]
    ]
    ours = []
    for document in documents:
        ours.append(dataintegrity.canonical_nquads(document))
        assert rdf_template.fill(document) is not None
        ours[-1] = dataintegrity.canonical_nquads(document)  # from the template
    references = canonize_with_node(documents)
    assert [reference.get("nquads") for reference in references] == ours
