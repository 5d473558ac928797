"""The one pagination of every API list: `?page=N&page_size=M`, both bounded so that no input can overflow a query."""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class Pagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
        page_size: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE, description="Items per page."
        )
