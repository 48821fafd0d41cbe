"""Product photos: only real images of a sane size are stored."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files import File
from django.db.models import Max
from PIL import Image

from hyperlocal.catalog.models import Product, ProductPhoto
from hyperlocal.catalog.services.permissions import AnyUser, can_edit_product
from hyperlocal.catalog.services.validation import clean_text
from hyperlocal.errors import InvalidInput, NotAllowed

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_SIDE_PX = 8000
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def _image_format(upload: File[Any]) -> str:
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            fmt = str(image.format)
            width, height = image.size
            image.verify()
    # Pillow signals a broken or hostile file with many exception types; all mean "not an image".
    except Exception:
        raise InvalidInput(
            "file is not an image that can be read (JPEG, PNG, WebP or GIF)", field="file"
        ) from None
    if fmt not in _EXTENSIONS:
        raise InvalidInput(f"file is a {fmt} image; use JPEG, PNG, WebP or GIF", field="file")
    if max(width, height) > MAX_PHOTO_SIDE_PX:
        raise InvalidInput(f"image is larger than {MAX_PHOTO_SIDE_PX} pixels on a side", field="file")
    upload.seek(0)
    return fmt


def add_product_photo(
    user: AnyUser, product: Product, upload: File[Any], *, alt_text: str = ""
) -> ProductPhoto:
    """Store an uploaded photo after the last one. Refuses anything that is not a JPEG, PNG,
    WebP or GIF image of at most MAX_PHOTO_BYTES (InvalidInput, field "file")."""
    if not can_edit_product(user, product):
        raise NotAllowed(f"only {product.merchant.name}'s staff may add photos of its products")
    alt = clean_text(alt_text, field="alt_text", max_length=200, required=False)
    size = upload.size or 0
    if size > MAX_PHOTO_BYTES:
        raise InvalidInput(f"file is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB", field="file")
    if size == 0:
        raise InvalidInput("file is empty", field="file")
    fmt = _image_format(upload)
    last = product.photos.aggregate(last=Max("position"))["last"]
    photo = ProductPhoto(product=product, alt_text=alt, position=0 if last is None else last + 1)
    # Our own file name: the uploaded one is untrusted and may clash.
    photo.image.save(f"{product.pk}-{uuid.uuid4().hex[:12]}.{_EXTENSIONS[fmt]}", upload, save=False)
    photo.save()
    return photo
