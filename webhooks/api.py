"""``/api/v1/webhooks`` — subscriptions, the event list, test pings, the delivery log and retries."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from pixeepim.api.formats import iso_utc
from pixeepim.api.schema import ErrorSerializer
from pixeepim.api.scoping import Access, OrgScopedMixin
from pixeepim.auth.actors import Actor
from pixeepim.tenancy.roles import Permission
from webhooks import events as catalog
from webhooks import services
from webhooks.models import WebhookAttempt, WebhookSubscription

MANAGE = Access(Permission.MANAGE_SETTINGS, None)  # API keys have no webhook scope (contract §3)


class SubscriptionInput(serializers.Serializer):
    url = serializers.URLField(max_length=1000, help_text="https URL receiving signed POSTs.")
    events = serializers.ListField(child=serializers.CharField(max_length=50), allow_empty=False)
    secret = serializers.CharField(min_length=16, max_length=200, required=False, write_only=True,
                                   help_text="Signing secret; generated when omitted. Shown only in the creation "
                                             "response.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    delivery_id = serializers.IntegerField(allow_null=True, help_text="null for test pings.")
    event = serializers.CharField()
    attempt = serializers.IntegerField()
    success = serializers.BooleanField()
    status_code = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField()
    response_excerpt = serializers.CharField()
    error = serializers.CharField()
    delivery_status = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


def subscription_json(subscription):
    return {"id": str(subscription.id), "url": subscription.url, "events": subscription.events,
            "description": subscription.description, "is_active": subscription.is_active,
            "created_at": iso_utc(subscription.created_at), "updated_at": iso_utc(subscription.updated_at)}


def attempt_json(attempt):
    return {"id": attempt.id, "delivery_id": attempt.delivery_id, "event": attempt.event, "attempt": attempt.attempt,
            "success": attempt.success, "status_code": attempt.status_code, "latency_ms": attempt.latency_ms,
            "response_excerpt": attempt.response_excerpt, "error": attempt.error,
            "delivery_status": attempt.delivery.status if attempt.delivery_id else None,
            "created_at": iso_utc(attempt.created_at)}


def _input(request, *, partial):
    body = SubscriptionInput(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    return body.validated_data


class WebhooksView(OrgScopedMixin, generics.GenericAPIView):
    queryset = WebhookSubscription.objects.all()
    access = {"GET": MANAGE, "POST": MANAGE, "PATCH": MANAGE, "DELETE": MANAGE}


class SubscriptionListView(WebhooksView):
    @extend_schema(responses={200: SubscriptionSerializer(many=True)})
    def get(self, request):
        subscriptions = self.paginate_queryset(self.get_queryset().order_by("created_at", "id"))
        return self.get_paginated_response([subscription_json(s) for s in subscriptions])

    @extend_schema(request=SubscriptionInput, responses={201: inline_serializer("WebhookCreated", {
        "id": serializers.UUIDField(), "url": serializers.CharField(), "secret": serializers.CharField(
            help_text="The signing secret: shown only here."),
        "events": serializers.ListField(child=serializers.CharField())}), 400: ErrorSerializer})
    def post(self, request):
        subscription, secret = services.create_subscription(organization=request.org, data=_input(request, partial=False),
                                                            actor=Actor.of(request.user))
        return Response({**subscription_json(subscription), "secret": secret}, status=status.HTTP_201_CREATED)


class SubscriptionDetailView(WebhooksView):
    @extend_schema(responses={200: SubscriptionSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        return Response(subscription_json(self.get_object()))

    @extend_schema(request=SubscriptionInput(partial=True),
                   responses={200: SubscriptionSerializer, 400: ErrorSerializer, 404: ErrorSerializer})
    def patch(self, request, pk):
        subscription = services.update_subscription(subscription=self.get_object(), data=_input(request, partial=True))
        return Response(subscription_json(subscription))

    @extend_schema(responses={204: None, 404: ErrorSerializer})
    def delete(self, request, pk):
        self.get_object().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventListView(WebhooksView):
    @extend_schema(responses={200: inline_serializer("WebhookEvents", {"items": serializers.ListField(
        child=serializers.DictField())})})
    def get(self, request):
        return Response({"items": [{"event": name, "description": text} for name, text in catalog.EVENTS.items()]})


class PingView(WebhooksView):
    @extend_schema(request=None, responses={200: AttemptSerializer, 404: ErrorSerializer},
                   description="Sends a signed `ping` event now and answers the receiver's response.")
    def post(self, request, pk):
        return Response(attempt_json(services.ping(subscription=self.get_object())))


class LogListView(WebhooksView):
    @extend_schema(parameters=[OpenApiParameter("success", bool, description="Only successful, or failed, "
                                                                               "attempts.")],
                   responses={200: AttemptSerializer(many=True), 404: ErrorSerializer})
    def get(self, request, pk):
        attempts = WebhookAttempt.objects.filter(subscription=self.get_object()).select_related("delivery")
        if request.query_params.get("success") in ("true", "false"):
            attempts = attempts.filter(success=request.query_params["success"] == "true")
        page = self.paginate_queryset(attempts.order_by("-created_at", "-id"))
        return self.get_paginated_response([attempt_json(a) for a in page])


class LogRetryView(WebhooksView):
    @extend_schema(request=None, responses={202: inline_serializer("WebhookRetry", {
        "delivery_id": serializers.IntegerField(), "status": serializers.CharField()}),
        404: ErrorSerializer, 409: ErrorSerializer})
    def post(self, request, pk, log_id):
        attempt = WebhookAttempt.objects.filter(subscription=self.get_object(), pk=log_id).first()
        if attempt is None:
            raise NotFound("No log entry with this id for this webhook.")
        delivery = services.retry(attempt=attempt)
        return Response({"delivery_id": delivery.id, "status": "queued"}, status=status.HTTP_202_ACCEPTED)
