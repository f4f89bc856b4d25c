// The chat page: one EventSource per assistant turn, fed by the backend's relay.
//
// Every event carries its sequence number as the SSE id, so a dropped connection is resumed by
// EventSource itself (it sends Last-Event-ID); events at or below the last number shown are
// ignored as well, so a replay can never print the same text twice.
"use strict";

const TERMINAL = ["response.completed", "response.incomplete", "response.failed", "error"];
const MAX_MANUAL_RETRIES = 3;

const $ = (id) => document.getElementById(id);
const log = $("log");
const prompt = $("prompt");
const sendButton = $("send");
const stopButton = $("stop");

const chat = {
  previousResponseId: null, // the last finished response: the next turn continues from it
  turn: null, // the turn streaming now, if any
};

function setStatus(text) {
  $("status").textContent = text;
}

function setBusy(busy) {
  sendButton.disabled = busy;
  stopButton.disabled = !busy;
  document.body.dataset.busy = busy ? "true" : "false";
}

function addMessage(role, text) {
  log.querySelector(".hint")?.remove();
  const message = document.createElement("article");
  message.className = `message ${role}`;
  const body = document.createElement("div");
  body.className = "text";
  body.append(document.createTextNode(text));
  message.append(body);
  log.append(message);
  log.scrollTop = log.scrollHeight;
  return message;
}

function addNote(message, text, kind) {
  const note = document.createElement("div");
  note.className = `note ${kind}`;
  note.textContent = text;
  message.append(note);
}

async function postJSON(url, body) {
  const reply = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await reply.json().catch(() => ({}));
  if (!reply.ok) {
    throw new Error(data.error?.message || `${reply.status} ${reply.statusText}`);
  }
  return data;
}

async function send(text) {
  addMessage("user", text);
  const message = addMessage("assistant", "");
  message.dataset.state = "waiting";
  setBusy(true);
  setStatus("Sending…");
  let created;
  try {
    created = await postJSON("/api/turns", {
      input: text,
      previous_response_id: chat.previousResponseId,
    });
  } catch (err) {
    message.dataset.state = "error";
    addNote(message, err.message, "error");
    setStatus("Error");
    setBusy(false);
    return;
  }
  message.dataset.responseId = created.id;
  const turn = {
    id: created.id,
    message,
    text: message.querySelector(".text").firstChild,
    lastSeq: -1,
    source: null,
    done: false,
    retries: 0,
    reconnects: 0,
  };
  chat.turn = turn;
  listen(turn, null);
}

function listen(turn, after) {
  let url = `/api/responses/${encodeURIComponent(turn.id)}/events`;
  if (after !== null) url += `?after=${after}`;
  const source = new EventSource(url);
  turn.source = source;

  const on = (kind, apply) =>
    source.addEventListener(kind, (event) => {
      if (turn.source !== source || turn.done) return; // a closed or replaced connection
      const data = JSON.parse(event.data);
      const seq = data.sequence_number;
      if (typeof seq === "number") {
        if (seq <= turn.lastSeq) return; // already shown before a reconnect
        turn.lastSeq = seq;
      }
      apply(data);
    });

  on("response.queued", () => setStatus("Queued…"));
  on("response.in_progress", () => setStatus("Writing…"));
  on("response.output_text.delta", (data) => append(turn, data.delta));
  on("response.refusal.delta", (data) => append(turn, data.delta));
  for (const kind of TERMINAL) on(kind, (data) => finish(turn, kind, data));

  source.onopen = () => {
    turn.retries = 0;
    if (turn.message.dataset.state !== "streaming") turn.message.dataset.state = "waiting";
  };
  source.onerror = () => {
    if (turn.done || turn.source !== source) return;
    if (source.readyState === EventSource.CONNECTING) {
      // EventSource reconnects by itself and sends Last-Event-ID: nothing to do but say so.
      turn.reconnects += 1;
      turn.message.dataset.reconnects = String(turn.reconnects);
      setStatus("Connection lost, resuming…");
      return;
    }
    // CLOSED: the backend answered with an error. Try again a few times from the last number.
    source.close();
    if (turn.retries++ < MAX_MANUAL_RETRIES) {
      setStatus("Connection lost, retrying…");
      setTimeout(() => {
        if (!turn.done) listen(turn, turn.lastSeq);
      }, 1000 * turn.retries);
    } else {
      finish(turn, "error", { message: "The answer could not be streamed." });
    }
  };
}

function append(turn, delta) {
  if (turn.message.dataset.state !== "streaming") {
    turn.message.dataset.state = "streaming";
    setStatus("Writing…");
  }
  turn.text.appendData(delta);
  log.scrollTop = log.scrollHeight;
}

function finish(turn, kind, data) {
  close(turn);
  const message = turn.message;
  if (kind === "response.completed" || kind === "response.incomplete") {
    chat.previousResponseId = data.response.id;
    message.dataset.state = kind === "response.completed" ? "done" : "incomplete";
    if (kind === "response.incomplete") {
      const why = data.response.incomplete_details?.reason || "unknown reason";
      addNote(message, `Incomplete (${why}).`, "warning");
    }
    setStatus("Ready");
  } else {
    message.dataset.state = "error";
    const error = kind === "error" ? data : data.response?.error;
    addNote(message, error?.message || "The response failed.", "error");
    setStatus("Error");
  }
}

function close(turn) {
  turn.done = true;
  turn.source?.close();
  if (chat.turn === turn) chat.turn = null;
  setBusy(false);
  prompt.focus();
}

async function stop() {
  const turn = chat.turn;
  if (!turn || turn.done) return;
  close(turn); // closing the EventSource already makes the backend drop the upstream stream
  turn.message.dataset.state = "stopped";
  addNote(turn.message, "Stopped.", "warning");
  setStatus("Stopped");
  try {
    await postJSON(`/api/responses/${encodeURIComponent(turn.id)}/cancel`, {});
  } catch (err) {
    setStatus(`Stopped (cancel failed: ${err.message})`);
  }
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = prompt.value.trim();
  if (!text || chat.turn) return;
  prompt.value = "";
  send(text);
});

prompt.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

stopButton.addEventListener("click", stop);

$("new-chat").addEventListener("click", () => {
  stop();
  chat.previousResponseId = null;
  log.replaceChildren();
  setStatus("Ready");
  prompt.focus();
});

setBusy(false);
prompt.focus();
