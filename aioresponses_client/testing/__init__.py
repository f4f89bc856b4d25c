"""An embedded OpenAI Responses API server for tests, speaking the real wire format.

It works on plain JSON and never imports the SDK's client or types, so it can check them::

    async with ResponsesServer() as server:
        client = AsyncOpenAI(api_key=server.api_key, base_url=server.base_url)
        ...
        server.inject(Fault(status=429, headers={"retry-after-ms": "10"}))
        assert server.requests[-1].path == "/v1/responses"
"""

from ._faults import Fault
from ._record import RecordedRequest
from ._server import ResponsesServer

__all__ = ["Fault", "RecordedRequest", "ResponsesServer"]
