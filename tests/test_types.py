"""The typed models: round trips of the reference wire examples, the official SDK as an oracle,
forward compatibility and building request items."""

from __future__ import annotations

import json
from typing import Annotated, Any, get_args, get_origin

import attrs
import pytest

from aioresponses_client._convert import dumps, loads, structure, unstructure
from aioresponses_client._model import WIRE_NAME
from aioresponses_client.errors import ConversionError
from aioresponses_client.types import (
    INPUT_ITEM_TYPES,
    OUTPUT_ITEM_TYPES,
    TOOL_TYPES,
    CodeInterpreterTool,
    CompactedResponse,
    Compaction,
    ConfigurationUpdate,
    FunctionCall,
    FunctionCallOutput,
    FunctionTool,
    InputImage,
    InputItem,
    InputMessage,
    InputText,
    InputTokenCount,
    ItemReference,
    McpTool,
    NamespaceTool,
    OutputMessage,
    OutputText,
    Reasoning,
    Refusal,
    Response,
    Tool,
    UnknownAnnotation,
    UnknownContent,
    UnknownItem,
    UnknownTool,
    WebSearch20250826Tool,
    WebSearchPreview20250311Tool,
)

# Verbatim copies of the wire examples in the API reference (section 13).
NON_STREAMING = r"""
{
  "id": "resp_68af3c1e9d7c8190a1b2c3d4e5f60718", "object": "response", "created_at": 1756380190, "status": "completed", "background": false, "completed_at": 1756380191,
  "error": null, "incomplete_details": null, "instructions": null, "max_output_tokens": null, "max_tool_calls": null,
  "model": "gpt-5.5-2026-04-23", "previous_response_id": null, "prompt_cache_key": null, "safety_identifier": null, "service_tier": "default", "store": true, "user": null,
  "output": [
    {"id": "rs_68af3c1f0a2c8190b7e6d5c4b3a29180", "type": "reasoning", "summary": []},
    {"id": "msg_68af3c1f4d9881909a8b7c6d5e4f3a21", "type": "message", "status": "completed", "role": "assistant", "phase": "final_answer", "content": [{"type": "output_text", "text": "The capital of France is Paris.", "annotations": [], "logprobs": []}]}
  ],
  "parallel_tool_calls": true, "reasoning": {"effort": "low", "summary": null}, "temperature": 1.0, "text": {"format": {"type": "text"}, "verbosity": "medium"},
  "tool_choice": "auto", "tools": [], "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled", "metadata": {},
  "usage": {"input_tokens": 14, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}, "output_tokens": 27, "output_tokens_details": {"reasoning_tokens": 16}, "total_tokens": 41}
}
"""  # noqa: E501

TEXT_STREAM = r"""
event: response.created
data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_68af3c1e9d7c8190a1b2c3d4e5f60718","object":"response","created_at":1756380190,"status":"in_progress","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5.5-2026-04-23","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"none","summary":null},"service_tier":"auto","store":true,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

event: response.in_progress
data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_68af3c1e9d7c8190a1b2c3d4e5f60718","object":"response","created_at":1756380190,"status":"in_progress","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5.5-2026-04-23","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"none","summary":null},"service_tier":"auto","store":true,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

event: response.output_item.added
data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_68af3c1f4d9881909a8b7c6d5e4f3a21","type":"message","status":"in_progress","role":"assistant","content":[]}}

event: response.content_part.added
data: {"type":"response.content_part.added","sequence_number":3,"item_id":"msg_68af3c1f4d9881909a8b7c6d5e4f3a21","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}

event: response.output_text.delta
data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_68af3c1f4d9881909a8b7c6d5e4f3a21","output_index":0,"content_index":0,"delta":"Hi","logprobs":[],"obfuscation":"Qx7"}

event: response.output_text.delta
data: {"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_68af3c1f4d9881909a8b7c6d5e4f3a21","output_index":0,"content_index":0,"delta":" there","logprobs":[],"obfuscation":"k"}

event: response.output_text.delta
data: {"type":"response.output_text.delta","sequence_number":6,"item_id":"msg_68af3c1f4d9881909a8b7c6d5e4f3a21","output_index":0,"content_index":0,"delta":"!","logprobs":[],"obfuscation":"Zp2m9"}

event: response.output_text.done
data: {"type":"response.output_text.done","sequence_number":7,"item_id":"msg_68af3c1f4d9881909a8b7c6d5e4f3a21","output_index":0,"content_index":0,"text":"Hi there!","logprobs":[]}

event: response.content_part.done
data: {"type":"response.content_part.done","sequence_number":8,"item_id":"msg_68af3c1f4d9881909a8b7c6d5e4f3a21","output_index":0,"content_index":0,"part":{"type":"output_text","text":"Hi there!","annotations":[],"logprobs":[]}}

event: response.output_item.done
data: {"type":"response.output_item.done","sequence_number":9,"output_index":0,"item":{"id":"msg_68af3c1f4d9881909a8b7c6d5e4f3a21","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[],"logprobs":[]}]}}

event: response.completed
data: {"type":"response.completed","sequence_number":10,"response":{"id":"resp_68af3c1e9d7c8190a1b2c3d4e5f60718","object":"response","created_at":1756380190,"status":"completed","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5.5-2026-04-23","output":[{"id":"msg_68af3c1f4d9881909a8b7c6d5e4f3a21","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[],"logprobs":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"none","summary":null},"service_tier":"auto","store":true,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":12,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":15},"user":null,"metadata":{},"completed_at":1756380191}}
"""  # noqa: E501

FUNCTION_CALL_STREAM = r"""
event: response.created
data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_68af3c29f0b48190be5c4d3e2f1a0b9c","object":"response","created_at":1756380190,"status":"in_progress","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5.5-2026-04-23","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"none","summary":null},"service_tier":"auto","store":true,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[{"type":"function","name":"get_weather","description":"Get current weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},"strict":true}],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

event: response.in_progress
data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_68af3c29f0b48190be5c4d3e2f1a0b9c","object":"response","created_at":1756380190,"status":"in_progress","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5.5-2026-04-23","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"none","summary":null},"service_tier":"auto","store":true,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[{"type":"function","name":"get_weather","description":"Get current weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},"strict":true}],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

event: response.output_item.added
data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"fc_68af3c2a11e481908f7e6d5c4b3a2910","type":"function_call","status":"in_progress","arguments":"","call_id":"call_Xk3vQ9pL2mN8rT5w","name":"get_weather"}}

event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","sequence_number":3,"item_id":"fc_68af3c2a11e481908f7e6d5c4b3a2910","output_index":0,"delta":"{\"city\":","obfuscation":"a1"}

event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","sequence_number":4,"item_id":"fc_68af3c2a11e481908f7e6d5c4b3a2910","output_index":0,"delta":"\"Paris\"}","obfuscation":"a1"}

event: response.function_call_arguments.done
data: {"type":"response.function_call_arguments.done","sequence_number":5,"item_id":"fc_68af3c2a11e481908f7e6d5c4b3a2910","output_index":0,"arguments":"{\"city\":\"Paris\"}"}

event: response.output_item.done
data: {"type":"response.output_item.done","sequence_number":6,"output_index":0,"item":{"id":"fc_68af3c2a11e481908f7e6d5c4b3a2910","type":"function_call","status":"completed","arguments":"{\"city\":\"Paris\"}","call_id":"call_Xk3vQ9pL2mN8rT5w","name":"get_weather"}}

event: response.completed
data: {"type":"response.completed","sequence_number":7,"response":{"id":"resp_68af3c29f0b48190be5c4d3e2f1a0b9c","object":"response","created_at":1756380190,"status":"completed","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5.5-2026-04-23","output":[{"id":"fc_68af3c2a11e481908f7e6d5c4b3a2910","type":"function_call","status":"completed","arguments":"{\"city\":\"Paris\"}","call_id":"call_Xk3vQ9pL2mN8rT5w","name":"get_weather"}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"none","summary":null},"service_tier":"auto","store":true,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[{"type":"function","name":"get_weather","description":"Get current weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},"strict":true}],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":58,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":17,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":75},"user":null,"metadata":{},"completed_at":1756380192}}
"""  # noqa: E501


def sse_payloads(stream: str) -> list[dict[str, Any]]:
    """The JSON objects of the ``data:`` lines of an SSE transcript."""
    return [json.loads(line[6:]) for line in stream.splitlines() if line.startswith("data: ")]


def stream_responses() -> list[dict[str, Any]]:
    return [
        event["response"]
        for stream in (TEXT_STREAM, FUNCTION_CALL_STREAM)
        for event in sse_payloads(stream)
        if "response" in event
    ]


def official_tags(union: Any) -> set[str]:
    """The ``type`` strings of the members of one of the official SDK's discriminated unions."""
    members = get_args(union)
    if members and get_origin(union) is Annotated:
        members = get_args(members[0])
    tags: set[str] = set()
    for member in members:
        tags.update(get_args(member.model_fields["type"].annotation))
    return tags


def official_members(union: Any) -> list[Any]:
    members = get_args(union)
    return list(get_args(members[0]) if get_origin(union) is Annotated else members)


def wire_fields(cls: type) -> set[str]:
    return {a.metadata.get(WIRE_NAME, a.name) for a in attrs.fields(cls) if a.init}


# -- round trips of the reference examples -------------------------------------------------


def test_non_streaming_example_round_trips() -> None:
    data = json.loads(NON_STREAMING)
    response = structure(data, Response)
    assert unstructure(response) == data
    assert loads(dumps(response)) == data


def test_non_streaming_example_has_typed_fields() -> None:
    response = structure(json.loads(NON_STREAMING), Response)
    reasoning, message = response.output
    assert isinstance(reasoning, Reasoning) and reasoning.summary == []
    assert isinstance(message, OutputMessage) and message.phase == "final_answer"
    assert (
        response.usage is not None and response.usage.output_tokens_details.reasoning_tokens == 16
    )
    assert response.reasoning is not None and response.reasoning.effort == "low"
    assert response.text is not None and response.text.format == {"type": "text"}
    assert response.tool_choice == "auto" and response.tools == []
    assert response.created_at == 1756380190


@pytest.mark.parametrize("data", stream_responses())
def test_stream_example_responses_round_trip(data: dict[str, Any]) -> None:
    assert unstructure(structure(data, Response)) == data


def test_optional_fields_keep_null_or_absence_as_received() -> None:
    # The examples send max_tool_calls as null in one payload and leave it out in another.
    base = {"id": "resp_1", "object": "response", "created_at": 1, "output": []}
    with_null = {**base, "max_tool_calls": None, "completed_at": None}
    assert unstructure(structure(with_null, Response))["max_tool_calls"] is None
    assert unstructure(structure(with_null, Response)).keys() >= with_null.keys()
    assert "max_tool_calls" not in unstructure(structure(base, Response))


def test_function_tool_in_the_stream_example_is_typed() -> None:
    response = structure(stream_responses()[-1], Response)
    (tool,) = response.tools
    assert isinstance(tool, FunctionTool)
    assert tool.name == "get_weather" and tool.strict is True
    assert tool.parameters is not None and tool.parameters["required"] == ["city"]
    (call,) = response.output
    assert isinstance(call, FunctionCall)
    assert call.parse_arguments() == {"city": "Paris"}


# -- the official SDK as an oracle ---------------------------------------------------------


def test_every_official_output_item_type_is_known() -> None:
    from openai.types.responses import ResponseOutputItem

    tags = official_tags(ResponseOutputItem)
    assert len(tags) == 28
    missing = sorted(tags - OUTPUT_ITEM_TYPES.keys())
    assert not missing, f"output item types missing from OUTPUT_ITEM_TYPES: {missing}"


def test_every_official_input_item_listing_type_is_known() -> None:
    from openai.types.responses import ResponseItem

    missing = sorted(official_tags(ResponseItem) - INPUT_ITEM_TYPES.keys())
    assert not missing, f"input item types missing from INPUT_ITEM_TYPES: {missing}"


def test_every_official_tool_type_is_known() -> None:
    from openai.types.responses import Tool as OfficialTool

    missing = sorted(official_tags(OfficialTool) - TOOL_TYPES.keys())
    assert not missing, f"tool types missing from TOOL_TYPES: {missing}"


@pytest.mark.parametrize(
    ("union_name", "table_name"),
    [("ResponseOutputItem", "OUTPUT_ITEM_TYPES"), ("Tool", "TOOL_TYPES")],
)
def test_official_fields_are_all_modelled(union_name: str, table_name: str) -> None:
    import openai.types.responses as official

    table = {"OUTPUT_ITEM_TYPES": OUTPUT_ITEM_TYPES, "TOOL_TYPES": TOOL_TYPES}[table_name]
    gaps = {}
    for member in official_members(getattr(official, union_name)):
        theirs = {f.alias or name for name, f in member.model_fields.items()}
        for tag in get_args(member.model_fields["type"].annotation):
            missing = theirs - wire_fields(table[tag])
            if missing:
                gaps[tag] = sorted(missing)
    assert not gaps


def test_official_response_fields_are_all_modelled() -> None:
    from openai.types.responses import Response as OfficialResponse

    theirs = {f.alias or name for name, f in OfficialResponse.model_fields.items()}
    assert not theirs - wire_fields(Response)


# -- forward compatibility -----------------------------------------------------------------


def test_unknown_item_type_is_kept_raw_and_round_trips() -> None:
    item = {"type": "hologram_call", "id": "hc_1", "status": "completed", "beams": [1, 2]}
    data = {"id": "resp_1", "object": "response", "created_at": 1, "output": [item]}
    response = structure(data, Response)
    (unknown,) = response.output
    assert isinstance(unknown, UnknownItem)
    assert unknown.type == "hologram_call" and unknown.raw == item
    assert unknown.beams == [1, 2]
    assert unstructure(response)["output"] == [item]


def test_unknown_tool_content_and_annotation_types_are_kept_raw() -> None:
    tool = {"type": "teleport", "range_km": 3}
    part = {"type": "output_hologram", "frames": 2}
    note = {"type": "page_citation", "page": 7}
    text = {"type": "output_text", "text": "x", "annotations": [note]}
    message = {"type": "message", "id": "m", "status": "completed", "role": "assistant"}
    message["content"] = [text, part]
    data = {"id": "r", "object": "response", "created_at": 1, "output": [message], "tools": [tool]}
    response = structure(data, Response)
    assert isinstance(response.tools[0], UnknownTool)
    out = response.output[0]
    assert isinstance(out, OutputMessage)
    assert isinstance(out.content[1], UnknownContent)
    first = out.content[0]
    assert isinstance(first, OutputText) and isinstance(first.annotations[0], UnknownAnnotation)
    out_data = unstructure(response)
    assert out_data["output"] == [message] and out_data["tools"] == [tool]


def test_unknown_extra_fields_are_ignored() -> None:
    data = json.loads(NON_STREAMING)
    noisy = json.loads(NON_STREAMING)
    noisy["brand_new_field"] = {"x": 1}
    noisy["output"][1]["sparkle"] = True
    noisy["output"][1]["content"][0]["glow"] = 3
    noisy["usage"]["input_tokens_details"]["cache_prewarm_tokens"] = 5
    assert unstructure(structure(noisy, Response)) == data


def test_missing_optional_newer_fields_still_decode() -> None:
    data = {"id": "r", "object": "response", "created_at": 1, "output": []}
    data["usage"] = {
        "input_tokens": 1,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 1,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 2,
    }
    response = structure(data, Response)
    assert (
        response.usage is not None
        and response.usage.input_tokens_details.cache_write_tokens is None
    )
    assert response.tools == [] and response.model is None


# -- conveniences --------------------------------------------------------------------------


def _message(*parts: Any) -> OutputMessage:
    return OutputMessage(id="m", status="completed", content=list(parts))


def test_output_text_joins_the_text_of_every_message() -> None:
    response = Response(
        id="r",
        object="response",
        created_at=1,
        output=[
            _message(OutputText(text="Hello, ", annotations=[])),
            FunctionCall(call_id="c", name="f", arguments="{}"),
            _message(Refusal(refusal="no"), OutputText(text="world", annotations=[])),
        ],
    )
    assert response.output_text == "Hello, world"


def test_output_text_is_empty_without_messages() -> None:
    assert Response(id="r", object="response", created_at=1, output=[]).output_text == ""


def test_parse_arguments_rejects_invalid_json() -> None:
    with pytest.raises(ConversionError):
        FunctionCall(call_id="c", name="f", arguments='{"city":').parse_arguments()


# -- building requests ---------------------------------------------------------------------


def test_input_message_with_text_unstructures_minimally() -> None:
    message = InputMessage(role="user", content="hi")
    assert unstructure(message) == {"type": "message", "role": "user", "content": "hi"}


def test_input_message_with_parts_unstructures() -> None:
    message = InputMessage(
        role="user",
        content=[InputText(text="what is this?"), InputImage(image_url="https://x/cat.png")],
    )
    assert unstructure(message) == {
        "type": "message",
        "role": "user",
        "content": [
            {"type": "input_text", "text": "what is this?"},
            {"type": "input_image", "detail": "auto", "image_url": "https://x/cat.png"},
        ],
    }


def test_function_call_output_needs_no_id_or_status() -> None:
    # The follow-up request body of the reference's function call example.
    item = FunctionCallOutput(call_id="call_Xk3vQ9pL2mN8rT5w", output='{"temp_c":21}')
    expected = {
        "type": "function_call_output",
        "call_id": "call_Xk3vQ9pL2mN8rT5w",
        "output": '{"temp_c":21}',
    }
    assert unstructure(item) == expected
    assert loads(dumps(item)) == expected


def test_input_items_round_trip_through_the_input_union() -> None:
    items: list[Any] = [
        InputMessage(role="developer", content="be brief"),
        ItemReference(id="msg_1"),
        FunctionCall(call_id="c1", name="get_weather", arguments='{"city":"Paris"}'),
        FunctionCallOutput(call_id="c1", output=[InputText(text="21C")]),
        _message(OutputText(text="ok", annotations=[])),
    ]
    data = unstructure(items)
    assert structure(data, list[InputItem]) == items


def test_input_items_listing_decodes_messages_by_role() -> None:
    listing = [
        {"type": "message", "id": "m1", "role": "user", "status": "completed",
         "content": [{"type": "input_text", "text": "hi"}]},
        {"type": "message", "id": "m2", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "hello", "annotations": []}]},
        {"type": "configuration_update", "id": "cu_1", "text": {"verbosity": "low"}},
    ]  # fmt: skip
    user, assistant, update = structure(listing, list[InputItem])
    assert isinstance(user, InputMessage) and isinstance(assistant, OutputMessage)
    assert update == ConfigurationUpdate(id="cu_1", text={"verbosity": "low"})
    assert unstructure([user, assistant, update]) == listing


def test_request_items_without_type_are_messages_or_references() -> None:
    items = structure([{"role": "user", "content": "hi"}, {"id": "msg_1"}], list[InputItem])
    assert items == [InputMessage(role="user", content="hi"), ItemReference(id="msg_1")]


def test_tools_round_trip_including_dated_aliases() -> None:
    tools = [
        {"type": "web_search_2025_08_26", "search_context_size": "low"},
        {"type": "web_search_preview_2025_03_11"},
        {"type": "code_interpreter", "container": {"type": "auto"}},
        {"type": "code_interpreter", "container": "cntr_1"},
        {"type": "mcp", "server_label": "deepwiki", "require_approval": "never"},
        {"type": "namespace", "name": "crm", "description": "CRM tools",
         "tools": [{"type": "function", "name": "find", "parameters": None, "strict": None},
                   {"type": "custom", "name": "sql"}]},
        {"type": "function", "name": "f", "parameters": {}, "strict": True, "async": True},
    ]  # fmt: skip
    typed = structure(tools, list[Tool])
    assert [type(t) for t in typed] == [
        WebSearch20250826Tool,
        WebSearchPreview20250311Tool,
        CodeInterpreterTool,
        CodeInterpreterTool,
        McpTool,
        NamespaceTool,
        FunctionTool,
    ]
    assert isinstance(typed[-1], FunctionTool) and typed[-1].async_ is True
    assert unstructure(typed) == tools


def test_tool_choice_accepts_a_string_or_an_object_only() -> None:
    base = {"id": "r", "object": "response", "created_at": 1, "output": []}
    choice = {"type": "function", "name": "f"}
    assert structure({**base, "tool_choice": choice}, Response).tool_choice == choice
    with pytest.raises(ConversionError):
        structure({**base, "tool_choice": 3}, Response)


def test_compacted_response_and_input_token_count_decode() -> None:
    compacted = {
        "id": "cmp_1",
        "object": "response.compaction",
        "created_at": 1756380190,
        "output": [{"type": "compaction", "id": "cmp_item", "encrypted_content": "gAAA"}],
        "usage": {
            "input_tokens": 10,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 2,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 12,
        },
    }
    result = structure(compacted, CompactedResponse)
    assert isinstance(result.output[0], Compaction)
    assert unstructure(result) == compacted
    count = structure({"object": "response.input_tokens", "input_tokens": 42}, InputTokenCount)
    assert count.input_tokens == 42


# -- errors --------------------------------------------------------------------------------


def test_missing_id_raises_conversion_error() -> None:
    data = json.loads(NON_STREAMING)
    del data["id"]
    with pytest.raises(ConversionError):
        structure(data, Response)


def test_item_missing_a_required_field_raises_conversion_error() -> None:
    data = {"id": "r", "object": "response", "created_at": 1}
    data["output"] = [{"type": "function_call", "call_id": "c", "arguments": "{}"}]
    with pytest.raises(ConversionError):
        structure(data, Response)


def test_non_object_item_raises_conversion_error() -> None:
    with pytest.raises(ConversionError):
        structure({"id": "r", "object": "response", "created_at": 1, "output": ["x"]}, Response)
