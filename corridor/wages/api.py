from ninja import Router

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess

router = Router(tags=["wages"], auth=ApiAccess(category=Category.REFERENCE, scope="wages", anonymous_read=True))
