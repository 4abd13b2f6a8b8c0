"""How a page view turns a service's ``DomainError`` into something the person sees.

Written once here so that no view hand-writes ``except DomainError``:

- ``form_errors(form)``: the message goes beside the field it names (or above the form),
  and the view shows the form again::

      with form_errors(form, fields={"start": "start_time"}) as attempt:
          services.event_update(actor=request.user, event=event, **form.changes())
          messages.success(request, _("The changes are saved."))
          return redirect(...)
      return render(...)  # attempt.error is the refusal, if the view needs it

- ``error_messages(request)``: the message is shown at the top of the next page (for a
  button that redirects back)::

      with error_messages(request, as_404=(NotFound,)):
          services.shift_withdraw(actor=request.user, signup=signup)
          messages.success(request, _("You have withdrawn from the shift."))
      return redirect(...)

- ``not_found_as_404()``: a gate's ``NotFound`` (someone else's object) is Django's 404;
  ``permission_denied_as_403()``: its ``PermissionDenied`` is Django's 403.

Errors listed in ``as_404`` become a 404 instead, so a stranger learns nothing. Anything
else than a ``DomainError`` passes through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.forms import BaseForm
from django.http import Http404, HttpRequest
from django.utils.functional import Promise

from core.exceptions import DomainError, NotFound, PermissionDenied


class Attempt:
    """What a ``with`` block of these helpers tells the view afterwards."""

    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def domain_errors(
    on_error: Callable[[DomainError], None] | None = None,
    *,
    as_404: tuple[type[DomainError], ...] = (),
) -> Iterator[Attempt]:
    """Catch a ``DomainError`` raised in the block: keep it on the ``Attempt``, hand it to
    ``on_error``; one of ``as_404`` is raised again as ``Http404``."""
    attempt = Attempt()
    try:
        yield attempt
    except DomainError as error:
        if isinstance(error, as_404):
            raise Http404 from error
        attempt.error = error
        if on_error is not None:
            on_error(error)


def domain_error_field(
    form: BaseForm,
    error: DomainError,
    *,
    fields: Mapping[str, str] | None = None,
    default: str | None = None,
) -> str | None:
    """The form field a service's error is about: ``error.field`` translated through
    ``fields`` (the service's name -> the form's), if the form has it; else ``default``
    (``None``: an error about the whole form)."""
    name = error.field or ""
    if fields is not None:
        name = fields.get(name, name)
    return name if name in form.fields else default


def apply_domain_error(
    form: BaseForm,
    error: DomainError,
    *,
    fields: Mapping[str, str] | None = None,
    default: str | None = None,
) -> None:
    """Put the service's message on the form, beside the field it names."""
    form.add_error(domain_error_field(form, error, fields=fields, default=default), error.message)


def form_errors(
    form: BaseForm,
    *,
    fields: Mapping[str, str] | None = None,
    default: str | None = None,
    as_404: tuple[type[DomainError], ...] = (),
) -> AbstractContextManager[Attempt]:
    """``with form_errors(form) as attempt:``: a refusal becomes a form error (see
    ``apply_domain_error``) and the view goes on to show the form again."""
    return domain_errors(
        lambda error: apply_domain_error(form, error, fields=fields, default=default),
        as_404=as_404,
    )


def error_messages(
    request: HttpRequest,
    *,
    prefix: str | None = None,
    message: str | Promise | None = None,
    as_404: tuple[type[DomainError], ...] = (),
) -> AbstractContextManager[Attempt]:
    """``with error_messages(request) as attempt:``: a refusal becomes an error message on
    the next page: the service's own, after ``prefix: `` when given, or ``message``."""

    def show(error: DomainError) -> None:
        text = str(message) if message is not None else error.message
        messages.error(request, text if prefix is None else f"{prefix}: {text}")

    return domain_errors(show, as_404=as_404)


@contextmanager
def not_found_as_404(
    *errors: type[DomainError],
) -> Iterator[None]:
    """``with not_found_as_404(): obj = selectors.x_get_for(actor=..., pk=...)``: a gate's
    refusal (``NotFound`` unless other ``errors`` are named) is a plain 404."""
    caught: tuple[type[DomainError], ...] = errors or (NotFound,)
    try:
        yield
    except caught as error:
        raise Http404 from error


@contextmanager
def permission_denied_as_403() -> Iterator[None]:
    """A gate's ``PermissionDenied`` is Django's 403 page, with the service's message."""
    try:
        yield
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from error
