"""Writes of the catalog's structure and product satellites: taxonomy, attributes, templates,
variants and media. Each runs in one transaction and leaves an audit event."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from pixeepim import events
from pixeepim.api.errors import Conflict
from products.models import (
    Attribute,
    AttributeGroup,
    AttributeValue,
    Brand,
    Category,
    Media,
    Template,
    TemplateAttribute,
    Variant,
)
from products.services.audit import event_row, json_value, record, snapshot
from products.services.validation import refresh_validation_issues


def _create(model, *, organization, actor, conflict, audit_fields, **values):
    """Inserts one row; a unique-constraint clash becomes a 409 with ``conflict`` as its detail."""
    instance = model(organization=organization, **values)
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError:
        raise Conflict(conflict) from None
    entity_type = model._meta.model_name
    record([event_row(organization=organization, actor=actor, action=f"{entity_type}.created",
                      entity_type=entity_type, entity_id=instance.pk, after=snapshot(instance, audit_fields))])
    return instance


@transaction.atomic
def create_brand(*, organization, actor, name, description="", logo_url=""):
    return _create(Brand, organization=organization, actor=actor, conflict=f"A brand named '{name}' already exists.",
                   audit_fields=["name"], name=name, description=description, logo_url=logo_url)


@transaction.atomic
def create_category(*, organization, actor, name, slug, description="", parent=None):
    return _create(Category, organization=organization, actor=actor,
                   conflict=f"A category with slug '{slug}' already exists.",
                   audit_fields=["name", "slug", "parent_id"], name=name, slug=slug, description=description,
                   parent=parent)


@transaction.atomic
def create_attribute_group(*, organization, actor, name, code, position=0):
    return _create(AttributeGroup, organization=organization, actor=actor,
                   conflict=f"An attribute group with code '{code}' already exists.",
                   audit_fields=["name", "code"], name=name, code=code, position=position)


@transaction.atomic
def create_attribute(*, organization, actor, name, code, data_type=Attribute.DataType.TEXT, options=(), group=None,
                     position=0):
    return _create(Attribute, organization=organization, actor=actor,
                   conflict=f"An attribute with code '{code}' already exists.",
                   audit_fields=["name", "code", "data_type", "options"], name=name, code=code, data_type=data_type,
                   options=list(options), group=group, position=position)


@transaction.atomic
def create_template(*, organization, actor, name, description="", attributes=()):
    """``attributes``: ``[(attribute, required), ...]`` in display order."""
    template = _create(Template, organization=organization, actor=actor,
                       conflict=f"A template named '{name}' already exists.", audit_fields=["name"],
                       name=name, description=description)
    TemplateAttribute.objects.bulk_create(
        TemplateAttribute(template=template, attribute=attribute, required=required, position=position)
        for position, (attribute, required) in enumerate(attributes)
    )
    return template


@transaction.atomic
def create_variant(*, product, actor, sku, barcode="", price=None, currency="EUR", attributes=None):
    """``attributes``: ``{attribute: value}`` as ``parse_attribute_values`` returns them."""
    variant = _create(Variant, organization=product.organization, actor=actor,
                      conflict=f"A variant with SKU '{sku}' already exists.",
                      audit_fields=["product_id", "sku", "barcode", "price", "currency"],
                      product=product, sku=sku, barcode=barcode, price=price, currency=currency)
    if attributes:
        set_attribute_values(product=product, variant=variant, values=attributes, actor=actor)
    refresh_validation_issues([product.as_row()])
    return variant


@transaction.atomic
def attach_media(*, organization, actor, url, product=None, variant=None, alt="", position=0):
    media = _create(Media, organization=organization, actor=actor, conflict="This media already exists.",
                    audit_fields=["product_id", "variant_id", "url", "alt", "position"],
                    product=product or (variant.product if variant else None), variant=variant, url=url, alt=alt,
                    position=position)
    events.emit("products.written", organization=organization, product_ids=[media.product_id])
    return media


def _typed_columns(attribute, value):
    """The value columns of an AttributeValue for ``value`` (already of the attribute's type)."""
    columns = {"value_text": "", "value_number": None, "value_boolean": None}
    if attribute.data_type == Attribute.DataType.NUMBER:
        columns["value_number"] = value
    elif attribute.data_type == Attribute.DataType.BOOLEAN:
        columns["value_boolean"] = value
    else:
        columns["value_text"] = value
    return columns


def parse_attribute_values(*, organization, raw):
    """Checks ``{attribute code: value}`` against the organization's attributes and their types.

    Returns ``({attribute: value}, errors)``; errors are keyed ``attributes.<code>``."""
    if not isinstance(raw, dict):
        return {}, {"attributes": ["Must be an object of attribute codes to values."]}
    attributes = {a.code: a for a in Attribute.objects.for_org(organization).filter(code__in=list(raw))}
    values, errors = {}, {}
    for code, value in raw.items():
        attribute = attributes.get(code)
        problem = None if attribute else "No attribute with this code in your organization."
        if attribute and value not in (None, ""):
            value, problem = _typed_value(attribute, value)
        if problem:
            errors[f"attributes.{code}"] = [problem]
        else:
            values[attribute] = value
    return values, errors


def _typed_value(attribute, value):
    kind = attribute.data_type
    if kind == Attribute.DataType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return None, "Must be a number."
        try:
            return Decimal(str(value)), None
        except InvalidOperation:
            return None, "Must be a number."
    if kind == Attribute.DataType.BOOLEAN:
        return (value, None) if isinstance(value, bool) else (None, "Must be true or false.")
    if not isinstance(value, str):
        return None, "Must be a string."
    if kind == Attribute.DataType.SELECT and value not in attribute.options:
        return None, f"Must be one of: {', '.join(attribute.options)}."
    return value, None


@transaction.atomic
def set_attribute_values(*, product, values, actor, variant=None):
    """Sets attribute values of a product, or of one of its variants: ``{attribute: value}``;
    None or "" removes the value. A constant number of queries, however many attributes change.
    """
    scope = {"product": product, "variant": variant}
    current = {v.attribute_id: v for v in AttributeValue.objects.filter(**scope).select_related("attribute")}
    upserts, removed, before, after = [], [], {}, {}
    for attribute, value in values.items():
        existing = current.get(attribute.id)
        old = existing.value if existing else None
        if value in (None, ""):
            if existing is not None:
                removed.append(existing.pk)
                before[attribute.code], after[attribute.code] = json_value(old), None
            continue
        if old == value:
            continue
        upserts.append(AttributeValue(organization_id=product.organization_id, attribute=attribute,
                                      **scope, **_typed_columns(attribute, value)))
        before[attribute.code], after[attribute.code] = json_value(old), json_value(value)
    if removed:
        AttributeValue.objects.filter(pk__in=removed).delete()
    if upserts:
        AttributeValue.objects.filter(**scope, attribute_id__in=[v.attribute_id for v in upserts]).delete()
        AttributeValue.objects.bulk_create(upserts)
    if before or after:
        entity_type, entity = ("variant", variant) if variant else ("product", product)
        record([event_row(organization=product.organization, actor=actor, action=f"{entity_type}.attributes_updated",
                          entity_type=entity_type, entity_id=entity.id, before=before, after=after)])
        refresh_validation_issues([product.as_row()])
        events.emit("products.written", organization=product.organization, product_ids=[product.id])
