// Comments and proposed wording on the reading page (templates/review/_panel.html).
//
// Without this file the panel below the text still does everything: one-click actions are
// buttons of one shared plain form, and a card's other forms are on its own page. With it:
// - a card's <details> (Reply, Edit, Accept…) gets its form when opened, copied from the
//   panel's <template>s (the page carries each form once, not once per card);
// - each comment's passage is highlighted in the text (<mark>), and each open suggestion is
//   shown where it applies as a tracked change (old wording struck, new wording inserted);
// - on a wide screen the panel becomes a margin, each card level with its passage;
// - selecting a passage offers "Comment" and "Suggest wording", which post to the JSON API
//   with the anchor {quote, prefix, suffix} taken from the selected text.
// Every sentence shown comes translated from data-* attributes; nothing here is inline (CSP).
"use strict";

(() => {
  const panel = document.querySelector("[data-review]");
  const article = document.querySelector("[data-review-text]");
  if (!panel || !article) return;

  const strings = JSON.parse(panel.dataset.strings || "{}");
  const CONTEXT = 32; // characters of prefix and suffix sent with a quote
  const MAX_QUOTE = 2000;
  const MARKUP = /[*_`#>[\]|~\\]/; // Markdown punctuation that the rendered text no longer shows
  const BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, blockquote, td, th, pre, dt, dd";
  const wide = window.matchMedia("(min-width: 72rem)");

  // The rendered text, as one string mapped back to its DOM text nodes.

  /** Text nodes of the article in order, with their offsets in one string; blocks are
   * separated by a blank line as in the Markdown source. Inserted wording is left out. */
  function textIndex() {
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) =>
        node.parentElement.closest(".tracked-insert") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    const nodes = [];
    let text = "";
    let lastBlock = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const block = node.parentElement.closest(BLOCKS);
      if (lastBlock && block !== lastBlock && node.data.trim()) {
        text += "\n\n";
      }
      if (node.data.trim()) lastBlock = block;
      nodes.push({ node, start: text.length });
      text += node.data;
    }
    return { text, nodes };
  }

  /** The text with whitespace runs collapsed and Markdown punctuation dropped, and for each of
   * its characters the position it came from, so a source quote matches the rendered text. */
  function normalized(raw) {
    let text = "";
    const map = [];
    let space = false;
    for (let i = 0; i < raw.length; i += 1) {
      const char = raw[i];
      if (/\s/.test(char)) {
        if (!space && text) {
          text += " ";
          map.push(i);
        }
        space = true;
      } else if (!MARKUP.test(char)) {
        text += char;
        map.push(i);
        space = false;
      }
    }
    return { text, map };
  }

  /** How many characters two strings share at their ends (prefix) or starts (suffix). */
  function sharedEnd(a, b) {
    let n = 0;
    while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n += 1;
    return n;
  }
  function sharedStart(a, b) {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
    return n;
  }

  /** Where a quote stands in the rendered text: [start, end) in index.text, or null. Among
   * several occurrences, the one whose surroundings best match prefix and suffix wins. */
  let normalizedCache = { text: null, value: null };

  /** normalized(text), kept while the text stays the same: wrapping passages in marks moves
   * text nodes but never changes the text, so one pass serves every card. */
  function normalizedText(text) {
    if (normalizedCache.text !== text) normalizedCache = { text, value: normalized(text) };
    return normalizedCache.value;
  }

  function locate(index, quote, prefix, suffix) {
    const haystack = normalizedText(index.text);
    const needle = normalized(quote).text.trim();
    if (!needle) return null;
    const before = normalized(prefix || "").text;
    const after = normalized(suffix || "").text;
    let best = null;
    let bestScore = -1;
    for (let at = haystack.text.indexOf(needle); at !== -1; at = haystack.text.indexOf(needle, at + 1)) {
      const score =
        sharedEnd(haystack.text.slice(Math.max(0, at - before.length), at), before) +
        sharedStart(haystack.text.slice(at + needle.length, at + needle.length + after.length), after);
      if (score > bestScore) {
        best = at;
        bestScore = score;
      }
    }
    if (best === null) return null;
    return { start: haystack.map[best], end: haystack.map[best + needle.length - 1] + 1 };
  }

  /** Wrap [start, end) of the indexed text in elements made by `make`, one per text node
   * (a passage may cross bold words or links); returns the wrappers in order. */
  function wrap(index, start, end, make) {
    const wrappers = [];
    for (const { node, start: nodeStart } of index.nodes) {
      const from = Math.max(start, nodeStart) - nodeStart;
      const to = Math.min(end, nodeStart + node.data.length) - nodeStart;
      // Whitespace between blocks is skipped: a <mark> inside <ul> or <tr> is not allowed.
      if (to <= from || !node.data.slice(from, to).trim()) continue;
      let target = node;
      if (from > 0) target = target.splitText(from);
      if (to - from < target.data.length) target.splitText(to - from);
      const wrapper = make();
      target.parentNode.insertBefore(wrapper, target);
      wrapper.appendChild(target);
      wrappers.push(wrapper);
    }
    return wrappers;
  }

  // Passages in the text: comments highlighted, suggestions as tracked changes.

  /** The words of the card's element matching `selector` (the server sends each once). */
  function textOf(card, selector) {
    const element = card.querySelector(selector);
    return element ? element.textContent : "";
  }

  /** The passage a card is about, as its card shows it: quoted, or struck out. */
  function quoteOf(card) {
    return textOf(card, isSuggestion(card) ? ".change del" : ".quote");
  }

  function isSuggestion(card) {
    return card.classList.contains("suggestion");
  }

  function cardOf(element) {
    const card = document.getElementById(element.dataset.card);
    return card && panel.contains(card) ? card : null;
  }

  function focusCard(card) {
    if (!card) return;
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    card.focus({ preventScroll: true });
  }

  function showInText(card) {
    const first = article.querySelector(`[data-card="${card.id}"]`);
    if (!first) return;
    first.scrollIntoView({ block: "center", behavior: "smooth" });
    for (const part of article.querySelectorAll(`[data-card="${card.id}"]`)) {
      part.classList.add("flash-passage");
      window.setTimeout(() => part.classList.remove("flash-passage"), 1600);
    }
  }

  /** "Comment by Amina Diallo": the card's first person, in the sentence for its kind. */
  function labelOf(card) {
    const who = card.querySelector(".who");
    const pattern = isSuggestion(card) ? strings.proposedBy : strings.commentBy;
    return who && pattern ? pattern.replace("%(name)s", who.textContent) : "";
  }

  function passageElement(tag, card, className) {
    const element = document.createElement(tag);
    element.className = className;
    element.dataset.card = card.id;
    element.title = labelOf(card);
    return element;
  }

  function markComment(card) {
    const index = textIndex();
    const where = locate(index, quoteOf(card), card.dataset.prefix, card.dataset.suffix);
    if (!where) return false;
    const marks = wrap(index, where.start, where.end, () =>
      passageElement("mark", card, "comment-mark"),
    );
    return marks.length > 0;
  }

  function markSuggestion(card) {
    const index = textIndex();
    const where = locate(index, quoteOf(card), card.dataset.prefix, card.dataset.suffix);
    if (!where) return false;
    const removed = wrap(index, where.start, where.end, () =>
      passageElement("del", card, "tracked-delete"),
    );
    if (!removed.length) return false;
    const inserted = passageElement("ins", card, "tracked-insert");
    inserted.textContent = textOf(card, ".change ins");
    const last = removed[removed.length - 1];
    last.parentNode.insertBefore(inserted, last.nextSibling);
    return true;
  }

  function markPassages() {
    for (const card of panel.querySelectorAll(".review-card[data-anchored]")) {
      const found = isSuggestion(card) ? markSuggestion(card) : markComment(card);
      card.classList.toggle("is-anchored", found);
    }
    article.addEventListener("click", (event) => {
      const passage = event.target.closest("[data-card]");
      if (passage) focusCard(cardOf(passage));
    });
    panel.addEventListener("click", (event) => {
      const button = event.target.closest("[data-show-in-text]");
      if (button) showInText(button.closest(".review-card"));
    });
  }

  // The margin: on a wide screen each card stands level with its passage.

  function layoutMargin() {
    const cards = [...panel.querySelectorAll("[data-margin-list] > .review-card")];
    for (const card of cards) card.style.marginBlockStart = "";
    if (!wide.matches) return;
    let bottom = -Infinity;
    for (const card of cards) {
      const passage = article.querySelector(`[data-card="${card.id}"]`);
      const top = card.getBoundingClientRect().top;
      if (passage) {
        // Push the card down to its passage, never up over the card before it.
        const wanted = passage.getBoundingClientRect().top;
        const gap = Math.max(0, wanted - Math.max(top, bottom));
        card.style.marginBlockStart = `${gap}px`;
      }
      bottom = card.getBoundingClientRect().bottom + 8;
    }
  }

  function debounce(action, delay) {
    let timer = null;
    return () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(action, delay);
    };
  }

  // Select a passage, then comment on it or propose other wording.

  const toolbar = panel.querySelector("[data-compose-toolbar]");
  const dialog = panel.querySelector("[data-compose]");
  let anchor = null;

  function insideArticle(node) {
    return node && article.contains(node.nodeType === Node.TEXT_NODE ? node.parentNode : node);
  }

  /** The position in the indexed text of a DOM boundary point (container, offset). */
  function offsetOf(index, container, offset) {
    if (container.nodeType === Node.TEXT_NODE) {
      const entry = index.nodes.find((item) => item.node === container);
      if (entry) return entry.start + offset;
    }
    const probe = document.createRange();
    probe.setStart(container, offset);
    for (const { node, start } of index.nodes) {
      if (probe.comparePoint(node, 0) >= 0) return start;
    }
    return index.text.length;
  }

  /** The selection as an anchor {quote, prefix, suffix}, or null when it is not a passage. */
  function selectedAnchor() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    const range = selection.getRangeAt(0);
    if (!insideArticle(range.startContainer) || !insideArticle(range.endContainer)) return null;
    const index = textIndex();
    let start = offsetOf(index, range.startContainer, range.startOffset);
    let end = offsetOf(index, range.endContainer, range.endOffset);
    while (start < end && /\s/.test(index.text[start])) start += 1;
    while (end > start && /\s/.test(index.text[end - 1])) end -= 1;
    if (end <= start || end - start > MAX_QUOTE) return null;
    return {
      quote: index.text.slice(start, end),
      prefix: index.text.slice(Math.max(0, start - CONTEXT), start),
      suffix: index.text.slice(end, end + CONTEXT),
      rect: range.getBoundingClientRect(),
    };
  }

  function placeToolbar(rect) {
    toolbar.hidden = false;
    if (!wide.matches && window.matchMedia("(max-width: 40rem)").matches) {
      toolbar.style.top = ""; // a phone: fixed at the bottom of the screen (review.css)
      toolbar.style.left = "";
      return;
    }
    const width = toolbar.offsetWidth;
    const left = Math.min(Math.max(8, rect.left + rect.width / 2 - width / 2), window.innerWidth - width - 8);
    toolbar.style.top = `${window.scrollY + rect.bottom + 8}px`;
    toolbar.style.left = `${window.scrollX + left}px`;
  }

  function onSelectionChange() {
    if (dialog.open) return;
    anchor = selectedAnchor();
    if (anchor) placeToolbar(anchor.rect);
    else toolbar.hidden = true;
  }

  function openCompose(mode) {
    if (!anchor) return;
    dialog.dataset.mode = mode;
    dialog.querySelector("[data-compose-quote]").textContent = anchor.quote;
    for (const part of dialog.querySelectorAll("[data-compose-part]")) {
      const active = part.dataset.composePart === mode;
      part.hidden = !active;
      for (const field of part.querySelectorAll("textarea")) field.disabled = !active;
    }
    dialog.querySelector("[data-compose-heading]").textContent =
      mode === "suggest" ? strings.suggestHeading : strings.commentHeading;
    const replacement = dialog.querySelector("[name=replacement]");
    replacement.value = anchor.quote;
    showError("");
    toolbar.hidden = true;
    dialog.showModal();
    (mode === "suggest" ? replacement : dialog.querySelector("[name=body]")).focus();
  }

  function showError(message) {
    const error = dialog.querySelector("[data-compose-error]");
    error.textContent = message;
    error.hidden = !message;
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /** POST JSON to the API with the session cookie and CSRF header; returns [status, body]. */
  async function postJson(path, payload) {
    const response = await fetch(panel.dataset.apiBase + path, {
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

  /** The words of a context that belong to the passage's own paragraph (the source has
   * Markdown between paragraphs that the page does not show). */
  function sameBlock(context, before) {
    const parts = context.split("\n\n");
    return before ? parts[parts.length - 1] : parts[0];
  }

  /** Anchors to try, most precise first. The server matches prefix and suffix exactly against
   * the Markdown source, which differs from the page around formatting: when it cannot find
   * the passage with its context (422), a shorter context, then the quote alone, may do. */
  function anchorsToTry() {
    const { quote } = anchor;
    const prefix = sameBlock(anchor.prefix, true);
    const suffix = sameBlock(anchor.suffix, false);
    const candidates = [
      { quote, prefix, suffix },
      { quote, prefix: prefix.slice(-8), suffix: suffix.slice(0, 8) },
      { quote },
    ];
    const seen = new Set();
    return candidates.filter((candidate) => {
      const key = JSON.stringify(candidate);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  function composedRequest(anchorToSend) {
    const form = new FormData(dialog.querySelector("form"));
    const documentPath = `/documents/${panel.dataset.documentId}`;
    if (dialog.dataset.mode === "suggest") {
      const payload = { anchor: anchorToSend, replacement: form.get("replacement"), rationale: form.get("rationale") || "" };
      return [`${documentPath}/suggestions`, payload, "suggestion"];
    }
    return [`${documentPath}/comments`, { anchor: anchorToSend, body: form.get("body") }, "comment"];
  }

  /** Post with each candidate anchor until one is found; returns [status, body, kind]. */
  async function send() {
    let answer = null;
    for (const candidate of anchorsToTry()) {
      const [path, payload, kind] = composedRequest(candidate);
      const [status, body] = await postJson(path, payload);
      answer = [status, body, kind];
      const fields = (body && body.error && body.error.fields) || {};
      const anchorProblem = status === 422 && Object.keys(fields).some((name) => name.startsWith("anchor"));
      if (!anchorProblem) break;
    }
    return answer;
  }

  async function submitCompose(event) {
    event.preventDefault();
    if (dialog.dataset.mode === "comment" && !dialog.querySelector("[name=body]").value.trim()) {
      showError(strings.empty);
      return;
    }
    const submit = dialog.querySelector("[type=submit]");
    submit.disabled = true;
    try {
      const [status, body, kind] = await send();
      if (status === 201 && body) {
        // Reload to show the new card with the rest, rendered (and escaped) by the server.
        window.location.hash = `${kind === "suggestion" ? "suggestion" : "thread"}-${body.id}`;
        window.location.reload();
        return;
      }
      const message = body && body.error ? body.error.message : strings.failed;
      showError(status >= 400 && status < 500 ? message : strings.failed);
    } catch {
      showError(strings.offline);
    } finally {
      submit.disabled = false;
    }
  }

  function setUpCompose() {
    if (!toolbar || !dialog || typeof dialog.showModal !== "function") return;
    document.body.appendChild(toolbar); // placed in page coordinates, outside any layout box
    document.addEventListener("selectionchange", debounce(onSelectionChange, 200));
    toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    for (const button of toolbar.querySelectorAll("[data-compose-mode]")) {
      button.addEventListener("click", () => openCompose(button.dataset.composeMode));
    }
    dialog.querySelector("form").addEventListener("submit", submitCompose);
    dialog.querySelector("[data-compose-cancel]").addEventListener("click", () => dialog.close());
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !toolbar.hidden) toolbar.hidden = true;
    });
  }

  // @mentions: typing @ and the start of a name offers the caucus's members.

  const members = JSON.parse(panel.dataset.members || "[]");
  const MENTION_BEFORE_CARET = /(?:^|[\s(])@([^\s@]{0,40}(?: [^\s@]{0,40})?)$/;
  let mentionList = null;

  /** The members whose name starts with what follows the @ before the caret, if any. */
  function mentionQuery(field) {
    const before = field.value.slice(0, field.selectionStart);
    const match = MENTION_BEFORE_CARET.exec(before);
    if (!match) return null;
    const typed = match[1].toLocaleLowerCase();
    const found = members.filter((name) => name.toLocaleLowerCase().startsWith(typed));
    return found.length ? { typed: match[1], found: found.slice(0, 6) } : null;
  }

  function closeMentions() {
    if (!mentionList) return;
    const field = mentionList.field;
    field.removeAttribute("aria-activedescendant");
    field.setAttribute("aria-expanded", "false");
    mentionList.remove();
    mentionList = null;
  }

  function chooseMention(field, name) {
    const caret = field.selectionStart;
    const query = mentionQuery(field);
    const start = caret - (query ? query.typed.length : 0);
    field.value = `${field.value.slice(0, start)}${name} ${field.value.slice(caret)}`;
    field.selectionStart = field.selectionEnd = start + name.length + 1;
    closeMentions();
    field.focus();
  }

  function highlightMention(index) {
    const options = [...mentionList.children];
    mentionList.active = (index + options.length) % options.length;
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === mentionList.active)));
    mentionList.field.setAttribute("aria-activedescendant", options[mentionList.active].id);
  }

  function showMentions(field) {
    closeMentions();
    const query = mentionQuery(field);
    if (!query) return;
    const list = document.createElement("ul");
    list.className = "mention-list";
    list.id = `${field.id}-mentions`;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", strings.mentionLabel || "");
    query.found.forEach((name, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.textContent = name;
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus in the text area
        chooseMention(field, name);
      });
      list.appendChild(option);
    });
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-expanded", "true");
    mentionList = Object.assign(list, { field, active: 0 });
    highlightMention(0);
  }

  function onMentionKey(event) {
    if (!mentionList || mentionList.field !== event.target) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlightMention(mentionList.active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      chooseMention(event.target, mentionList.children[mentionList.active].textContent);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // close the list, not the dialog
      closeMentions();
    }
  }

  function bindMentions(field) {
    if (!members.length || field.dataset.mentionsBound) return;
    field.dataset.mentionsBound = "1";
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-expanded", "false");
    field.addEventListener("input", () => showMentions(field));
    field.addEventListener("keydown", onMentionKey);
    field.addEventListener("blur", closeMentions);
  }

  function setUpMentions() {
    for (const field of document.querySelectorAll("textarea[data-mentions]")) bindMentions(field);
  }

  // The cards' forms: each made once in the panel's <template>s, copied into a card's
  // <details> when it opens, with the card's id where {id} stands.

  const ID_ATTRIBUTES = ["id", "for", "action", "value"];

  /** The words a copied form starts with: the comment's own words, or the proposed wording. */
  function prefill(details, name) {
    if (name === "body") {
      const body = details.closest(".card-actions").previousElementSibling;
      return body ? body.textContent : "";
    }
    return textOf(details.closest(".review-card"), ".change ins");
  }

  function fillDetails(details) {
    const template = panel.querySelector(`template[data-form="${details.dataset.fill}"]`);
    if (!template || details.dataset.filled) return;
    const form = template.content.firstElementChild.cloneNode(true);
    for (const element of [form, ...form.querySelectorAll("*")]) {
      for (const name of ID_ATTRIBUTES) {
        const value = element.getAttribute(name);
        if (value && value.includes("{id}")) element.setAttribute(name, value.replaceAll("{id}", details.dataset.id));
      }
    }
    if (!details.closest(".review-card").hasAttribute("data-outdated")) {
      for (const part of form.querySelectorAll("[data-if-outdated]")) part.remove();
    }
    for (const field of form.querySelectorAll("[data-prefill]")) field.value = prefill(details, field.dataset.prefill);
    for (const fallback of details.querySelectorAll(".no-js")) fallback.remove();
    details.appendChild(form);
    details.dataset.filled = "1";
    for (const field of form.querySelectorAll("textarea[data-mentions]")) bindMentions(field);
  }

  /** A <details> whose form the panel's <template data-form=kind> makes when it opens. */
  function disclosure(kind, id, summaryText) {
    const details = document.createElement("details");
    details.dataset.fill = kind;
    details.dataset.id = id;
    const summary = document.createElement("summary");
    summary.textContent = summaryText;
    details.appendChild(summary);
    return details;
  }

  /** What only the script can do, added to each card here rather than sent with each card:
   * "Show in text", and the forms to reply or decide (per the reader's role, on the panel). */
  function addCardActions() {
    const canReply = "canReply" in panel.dataset;
    const canDecide = "canDecide" in panel.dataset;
    for (const card of panel.querySelectorAll("[data-margin-list] > .review-card")) {
      const actions = card.querySelector(":scope > [data-actions]");
      const id = card.id.slice(card.id.indexOf("-") + 1);
      if ("anchored" in card.dataset) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.dataset.showInText = "";
        button.textContent = strings.showInText;
        actions.prepend(button);
      }
      if (isSuggestion(card) && canDecide) {
        card.append(
          disclosure("accept", id, strings.accept),
          disclosure("accept-edit", id, strings.acceptWithEdits),
          disclosure("reject", id, strings.reject),
        );
      } else if (!isSuggestion(card) && canReply) {
        actions.insertBefore(disclosure("reply", id, strings.reply), actions.querySelector("button[form]"));
      }
    }
  }

  function setUpCardForms() {
    addCardActions();
    panel.addEventListener(
      "toggle",
      (event) => {
        if (event.target.matches("details[data-fill]") && event.target.open) fillDetails(event.target);
      },
      true,
    );
    // Delete and withdraw ask first (the shared form's buttons carry the question).
    const shared = document.getElementById("review-action");
    if (!shared) return;
    shared.addEventListener("submit", (event) => {
      const question = event.submitter && event.submitter.dataset.confirm;
      if (question && !window.confirm(question)) event.preventDefault();
    });
  }

  markPassages();
  setUpCompose();
  setUpMentions();
  setUpCardForms();
  panel.classList.add("review-enhanced");
  layoutMargin();
  const relayout = debounce(layoutMargin, 150);
  window.addEventListener("resize", relayout);
  wide.addEventListener("change", relayout);
  panel.addEventListener("toggle", relayout, true); // an unfolded form makes its card taller
  if (document.fonts) document.fonts.ready.then(layoutMargin);
  if (window.location.hash) {
    const target = document.getElementById(window.location.hash.slice(1));
    if (target) target.scrollIntoView({ block: "center" });
  }
})();
