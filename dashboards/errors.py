"""The one error of everything Superset: a refused API call, or a server that would not start.

The REST client (`dashboards.client`) raises it naming the object, the API call and Superset's
own message; the development server manager (`devtools.superset_server`) with a sentence of its
own. Callers catch one class, whichever side failed.
"""

from __future__ import annotations


class SupersetError(RuntimeError):
    """Superset could not be reached, configured or started, or an API call failed."""

    def __init__(
        self,
        what: str,
        call: str | None = None,
        status: int | None = None,
        message: str | None = None,
    ) -> None:
        self.what, self.call, self.status, self.message = what, call, status, message
        if call is None:
            super().__init__(what)
            return
        code = f"HTTP {status}" if status is not None else "no answer"
        super().__init__(f"Superset: {what}: {call} failed ({code}): {message}")
