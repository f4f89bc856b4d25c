"""Exit codes, and the one line each kind of failure prints."""

from __future__ import annotations

from ..errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    MissingAPIKeyError,
    ResponseFailedError,
    ResponseStreamError,
    StreamDecodeError,
    StreamInterruptedError,
)

OK = 0
API_ERROR = 1
USAGE = 2
INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class UsageError(Exception):
    """The command line cannot work as given (exit code 2); the message says how to fix it."""


def exit_code(exc: BaseException) -> int:
    """The exit code for a failure: 2 for a bad command line, 1 for everything else."""
    if isinstance(exc, (UsageError, MissingAPIKeyError)):
        return USAGE
    if isinstance(exc, APIError):
        return API_ERROR
    # The SDK checks arguments (ids, ranges) before sending and raises these for bad ones.
    if isinstance(exc, (ValueError, TypeError)):
        return USAGE
    return API_ERROR


def describe(exc: BaseException) -> str:
    """One line for *exc*: status, code, message and request id when there are any."""
    if isinstance(exc, APIStatusError):
        label = exc.code or exc.type
        head = f"{exc.status_code} {label}" if label else str(exc.status_code)
        text = f"{head}: {_status_message(exc)}"
    elif isinstance(exc, ResponseStreamError):
        text = f"stream error {exc.code or ''}: {exc.message}".replace(" :", ":")
    elif isinstance(exc, StreamInterruptedError):
        text = exc.message
        if exc.response_id and exc.last_sequence_number is not None:
            text += (
                f"; resume with: aioresponses-client get {exc.response_id} --stream "
                f"--after {exc.last_sequence_number}"
            )
    elif isinstance(exc, APITimeoutError):
        text = f"timed out: {exc.message}"
    elif isinstance(exc, APIConnectionError):
        text = exc.message
        if not text.lower().startswith("connection"):
            text = f"connection failed: {text}"
    elif isinstance(exc, (ResponseFailedError, StreamDecodeError, APIError)):
        text = exc.message
    elif isinstance(exc, (UsageError, ValueError, TypeError)):
        text = str(exc)
    else:
        text = f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"
    request_id = getattr(exc, "request_id", None)
    if request_id and isinstance(exc, APIError):
        text += f" (request {request_id})"
    return "error: " + _one_line(text)


def _status_message(exc: APIStatusError) -> str:
    # The server's own message, without the "Error code: 404 - " the exception adds.
    message = (exc.body or {}).get("message")
    if isinstance(message, str) and message:
        return message
    prefix = f"Error code: {exc.status_code}"
    text = exc.message.removeprefix(prefix).removeprefix(" - ")
    return text or "(no error message)"


def _one_line(text: str) -> str:
    return " ".join(text.split())
