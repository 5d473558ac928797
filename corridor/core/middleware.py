"""Refuse NUL characters in the URL or a JSON body before any view sees them: no database can store them, and
PostgreSQL would otherwise fail half-way with an error instead of answering clearly."""

from django.http import HttpResponseBadRequest, JsonResponse

NUL_MARKERS = (b"\x00", b"\\u0000")


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        bad = "\x00" in request.path or "%00" in query.lower() or "\x00" in query
        if not bad and request.content_type == "application/json" and request.method in {"POST", "PUT", "PATCH"}:
            try:
                body = request.body
            except Exception:  # too large or unreadable: the view's own error handling answers
                body = b""
            bad = any(marker in body for marker in NUL_MARKERS)
        if bad:
            message = "NUL characters are not allowed in requests."
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"type": "https://corridor.example/problems/bad-request", "title": "Bad request", "status": 400, "detail": message,
                     "instance": request.path, "errors": [{"field": "body", "message": message}]},
                    status=400, content_type="application/problem+json",
                )
            return HttpResponseBadRequest(message)
        return self.get_response(request)
