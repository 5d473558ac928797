from ninja import Router

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess

router = Router(tags=["employers"], auth=ApiAccess(category=Category.ORGANISATION, scope="employers"))
