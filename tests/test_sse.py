from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable

import pytest
from httpx._decoders import LineDecoder, TextDecoder
from httpx_sse._decoders import SSEDecoder as HttpxSSEDecoder
from hypothesis import given, settings
from hypothesis import strategies as st

from aioresponses_client._sse import ServerSentEvent, SSEDecoder

BOM = b"\xef\xbb\xbf"


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    """Feed ``chunks`` to a fresh decoder, then close it; return every event produced."""
    decoder = SSEDecoder()
    events = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.close())
    return events


def decode_data(*chunks: bytes) -> list[bytes]:
    """Like :func:`decode` through ``feed_data``: only each event's data, as bytes."""
    decoder = SSEDecoder()
    found = []
    for chunk in chunks:
        found.extend(decoder.feed_data(chunk))
    decoder.close()
    return found


def split_at(stream: bytes, cuts: Iterable[int]) -> list[bytes]:
    bounds = [0, *sorted(cuts), len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(bounds)]


def bytewise(stream: bytes) -> list[bytes]:
    return [stream[i : i + 1] for i in range(len(stream))]


def sse(
    data: str, event: str = "message", id: str | None = None, retry: int | None = None
) -> ServerSentEvent:
    return ServerSentEvent(event=event, data=data, id=id, retry=retry)


def reference_decode(stream: bytes) -> list[ServerSentEvent]:
    """The WHATWG parsing algorithm transcribed step by step on ``str``: slow, obviously right.

    It decodes the whole stream first and splits lines afterwards, the order the spec uses,
    so agreeing with it also shows that the decoder's bytes-first order changes nothing.
    """
    text = stream.decode("utf-8", "replace")
    text = text.removeprefix("\ufeff")
    lines = re.split("\r\n|\r|\n", text)
    lines.pop()  # not followed by a line ending, so never processed
    events = []
    data_buffer, event_type, last_id, retry = "", "", None, None
    for line in lines:
        if line == "":
            if data_buffer == "":
                event_type = ""
                continue
            data = data_buffer.removesuffix("\n")
            events.append(ServerSentEvent(event_type or "message", data, last_id, retry))
            data_buffer, event_type = "", ""
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event_type = value
            elif field == "data":
                data_buffer += value + "\n"
            elif field == "id" and "\0" not in value:
                last_id = value
            elif field == "retry" and value and all(c in "0123456789" for c in value):
                retry = int(value)
    return events


# --- line endings -----------------------------------------------------------------------------


@pytest.mark.parametrize("eol", ["\n", "\r", "\r\n"], ids=["LF", "CR", "CRLF"])
def test_every_line_ending_kind_ends_lines(eol: str) -> None:
    stream = eol.join(["event: update", "data: a", "data: b", "", "data: c", "", ""])
    assert decode(stream.encode()) == [sse("a\nb", "update"), sse("c")]


def test_mixed_line_endings_in_one_stream() -> None:
    assert decode(b"data: a\rdata: b\r\ndata: c\n\r\ndata: d\r\r") == [sse("a\nb\nc"), sse("d")]


def test_crlf_split_across_chunks_is_one_line_ending() -> None:
    # Were the LF counted separately it would be a blank line, dispatching "a" alone.
    assert decode(b"data: a\r", b"\ndata: b\r\n\r\n") == [sse("a\nb")]


def test_crlf_split_with_the_lf_as_a_whole_chunk() -> None:
    assert decode(b"data: a\r", b"\n", b"data: b\r", b"\n", b"\r", b"\n") == [sse("a\nb")]


def test_cr_at_chunk_end_followed_by_other_text_is_a_line_ending() -> None:
    assert decode(b"data: a\r", b"data: b\r\r") == [sse("a\nb")]


def test_cr_at_chunk_end_followed_by_cr_is_a_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\r") == [sse("a")]


def test_cr_ending_a_chunk_dispatches_without_waiting_for_the_next_chunk() -> None:
    # A server may send "...\r\r" and then pause; the event must not wait for more bytes.
    assert SSEDecoder().feed(b"data: a\r\r") == [sse("a")]


def test_crlf_ending_a_chunk_dispatches_immediately() -> None:
    assert SSEDecoder().feed(b"data: a\r\n\r\n") == [sse("a")]


def test_blank_line_split_between_chunks() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.feed(b"\ndata: b\n") == [sse("a")]
    assert decoder.feed(b"\n") == [sse("b")]


# --- byte order mark --------------------------------------------------------------------------


def test_leading_bom_is_skipped() -> None:
    assert decode(BOM + b"data: a\n\n") == [sse("a")]


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_leading_bom_split_across_chunks_is_skipped(cut: int) -> None:
    stream = BOM + b"data: a\n\n"
    assert decode(stream[:cut], stream[cut:]) == [sse("a")]
    assert decode(*bytewise(stream)) == [sse("a")]


def test_bom_is_skipped_only_once() -> None:
    # The second BOM belongs to the first field name, which is then no longer "data".
    assert decode(BOM + BOM + b"data: a\n\ndata: b\n\n") == [sse("b")]


def test_bom_after_the_start_of_the_stream_is_not_skipped() -> None:
    assert decode(b"data: a\n\n" + BOM + b"data: b\n\n") == [sse("a")]
    assert decode(b"data: " + BOM + b"b\n\n") == [sse("\ufeffb")]


def test_stream_starting_with_a_bom_prefix_that_is_not_a_bom() -> None:
    # The two bytes become part of a field name, so that line is an unknown field.
    assert decode(b"\xef\xbb", b"\ndata: a\n\n") == [sse("a")]
    assert decode(b"\xef", b"\xbb", b"\xffdata: a\n\ndata: b\n\n") == [sse("b")]
    assert decode(b"\n", b"\n", b"data: a\n\n") == [sse("a")]


def test_stream_shorter_than_a_bom() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"da") == []
    assert decoder.feed(b"ta: a\n\n") == [sse("a")]
    assert decode(b"\xef\xbb") == []


# --- fields -----------------------------------------------------------------------------------


def test_comments_are_ignored() -> None:
    assert decode(b": keep-alive\n\n") == []
    assert decode(b":\n\n:\r\n\r\n") == []
    assert decode(b"event: x\n: note\ndata: a\n:data: b\n\n") == [sse("a", "x")]


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert decode(b"data: a\ndata: b\ndata: c\n\n") == [sse("a\nb\nc")]


def test_data_lines_can_be_empty() -> None:
    assert decode(b"data:\n\n") == [sse("")]
    assert decode(b"data: \n\n") == [sse("")]
    assert decode(b"data\ndata\n\n") == [sse("\n")]
    assert decode(b"data: a\ndata:\n\n") == [sse("a\n")]


def test_field_without_a_colon_has_an_empty_value() -> None:
    assert decode(b"data\n\n") == [sse("")]
    assert decode(b"event: x\nevent\ndata: a\n\n") == [sse("a")]


def test_value_without_space_after_the_colon() -> None:
    assert decode(b"event:x\ndata:a\n\n") == [sse("a", "x")]


def test_only_one_leading_space_is_removed() -> None:
    assert decode(b"data:  a \n\n") == [sse(" a ")]
    assert decode(b"event:  x\ndata: a\n\n") == [sse("a", " x")]


def test_value_is_split_at_the_first_colon_only() -> None:
    assert decode(b'data: {"a": "b:c"}\n\n') == [sse('{"a": "b:c"}')]
    assert decode(b"event: a:b\ndata: x\n\n") == [sse("x", "a:b")]


def test_event_type_defaults_to_message() -> None:
    assert decode(b"data: a\n\n") == [sse("a", "message")]
    assert decode(b"event:\ndata: a\n\n") == [sse("a", "message")]
    assert decode(b"event: \ndata: a\n\n") == [sse("a", "message")]


def test_event_type_applies_to_one_event_only() -> None:
    assert decode(b"event: x\ndata: a\n\ndata: b\n\n") == [sse("a", "x"), sse("b")]


def test_last_event_type_field_wins() -> None:
    assert decode(b"event: x\nevent: y\ndata: a\n\n") == [sse("a", "y")]


def test_unknown_fields_are_ignored() -> None:
    assert decode(b"foo: bar\nDATA: no\ndata : no\ndata: a\nbaz\n\n") == [sse("a")]


def test_id_persists_across_events_until_changed() -> None:
    stream = b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"
    assert decode(stream) == [sse("a", id="1"), sse("b", id="1"), sse("c", id="2")]


def test_id_is_none_until_set() -> None:
    assert decode(b"data: a\n\n") == [sse("a", id=None)]


def test_id_field_after_data_applies_to_that_event() -> None:
    assert decode(b"data: a\nid: 7\n\n") == [sse("a", id="7")]


def test_id_containing_nul_is_ignored() -> None:
    stream = b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n"
    assert decode(stream) == [sse("a", id="1"), sse("b", id="1")]


def test_empty_id_resets_the_last_event_id_to_empty() -> None:
    assert decode(b"id: 1\ndata: a\n\nid\ndata: b\n\n") == [sse("a", id="1"), sse("b", id="")]


def test_id_in_a_block_without_data_still_takes_effect() -> None:
    assert decode(b"id: 5\n\ndata: a\n\n") == [sse("a", id="5")]


def test_valid_retry_is_reported_and_persists() -> None:
    stream = b"retry: 1500\ndata: a\n\ndata: b\n\nretry: 20\ndata: c\n\n"
    assert [e.retry for e in decode(stream)] == [1500, 1500, 20]


def test_retry_in_a_block_without_data_still_takes_effect() -> None:
    assert decode(b"retry: 3000\n\ndata: a\n\n") == [sse("a", retry=3000)]


@pytest.mark.parametrize(
    "value",
    [
        b"",
        b" ",
        b"15a",
        b"-1",
        b"+1",
        b"1.5",
        b"1e3",
        b" 1",
        "\u0661\u0662".encode(),
        "\uff11\uff12".encode(),
    ],
)
def test_invalid_retry_is_ignored(value: bytes) -> None:
    stream = b"retry: 100\ndata: a\n\nretry: " + value + b"\ndata: b\n\n"
    assert [e.retry for e in decode(stream)] == [100, 100]


def test_retry_too_long_for_int_is_ignored_rather_than_raising() -> None:
    assert decode(b"retry: " + b"9" * 100_000 + b"\ndata: a\n\n") == [sse("a")]


# --- dispatch ---------------------------------------------------------------------------------


def test_blank_lines_without_data_dispatch_nothing() -> None:
    assert decode(b"\n\n\n\n") == []
    assert decode(b"\r\n\r\n\r\r") == []
    assert decode(b"event: x\n\n") == []
    assert decode(b"event: x\nid: 1\nretry: 5\n\n") == []


def test_event_type_of_a_block_without_data_does_not_leak() -> None:
    assert decode(b"event: x\n\ndata: a\n\n") == [sse("a")]
    assert decode(b"event: x\n\ndata:a\n\n") == [sse("a")]
    assert decode(b"event: x\n\nid: 1\ndata: a\n\n") == [sse("a", id="1")]


def test_runs_of_blank_lines_between_events() -> None:
    assert decode(b"\n\ndata: a\n\n\n\n\ndata: b\n\n\n") == [sse("a"), sse("b")]


def test_trailing_event_without_blank_line_is_discarded_at_close() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\ndata: b\n") == [sse("a")]
    assert decoder.close() == []
    assert decode(b"data: a") == []
    assert decode(b"data: a\r") == []


def test_close_resets_the_decoder_for_a_new_stream() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"id: 1\nretry: 9\nevent: x\ndata: half")
    decoder.close()
    assert decoder.feed(BOM + b"data: a\n\n") == [sse("a")]


def test_feed_returns_only_the_events_the_chunk_completed_in_order() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: 1\n\ndata: 2\n\ndata: 3") == [sse("1"), sse("2")]
    assert decoder.feed(b"\n\n") == [sse("3")]
    assert decoder.feed(b"") == []


def test_single_byte_after_a_blank_line_is_kept_for_the_next_event() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\nd") == [sse("a")]
    assert decoder.feed(b"ata: b\n\n") == [sse("b")]


def test_empty_chunks_change_nothing() -> None:
    assert decode(b"", b"data: a\r", b"", b"\n", b"", b"\n", b"") == [sse("a")]


def test_long_event_arriving_in_many_chunks() -> None:
    payload = "x" * 100_000
    stream = f"event: big\ndata: {payload}\n\n".encode()
    chunks = [stream[i : i + 1000] for i in range(0, len(stream), 1000)]
    assert decode(*chunks) == [sse(payload, "big")]


# --- text decoding ----------------------------------------------------------------------------


def test_multibyte_utf8_split_at_every_byte_offset() -> None:
    stream = "event: héllo 🌍\ndata: héllo 🌍\nid: 🌍\n\n".encode()
    expected = [sse("héllo 🌍", "héllo 🌍", id="🌍")]
    for cut in range(len(stream) + 1):
        assert decode(stream[:cut], stream[cut:]) == expected, cut
    assert decode(*bytewise(stream)) == expected


def test_invalid_utf8_is_replaced() -> None:
    assert decode(b"event: \xff\ndata: a\xfe\xc3\n\n") == [sse("a\ufffd\ufffd", "\ufffd")]


def test_truncated_multibyte_character_at_end_of_line_is_replaced() -> None:
    assert decode(b"data: \xf0\x9f\ndata: b\n\n") == [sse("\ufffd\nb")]


# --- properties -------------------------------------------------------------------------------

# Text that can sit on one line: no CR/LF, and no lone surrogates (they cannot be UTF-8 encoded).
line_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"))
# (event type, data lines, id, preceded by a comment) for one event of a generated stream.
EventSpec = tuple[str | None, list[str], str | None, bool]
event_specs = st.lists(
    st.tuples(
        st.none() | line_text,  # event type
        st.lists(line_text, min_size=1, max_size=4),  # data lines
        st.none() | line_text.filter(lambda s: "\0" not in s),  # id
        st.booleans(),  # precede with a keep-alive comment
    ),
    max_size=8,
)


def encode_stream(specs: list[EventSpec], eol: str) -> bytes:
    lines = []
    for name, data_lines, id_, comment in specs:
        if comment:
            lines.append(": keep-alive")
        if name is not None:
            lines.append(f"event: {name}")
        lines.extend(f"data: {line}" for line in data_lines)
        if id_ is not None:
            lines.append(f"id: {id_}")
        lines.append("")
    return "".join(line + eol for line in lines).encode()


def expected_events(
    specs: list[EventSpec],
) -> list[ServerSentEvent]:
    events, last_id = [], None
    for name, data_lines, id_, _ in specs:
        last_id = id_ if id_ is not None else last_id
        events.append(sse("\n".join(data_lines), name or "message", id=last_id))
    return events


@given(
    specs=event_specs,
    eol=st.sampled_from(["\n", "\r", "\r\n"]),
    bom=st.booleans(),
    data=st.data(),
)
def test_any_chunking_of_an_encoded_stream_yields_its_events(
    specs: list[EventSpec],
    eol: str,
    bom: bool,
    data: st.DataObject,
) -> None:
    stream = (BOM if bom else b"") + encode_stream(specs, eol)
    cuts = data.draw(st.sets(st.integers(0, len(stream))), label="cuts")
    expected = expected_events(specs)
    assert decode(stream) == expected
    assert decode(*split_at(stream, cuts)) == expected
    assert decode(*bytewise(stream)) == expected


# Fragments that make arbitrary bytes look enough like a stream to reach every branch.
fragments = st.sampled_from(
    [b"data", b"event", b"id", b"retry", b":", b": ", b" ", b"x", b"7", b"\r", b"\n", b"\r\n",
     b"\n\n", BOM, b"\xef", b"\xbb", b"\xff", b"\x00", "é".encode(), "🌍".encode()]
)  # fmt: skip
streams = st.binary(max_size=300) | st.lists(fragments | st.binary(max_size=4)).map(b"".join)


@settings(max_examples=500)
@given(stream=streams, data=st.data())
def test_arbitrary_bytes_never_raise_and_any_chunking_agrees(
    stream: bytes, data: st.DataObject
) -> None:
    cuts = data.draw(st.sets(st.integers(0, len(stream))), label="cuts")
    whole = decode(stream)
    assert whole == reference_decode(stream)
    assert decode(*split_at(stream, cuts)) == whole
    assert decode(*bytewise(stream)) == whole
    # feed_data: the same events' data, undecoded (so invalid UTF-8 is still there to see).
    raw = decode_data(*split_at(stream, cuts))
    assert [data.decode("utf-8", "replace") for data in raw] == [event.data for event in whole]
    assert decode_data(*bytewise(stream)) == raw


# --- cross-check against httpx-sse ------------------------------------------------------------


def responses_stream(deltas: int, eol: str = "\n") -> bytes:
    """What ``POST /responses`` with ``stream: true`` sends, with ``deltas`` text deltas."""
    item_id = "msg_67ccd2bf17f0819081ff3bb2cf6508e6"
    payloads: list[dict[str, object]] = [
        {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}},
        {"type": "response.output_item.added", "output_index": 0, "item": {"id": item_id}},
    ]
    words = [" héllo", " 🌍", " world", ",", " 数据", "\n\n", ' "quoted"', " a:b"]
    payloads += [
        {
            "type": "response.output_text.delta",
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
            "delta": words[i % len(words)],
        }
        for i in range(deltas)
    ]
    payloads.append({"type": "response.completed", "response": {"id": "resp_1"}})
    parts = []
    for seq, payload in enumerate(payloads):
        body = json.dumps({**payload, "sequence_number": seq}, ensure_ascii=False)
        parts.append(f"event: {payload['type']}{eol}data: {body}{eol}{eol}")
        if seq % 50 == 0:
            parts.append(f": keep-alive{eol}{eol}")
    return "".join(parts).encode()


def httpx_sse_decode(chunks: Iterable[bytes]) -> list[tuple[str, str]]:
    """Decode the way ``httpx_sse.EventSource.aiter_sse`` does: text, then lines, then events."""
    text_decoder, line_decoder, decoder = TextDecoder("utf-8"), LineDecoder(), HttpxSSEDecoder()
    lines = []
    for chunk in chunks:
        lines += line_decoder.decode(text_decoder.decode(chunk))
    lines += line_decoder.decode(text_decoder.flush()) + line_decoder.flush()
    events = (decoder.decode(line.rstrip("\n")) for line in lines)
    return [(sse.event, sse.data) for sse in events if sse is not None]


@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("chunk_size", [1, 7, 100, 16 * 1024])
def test_realistic_responses_stream_matches_httpx_sse(eol: str, chunk_size: int) -> None:
    stream = responses_stream(300, eol)
    chunks = [stream[i : i + chunk_size] for i in range(0, len(stream), chunk_size)]
    ours = [(e.event, e.data) for e in decode(*chunks)]
    assert len(ours) == 303
    assert ours == httpx_sse_decode(chunks)
    assert json.loads(ours[5][1])["type"] == "response.output_text.delta"
