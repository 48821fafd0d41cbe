"""Product photos: real images only, of a sane size, by the merchant's staff."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hyperlocal.catalog.models import ProductPhoto
from hyperlocal.catalog.services import add_product_photo
from hyperlocal.errors import InvalidInput, NotAllowed
from tests.catalog.conftest import Catalog


def image_file(
    fmt: str = "PNG", size: tuple[int, int] = (8, 6), name: str = "photo.png"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (255, 140, 0)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_staff_adds_photos_in_order(catalog: Catalog) -> None:
    first = add_product_photo(catalog.staff_a, catalog.tangerines, image_file(), alt_text="a box")
    second = add_product_photo(catalog.staff_a, catalog.tangerines, image_file("JPEG", name="x.exe"))
    assert (first.position, second.position) == (0, 1)
    assert first.image.name.endswith(".png")
    assert second.image.name.endswith(".jpg")  # our name and extension, not the upload's
    with first.image.open() as stored, Image.open(stored) as image:
        assert image.size == (8, 6)


def test_other_staff_cannot_add_photos(catalog: Catalog) -> None:
    with pytest.raises(NotAllowed):
        add_product_photo(catalog.staff_b, catalog.tangerines, image_file())
    assert ProductPhoto.objects.count() == 0


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("fake.png", b"not an image at all", content_type="image/png"),
        SimpleUploadedFile("empty.png", b"", content_type="image/png"),
        SimpleUploadedFile("truncated.png", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png"),
    ],
)
def test_non_images_are_refused(catalog: Catalog, upload: SimpleUploadedFile) -> None:
    with pytest.raises(InvalidInput) as err:
        add_product_photo(catalog.staff_a, catalog.tangerines, upload)
    assert err.value.field == "file"
    assert ProductPhoto.objects.count() == 0


def test_other_image_formats_and_huge_files_are_refused(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput, match="BMP"):
        add_product_photo(catalog.staff_a, catalog.tangerines, image_file("BMP", name="a.bmp"))
    big = SimpleUploadedFile("big.png", b"\x00" * (5 * 1024 * 1024 + 1))
    with pytest.raises(InvalidInput, match="larger than"):
        add_product_photo(catalog.staff_a, catalog.tangerines, big)
