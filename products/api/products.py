"""``/api/v1/products`` — the Products API (seed 002, contract §5)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from pixeepim.api.schema import ErrorSerializer
from pixeepim.api.scoping import Access, OrgScopedMixin
from pixeepim.auth.actors import Actor
from pixeepim.auth.models import Scope
from pixeepim.tenancy.roles import Permission
from products.api.serializers import (
    BulkCreateResultSerializer,
    BulkCreateSerializer,
    BulkUpdateResultSerializer,
    BulkUpdateSerializer,
    ProductListQuery,
    ProductSerializer,
    product_input_serializer,
)
from products.models import Product
from products.representation import product_json
from products.selectors import product_list
from products.services import products as product_services

READ = Access(Permission.VIEW_PRODUCTS, Scope.PRODUCTS_READ)
WRITE = Access(Permission.EDIT_PRODUCTS, Scope.PRODUCTS_WRITE)
DELETE = Access(Permission.DELETE_PRODUCTS, Scope.PRODUCTS_WRITE)

# Products of this surface are identified by EAN (seed 002); the PIM API also creates EAN-less drafts.
REQUIRED_TO_CREATE = ("ean", "name")
ProductCreateBody = product_input_serializer("ProductCreate", required=REQUIRED_TO_CREATE)
ProductPatchBody = product_input_serializer("ProductPatch")


class ProductsView(OrgScopedMixin, generics.GenericAPIView):
    queryset = Product.objects.live()


class ProductListView(ProductsView):
    access = {"GET": READ, "POST": WRITE}

    @extend_schema(parameters=[ProductListQuery], responses={200: ProductSerializer(many=True), 400: ErrorSerializer})
    def get(self, request):
        query = ProductListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        products = self.paginate_queryset(product_list(organization=request.org, **query.validated_data))
        return self.get_paginated_response([product_json(p) for p in products])

    @extend_schema(request=ProductCreateBody, responses={201: ProductSerializer, 400: ErrorSerializer, 409: ErrorSerializer})
    def post(self, request):
        product = product_services.create_product(organization=request.org, data=request.data,
                                                  actor=Actor.of(request.user), required=REQUIRED_TO_CREATE)
        return Response(product_json(product), status=status.HTTP_201_CREATED)


class ProductDetailView(ProductsView):
    access = {"GET": READ, "PATCH": WRITE, "DELETE": DELETE}

    @extend_schema(responses={200: ProductSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        return Response(product_json(self.get_object()))

    @extend_schema(request=ProductPatchBody, responses={200: ProductSerializer, 400: ErrorSerializer,
                                                         404: ErrorSerializer, 409: ErrorSerializer})
    def patch(self, request, pk):
        product = product_services.update_product(product=self.get_object(), data=request.data,
                                                  actor=Actor.of(request.user))
        return Response(product_json(product))

    @extend_schema(responses={200: None, 404: ErrorSerializer}, description="Soft delete: answers `{}`.")
    def delete(self, request, pk):
        product_services.delete_product(product=self.get_object(), actor=Actor.of(request.user))
        return Response({})


def _counts(results, *keys):
    counts = {key: 0 for key in keys}
    for result in results:
        counts["errors" if result.status == "error" else result.status] += 1
    return counts


class ProductBulkView(ProductsView):
    access = {"POST": WRITE, "PATCH": WRITE}

    @extend_schema(request=BulkCreateSerializer, responses={200: BulkCreateResultSerializer, 400: ErrorSerializer},
                   description="Creates up to 1,000 products; each item is applied whole or reported.")
    def post(self, request):
        body = BulkCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        options = body.validated_data
        defaults = {"supplier_code": options["supplier_code"]} if options.get("supplier_code") else None
        results = product_services.save_products(
            organization=request.org, payloads=options["products"], actor=Actor.of(request.user),
            mode=product_services.CREATE, skip_existing=options["skip_duplicates"], dry_run=options["dry_run"],
            defaults=defaults, required_to_create=REQUIRED_TO_CREATE,
        )
        return Response({**_counts(results, "created", "skipped", "errors"), "dry_run": options["dry_run"],
                         "results": [r.as_dict() for r in results]})

    @extend_schema(request=BulkUpdateSerializer, responses={200: BulkUpdateResultSerializer, 400: ErrorSerializer},
                   description="Updates up to 1,000 products matched by EAN.")
    def patch(self, request):
        body = BulkUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        options = body.validated_data
        results = product_services.save_products(
            organization=request.org, payloads=options["products"], actor=Actor.of(request.user),
            mode=product_services.UPDATE, skip_missing=options["skip_not_found"], dry_run=options["dry_run"],
        )
        return Response({**_counts(results, "updated", "skipped", "errors"), "dry_run": options["dry_run"],
                         "results": [r.as_dict() for r in results]})
