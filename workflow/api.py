"""``/api/v1/workflow/*`` — the publication workflow's 10 endpoints (contract §8)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from pixeepim.api.errors import Conflict, RuleRefused
from pixeepim.api.formats import iso_utc
from pixeepim.api.schema import ErrorSerializer
from pixeepim.api.scoping import Access, OrgScopedMixin
from pixeepim.auth.actors import Actor
from pixeepim.auth.models import Scope
from pixeepim.tenancy.roles import Permission
from products.models import Product
from workflow import machine, services
from workflow.completeness import DEFAULT_ITEMS, IMAGE, evaluate, product_rows
from workflow.models import WorkflowTransition

READ = Access(Permission.VIEW_PRODUCTS, Scope.WORKFLOW_READ)
WRITE = Access(Permission.VIEW_PRODUCTS, Scope.WORKFLOW_WRITE)  # each action then checks its own permission
MAX_BULK = 1000


def caller_permissions(request):
    if request.membership is None:  # an API key: workflow:write grants the non-restoring actions
        return machine.API_KEY_PERMISSIONS if request.user.api_key.has_scope(Scope.WORKFLOW_WRITE) else frozenset()
    return request.membership.permissions


class ProductStateSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    state = serializers.ChoiceField(choices=machine.STATES)
    completeness = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.CharField(), help_text="Required items not filled.")
    allowed_transitions = serializers.ListField(child=serializers.CharField(),
                                                help_text="The actions the caller may run now.")


class WorkflowView(OrgScopedMixin, generics.GenericAPIView):
    queryset = Product.objects.live()
    access = {"GET": READ, "POST": WRITE}

    def state_of(self, product_id):
        rows = product_rows([product_id])
        if not rows:
            raise NotFound("No product with this id.")
        (row,) = rows
        score, missing = evaluate(rows)[product_id]
        return {"product_id": str(product_id), "state": row["workflow_state"], "completeness": score, "missing": missing,
                "allowed_transitions": machine.allowed_actions(row["workflow_state"], caller_permissions(self.request))}


class DefinitionView(WorkflowView):
    @extend_schema(responses=inline_serializer("WorkflowDefinition", {
        "states": serializers.ListField(child=serializers.CharField()),
        "transitions": serializers.ListField(child=serializers.DictField()),
        "gate": serializers.IntegerField(),
        "default_required_items": serializers.ListField(child=serializers.CharField()),
    }))
    def get(self, request):
        return Response({
            "states": list(machine.STATES),
            "transitions": [{"action": t.action, "from": list(t.sources), "to": t.target, "permission": t.permission,
                             "gated": t.gated, "comment_required": t.needs_comment}
                            for t in machine.TRANSITIONS.values()],
            "gate": machine.GATE,
            "default_required_items": [*DEFAULT_ITEMS.values(), IMAGE],
        })


class ProductStateView(WorkflowView):
    @extend_schema(responses={200: ProductStateSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        return Response(self.state_of(self.get_object().pk))


class HistorySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    from_state = serializers.CharField()
    to_state = serializers.CharField()

    class Meta:
        model = WorkflowTransition
        fields = ["id", "action", "from_state", "to_state", "actor", "comment", "created_at"]


class HistoryView(WorkflowView):
    serializer_class = HistorySerializer

    @extend_schema(responses={200: HistorySerializer(many=True), 404: ErrorSerializer})
    def get(self, request, pk):
        product = self.get_object()
        rows = self.paginate_queryset(WorkflowTransition.objects.filter(product=product).order_by("created_at", "id"))
        return self.get_paginated_response(HistorySerializer(rows, many=True).data)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


ERROR_FOR_STATUS = {403: PermissionDenied, 404: NotFound, 409: Conflict, 422: RuleRefused}


class TransitionView(WorkflowView):
    action = None  # set per URL

    @extend_schema(request=CommentSerializer, responses={200: ProductStateSerializer, 403: ErrorSerializer,
                                                         404: ErrorSerializer, 409: ErrorSerializer,
                                                         422: ErrorSerializer})
    def post(self, request, pk):
        product = self.get_object()
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        (result,) = services.apply_transition(
            organization=request.org, product_ids=[product.pk], action=self.action, actor=Actor.of(request.user),
            permissions=caller_permissions(request), comment=body.validated_data.get("comment", ""))
        if result.status != 200:
            raise ERROR_FOR_STATUS[result.status](result.detail)
        return Response(self.state_of(product.pk))


class QueueItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    ean = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    state = serializers.CharField()
    completeness = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class QueueView(WorkflowView):
    @extend_schema(parameters=[OpenApiParameter("state", str, enum=list(machine.STATES),
                                                description="Default: review.")],
                   responses={200: QueueItemSerializer(many=True), 400: ErrorSerializer})
    def get(self, request):
        state = request.query_params.get("state", machine.REVIEW)
        if state not in machine.STATES:
            raise ValidationError({"state": [f"One of: {', '.join(machine.STATES)}."]})
        queryset = self.get_queryset().filter(workflow_state=state).order_by("updated_at", "id")
        products = self.paginate_queryset(queryset.values("id", "ean", "name", "workflow_state", "completeness",
                                                          "updated_at"))
        return self.get_paginated_response([
            {"id": str(p["id"]), "ean": p["ean"], "name": p["name"], "state": p["workflow_state"],
             "completeness": p["completeness"], "updated_at": iso_utc(p["updated_at"])} for p in products])


class BulkSerializer(serializers.Serializer):
    product_ids = serializers.ListField(child=serializers.UUIDField(), allow_empty=False, max_length=MAX_BULK)
    action = serializers.ChoiceField(choices=list(machine.TRANSITIONS))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class BulkView(WorkflowView):
    @extend_schema(request=BulkSerializer, responses={200: inline_serializer("WorkflowBulkResult", {
        "succeeded": serializers.IntegerField(), "failed": serializers.IntegerField(),
        "results": serializers.ListField(child=serializers.DictField())}), 400: ErrorSerializer},
        description="Runs one action on up to 1,000 products; each is checked on its own (per-item "
                    "results carry the status code and detail a single call would have answered).")
    def post(self, request):
        body = BulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        results = services.apply_transition(
            organization=request.org, product_ids=list(dict.fromkeys(data["product_ids"])), action=data["action"],
            actor=Actor.of(request.user), permissions=caller_permissions(request), comment=data.get("comment", ""))
        succeeded = sum(r.status == 200 for r in results)
        return Response({"succeeded": succeeded, "failed": len(results) - succeeded,
                         "results": [r.as_dict() for r in results]})
