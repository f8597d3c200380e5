"""The badge designer and the badge files, shared by module and pathway versions:
each app's views fetch the version with their own access checks, then call these."""

import base64

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import add_service_errors
from curriculum import badge_design, services
from curriculum.forms import BadgeDesignForm, BadgeUploadForm
from curriculum.models import VersionedContent

DEFAULT = badge_design.BadgeDesign()


def serve_badge(version: VersionedContent, *, png: bool) -> FileResponse:
    """A version's badge file read through the storage API (the local disk or a
    private bucket). Published versions are frozen, so their address always
    gives the same picture and may be cached."""
    stored = version.badge_png if png else version.badge_image
    if png and not stored and version.badge_image.name.lower().endswith(".png"):
        stored = version.badge_image  # an uploaded PNG is its own PNG
    if not stored:
        raise Http404("There is no badge image here.")
    try:
        handle = stored.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The badge image is missing from storage.") from missing
    # Stored images were checked on upload or drawn here: a PNG, or an SVG with
    # scripts and outside references removed (curriculum/badge_images.py).
    svg = stored.name.lower().endswith(".svg")
    response = FileResponse(
        handle, content_type="image/svg+xml" if svg else "image/png"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response["Cache-Control"] = (
        "public, max-age=3600" if version.is_frozen else "private, no-store"
    )
    return response


def _preview(design: badge_design.BadgeDesign | None, title: str) -> dict:
    if design is None:
        return {"preview_src": "", "preview_alt": ""}
    svg = badge_design.render_svg(design, title=title)
    return {
        "preview_src": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
        "preview_alt": badge_design.alt_text(design, title),
    }


def _initial(version: VersionedContent) -> dict:
    if version.badge_design:
        return dict(version.badge_design)
    return DEFAULT.as_dict() | {"text": version.code[: badge_design.MAX_TEXT]}


def _stored_design(version: VersionedContent) -> badge_design.BadgeDesign | None:
    try:
        return badge_design.design_from(_initial(version))
    except badge_design.BadgeDesignError:
        return None  # e.g. an icon no longer bundled: the designer starts afresh


def badge_designer(
    request: HttpRequest, version: VersionedContent, *, kind: str
) -> HttpResponse:
    """Design a draft's badge with a live preview, upload one, or remove it."""
    title = f"Badge of {version.title}"
    design_form = BadgeDesignForm(initial=_initial(version))
    upload_form = BadgeUploadForm()
    shown = _stored_design(version)
    status = 200
    if request.method == "GET" and "shape" in request.GET:
        # What the form says now: htmx asks on each change; without JavaScript
        # the "Show the preview" button does.
        design_form = BadgeDesignForm(request.GET)
        shown = design_form.design()
        if request.htmx:
            return render(
                request,
                "curriculum/badge_designer.html#preview",
                {"design_form": design_form, **_preview(shown, title)},
            )
    elif request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "remove":
                services.remove_badge(version, by=request.user)
                messages.success(request, "The badge was removed from this draft.")
                return redirect(version)
            if action == "upload":
                upload_form = BadgeUploadForm(request.POST, request.FILES)
                if upload_form.is_valid():
                    data = upload_form.cleaned_data["badge_image"].read()
                    services.upload_badge(version, by=request.user, data=data)
                    messages.success(request, "Badge image uploaded.")
                    return redirect(version)
            else:
                design_form = BadgeDesignForm(request.POST)
                shown = design_form.design()
                if shown is not None:
                    services.design_badge(
                        version, by=request.user, design=shown.as_dict()
                    )
                    messages.success(
                        request,
                        "Badge saved. It is frozen with this version when the "
                        "version is published.",
                    )
                    return redirect(version)
        except ValidationError as error:
            form = upload_form if action == "upload" else design_form
            add_service_errors(form, error)
        status = 400
    return render(
        request,
        "curriculum/badge_designer.html",
        {
            "version": version,
            "kind": kind,
            "design_form": design_form,
            "upload_form": upload_form,
            **_preview(shown, title),
        },
        status=status,
    )
