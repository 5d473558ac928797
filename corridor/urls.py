from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from corridor.api import api
from corridor.contracts import views as contract_views
from corridor.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("corridor.accounts.urls")),
    path("programmes/", include("corridor.programmes.urls")),
    path("reference/", include("corridor.reference.urls")),
    path("employers/", include("corridor.employers.urls")),
    path("job-orders/", include("corridor.joborders.urls")),
    path("wages/", include("corridor.wages.urls")),
    path("vacancies/", include("corridor.vacancies.urls")),
    path("workers/", include("corridor.workers.pool_urls")),
    path("workers/", include("corridor.workers.urls")),
    path("agencies/", include("corridor.recruitment.urls")),
    path("costs/", include("corridor.recruitment.ledger_urls")),
    path("selection/", include("corridor.selection.urls")),
    path("contracts/", include("corridor.contracts.urls")),
    path("journeys/", include("corridor.deployment.urls")),
    path("payslips/", include("corridor.payroll.urls")),
    path("mobility/", include("corridor.mobility.urls")),
    path("returns/", include("corridor.returns.urls")),
    path("pathways/", include("corridor.pathways.urls")),
    path("verify/", contract_views.verify, name="verify"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/catalog.js", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("corridor.core.urls")),
]

handler403 = "corridor.core.views.error_403"
handler404 = "corridor.core.views.error_404"
handler500 = "corridor.core.views.error_500"
