"""The workflow in the admin: transition actions on the product list, transition buttons and the
history on the product page. It extends the catalog's ProductAdmin (the catalog knows nothing of
the workflow) and runs the same service as the API."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from pixeepim.auth.actors import Actor
from pixeepim.tenancy.admin_scoping import memberships_of
from pixeepim.tenancy.roles import Permission
from products.admin import ProductAdmin, products_by_org
from products.admin_support import OrgScopedInline
from products.models import Product
from workflow import machine, services
from workflow.models import WorkflowTransition


def admin_permissions(request, organization_id):
    if request.user.is_superuser:
        return frozenset(Permission)
    return frozenset().union(*(m.permissions for m in memberships_of(request) if m.organization_id == organization_id))


class TransitionInline(OrgScopedInline, admin.TabularInline):
    model = WorkflowTransition
    fields = ["created_at", "action", "from_state", "to_state", "actor_label", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "workflow history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=True)


class WorkflowProductAdmin(ProductAdmin):
    inlines = [*ProductAdmin.inlines, TransitionInline]
    actions = [*ProductAdmin.actions, *(f"{action}_products" for action in machine.TRANSITIONS)]
    change_form_template = "admin/workflow/product/change_form.html"

    def get_urls(self):
        return [
            path("<path:object_id>/transition/<str:action>/", self.admin_site.admin_view(self.transition_view),
                 name="products_product_transition"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        product = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if product is not None:
            permissions = admin_permissions(request, product.organization_id)
            extra_context["workflow_actions"] = [
                machine.TRANSITIONS[action] for action in machine.allowed_actions(product.workflow_state, permissions)]
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        product = get_object_or_404(self.get_queryset(request), pk=object_id)
        self._run(request, product.organization, [product.pk], action, request.POST.get("comment", ""))
        return HttpResponseRedirect(reverse("admin:products_product_change", args=[product.pk]))

    def _run(self, request, organization, product_ids, action, comment):
        if machine.TRANSITIONS[action].needs_comment and not comment.strip():
            self.message_user(request, f"A comment is required to {action}.", messages.ERROR)
            return
        results = services.apply_transition(
            organization=organization, product_ids=product_ids, action=action, actor=Actor.of(request.user),
            permissions=admin_permissions(request, organization.pk), comment=comment)
        done = sum(r.status == 200 for r in results)
        if done:
            self.message_user(request, f"{action.capitalize()}: {done} product(s) moved to "
                              f"{machine.TRANSITIONS[action].target}.", messages.SUCCESS)
        for result in results:
            if result.status != 200:
                self.message_user(request, result.detail, messages.ERROR)

    def _bulk(self, request, queryset, action):
        if machine.TRANSITIONS[action].needs_comment and "apply" not in request.POST:
            return render(request, "admin/workflow/product/comment.html", {
                **self.admin_site.each_context(request), "opts": self.opts, "form": CommentForm(),
                "products": queryset, "action": f"{action}_products", "title": f"{action.capitalize()} products",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME})
        for organization, ids in products_by_org(queryset).items():
            self._run(request, organization, ids, action, request.POST.get("comment", ""))
        return None


def _bulk_action(action):
    def run(model_admin, request, queryset):
        return model_admin._bulk(request, queryset, action)

    run.__name__ = f"{action}_products"
    return admin.action(description=f"Workflow: {action} selected products")(run)


for _action in machine.TRANSITIONS:
    setattr(WorkflowProductAdmin, f"{_action}_products", _bulk_action(_action))

admin.site.unregister(Product)
admin.site.register(Product, WorkflowProductAdmin)
