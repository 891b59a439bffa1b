/*
 * Dash's dropdown puts a hidden, focusable input before its trigger button so that Safari,
 * which skips buttons when tabbing, can reach it. A focusable element hidden from assistive
 * technology is a WCAG failure (axe: aria-hidden-focus): a screen reader user tabs onto
 * something that is announced as nothing. Here the trigger button itself (which carries the
 * dropdown's id, so its <label for> names it) takes the Tab stop and the hidden input leaves
 * the tab order. Runs for every dropdown, including those a callback adds later.
 */
(function () {
  "use strict";
  function fix(root) {
    root.querySelectorAll("input.dash-dropdown-focus-target").forEach(function (input) {
      if (input.tabIndex !== -1) {
        input.tabIndex = -1;
      }
      var button = input.nextElementSibling;
      if (button && button.tagName === "BUTTON" && !button.disabled && button.tabIndex !== 0) {
        button.tabIndex = 0;
      }
    });
  }
  function start() {
    fix(document);
    new MutationObserver(function () {
      fix(document);
    }).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["tabindex", "disabled"],
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
