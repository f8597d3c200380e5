"""The curriculum part of the demo builds through the services, once."""

from curriculum import demo, selectors
from curriculum.models import CompetencyFramework, ModuleVersion


def test_the_demo_framework_and_draft_module_are_built_once(cast):
    users = {"dana": cast["designer"], "ada": cast["admin"]}
    demo.extend_demo(cast.organization, users)
    demo.extend_demo(cast.organization, users)
    framework = CompetencyFramework.objects.get(name=demo.FRAMEWORK)
    assert framework.status == CompetencyFramework.Status.PUBLISHED
    assert [n.depth for n in selectors.framework_tree(framework)] == [
        0,
        1,
        1,
        1,
        0,
        1,
        1,
    ]
    version = ModuleVersion.objects.get(module__code="CLEAN-201")
    assert version.status == ModuleVersion.Status.DRAFT
    assert version.badge_image.name.endswith(".svg")
    assert version.outcomes.filter(competencies__isnull=False).count() == 3
