// The JSON API calls that create a comment or a suggestion, and what their answers mean.

import { anchorsToTry } from "./anchor.js";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

/** POST JSON to the API with the session cookie and CSRF header; returns [status, body],
 * body null when the answer is not JSON (a proxy's error page, say). */
export async function postJson(apiBase, path, payload) {
  const response = await fetch(apiBase + path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(payload),
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return [response.status, body];
}

/** [path, payload, kind] of the request for the compose dialog's form in `mode` ("comment" or
 * "suggest"). `form` is its FormData, which leaves out the other mode's (disabled) fields. */
export function composedRequest(mode, documentId, form, anchor) {
  const documentPath = `/documents/${documentId}`;
  if (mode === "suggest") {
    const payload = { anchor, replacement: form.get("replacement"), rationale: form.get("rationale") || "" };
    return [`${documentPath}/suggestions`, payload, "suggestion"];
  }
  return [`${documentPath}/comments`, { anchor, body: form.get("body") }, "comment"];
}

/** Whether an answer says the server could not find the passage (a 422 on an anchor field),
 * so that another anchor is worth trying; any other answer is final. */
export function isAnchorProblem(status, body) {
  const fields = (body && body.error && body.error.fields) || {};
  return status === 422 && Object.keys(fields).some((name) => name.startsWith("anchor"));
}

/** Post with each candidate anchor until one is found; returns [status, body, kind] of the
 * last answer. `request(anchor)` makes [path, payload, kind]; `post(path, payload)` sends it. */
export async function sendWithAnchors(anchor, request, post) {
  let answer = null;
  for (const candidate of anchorsToTry(anchor)) {
    const [path, payload, kind] = request(candidate);
    const [status, body] = await post(path, payload);
    answer = [status, body, kind];
    if (!isAnchorProblem(status, body)) break;
  }
  return answer;
}

/** The sentence to show for an answer that created nothing: the server's own (translated)
 * message for a refusal (4xx), the page's "failed" sentence for anything else. */
export function failureMessage(status, body, strings) {
  const message = body && body.error ? body.error.message : strings.failed;
  return status >= 400 && status < 500 ? message : strings.failed;
}

/** The fragment that brings the reader to a new comment's or suggestion's card. */
export function createdHash(kind, id) {
  return `${kind === "suggestion" ? "suggestion" : "thread"}-${id}`;
}
