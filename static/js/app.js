// Small progressive enhancements; every page works without them.
"use strict";

document.addEventListener("submit", (event) => {
  // Forms that destroy something ask first (data-confirm holds the translated question).
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

document.addEventListener("focusin", (event) => {
  // A read-only link to pass on is selected whole, ready to copy.
  if (event.target.matches("input.copy-field")) {
    event.target.select();
  }
});
