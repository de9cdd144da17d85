"""System check: every API view over org-owned rows must be org-scoped.

This is what keeps a future endpoint from forgetting organization isolation: ``manage.py check``
(run by the test suite and at server start) fails if one does.
"""

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from pixeepim.api.scoping import OrgScopedMixin
from pixeepim.tenancy.models import OrgOwned


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            if view_class is not None:
                yield view_class


@checks.register(checks.Tags.security)
def check_org_scoped_views(app_configs, **kwargs):
    errors = []
    for view_class in _views(get_resolver().url_patterns):
        queryset = getattr(view_class, "queryset", None)
        model = getattr(queryset, "model", None)
        if model is not None and issubclass(model, OrgOwned) and not issubclass(view_class, OrgScopedMixin):
            errors.append(
                checks.Error(
                    f"{view_class.__module__}.{view_class.__name__} serves org-owned "
                    f"{model.__name__} rows without OrgScopedMixin.",
                    hint="Inherit pixeepim.api.scoping.OrgScopedMixin so rows are scoped to the request's organization.",
                    id="pixeepim.E001",
                )
            )
    return errors
