"""Webhook verification and decoding: the Standard Webhooks scheme, checked against a published
test vector, against every way a delivery can be forged or stale, and against the official SDK."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import openai
import pytest

from aioresponses_client import webhooks
from aioresponses_client.errors import APIError, ConversionError, InvalidWebhookSignatureError
from aioresponses_client.webhooks import (
    ResponseCancelledWebhookEvent,
    ResponseCompletedWebhookEvent,
    ResponseFailedWebhookEvent,
    ResponseIncompleteWebhookEvent,
    UnknownWebhookEvent,
    WebhookResponseData,
    sign,
    unwrap,
    verify_signature,
)

KEY = b"\x8a\x17 not-a-real-key \x00\xff\x10 for tests only"
WHSEC = "whsec_" + base64.b64encode(KEY).decode()
RAW_SECRET = "plain-text-secret-for-tests"
NOW = 1_750_000_000
MSG_ID = "evt_685343a1381c819085d44c354e1b330e"


def envelope(type_: str = "response.completed", **extra: Any) -> bytes:
    body = {
        "id": MSG_ID,
        "object": "event",
        "created_at": NOW - 5,
        "type": type_,
        "data": {"id": "resp_abc123"},
        **extra,
    }
    return json.dumps(body).encode()


PAYLOAD = envelope()


def signed(payload: bytes = PAYLOAD, secret: str = WHSEC, timestamp: int = NOW) -> dict[str, str]:
    return sign(payload, secret=secret, webhook_id=MSG_ID, timestamp=timestamp)


def hand_signature(key: bytes, msg_id: str, timestamp: int, payload: bytes) -> str:
    """The documented scheme written out independently of the module under test."""
    content = msg_id.encode() + b"." + str(timestamp).encode() + b"." + payload
    return base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def rejection(payload: bytes, headers: dict[str, str], secret: str = WHSEC) -> str:
    with pytest.raises(InvalidWebhookSignatureError) as info:
        verify_signature(payload, headers, secret, now=NOW)
    return str(info.value)


# -- signing -------------------------------------------------------------------------------


def test_sign_matches_the_standard_webhooks_published_test_vector() -> None:
    headers = sign(
        b'{"test": 2432232314}',
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        webhook_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
    )
    assert headers == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }


@pytest.mark.parametrize(("secret", "key"), [(WHSEC, KEY), (RAW_SECRET, RAW_SECRET.encode())])
def test_sign_uses_decoded_whsec_key_or_raw_secret_bytes(secret: str, key: bytes) -> None:
    headers = signed(secret=secret)
    assert headers["webhook-signature"] == "v1," + hand_signature(key, MSG_ID, NOW, PAYLOAD)


# -- accepted deliveries ---------------------------------------------------------------------


@pytest.mark.parametrize("secret", [WHSEC, RAW_SECRET], ids=["whsec", "raw"])
def test_good_secret_verifies(secret: str) -> None:
    verify_signature(PAYLOAD, signed(secret=secret), secret, now=NOW)


def test_str_payload_verifies_like_its_utf8_bytes() -> None:
    text = '{"type": "response.completed", "note": "héllo ✓"}'
    verify_signature(text, signed(text.encode()), WHSEC, now=NOW)


def test_hand_built_signature_verifies() -> None:
    sig = hand_signature(KEY, MSG_ID, NOW, PAYLOAD)
    headers = {
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(NOW),
        "webhook-signature": "v1," + sig,
    }
    verify_signature(PAYLOAD, headers, WHSEC, now=NOW)


def test_header_names_match_case_insensitively() -> None:
    headers = {key.title(): value for key, value in signed().items()}
    assert "Webhook-Signature" in headers
    verify_signature(PAYLOAD, headers, WHSEC, now=NOW)
    verify_signature(
        PAYLOAD, httpx.Headers({k.upper(): v for k, v in headers.items()}), WHSEC, now=NOW
    )


def test_any_matching_signature_among_several_is_accepted() -> None:
    good = signed()["webhook-signature"]
    stale_key = signed(secret="whsec_" + base64.b64encode(b"rotated-out").decode())
    headers = signed() | {"webhook-signature": f"{stale_key['webhook-signature']}  v1,AAAA= {good}"}
    verify_signature(PAYLOAD, headers, WHSEC, now=NOW)


def test_entries_of_other_versions_are_ignored() -> None:
    sig = signed()["webhook-signature"].removeprefix("v1,")
    # A v2 entry or an unprefixed one never counts, even carrying the right digest.
    headers = signed() | {"webhook-signature": f"v2,garbage v1a,{sig} {sig} v1,{sig}"}
    verify_signature(PAYLOAD, headers, WHSEC, now=NOW)
    only_others = signed() | {"webhook-signature": f"v2,{sig} v1a,{sig} {sig}"}
    assert "no v1 signature" in rejection(PAYLOAD, only_others)


@pytest.mark.parametrize("offset", [-300, 300, 0])
def test_timestamps_at_the_edge_of_the_tolerance_are_accepted(offset: int) -> None:
    verify_signature(PAYLOAD, signed(timestamp=NOW + offset), WHSEC, now=NOW)


def test_tolerance_is_configurable() -> None:
    headers = signed(timestamp=NOW - 3600)
    verify_signature(PAYLOAD, headers, WHSEC, tolerance=3601, now=NOW)
    with pytest.raises(InvalidWebhookSignatureError):
        verify_signature(PAYLOAD, headers, WHSEC, tolerance=60, now=NOW)


def test_now_defaults_to_the_clock() -> None:
    verify_signature(PAYLOAD, signed(timestamp=int(time.time())), WHSEC)
    with pytest.raises(InvalidWebhookSignatureError, match="too old"):
        verify_signature(PAYLOAD, signed(timestamp=int(time.time()) - 1000), WHSEC)


# -- rejected deliveries ---------------------------------------------------------------------


def test_tampered_body_is_rejected() -> None:
    tampered = PAYLOAD.replace(b"resp_abc123", b"resp_evil00")
    assert "does not match" in rejection(tampered, signed())


def test_tampered_id_or_timestamp_header_is_rejected() -> None:
    assert "does not match" in rejection(PAYLOAD, signed() | {"webhook-id": "evt_other"})
    assert "does not match" in rejection(PAYLOAD, signed() | {"webhook-timestamp": str(NOW + 1)})


@pytest.mark.parametrize(
    "wrong",
    [
        "whsec_" + base64.b64encode(b"another key").decode(),
        RAW_SECRET,
        WHSEC.removeprefix("whsec_"),  # the same text used raw is a different key
    ],
)
def test_wrong_secret_is_rejected(wrong: str) -> None:
    assert "does not match" in rejection(PAYLOAD, signed(), secret=wrong)


def test_stale_timestamp_is_rejected_even_with_a_valid_signature() -> None:
    assert "too old" in rejection(PAYLOAD, signed(timestamp=NOW - 301))


def test_future_timestamp_is_rejected_even_with_a_valid_signature() -> None:
    assert "too new" in rejection(PAYLOAD, signed(timestamp=NOW + 301))


@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_rejected_by_name(name: str) -> None:
    headers = {k: v for k, v in signed().items() if k != name}
    assert rejection(PAYLOAD, headers) == f"missing {name} header"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "1750000000.5",
        "+1750000000",
        " 1750000000",
        "1_750_000_000",
        "-5",
        "\u0661\u0667\u0665",
    ],
)
def test_malformed_timestamp_is_rejected(value: str) -> None:
    assert "invalid webhook-timestamp" in rejection(
        PAYLOAD, signed() | {"webhook-timestamp": value}
    )


@pytest.mark.parametrize("value", ["", "   ", "v1,", "v1", "v1,ünïcode", "v1,not base64 at all!"])
def test_empty_or_garbage_signature_header_is_rejected(value: str) -> None:
    rejection(PAYLOAD, signed() | {"webhook-signature": value})


def test_error_is_an_api_error_and_a_value_error() -> None:
    assert issubclass(InvalidWebhookSignatureError, APIError)
    assert issubclass(InvalidWebhookSignatureError, ValueError)


def failures(now: int) -> dict[str, tuple[bytes, dict[str, str], str]]:
    """Deliveries that must be refused at time ``now``: (payload, headers, secret)."""
    good = signed(timestamp=now)
    return {
        "tampered": (PAYLOAD + b" ", good, WHSEC),
        "wrong-secret": (PAYLOAD, signed(secret=RAW_SECRET, timestamp=now), WHSEC),
        "wrong-raw-secret": (PAYLOAD, good, RAW_SECRET),
        "stale": (PAYLOAD, signed(timestamp=now - 10_000), WHSEC),
        "future": (PAYLOAD, signed(timestamp=now + 10_000), WHSEC),
        "missing": (PAYLOAD, {"webhook-id": MSG_ID}, WHSEC),
        "bad-timestamp": (PAYLOAD, good | {"webhook-timestamp": "soon"}, WHSEC),
        "no-v1": (PAYLOAD, good | {"webhook-signature": "v2,abc"}, WHSEC),
    }


FAILURE_CASES = list(failures(NOW))


@pytest.mark.parametrize("case", FAILURE_CASES)
def test_secret_never_appears_in_the_error(case: str) -> None:
    payload, headers, secret = failures(NOW)[case]
    with pytest.raises(InvalidWebhookSignatureError) as info:
        unwrap(payload, headers, secret, now=NOW)
    exc: BaseException | None = info.value
    while exc is not None:
        for text in (str(exc), repr(exc), repr(exc.args)):
            for leak in (secret, secret.removeprefix("whsec_"), KEY.decode("latin-1")):
                assert leak not in text
        exc = exc.__cause__ or exc.__context__


@pytest.mark.parametrize(
    ("secret", "reason"),
    [("whsec_not*base64!", "not valid base64"), ("", "empty"), ("whsec_", "empty")],
)
def test_misconfigured_secret_is_a_plain_value_error_without_the_secret(
    secret: str, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason) as info:
        verify_signature(PAYLOAD, signed(), secret, now=NOW)
    assert not isinstance(info.value, InvalidWebhookSignatureError)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__
    if secret.removeprefix("whsec_"):
        assert secret.removeprefix("whsec_") not in str(info.value)


# -- unwrap ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "cls"),
    [
        ("response.completed", ResponseCompletedWebhookEvent),
        ("response.failed", ResponseFailedWebhookEvent),
        ("response.cancelled", ResponseCancelledWebhookEvent),
        ("response.incomplete", ResponseIncompleteWebhookEvent),
    ],
)
def test_unwrap_decodes_each_response_event_type(type_: str, cls: type[Any]) -> None:
    payload = envelope(type_)
    expected = cls(id=MSG_ID, created_at=NOW - 5, data=WebhookResponseData(id="resp_abc123"))
    event = unwrap(payload, signed(payload), WHSEC, now=NOW)
    assert type(event) is cls and event == expected
    assert event.type == type_ and event.object == "event"
    assert webhooks.WEBHOOK_EVENT_TYPES[type_] is cls


def test_unwrap_tolerates_a_missing_object_and_extra_fields() -> None:
    body = json.loads(PAYLOAD)
    del body["object"]
    body["data"]["status"] = "completed"
    body["new_field"] = 1
    payload = json.dumps(body).encode()
    event = unwrap(payload, signed(payload), WHSEC, now=NOW)
    assert isinstance(event, ResponseCompletedWebhookEvent)
    assert event.object == "event" and event.data.id == "resp_abc123"


def test_unwrap_keeps_unknown_event_types_raw() -> None:
    payload = envelope("batch.completed", data={"id": "batch_1"})
    event = unwrap(payload, signed(payload), WHSEC, now=NOW)
    assert isinstance(event, UnknownWebhookEvent)
    assert event.type == "batch.completed"
    assert event.raw == json.loads(payload)
    assert event.id == MSG_ID and event.data == {"id": "batch_1"}


def test_unwrap_verifies_before_decoding() -> None:
    with pytest.raises(InvalidWebhookSignatureError):
        unwrap(b"not json", signed(), WHSEC, now=NOW)


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        b'"response.completed"',
        b'{"id": "evt_1", "created_at": 1, "data": {"id": "resp_1"}}',
        b'{"type": 7, "id": "evt_1"}',
        b'{"type": "response.completed", "id": "evt_1", "created_at": 1}',
        b'{"type": "response.failed", "id": "evt_1", "created_at": 1, "data": {}}',
        b'{"type": "response.cancelled", "id": "evt_1", "created_at": 1, "data": "resp_1"}',
    ],
    ids=["not-json", "array", "string", "no-type", "int-type", "no-data", "no-data-id", "str-data"],
)
def test_authentic_but_malformed_payload_raises_conversion_error(payload: bytes) -> None:
    with pytest.raises(ConversionError):
        unwrap(payload, signed(payload), WHSEC, now=NOW)


# -- the official SDK as an oracle -----------------------------------------------------------


def sdk_webhooks(secret: str) -> Any:
    return openai.AsyncOpenAI(api_key="x", webhook_secret=secret).webhooks


@pytest.mark.parametrize("secret", [WHSEC, RAW_SECRET], ids=["whsec", "raw"])
def test_official_sdk_accepts_what_sign_produces(secret: str) -> None:
    headers = signed(secret=secret, timestamp=int(time.time()))
    sdk = sdk_webhooks(secret)
    sdk.verify_signature(PAYLOAD, headers)
    sdk.verify_signature(PAYLOAD.decode(), headers)
    with pytest.raises(openai.InvalidWebhookSignatureError):
        sdk.verify_signature(PAYLOAD + b" ", headers)
    with pytest.raises(openai.InvalidWebhookSignatureError):
        sdk_webhooks(RAW_SECRET if secret == WHSEC else WHSEC).verify_signature(PAYLOAD, headers)


def test_official_sdk_unwraps_our_signed_payload_to_the_same_event() -> None:
    headers = signed(timestamp=int(time.time()))
    theirs = sdk_webhooks(WHSEC).unwrap(PAYLOAD, headers)
    ours = unwrap(PAYLOAD, headers, WHSEC)
    assert (theirs.type, theirs.id, theirs.created_at, theirs.data.id) == (
        ours.type,
        ours.id,
        ours.created_at,
        ours.data.id,
    )


@pytest.mark.parametrize("secret", [WHSEC, RAW_SECRET], ids=["whsec", "raw"])
def test_we_accept_what_the_official_sdk_accepts(secret: str) -> None:
    # The SDK has no signer: build the headers from the documented scheme, confirm the SDK
    # accepts them, then require the same verdict from us.
    ts = int(time.time())
    key = base64.b64decode(secret[6:]) if secret.startswith("whsec_") else secret.encode()
    headers = {
        "Webhook-Id": MSG_ID,
        "Webhook-Timestamp": str(ts),
        "Webhook-Signature": "v1,AAAA " + "v1," + hand_signature(key, MSG_ID, ts, PAYLOAD),
    }
    sdk_webhooks(secret).verify_signature(PAYLOAD, headers)
    verify_signature(PAYLOAD, headers, secret)


@pytest.mark.parametrize("case", FAILURE_CASES)
def test_we_reject_what_the_official_sdk_rejects(case: str) -> None:
    payload, headers, secret = failures(int(time.time()))[case]
    # The SDK raises a plain ValueError for a missing header, its own error for the rest.
    with pytest.raises(ValueError):
        sdk_webhooks(secret).verify_signature(payload, headers)
    with pytest.raises(InvalidWebhookSignatureError):
        verify_signature(payload, headers, secret)
