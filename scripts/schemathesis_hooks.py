"""Schemathesis hooks for metl's API: every request carries a fresh Idempotency-Key (a UUID v4),
so generated POSTs exercise the routes rather than the idempotency protocol."""
import uuid

import schemathesis


@schemathesis.hook
def before_call(context, case, **kwargs):
    if case.headers is None:
        case.headers = {}
    case.headers["Idempotency-Key"] = str(uuid.uuid4())
