"""An embedded OpenAI Responses API server for tests and demos, speaking the real wire format.

It works on plain JSON and never imports the SDK's client or types, so it can check them::

    async with ResponsesServer() as server:
        client = AsyncOpenAI(api_key=server.api_key, base_url=server.base_url)
        server.script(Reasoning("Look it up."), FunctionCall("get_weather", {"city": "Paris"}))
        server.inject(Fault(status=429, headers={"retry-after-ms": "10"}))
        ...
        assert server.requests[-1].path == "/v1/responses"

By default a response echoes the last user message. ``server.script(...)`` queues what the
next responses produce (a ``Script`` of outputs: ``Text``, ``Refusal``, ``Message``,
``FunctionCall``, ``Reasoning``, ``WebSearch``, ``RawItem``, ``RawEvent``; ending as
``Incomplete``, ``Failed`` or with a ``StreamError``); ``server.respond_with(fn)`` answers
by input. Streams carry the exact event sequence the API sends for each kind of output.
"""

from ._answer import Responder
from ._chunks import Chunking
from ._faults import Fault
from ._record import RecordedRequest
from ._script import (
    End,
    Failed,
    FunctionCall,
    Incomplete,
    Message,
    Output,
    RawEvent,
    RawItem,
    Reasoning,
    Refusal,
    Script,
    StreamError,
    Text,
    UrlCitation,
    WebSearch,
)
from ._server import ResponsesServer
from ._webhooks import WebhookDelivery

__all__ = [
    "Chunking",
    "End",
    "Failed",
    "Fault",
    "FunctionCall",
    "Incomplete",
    "Message",
    "Output",
    "RawEvent",
    "RawItem",
    "Reasoning",
    "RecordedRequest",
    "Refusal",
    "Responder",
    "ResponsesServer",
    "Script",
    "StreamError",
    "Text",
    "UrlCitation",
    "WebSearch",
    "WebhookDelivery",
]
