// The rendered text of the article as one string, mapped back to the DOM text nodes it came from.

// A new block starts a new paragraph in the string, as a blank line does in the Markdown source.
const BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, blockquote, td, th, pre, dt, dd";

/** One string from text nodes in order ([{node, block}], node.data their text), with each
 * node's offset in it. Blocks are separated by "\n\n"; whitespace-only nodes (between list
 * items or table cells) neither start a block nor end one, so they add no extra break. */
export function joinText(pieces) {
  const nodes = [];
  let text = "";
  let lastBlock = null;
  for (const { node, block } of pieces) {
    if (lastBlock && block !== lastBlock && node.data.trim()) text += "\n\n";
    if (node.data.trim()) lastBlock = block;
    nodes.push({ node, start: text.length });
    text += node.data;
  }
  return { text, nodes };
}

/** The article's text nodes, joined by joinText. Inserted wording (a suggestion shown as a
 * tracked change) is left out: it is not in the document yet, so no anchor may point into it. */
export function textIndex(article) {
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement.closest(".tracked-insert") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const pieces = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    pieces.push({ node, block: node.parentElement.closest(BLOCKS) });
  }
  return joinText(pieces);
}

/** The position in the indexed text of a DOM boundary point (container, offset). A point
 * between elements (a selection ending at a paragraph's end, say) counts as the start of the
 * first text node after it. */
export function offsetOf(index, container, offset) {
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

/** The parts of [start, end) of the indexed text in each node: [{node, from, to}], offsets in
 * the node. Whitespace-only parts are skipped: they lie between blocks, where a wrapper (a
 * <mark> inside <ul> or <tr>) is not allowed. */
export function piecesOf(index, start, end) {
  const pieces = [];
  for (const { node, start: nodeStart } of index.nodes) {
    const from = Math.max(start, nodeStart) - nodeStart;
    const to = Math.min(end, nodeStart + node.data.length) - nodeStart;
    if (to <= from || !node.data.slice(from, to).trim()) continue;
    pieces.push({ node, from, to });
  }
  return pieces;
}

/** Wrap [start, end) of the indexed text in elements made by `make`, one per text node (a
 * passage may cross bold words or links); returns the wrappers in order. Splitting a node
 * changes only that node, so the pieces worked out beforehand stay right. */
export function wrap(index, start, end, make) {
  return piecesOf(index, start, end).map(({ node, from, to }) => {
    let target = node;
    if (from > 0) target = target.splitText(from);
    if (to - from < target.data.length) target.splitText(to - from);
    const wrapper = make();
    target.parentNode.insertBefore(wrapper, target);
    wrapper.appendChild(target);
    return wrapper;
  });
}
