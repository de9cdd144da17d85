"""``/api/v1/connectors/`` — connectors, connection tests, sync jobs (seed 003, contract §9)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from connectors import selectors, services
from connectors.api import serializers as s
from connectors.models import Connector, SyncJob
from pixeepim.api.schema import ErrorSerializer
from pixeepim.api.scoping import Access, OrgScopedMixin
from pixeepim.auth.actors import Actor
from pixeepim.auth.models import Scope
from pixeepim.tenancy.roles import Permission

READ = Access(Permission.VIEW_PRODUCTS, Scope.CONNECTORS_READ)
MANAGE = Access(Permission.MANAGE_SETTINGS, Scope.CONNECTORS_WRITE)


def _input(request, *, partial):
    body = s.ConnectorInputSerializer(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    return body.validated_data


class ConnectorsView(OrgScopedMixin, generics.GenericAPIView):
    queryset = Connector.objects.all()


class ConnectorListView(ConnectorsView):
    access = {"GET": READ, "POST": MANAGE}

    @extend_schema(responses={200: s.ConnectorSerializer(many=True)})
    def get(self, request):
        connectors = self.paginate_queryset(self.get_queryset().order_by("created_at", "id"))
        return self.get_paginated_response([s.connector_json(c) for c in connectors])

    @extend_schema(request=s.ConnectorInputSerializer, responses={201: s.ConnectorSerializer, 400: ErrorSerializer})
    def post(self, request):
        connector = services.create_connector(organization=request.org, data=_input(request, partial=False))
        return Response(s.connector_json(connector), status=status.HTTP_201_CREATED)


class ConnectorDetailView(ConnectorsView):
    access = {"GET": READ, "PATCH": MANAGE, "DELETE": MANAGE}

    @extend_schema(responses={200: s.ConnectorSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        return Response(s.connector_json(self.get_object()))

    @extend_schema(request=s.ConnectorInputSerializer(partial=True),
                   responses={200: s.ConnectorSerializer, 400: ErrorSerializer, 404: ErrorSerializer})
    def patch(self, request, pk):
        connector = services.update_connector(connector=self.get_object(), data=_input(request, partial=True))
        return Response(s.connector_json(connector))

    @extend_schema(responses={204: None, 404: ErrorSerializer, 409: ErrorSerializer})
    def delete(self, request, pk):
        services.delete_connector(connector=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectorTestView(ConnectorsView):
    access = {"POST": MANAGE}

    @extend_schema(request=None, responses={200: s.ConnectionTestSerializer, 404: ErrorSerializer},
                   description="Authenticates against the platform; syncs nothing. A failed test answers 200 "
                               "with `success: false` and the platform's reason.")
    def post(self, request, pk):
        connector = self.get_object()
        success, latency_ms, message = services.test_connector(connector=connector)
        return Response({"success": success, "platform": connector.platform, "latency_ms": latency_ms,
                         "message": message})


class SyncView(ConnectorsView):
    access = {"POST": MANAGE}
    kind = None

    @extend_schema(request=None, responses={202: s.SyncQueuedSerializer, 404: ErrorSerializer, 409: ErrorSerializer})
    def post(self, request, pk):
        job = services.start_sync(connector=self.get_object(), kind=self.kind, actor=Actor.of(request.user))
        return Response({"job_id": str(job.id), "status": job.status}, status=status.HTTP_202_ACCEPTED)


class PushProductsView(SyncView):
    kind = SyncJob.Kind.PUSH_PRODUCTS

    @extend_schema(request=s.PushProductsSerializer,
                   responses={202: s.SyncQueuedSerializer, 400: ErrorSerializer, 404: ErrorSerializer,
                              409: ErrorSerializer})
    def post(self, request, pk):
        connector = self.get_object()
        body = s.PushProductsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        product_ids = body.validated_data.get("product_ids")
        job = services.start_sync(connector=connector, kind=self.kind, actor=Actor.of(request.user),
                                  product_ids=list(dict.fromkeys(product_ids)) if product_ids else None)
        queued = job.total if product_ids else selectors.push_candidates(connector).count()
        return Response({"job_id": str(job.id), "status": job.status, "products_queued": queued},
                        status=status.HTTP_202_ACCEPTED)


class SyncJobView(OrgScopedMixin, generics.GenericAPIView):
    queryset = SyncJob.objects.all()
    access = {"GET": READ}

    @extend_schema(responses={200: s.SyncJobSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        return Response(s.job_json(self.get_object()))


class ConnectorJobsView(ConnectorsView):
    access = {"GET": READ}

    @extend_schema(responses={200: s.SyncJobSerializer(many=True), 404: ErrorSerializer})
    def get(self, request, pk):
        jobs = SyncJob.objects.filter(connector=self.get_object()).order_by("-created_at", "-id")
        return self.get_paginated_response([s.job_json(job) for job in self.paginate_queryset(jobs)])
