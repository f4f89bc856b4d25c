"""The exception hierarchy. Every error the SDK raises is an :class:`APIError`.

Status errors carry the HTTP status, the ``x-request-id`` and the server's error body;
nothing here ever includes the API key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .types import Response

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "ConversionError",
    "InternalServerError",
    "InvalidWebhookSignatureError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseFailedError",
    "ResponseStreamError",
    "StreamDecodeError",
    "StreamInterruptedError",
    "UnprocessableEntityError",
]


class APIError(Exception):
    """Base of every error raised by aioresponses_client."""

    message: str
    request_id: str | None

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id


class MissingAPIKeyError(APIError, ValueError):
    """No API key was given and ``OPENAI_API_KEY`` is not set."""


class ClientClosedError(APIError, RuntimeError):
    """The client was used after ``aclose()``."""


class ConversionError(APIError, ValueError):
    """A payload does not fit the model it was converted to (or a value cannot be encoded)."""


class APIConnectionError(APIError):
    """The request could not reach the server, or the connection broke before a full reply."""

    def __init__(
        self, message: str = "Connection error.", *, request_id: str | None = None
    ) -> None:
        super().__init__(message, request_id=request_id)


class APITimeoutError(APIConnectionError, TimeoutError):
    """The request did not complete within its timeout."""

    def __init__(
        self, message: str = "Request timed out.", *, request_id: str | None = None
    ) -> None:
        super().__init__(message, request_id=request_id)


class StreamInterruptedError(APIConnectionError):
    """A stream broke (or ended) before its terminal event.

    Nothing received is lost: ``partial_response`` is the response rebuilt from the events
    that did arrive. Resume with ``client.responses.retrieve(response_id, stream=True,
    starting_after=last_sequence_number)``. A read timeout shows as the ``__cause__``.
    """

    partial_response: Response | None
    response_id: str | None
    last_sequence_number: int | None

    def __init__(
        self,
        message: str,
        *,
        partial_response: Response | None,
        response_id: str | None,
        last_sequence_number: int | None,
        request_id: str | None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.partial_response = partial_response
        self.response_id = response_id
        self.last_sequence_number = last_sequence_number


class APIResponseValidationError(APIError):
    """A 2xx reply whose body is not valid JSON or does not fit the expected model."""

    status_code: int
    raw_body: bytes

    def __init__(
        self, message: str, *, status_code: int, raw_body: bytes, request_id: str | None = None
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.status_code = status_code
        self.raw_body = raw_body


class APIStatusError(APIError):
    """The server answered with a 4xx/5xx status.

    ``body`` is the parsed ``error`` object when the reply was OpenAI-shaped JSON, else ``None``;
    ``raw_body`` is always the bytes received.
    """

    status_code: int
    body: dict[str, Any] | None
    raw_body: bytes
    code: str | None
    type: str | None
    param: str | None

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: dict[str, Any] | None,
        raw_body: bytes,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.status_code = status_code
        self.body = body
        self.raw_body = raw_body
        err = body or {}
        code = err.get("code")
        self.code = None if code is None else str(code)
        self.type = _str_or_none(err.get("type"))
        self.param = _str_or_none(err.get("param"))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, "
            f"request_id={self.request_id!r}, message={self.message!r})"
        )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401: the key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429."""


class InternalServerError(APIStatusError):
    """Any status >= 500."""


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    if status >= 500:
        return InternalServerError
    return STATUS_ERRORS.get(status, APIStatusError)


class ResponseStreamError(APIError):
    """The server sent an ``error`` event in the middle of a stream."""

    code: str | None
    param: str | None
    sequence_number: int | None

    def __init__(
        self,
        message: str,
        *,
        code: str | None,
        param: str | None,
        sequence_number: int | None,
        request_id: str | None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.code = code
        self.param = param
        self.sequence_number = sequence_number


class StreamDecodeError(APIError):
    """A ``data:`` payload of a stream is not JSON, or does not fit its event type.

    ``raw_data`` is the payload exactly as received.
    """

    raw_data: str

    def __init__(self, message: str, *, raw_data: str, request_id: str | None) -> None:
        super().__init__(message, request_id=request_id)
        self.raw_data = raw_data


class ResponseFailedError(APIError):
    """The response ended with status ``failed``; ``response.error`` says why."""

    response: Response

    def __init__(self, response: Response, *, request_id: str | None) -> None:
        error = response.error
        detail = f"{error.code}: {error.message}" if error is not None else "no error given"
        super().__init__(f"Response {response.id} failed ({detail})", request_id=request_id)
        self.response = response


class InvalidWebhookSignatureError(APIError, ValueError):
    """A webhook delivery failed verification; reject it (e.g. answer 400).

    A header is missing, the timestamp is malformed or outside the tolerance window, or no
    ``v1`` signature matches. The message never contains the secret.
    """
