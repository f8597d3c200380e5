import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pathways import services
from pathways.models import Enrolment, PathwayVersion
from tests import builders


def test_a_pathway_cannot_name_a_module_that_does_not_exist(cast):
    with pytest.raises(ValidationError, match="No such module: NOPE"):
        services.create_pathway_version(
            cast.organization, by=cast["designer"], code="P", title="P",
            rule=services.all_of(["NOPE"]),
        )  # fmt: skip
    assert not PathwayVersion.objects.exists()


def test_a_pathway_cannot_be_published_before_its_modules(cast):
    builders.make_module(cast, "A-1", publish=False)
    version = services.create_pathway_version(
        cast.organization, by=cast["designer"], code="P", title="P",
        rule=services.all_of(["A-1"]),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Publish these modules first: A-1"):
        services.publish_pathway_version(version, by=cast["admin"], changelog="x")


def test_only_learners_of_the_organization_enrol(cast, pathway):
    with pytest.raises(ValidationError, match="Only learners"):
        services.enrol(cast["stranger"], pathway.version)
    assert not Enrolment.objects.exists()


def test_enrolling_twice_keeps_one_enrolment(cast, pathway):
    first = services.enrol(cast["learner"], pathway.version)
    assert services.enrol(cast["learner"], pathway.version) == first


def test_a_learner_enrols_from_the_pathway_page(client, cast, pathway):
    client.force_login(cast["learner"])
    page = client.get(reverse("pathways:version-detail", args=[pathway.version.pk]))
    assert "Enrol in this pathway" in page.text
    response = client.post(reverse("pathways:enrol", args=[pathway.version.pk]))
    assert response.status_code == 302
    assert Enrolment.objects.filter(learner=cast["learner"]).exists()
