// The HTTP side of live editing: the calls of SYNC.md under /api/v1, authenticated by the
// browser's session cookie, every POST carrying the page's CSRF token in X-CSRFToken.
//
// Every call resolves to {status, body, retryAfter} whatever the status; it rejects only when
// there was no usable answer (offline, connection reset, a truncated body), which the sync
// client treats as "the network failed: keep everything and retry".

/**
 * @param {object} options
 * @param {string} options.apiBase     e.g. "/api/v1"
 * @param {string|number} options.documentId
 * @param {() => string} options.csrfToken       the current token (it may be refreshed)
 * @param {() => Promise<string|null>} [options.refreshCsrfToken] fetch a fresh token
 */
export function createApi({ apiBase, documentId, csrfToken, refreshCsrfToken }) {
  const root = `${apiBase.replace(/\/$/, "")}/documents/${encodeURIComponent(documentId)}`;

  // A request that hangs (a connection that died without a word) must not hold up syncing
  // for good: past this, it counts as a network failure and the next round resends.
  const TIMEOUT_MS = 30000;

  async function request(method, path, body, { keepalive = false, signal } = {}) {
    let timer = null;
    if (!signal && !keepalive) {
      const controller = new AbortController();
      timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
      signal = controller.signal;
    }
    try {
      return await send(method, path, body, keepalive, signal);
    } finally {
      clearTimeout(timer);
    }
  }

  async function send(method, path, body, keepalive, signal) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(root + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      keepalive,
      signal,
    });
    let data = null;
    if (response.status !== 204) {
      const text = await response.text(); // rejects if the connection drops mid-body
      if (text) {
        try {
          data = JSON.parse(text);
        } catch {
          data = null;
        }
      }
    }
    if (response.ok && response.status !== 204 && data === null) {
      // A success we cannot read is as good as no answer.
      throw new TypeError(`unreadable answer from ${path}`);
    }
    return { status: response.status, body: data, retryAfter: response.headers.get("Retry-After") };
  }

  /**
   * A write; if the server says the CSRF token is stale (the person signed out and in again
   * elsewhere, so the session behind the token changed), fetch a fresh token and try once more.
   */
  async function write(path, body, options) {
    const answer = await request("POST", path, body, options);
    const code = answer.body && answer.body.error && answer.body.error.code;
    if (
      answer.status === 400 &&
      code === "csrf_failed" &&
      refreshCsrfToken &&
      !options?.keepalive
    ) {
      if (await refreshCsrfToken()) return request("POST", path, body, options);
    }
    return answer;
  }

  return {
    /** POST /documents/{id}/sessions → 201 {client_id, text, n, m, version, can_edit, user} */
    openSession: () => write("/sessions", {}),

    /** POST /documents/{id}/sync → 200 {ack, m, edits, version, editors} */
    sync: (body) => write("/sync", body),

    /**
     * The last sync of a page that is going away: keepalive, so the browser still sends it
     * after the page is gone (nobody reads the answer). Keepalive bodies are capped at 64 KiB;
     * a larger one is not sent (the beforeunload warning covered that case).
     */
    syncBeacon(body) {
      const json = JSON.stringify(body);
      if (json.length > 60000) return;
      write("/sync", body, { keepalive: true }).catch(() => {});
    },

    /** GET /documents/{id}/changes?after=… (long-poll, ~20 s) → {version, changed} */
    changes(after, clientId, registerAbort) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 45000);
      if (registerAbort) registerAbort(() => controller.abort());
      const query = new URLSearchParams({ after: String(after) });
      if (clientId) query.set("client_id", clientId);
      return request("GET", `/changes?${query}`, undefined, { signal: controller.signal }).finally(
        () => clearTimeout(timer),
      );
    },

    /** POST /documents/{id}/sessions/{client_id}/close → 204, sent as the page goes away. */
    close(clientId) {
      write(`/sessions/${encodeURIComponent(clientId)}/close`, undefined, {
        keepalive: true,
      }).catch(() => {});
    },

    /** POST /documents/{id}/preview {content} → {html}, sanitized by the server. */
    preview: (content) => write("/preview", { content }),
  };
}

/**
 * A fresh CSRF token, read from the editing page itself (the server renders it into a
 * <meta name="csrf-token">). Null when the page cannot be had (offline, signed out).
 */
export async function fetchCsrfToken(pageUrl) {
  try {
    const response = await fetch(pageUrl, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok || response.redirected) return null;
    const html = await response.text();
    const page = new DOMParser().parseFromString(html, "text/html");
    const meta = page.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : null;
  } catch {
    return null;
  }
}
