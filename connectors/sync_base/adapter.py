"""The interface every platform adapter implements, and the values passed across it.

An adapter only speaks its platform's wire protocol. Everything around it — choosing products,
chunks of 100, content hashes, remote id mappings, retries, progress, resuming — is the engine's
(``connectors.sync_base.engine``), so a new platform is one file under ``connectors/platforms/``.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID


class PlatformError(Exception):
    """The platform refused the whole operation (bad credentials, wrong shop, protocol error).

    The job stops and records this message; item-level refusals are ``PushOutcome.error`` instead."""


@dataclass(frozen=True)
class VariantSnapshot:
    sku: str
    barcode: str
    price: Decimal | None


@dataclass(frozen=True)
class ProductSnapshot:
    """What a push sends of one product, read in one pass for a whole chunk."""

    id: UUID
    name: str
    description: str
    ean: str | None
    reference: str
    brand: str
    category: str
    status: str
    price: Decimal | None  # the channel price of the connector's price list, else the base price
    weight: Decimal | None
    upc: str
    gtin: str
    variants: tuple[VariantSnapshot, ...]

    @property
    def sku(self):
        """The product's own SKU on platforms: its reference, else its EAN, else its id."""
        return self.reference or self.ean or str(self.id)


@dataclass
class PushItem:
    """One product to push: its snapshot, the payload the adapter built, and its known remote ids."""

    product: ProductSnapshot
    payload: dict
    remote_id: str | None = None
    remote_variants: dict = field(default_factory=dict)


@dataclass
class PushOutcome:
    product_id: UUID
    remote_id: str | None = None
    remote_variants: dict = field(default_factory=dict)
    created: bool = False
    error: str | None = None


@dataclass(frozen=True)
class StockLine:
    product_id: UUID
    remote_id: str
    remote_variants: dict
    quantity: int


@dataclass(frozen=True)
class PriceLine:
    product_id: UUID
    remote_id: str
    remote_variants: dict
    price: Decimal | None  # for the product and any variant without its own price
    variant_prices: dict  # sku → price


@dataclass
class ItemOutcome:
    product_id: UUID
    error: str | None = None


@dataclass
class PulledProduct:
    remote_id: str
    name: str
    description: str = ""
    ean: str | None = None
    reference: str = ""
    brand: str | None = None
    status: str | None = None
    price: Decimal | None = None
    weight: Decimal | None = None
    remote_variants: dict = field(default_factory=dict)


@dataclass
class PulledPage:
    products: list[PulledProduct]
    next_cursor: object | None  # None: this was the last page


class PlatformAdapter(ABC):
    """Base of the adapters. ``transport`` is the guarded, retrying HTTP client of the job."""

    slug: str
    #: Host names the connector's base URL must match (contract §9); empty: any public host.
    host_patterns: tuple[str, ...] = ()
    #: Credential keys a connector of this platform must be given.
    required_credentials: tuple[str, ...] = ()
    #: Setting keys a connector of this platform must be given.
    required_settings: tuple[str, ...] = ()

    def __init__(self, connector, transport):
        self.connector = connector
        self.transport = transport
        self.credentials = connector.credentials
        self.settings = connector.settings

    @classmethod
    def validate_settings(cls, settings):
        """{key: [messages]} for settings this platform refuses (empty when they are fine)."""
        return {}

    @abstractmethod
    def test_connection(self):
        """Authenticates and reads something harmless; returns a short description of the shop."""

    @abstractmethod
    def product_payload(self, product: ProductSnapshot) -> dict:
        """The platform payload of one product; its hash decides whether the product is re-sent."""

    @abstractmethod
    def push_products(self, items: list[PushItem]) -> list[PushOutcome]:
        """Creates or updates the products on the platform; one outcome per item, in any order."""

    @abstractmethod
    def push_stock(self, lines: list[StockLine]) -> list[ItemOutcome]:
        """Sets each product's quantity on the platform; one outcome per line."""

    @abstractmethod
    def push_prices(self, lines: list[PriceLine]) -> list[ItemOutcome]:
        """Sets each product's (and its variants') prices on the platform; one outcome per line."""

    @abstractmethod
    def pull_products(self, cursor) -> PulledPage:
        """One page of the platform's products, starting at ``cursor`` (None: the first page)."""


def batches(items, size):
    """``items`` in consecutive lists of at most ``size`` (a platform's per-request limit)."""
    return [items[start : start + size] for start in range(0, len(items), size)]


def as_ean(code):
    """A platform barcode usable as our EAN (8, 12, 13 or 14 digits), else None."""
    code = (code or "").strip()
    return code if code.isdigit() and len(code) in (8, 12, 13, 14) else None


def money(amount):
    """A price as the decimal string most platforms accept ("19.90"); None stays None."""
    return None if amount is None else f"{amount:.2f}"
