"""Module drafts: fields, badge images, the outcome editor (add, edit, reorder,
remove, align), the module page, the public catalogue and CTDL export."""

import io
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.models import AuditEntry, Organization
from curriculum import badge_images, framework_services, selectors, services
from curriculum.models import Competency, Outcome
from tests import builders


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (47, 107, 94, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


# Passive outside references and foreign content: removed, the rest kept.
EVIL_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 100 100">
  <style>@import url(http://evil.example/x.css);</style>
  <circle cx="50" cy="50" r="40" fill="#2f6b5e"/>
  <rect width="10" height="10" fill="url(http://evil.example/p)"/>
  <image href="http://evil.example/tracker.png"/>
  <use xlink:href="http://evil.example/sprite.svg#a"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
  <text x="10" y="90">Data 101</text>
</svg>"""

# Code is refused outright, wherever it hides.
SCRIPTED_SVGS = [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4" onclick="steal()"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
    b'<a x:href="javascript:alert(1)"><text>click</text></a></svg>',
]


@pytest.fixture
def draft(cast):
    return services.create_module_version(
        cast.organization, by=cast["designer"], code="DATA-101", title="Data basics"
    )


@pytest.fixture
def skills(cast):
    framework = framework_services.create_framework(
        cast.organization, by=cast["designer"], name="Data skills"
    )
    return [
        framework_services.add_competency(
            framework, by=cast["designer"], statement=text, code=code
        )
        for code, text in [
            ("DS.1", "Summarise data with pivot tables"),
            ("DS.2", "Visualise quantitative information honestly"),
        ]
    ]


# Badge images -----------------------------------------------------------------


def test_a_png_badge_is_checked_by_content():
    image = badge_images.check_badge_image(png_bytes())
    assert image.extension == "png"
    with pytest.raises(badge_images.BadgeImageError, match="must be a PNG or an SVG"):
        badge_images.check_badge_image(b"GIF89a not allowed")
    with pytest.raises(badge_images.BadgeImageError, match="damaged"):
        badge_images.check_badge_image(png_bytes()[:40])


@pytest.mark.parametrize("data", SCRIPTED_SVGS)
def test_an_svg_badge_with_code_is_refused(data):
    with pytest.raises(badge_images.BadgeImageError, match="may not run code"):
        badge_images.check_badge_image(data)


def test_an_svg_badge_loses_outside_references_and_foreign_content():
    cleaned = badge_images.check_badge_image(EVIL_SVG).content.decode()
    for bad in ("evil.example", "foreignObject", "style"):
        assert bad not in cleaned, bad
    assert "<circle" in cleaned
    assert 'fill="#2f6b5e"' in cleaned
    assert "Data 101" in cleaned


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "boom">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
            "entities or a DTD",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "not well-formed"),
        (b"<?xml version='1.0'?><html/>", "not an SVG"),
        (b"", "empty"),
    ],
)
def test_a_bad_svg_is_refused_with_a_reason(data, message):
    with pytest.raises(badge_images.BadgeImageError, match=message):
        badge_images.check_badge_image(data)


def test_a_draft_takes_all_its_fields_and_a_sanitised_badge(cast, draft):
    other = services.create_module_version(
        cast.organization, by=cast["designer"], code="XL-100", title="Spreadsheets"
    )
    version = services.update_module_version(
        draft,
        by=cast["designer"],
        title="Data basics at work",
        notional_hours=125,
        credits=Decimal("5.0"),
        level="EQF 5",
        delivery_mode="blended",
        language="fr",
        prerequisites=[other.module],
        badge_image=EVIL_SVG,
    )
    version.refresh_from_db()
    assert (version.notional_hours, version.delivery_mode, version.language) == (
        125,
        "blended",
        "fr",
    )
    assert list(version.prerequisites.all()) == [other.module]
    stored = version.badge_image.read()
    assert b"<circle" in stored
    assert b"script" not in stored
    assert version.badge_image.name.endswith(".svg")
    entry = AuditEntry.objects.filter(action="version.updated").latest("pk")
    assert "prerequisites" in entry.data["fields"]


def test_the_badge_image_is_served_through_storage_to_those_who_may_see_it(
    client, cast, draft
):
    """Files are never public in storage: a view reads the image, public once
    the version is published, staff-only while a draft."""
    draft = services.update_module_version(
        draft, by=cast["designer"], badge_image=EVIL_SVG
    )
    url = draft.get_badge_image_url()
    assert client.get(url).status_code == 404
    client.force_login(cast["designer"])
    response = client.get(url)
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"script" not in b"".join(response.streaming_content)
    assert f'src="{url}"' in client.get(draft.get_absolute_url()).text
    services.publish_version(draft, by=cast["admin"], changelog="First release.")
    client.logout()
    assert client.get(url).status_code == 200
    assert f"{settings.SITE_URL}{url}" in selectors.module_jsonld(draft)


def test_a_bad_badge_or_prerequisite_changes_nothing(cast, draft):
    with pytest.raises(ValidationError) as error:
        services.update_module_version(
            draft, by=cast["designer"], title="Changed", badge_image=b"%PDF-1.7"
        )
    assert "badge_image" in error.value.message_dict
    with pytest.raises(ValidationError, match="its own prerequisite"):
        services.update_module_version(
            draft, by=cast["designer"], prerequisites=[draft.module]
        )
    draft.refresh_from_db()
    assert draft.title == "Data basics"
    assert not draft.badge_image


def test_the_edit_page_shows_errors_beside_fields_and_keeps_input(client, cast, draft):
    client.force_login(cast["designer"])
    response = client.post(
        reverse("curriculum:version-edit", args=[draft.pk]),
        {"title": "Kept title", "credits": "5", "notional_hours": "-3",
         "language": "en", "badge_image": SimpleUploadedFile("b.gif", b"GIF89a")},
    )  # fmt: skip
    assert response.status_code == 400
    assert 'value="Kept title"' in response.text
    assert "Ensure this value is greater than or equal to 1." in response.text
    response = client.post(
        reverse("curriculum:version-edit", args=[draft.pk]),
        {"title": "Kept title", "credits": "5", "language": "en",
         "badge_image": SimpleUploadedFile("b.gif", b"GIF89a")},
    )  # fmt: skip
    assert response.status_code == 400
    assert "must be a PNG or an SVG" in response.text
    draft.refresh_from_db()
    assert draft.title == "Data basics"
    response = client.post(
        reverse("curriculum:version-edit", args=[draft.pk]),
        {"title": "Kept title", "credits": "5", "language": "en", "level": "EQF 4",
         "badge_image": SimpleUploadedFile("b.png", png_bytes())},
    )  # fmt: skip
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.level) == ("Kept title", "EQF 4")
    assert draft.badge_image.name.endswith(".png")


# The outcome editor -------------------------------------------------------------


def test_an_outcome_needs_its_action_verb_first(cast, draft):
    outcome = services.add_outcome(
        draft,
        by=cast["designer"],
        statement="Build a pivot table.",
        proficiency_level="intermediate",
    )
    assert outcome.action_verb == "build"
    with pytest.raises(ValidationError) as error:
        services.add_outcome(
            draft, by=cast["designer"], statement="A chart", action_verb="create"
        )
    assert "Start the statement with its action verb" in str(error.value)
    with pytest.raises(ValidationError):
        services.add_outcome(
            draft, by=cast["designer"], statement="Build x", proficiency_level="guru"
        )
    assert draft.outcomes.count() == 1


def add_three(cast, version):
    return [
        services.add_outcome(
            version, by=cast["designer"], statement=f"{verb} thing {n}"
        )
        for n, verb in enumerate(["Build", "Chart", "Explain"], start=1)
    ]


def test_reordering_keeps_positions_dense(cast, draft):
    first, second, third = add_three(cast, draft)
    services.move_outcome(third, by=cast["designer"], offset=-1)
    services.move_outcome(third, by=cast["designer"], offset=-1)
    services.move_outcome(third, by=cast["designer"], offset=-1)  # already first
    assert list(draft.outcomes.order_by("position").values_list("pk", "position")) == [
        (third.pk, 1), (first.pk, 2), (second.pk, 3),
    ]  # fmt: skip
    services.remove_outcome(first, by=cast["designer"])
    assert list(
        draft.outcomes.order_by("position").values_list("position", flat=True)
    ) == [1, 2]


def test_an_outcome_a_rubric_assesses_cannot_be_removed(cast):
    task = builders.make_module(cast, "M-1", publish=False)
    outcome = task.version.outcomes.first()
    with pytest.raises(ValidationError, match="rubric criterion assesses"):
        services.remove_outcome(outcome, by=cast["designer"])
    assert Outcome.objects.filter(pk=outcome.pk).exists()


def test_published_outcomes_cannot_be_moved_aligned_or_removed(cast, skills):
    task = builders.make_module(cast, "M-1")
    outcome = task.version.outcomes.first()
    for change in (
        lambda: services.move_outcome(outcome, by=cast["designer"], offset=1),
        lambda: services.align_outcome(
            outcome, by=cast["designer"], competency=skills[0]
        ),
        lambda: services.update_outcome(
            outcome, by=cast["designer"], statement="Sneaky"
        ),
    ):
        with pytest.raises(ValidationError, match="can no longer be edited"):
            change()


def test_a_draft_framework_of_another_organization_cannot_be_aligned(cast, draft):
    foreign = framework_services.create_framework(
        cast.other_organization, by=None, name="Theirs"
    )
    competency = framework_services.add_competency(
        foreign, by=None, statement="Secret skill"
    )
    outcome = services.add_outcome(draft, by=cast["designer"], statement="Build it")
    with pytest.raises(ValidationError, match="draft of another organization"):
        services.align_outcome(outcome, by=cast["designer"], competency=competency)


def test_the_editor_adds_aligns_reorders_and_removes_in_place(
    client, cast, draft, skills
):
    client.force_login(cast["designer"])
    htmx = {"HX-Request": "true"}
    add = reverse("curriculum:outcome-add", args=[draft.pk])
    response = client.post(
        add,
        {"action_verb": "chart", "statement": "A chart", "proficiency_level": ""},
        headers=htmx,
    )
    assert response.status_code == 400
    assert "Start the statement with its action verb" in response.text
    assert "A chart</textarea>" in response.text  # nothing lost
    for statement in ("Build a pivot table", "Chart the result honestly"):
        client.post(
            add,
            {"statement": statement, "proficiency_level": "intermediate"},
            headers=htmx,
        )
    first, second = draft.outcomes.order_by("position")

    results = client.get(
        reverse("curriculum:competency-search"),
        {"q": "pivot", "outcome": first.pk},
        headers=htmx,
    )
    assert "Align: DS.1" in results.text
    response = client.post(
        reverse("curriculum:outcome-align", args=[first.pk]),
        {"competency": skills[0].pk},
        headers=htmx,
    )
    assert response.status_code == 200
    assert list(first.competencies.all()) == [skills[0]]
    assert "Remove alignment" in response.text

    response = client.post(
        reverse("curriculum:outcome-move", args=[second.pk]),
        {"direction": "up"},
        headers=htmx,
    )
    assert list(draft.outcomes.order_by("position")) == [second, first]
    # Focus stays on the moved outcome's button (Up is now disabled, so Down).
    button = re.search(rf'<button[^>]*id="move-down-{second.pk}"[^>]*>', response.text)
    assert "autofocus" in button.group(0)

    client.post(
        reverse("curriculum:outcome-unalign", args=[first.pk]),
        {"competency": skills[0].pk},
        headers=htmx,
    )
    assert not first.competencies.exists()
    confirm = client.get(reverse("curriculum:outcome-remove", args=[second.pk]))
    assert "Remove this outcome?" in confirm.text
    assert draft.outcomes.count() == 2
    client.post(reverse("curriculum:outcome-remove", args=[second.pk]), headers=htmx)
    assert list(draft.outcomes.all()) == [first]


def test_a_bad_competency_id_is_not_found(client, cast, draft):
    outcome = services.add_outcome(draft, by=cast["designer"], statement="Build it")
    client.force_login(cast["designer"])
    for name in ("curriculum:outcome-align", "curriculum:outcome-unalign"):
        for value in ("abc", "", "999999999"):
            url = reverse(name, args=[outcome.pk])
            assert client.post(url, {"competency": value}).status_code == 404


def test_the_picker_works_without_javascript(client, cast, draft, skills):
    outcome = services.add_outcome(draft, by=cast["designer"], statement="Build it")
    client.force_login(cast["designer"])
    page = client.get(
        draft.get_absolute_url(), {"outcome": outcome.pk, "q": "visualise"}
    )
    assert "Align: DS.2" in page.text
    response = client.post(
        reverse("curriculum:outcome-align", args=[outcome.pk]),
        {"competency": skills[1].pk},
    )
    assert response.status_code == 302
    assert list(outcome.competencies.all()) == [skills[1]]


@pytest.mark.parametrize(
    ("role", "status"), [("reviewer", 403), ("learner", 404), ("stranger", 404)]
)
def test_only_designers_edit_outcomes(client, cast, draft, skills, role, status):
    outcome = services.add_outcome(draft, by=cast["designer"], statement="Build it")
    client.force_login(cast[role])
    for name, data in [
        ("curriculum:outcome-move", {"direction": "up"}),
        ("curriculum:outcome-align", {"competency": skills[0].pk}),
        ("curriculum:outcome-remove", {}),
    ]:
        assert client.post(reverse(name, args=[outcome.pk]), data).status_code == status
    assert Outcome.objects.filter(pk=outcome.pk, competencies=None).exists()


# The module page, catalogue and CTDL ----------------------------------------------


def publish(cast, version):
    return services.publish_version(
        version, by=cast["admin"], changelog="First release."
    )


def build_published(cast, skills, code, *, outcomes=2, level="EQF 5", credits="5"):
    version = services.create_module_version(
        cast.organization, by=cast["designer"], code=code, title=f"Module {code}",
        summary=f"Summary of {code} about spreadsheets", level=level,
        credits=Decimal(credits), notional_hours=125, delivery_mode="online",
    )  # fmt: skip
    for n in range(outcomes):
        services.add_outcome(
            version, by=cast["designer"], statement=f"Build thing {n}",
            competencies=[skills[n % 2]], proficiency_level="advanced",
        )  # fmt: skip
    return publish(cast, version)


def jsonld_of(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_a_published_module_page_carries_schema_org_json_ld(client, cast, skills):
    version = build_published(cast, skills, "DATA-1")
    page = client.get(version.get_absolute_url())
    data = jsonld_of(page.text)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Course"
    assert data["courseCode"] == "DATA-1"
    assert data["timeRequired"] == "PT125H"
    assert {t["termCode"] for t in data["teaches"]} == {"DS.1", "DS.2"}
    assert "125" in page.text
    assert "Online" in page.text


def test_json_ld_cannot_break_out_of_its_script(client, cast, skills):
    version = services.create_module_version(
        cast.organization, by=cast["designer"], code="X-1",
        title="</script><script>alert(1)</script>",
    )  # fmt: skip
    publish(cast, version)
    page = client.get(version.get_absolute_url()).text
    assert "<script>alert(1)" not in page
    assert jsonld_of(page)["name"] == "</script><script>alert(1)</script>"


def test_the_catalogue_searches_and_filters(client, cast, skills):
    build_published(cast, skills, "DATA-1", level="EQF 5", credits="5")
    build_published(cast, skills, "DATA-2", outcomes=1, level="EQF 4", credits="10")
    draft = services.create_module_version(
        cast.organization, by=cast["designer"], code="HIDDEN", title="Secret draft"
    )
    url = reverse("curriculum:catalogue")

    def codes(**params):
        text = client.get(url, params).text
        return sorted(set(re.findall(r"(DATA-\d|HIDDEN) v", text)))

    assert codes() == ["DATA-1", "DATA-2"]
    assert codes(level="EQF 4") == ["DATA-2"]
    assert codes(credits_min="6") == ["DATA-2"]
    assert codes(credits_max="6") == ["DATA-1"]
    assert codes(competency="DS.2") == ["DATA-1"]  # only DATA-1 has a second outcome
    assert codes(q="spreadsheet") == ["DATA-1", "DATA-2"]
    assert codes(q="DATA-2") == ["DATA-2"]
    assert codes(organization=cast.other_organization.slug) == []
    assert "No published module matches" in client.get(url, {"q": "astronomy"}).text
    assert draft.title not in client.get(url).text
    data = jsonld_of(client.get(url).text)
    assert data["@type"] == "ItemList"
    assert len(data["itemListElement"]) == 2


def test_the_catalogue_shows_only_the_latest_published_version(client, cast, skills):
    first = build_published(cast, skills, "DATA-1")
    second = services.create_module_version(
        cast.organization,
        by=cast["designer"],
        code="DATA-1",
        title="Module DATA-1 again",
    )
    publish(cast, second)
    text = client.get(reverse("curriculum:catalogue")).text
    assert "Module DATA-1 again" in text
    assert first.get_absolute_url() not in text


def test_the_catalogue_search_falls_back_to_words_without_postgresql(
    cast, skills, monkeypatch
):
    build_published(cast, skills, "DATA-1")
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert [
        v.module.code for v in selectors.catalogue(q="spreadsheets astronomy")
    ] == []
    assert [v.module.code for v in selectors.catalogue(q="spreadsheets about")] == [
        "DATA-1"
    ]
    assert [
        c.code
        for c in selectors.search_competencies(
            "pivot tables", organizations=Organization.objects.all()
        )
    ] == ["DS.1"]


def test_ctdl_export_of_a_published_module(client, cast, skills):
    version = build_published(cast, skills, "DATA-1")
    response = client.get(reverse("curriculum:version-ctdl", args=[version.pk]))
    assert response["Content-Type"] == "application/ld+json"
    data = response.json()
    assert data["@type"] == "ceterms:MicroCredential"
    assert data["ceterms:ctid"].startswith("ce-")
    assert data["ceterms:codedNotation"] == "DATA-1"
    assert data["ceterms:estimatedDuration"][0]["ceterms:exactDuration"] == "PT125H"
    targets = data["ceterms:requires"][0]["ceterms:targetCompetency"]
    assert {t["ceterms:codedNotation"] for t in targets} == {"DS.1", "DS.2"}
    assert all(t["ceterms:targetNode"].startswith("http") for t in targets)
    # Stable: the same module gives the same CTID.
    assert (
        client.get(reverse("curriculum:version-ctdl", args=[version.pk])).json()[
            "ceterms:ctid"
        ]
        == data["ceterms:ctid"]
    )
    draft = services.create_module_version(
        cast.organization, by=cast["designer"], code="D-9", title="Draft"
    )
    client.force_login(cast["designer"])
    assert (
        client.get(reverse("curriculum:version-ctdl", args=[draft.pk])).status_code
        == 404
    )


def test_a_retired_modules_ctdl_says_it_is_deprecated(client, cast, skills):
    from curriculum import lifecycle

    version = build_published(cast, skills, "DATA-2")
    url = reverse("curriculum:version-ctdl", args=[version.pk])
    status = "ceterms:credentialStatusType"
    assert client.get(url).json()[status]["ceterms:targetNode"] == (
        "credentialStat:Active"
    )
    lifecycle.retire_version(version, by=cast["admin"], reason="Replaced by DATA-3.")
    assert client.get(url).json()[status]["ceterms:targetNode"] == (
        "credentialStat:Deprecated"
    )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_module_page_and_catalogue_queries_do_not_grow(client, cast, skills):
    small = build_published(cast, skills, "S-1", outcomes=2)
    large = build_published(cast, skills, "L-1", outcomes=30)
    assert count_queries(client, small.get_absolute_url()) == count_queries(
        client, large.get_absolute_url()
    )
    client.force_login(cast["designer"])
    draft_small = services.create_module_version(
        cast.organization, by=cast["designer"], code="DS", title="s"
    )
    draft_large = services.create_module_version(
        cast.organization, by=cast["designer"], code="DL", title="l"
    )
    for version, n in ((draft_small, 1), (draft_large, 25)):
        for i in range(n):
            services.add_outcome(
                version,
                by=cast["designer"],
                statement=f"Build {i}",
                competencies=skills,
            )
    assert count_queries(client, draft_small.get_absolute_url()) == count_queries(
        client, draft_large.get_absolute_url()
    )
    client.logout()
    catalogue = reverse("curriculum:catalogue")
    before = count_queries(client, catalogue)
    for n in range(10):
        build_published(cast, skills, f"MORE-{n}", outcomes=1)
    assert count_queries(client, catalogue) == before


def test_competency_search_uses_its_indexes_on_postgresql(cast, skills):
    """The search's match must keep matching the indexed expressions (migration
    0004): a change to the SearchVector would silently bring back a full scan.

    The match is explained on its own with plain and index scans switched off,
    so the only plan without a sequential scan is a BitmapOr of the two indexes;
    the whole search's plan depends on the table's statistics (an index on the
    organization can win on a small table) and would make the test flaky."""
    if connection.vendor != "postgresql":
        pytest.skip("the indexes are PostgreSQL's")
    annotations, match = selectors.competency_search_match("pivot tables")
    sql, params = (
        Competency.objects.annotate(**annotations)
        .filter(match)
        .order_by()
        .values("pk")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert "competency_search_vector" in plan, plan
    assert "competency_code_prefix" in plan, plan
    assert [
        c.code
        for c in selectors.search_competencies(
            "pivot tables",
            organizations=Organization.objects.filter(pk=cast.organization.pk),
        )
    ] == ["DS.1"]
