"""Roles and the permissions they grant (contract §2)."""

from django.db import models


class Permission(models.TextChoices):
    VIEW_PRODUCTS = "VIEW_PRODUCTS"
    EDIT_PRODUCTS = "EDIT_PRODUCTS"
    DELETE_PRODUCTS = "DELETE_PRODUCTS"
    SUBMIT_PRODUCTS = "SUBMIT_PRODUCTS"
    REVIEW_PRODUCTS = "REVIEW_PRODUCTS"
    PUBLISH_PRODUCTS = "PUBLISH_PRODUCTS"
    RESTORE_PRODUCTS = "RESTORE_PRODUCTS"
    MANAGE_SETTINGS = "MANAGE_SETTINGS"
    MANAGE_API_KEYS = "MANAGE_API_KEYS"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


ROLE_PERMISSIONS = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: frozenset(Permission),
    Role.EDITOR: frozenset(
        {
            Permission.VIEW_PRODUCTS,
            Permission.EDIT_PRODUCTS,
            Permission.DELETE_PRODUCTS,
            Permission.SUBMIT_PRODUCTS,
        }
    ),
    Role.REVIEWER: frozenset(
        {Permission.VIEW_PRODUCTS, Permission.REVIEW_PRODUCTS, Permission.PUBLISH_PRODUCTS}
    ),
    Role.VIEWER: frozenset({Permission.VIEW_PRODUCTS}),
}


def permissions_for_role(role):
    return ROLE_PERMISSIONS[Role(role)]
