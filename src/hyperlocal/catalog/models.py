"""Merchants (local shops and brands), their products and the products' regional origin."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hyperlocal.accounts.models import User
from hyperlocal.regions.models import Region


class BusinessCategory(models.TextChoices):
    GROCERY = "grocery", _("grocery")
    PRODUCE = "produce", _("fruit and vegetables")
    BAKERY = "bakery", _("bakery")
    CAFE = "cafe", _("cafe")
    RESTAURANT = "restaurant", _("restaurant")
    BUTCHER = "butcher", _("butcher")
    FISHMONGER = "fishmonger", _("fishmonger")
    SPECIALTY_FOOD = "specialty_food", _("regional specialty food")
    HOUSEHOLD = "household", _("household goods")
    BEAUTY = "beauty", _("beauty")
    FASHION = "fashion", _("fashion")
    BOOKS = "books", _("books and stationery")
    PHARMACY = "pharmacy", _("pharmacy")
    ENTERTAINMENT = "entertainment", _("entertainment")


class RevenueBand(models.TextChoices):
    """Yearly revenue bands; local-currency programmes cap eligibility by revenue."""

    UNDER_300M = "under_300m", _("under 300 million won")
    UNDER_1B = "300m_1b", _("300 million to 1 billion won")
    UNDER_3B = "1b_3b", _("1 to 3 billion won")
    UNDER_10B = "3b_10b", _("3 to 10 billion won")
    OVER_10B = "over_10b", _("over 10 billion won")


class Merchant(models.Model):
    class Kind(models.TextChoices):
        LOCAL_SHOP = "local_shop", _("local shop")
        BRAND = "brand", _("brand")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LOCAL_SHOP)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="merchants", verbose_name=_("registered region")
    )
    business_category = models.CharField(
        _("business category"), max_length=32, choices=BusinessCategory.choices
    )
    revenue_band = models.CharField(_("yearly revenue band"), max_length=16, choices=RevenueBand.choices)
    description = models.TextField(_("description"), blank=True)
    staff: models.ManyToManyField[User, MerchantStaff] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="MerchantStaff", related_name="merchants", blank=True
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MerchantStaff(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        STAFF = "staff", _("staff")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_memberships"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.STAFF)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "user"], name="merchant_staff_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.merchant} ({self.role})"


class Origin(models.Model):
    """Where a product comes from (Jeju, Icheon, Boseong...), independent of where it is sold."""

    code = models.SlugField(max_length=40, unique=True)
    name_ko = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    province = models.CharField(_("province"), max_length=60, blank=True)
    known_for = models.CharField(_("known for"), max_length=200, blank=True)

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return f"{self.name_ko} {self.name_en}"


class ProductCategory(models.TextChoices):
    FRUIT = "fruit", _("fruit")
    VEGETABLES = "vegetables", _("vegetables")
    RICE_GRAINS = "rice_grains", _("rice and grains")
    MEAT = "meat", _("meat")
    SEAFOOD = "seafood", _("seafood")
    DAIRY_EGGS = "dairy_eggs", _("dairy and eggs")
    BAKERY = "bakery", _("bread and bakery")
    TEA_COFFEE = "tea_coffee", _("tea and coffee")
    BEVERAGES = "beverages", _("beverages")
    SNACKS = "snacks", _("snacks")
    PANTRY = "pantry", _("pantry and sauces")
    READY_MEALS = "ready_meals", _("ready meals")
    HOUSEHOLD = "household", _("household")
    PERSONAL_CARE = "personal_care", _("personal care")
    OTHER = "other", _("other")


class Product(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="products")
    sku = models.CharField(_("SKU"), max_length=64)
    name_ko = models.CharField(_("Korean name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=32, choices=ProductCategory.choices)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("what one item is, e.g. '1 kg box'"))
    price_won = models.BigIntegerField(_("price (won)"))
    barcode = models.CharField(_("barcode"), max_length=32, blank=True)
    perishable = models.BooleanField(_("perishable"), default=False)
    origin = models.ForeignKey(
        Origin,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("regional origin"),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_ko"]
        constraints = [
            models.UniqueConstraint(Lower("sku"), "merchant", name="product_sku_unique_per_merchant"),
            models.CheckConstraint(condition=models.Q(price_won__gte=0), name="product_price_not_negative"),
        ]
        indexes = [models.Index(fields=["merchant", "is_active"]), models.Index(fields=["origin"])]

    def __str__(self) -> str:
        return f"{self.name_ko} [{self.sku}]"

    @property
    def is_regional_specialty(self) -> bool:
        return self.origin_id is not None


class ProductPhoto(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="products/%Y/%m/")
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"photo {self.position} of {self.product}"
