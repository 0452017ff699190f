// Debouncing: run an action once things have been quiet for a while (resizing, selecting).

/** A function that runs `action` `delay` ms after it was last called. */
export function debounce(action, delay) {
  let timer = null;
  return () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(action, delay);
  };
}
