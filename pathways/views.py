import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import add_service_errors
from accounts.models import Membership
from accounts.permissions import has_role, organizations_where
from curriculum.forms import PublishForm
from curriculum.models import Module
from curriculum.permissions import can_publish_version
from curriculum.views import publish_from_form
from pathways import ctdl, ruleedit, rules, selectors, services
from pathways.forms import (
    EquivalenceForm,
    PathwayForm,
    PrerequisiteOverrideForm,
    StackingForm,
)
from pathways.models import PathwayVersion, Reevaluation
from pathways.permissions import (
    can_design_pathways,
    can_manage_cohorts,
    can_waive_prerequisites,
    get_equivalence_for_managing,
    get_module_for_stacking,
    get_module_for_waiving,
    get_pathway_version_for_cohorts,
    get_pathway_version_for_editing,
    get_pathway_version_for_viewing,
)
from pathways.selectors import cohorts
from pathways.selectors.facts import completion_facts
from pathways.selectors.planner import learner_plan
from pathways.selectors.progress import (
    pathway_with_modules,
    preview_for_learner,
    preview_with_modules,
)

Role = Membership.Role


def catalogue(request: HttpRequest) -> HttpResponse:
    versions = selectors.published_pathways()
    if query := request.GET.get("q", "").strip():
        versions = versions.filter(title__icontains=query)
    page = Paginator(versions, 20).get_page(request.GET.get("page"))
    return render(request, "pathways/catalogue.html", {"page": page, "query": query})


@login_required
def pathway_create(request: HttpRequest) -> HttpResponse:
    organizations = organizations_where(request.user, Role.DESIGNER, Role.ADMIN)
    if not organizations.exists():
        raise PermissionDenied
    form = PathwayForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.create_pathway_version(
                data["organization"],
                by=request.user,
                code=data["code"],
                title=data["title"],
                summary=data["summary"],
                rule=services.all_of([m.code for m in data["modules"]]),
                valid_for_days=data.get("valid_for_days"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Draft pathway {version} created.")
            return redirect(version)
    return render(request, "pathways/pathway_form.html", {"form": form})


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_viewing(request.user, pk)
    enrolled = (
        request.user.is_authenticated
        and version.enrolments.filter(learner=request.user).exists()
    )
    is_learner = has_role(request.user, version.organization, Role.LEARNER)
    preview = (
        preview_for_learner(request.user, version, on=timezone.now())
        if is_learner and version.is_frozen
        else None
    )
    found = selectors.catalogue_for(version.organization)
    return render(
        request,
        "pathways/version_detail.html",
        {
            "version": version,
            "summary": rules.describe(version.rule, found.catalogue),
            "steps": pathway_with_modules(version),
            "enrolled": enrolled,
            "preview": preview,
            "can_enrol": not enrolled
            and version.status == version.Status.PUBLISHED
            and is_learner,
            "can_design": can_design_pathways(request.user, version.organization),
            "can_manage": can_manage_cohorts(request.user, version.organization)
            and version.status == version.Status.PUBLISHED,
            "can_publish": can_publish_version(request.user, version)
            and not version.is_frozen,
            "publish_form": PublishForm(),
            "reevaluations": selectors.reevaluations_of(version)
            if can_manage_cohorts(request.user, version.organization)
            else (),
            "jsonld": ctdl.pathway_jsonld(version) if version.is_frozen else "",
        },
    )


@require_GET
def version_ctdl(request: HttpRequest, pk: int) -> HttpResponse:
    """A published pathway version as CTDL JSON-LD (Credential Engine)."""
    version = get_pathway_version_for_viewing(request.user, pk)
    if not version.is_frozen:
        raise Http404
    return HttpResponse(
        json.dumps(ctdl.pathway_ctdl(version), ensure_ascii=False, indent=2),
        content_type="application/ld+json",
    )


@require_POST
@login_required
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_viewing(request.user, pk)
    try:
        services.enrol(request.user, version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(version)
    messages.success(request, f"You are enrolled in {version.title}.")
    return redirect("home")


@require_POST
@login_required
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_viewing(request.user, pk)
    return publish_from_form(request, version, services.publish_pathway_version)


# ----------------------------------------------------------------- builder


def _builder_context(version: PathwayVersion, *, error: str = "") -> dict:
    found = selectors.catalogue_for(version.organization)
    zone = found.catalogue.time_zone
    modules = list(
        Module.objects.filter(organization=version.organization).order_by("code")
    )
    titles = {m.code: found.catalogue.title(m.code) for m in modules}
    learners = (
        get_user_model()
        .objects.filter(
            memberships__organization=version.organization,
            memberships__role=Role.LEARNER,
        )
        .order_by("username")[:100]
    )
    return {
        "version": version,
        "tree": _builder_tree(version.rule, "0", titles),
        "summary": rules.describe(version.rule, found.catalogue),
        "modules": modules,
        "titles": titles,
        "groups": [
            (path, rules.describe(group, found.catalogue))
            for path, group in ruleedit.groups(version.rule)
        ],
        "learners": learners,
        "error": error,
        "editable": version.is_editable,
        "rule_help": [
            text.format(time_zone=f"the organization's time zone ({zone})")
            for text in rules.RULE_HELP
        ],
    }


def _builder_tree(rule: dict, path: str, titles: dict) -> dict:
    """The rule with each node's path, for the builder's template."""
    node = {
        "path": path,
        "type": rule.get("type"),
        "label": rules.describe(rule),
        "code": rule.get("code", ""),
        "title": titles.get(rule.get("code", ""), rule.get("code", "")),
        "n": rule.get("n"),
        "min": rule.get("min"),
        "tag": rule.get("tag"),
        "is_group": rule.get("type") in ruleedit.GROUPS and "tag" not in rule,
        "is_root": path == "0",
    }
    node["children"] = [
        _builder_tree(child, f"{path}.{i}", titles)
        for i, child in enumerate(rule.get("children", []))
    ]
    return node


@login_required
def rule_builder(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_editing(request.user, pk)
    return render(request, "pathways/rule_builder.html", _builder_context(version))


def _apply_edit(rule: dict, data) -> dict:
    action, path = data.get("action", ""), data.get("path", "0")
    if action == "add-module":
        return ruleedit.add_module(rule, path, data.get("code", ""))
    if action == "add-group":
        return ruleedit.add_group(
            rule, path, kind=data.get("kind", ""), first_code=data.get("code", "")
        )
    if action == "set-group":
        kind = data.get("kind", "")
        try:
            n = int(data["n"]) if data.get("n") else None
            minimum = float(data["min"]) if data.get("min") else None
        except ValueError as error:
            raise rules.RuleError("Give a whole number for n and credits.") from error
        return ruleedit.set_group(rule, path, kind=kind, n=n, minimum=minimum)
    if action == "remove":
        return ruleedit.remove(rule, path)
    if action in {"up", "down"}:
        return ruleedit.move(rule, path, -1 if action == "up" else 1)
    if action == "move-into":
        return ruleedit.move_into(rule, path, data.get("target", ""))
    raise rules.RuleError("Unknown change.")


@require_POST
@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_editing(request.user, pk)
    error = ""
    try:
        rule = _apply_edit(version.rule, request.POST)
        version = services.update_rule(version, by=request.user, rule=rule)
    except rules.RuleError as problem:
        error = str(problem)
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if request.htmx:
        return render(
            request,
            "pathways/rule_builder.html#builder",
            _builder_context(version, error=error),
        )
    if error:
        messages.error(request, error)
    return redirect("pathways:rule-builder", pk=version.pk)


@require_GET
@login_required
def rule_preview(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_editing(request.user, pk)
    now = timezone.now()
    learner = None
    if learner_id := request.GET.get("learner"):
        learner = (
            get_user_model()
            .objects.filter(
                pk=learner_id if learner_id.isdigit() else 0,
                memberships__organization=version.organization,
            )
            .first()
        )
    if learner is not None:
        found = selectors.catalogue_for(version.organization)
        facts = completion_facts(learner, on=now)
        evaluation = rules.compile_rule(version.rule, found.catalogue).evaluate(
            facts, now
        )
    else:
        evaluation = preview_with_modules(
            version, version.rule, request.GET.getlist("module"), on=now
        )
    context = {"evaluation": evaluation, "learner": learner, "version": version}
    return render(request, "pathways/_preview.html", context)


@login_required
def simulate(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a draft's rule against the cohort of the latest published version."""
    version = get_pathway_version_for_editing(request.user, pk)
    published = (
        PathwayVersion.objects.published()
        .filter(pathway=version.pathway)
        .exclude(pk=version.pk)
        .order_by("-number")
        .first()
    )
    found = selectors.catalogue_for(version.organization)
    simulation = None
    if published is not None:
        simulation = cohorts.simulate(
            published, before=published.rule, after=version.rule, on=timezone.now()
        )
    return render(
        request,
        "pathways/simulate.html",
        {
            "version": version,
            "published": published,
            "simulation": simulation,
            "summary_before": rules.describe(published.rule, found.catalogue)
            if published
            else "",
            "summary_after": rules.describe(version.rule, found.catalogue),
        },
    )


# ---------------------------------------------------------------- cohorts


@require_POST
@login_required
def reevaluate(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_cohorts(request.user, pk)
    run = services.start_reevaluation(
        version, by=request.user, reason="Requested by an administrator"
    )
    messages.success(request, f"Re-evaluating {run.total} enrolled learners.")
    return redirect("pathways:reevaluation", pk=run.pk)


@login_required
def reevaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(Reevaluation, pk=pk)
    get_pathway_version_for_cohorts(request.user, run.version_id)
    template = "pathways/reevaluation.html"
    if request.htmx:
        template += "#status"
    return render(request, template, {"run": run})


@login_required
def cohort_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the cohort of an older version to this one, after seeing who gains
    or loses progress."""
    target = get_pathway_version_for_cohorts(request.user, pk)
    older = list(
        PathwayVersion.objects.filter(
            pathway=target.pathway, number__lt=target.number
        ).order_by("-number")
    )
    source = next(
        (
            v
            for v in older
            if str(v.pk) == request.POST.get("source", request.GET.get("source"))
        ),
        older[0] if older else None,
    )
    if request.method == "POST" and source is not None:
        try:
            moved = services.move_cohort(source, target, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"Moved {moved} learners to version {target.number}."
            )
            return redirect(target)
    simulation = (
        cohorts.simulate(
            source, before=source.rule, after=target.rule, on=timezone.now()
        )
        if source is not None
        else None
    )
    return render(
        request,
        "pathways/cohort_move.html",
        {"target": target, "source": source, "older": older, "simulation": simulation},
    )


# ------------------------------------------------------------ equivalences


@login_required
def equivalence_list(request: HttpRequest) -> HttpResponse:
    organizations = organizations_where(request.user, Role.DESIGNER, Role.ADMIN)
    if not organizations.exists():
        raise PermissionDenied
    admin_of = organizations_where(request.user, Role.ADMIN)
    form = EquivalenceForm(request.POST or None, organizations=admin_of)
    if request.method == "POST":
        if not admin_of.exists():
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                equivalence = services.approve_equivalence(
                    data["organization"],
                    by=request.user,
                    issuer=data["issuer"],
                    achievement=data["achievement"],
                    module=data["module"],
                    note=data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Equivalence approved: {equivalence}.")
                return redirect("pathways:equivalences")
    rows = [
        e
        for organization in organizations
        for e in selectors.equivalences_of(organization)
    ]
    return render(
        request,
        "pathways/equivalence_list.html",
        {"equivalences": rows, "form": form, "can_approve": admin_of.exists()},
    )


@require_POST
@login_required
def equivalence_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    equivalence = get_equivalence_for_managing(request.user, pk)
    try:
        services.withdraw_equivalence(equivalence, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Equivalence withdrawn: {equivalence}.")
    return redirect("pathways:equivalences")


@login_required
def module_stacking(request: HttpRequest, pk: int) -> HttpResponse:
    """A module's tags and prerequisites, as stacking rules use them."""
    module = get_module_for_stacking(request.user, pk)
    profile = getattr(module, "stacking", None)
    initial = {
        "tags": ", ".join(profile.tags) if profile else "",
        "prerequisites": Module.objects.filter(
            organization=module.organization,
            code__in=rules.module_codes(profile.prerequisite)
            if profile and profile.prerequisite
            else [],
        ),
    }
    form = StackingForm(request.POST or None, module=module, initial=initial)
    if request.method == "POST" and form.is_valid():
        codes = [m.code for m in form.cleaned_data["prerequisites"]]
        try:
            services.set_stacking(
                module,
                by=request.user,
                tags=form.cleaned_data["tags"].split(","),
                prerequisite=services.all_of(codes) if codes else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Stacking of {module.code} saved.")
            return redirect("pathways:module-stacking", pk=module.pk)
    return render(
        request,
        "pathways/module_stacking.html",
        {
            "module": module,
            "form": form,
            "can_waive": can_waive_prerequisites(request.user, module),
        },
    )


@login_required
def prerequisite_overrides(request: HttpRequest, pk: int) -> HttpResponse:
    """Faculty and administrators waive a module's prerequisite for a learner."""
    module = get_module_for_waiving(request.user, pk)
    form = PrerequisiteOverrideForm(request.POST or None, module=module)
    if request.method == "POST" and form.is_valid():
        learner = form.cleaned_data["learner"]
        try:
            services.override_prerequisite(
                learner, module, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The prerequisite of {module.code} is waived for "
                f"{learner.get_full_name() or learner.get_username()}.",
            )
            return redirect("pathways:prerequisite-overrides", pk=module.pk)
    return render(
        request,
        "pathways/prerequisite_overrides.html",
        {
            "module": module,
            "form": form,
            "overrides": selectors.prerequisite_overrides_of(module),
        },
    )


# ----------------------------------------------------------------- planner


@login_required
def planner(request: HttpRequest) -> HttpResponse:
    plan = learner_plan(request.user, on=timezone.now())
    return render(request, "pathways/planner.html", {"plan": plan})
