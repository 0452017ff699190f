// @mentions: typing @ and the start of a name in a comment offers the caucus's members.

// An @ at the start or after a space or "(", then up to two words of a name, up to the caret.
const MENTION_BEFORE_CARET = /(?:^|[\s(])@([^\s@]{0,40}(?: [^\s@]{0,40})?)$/;
const MAX_OFFERED = 6;

/** The members whose name starts with what follows the @ before the caret:
 * {typed, found} (at most six names), or null when there is no @ or no name fits. */
export function mentionQuery(value, caret, members) {
  const match = MENTION_BEFORE_CARET.exec(value.slice(0, caret));
  if (!match) return null;
  const typed = match[1].toLocaleLowerCase();
  const found = members.filter((name) => name.toLocaleLowerCase().startsWith(typed));
  return found.length ? { typed: match[1], found: found.slice(0, MAX_OFFERED) } : null;
}

/** The text with the `typed` letters before the caret replaced by the name and a space, and
 * the caret after that space: {value, caret}. */
export function withMention(value, caret, typed, name) {
  const start = caret - typed.length;
  return { value: `${value.slice(0, start)}${name} ${value.slice(caret)}`, caret: start + name.length + 1 };
}

/** The suggestion list for the page's text areas; bind(field) makes a text area offer names.
 * One list is open at a time, under the field being typed in. */
export function createMentions(members, strings) {
  let list = null; // the open <ul>, with .field (its text area) and .active (highlighted index)

  function close() {
    if (!list) return;
    list.field.removeAttribute("aria-activedescendant");
    list.field.setAttribute("aria-expanded", "false");
    list.remove();
    list = null;
  }

  function choose(field, name) {
    const query = mentionQuery(field.value, field.selectionStart, members);
    const next = withMention(field.value, field.selectionStart, query ? query.typed : "", name);
    field.value = next.value;
    field.selectionStart = field.selectionEnd = next.caret;
    close();
    field.focus();
  }

  /** Highlight the option at `index`, wrapping around at either end. */
  function highlight(index) {
    const options = [...list.children];
    list.active = (index + options.length) % options.length;
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === list.active)));
    list.field.setAttribute("aria-activedescendant", options[list.active].id);
  }

  function option(field, id, name) {
    const item = document.createElement("li");
    item.id = id;
    item.setAttribute("role", "option");
    item.textContent = name;
    item.addEventListener("mousedown", (event) => {
      event.preventDefault(); // keep the focus in the text area
      choose(field, name);
    });
    return item;
  }

  function show(field) {
    close();
    const query = mentionQuery(field.value, field.selectionStart, members);
    if (!query) return;
    const element = document.createElement("ul");
    element.className = "mention-list";
    element.id = `${field.id}-mentions`;
    element.setAttribute("role", "listbox");
    element.setAttribute("aria-label", strings.mentionLabel || "");
    query.found.forEach((name, i) => element.appendChild(option(field, `${element.id}-${i}`, name)));
    field.insertAdjacentElement("afterend", element);
    field.setAttribute("aria-controls", element.id);
    field.setAttribute("aria-expanded", "true");
    list = Object.assign(element, { field, active: 0 });
    highlight(0);
  }

  function onKey(event) {
    if (!list || list.field !== event.target) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(list.active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(event.target, list.children[list.active].textContent);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // close the list, not the dialog
      close();
    }
  }

  /** Make a text area offer names (once: forms copied into cards are bound when made). */
  function bind(field) {
    if (!members.length || field.dataset.mentionsBound) return;
    field.dataset.mentionsBound = "1";
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-expanded", "false");
    field.addEventListener("input", () => show(field));
    field.addEventListener("keydown", onKey);
    field.addEventListener("blur", close);
  }

  return { bind };
}
