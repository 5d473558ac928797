from ninja import Router

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess

router = Router(tags=["mobility"], auth=ApiAccess(category=Category.WORKER_IDENTITY, scope="mobility"))
