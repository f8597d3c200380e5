"""Evidence for completions whose source lives above credentials: a higher app
(integrations for a learning platform's grade) says how to describe the
completions it recorded, from its AppConfig.ready(), so that the credential
names them without credentials importing that app (apps depend one way)."""

from collections.abc import Callable

from assessments.models import ModuleCompletion
from credentials.openbadges import EvidenceInfo

Describer = Callable[[ModuleCompletion], tuple[EvidenceInfo, ...]]

_describers: dict[str, Describer] = {}


def register(source: str, describe: Describer) -> None:
    """`describe(completion)` gives the evidence of completions of `source`."""
    if source not in ModuleCompletion.Source.values:
        raise ValueError(f"Unknown completion source: {source!r}")
    _describers[source] = describe


def describe(completion: ModuleCompletion) -> tuple[EvidenceInfo, ...]:
    """The registered description of the completion's evidence; none if its
    source has no describer (the app that records it is not installed)."""
    describer = _describers.get(completion.source)
    return describer(completion) if describer else ()
