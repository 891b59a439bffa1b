/*
 * Repairs of library markup that fails WCAG 2.2 AA checks, applied to every element,
 * including those a callback adds later.
 *
 * 1. Dash's dropdown puts a hidden, focusable input before its trigger button so that Safari,
 * which skips buttons when tabbing, can reach it. A focusable element hidden from assistive
 * technology is a WCAG failure (axe: aria-hidden-focus): a screen reader user tabs onto
 * something that is announced as nothing. Here the trigger button itself (which carries the
 * dropdown's id, so its <label for> names it) takes the Tab stop and the hidden input leaves
 * the tab order.
 * 2. Bootstrap's tabs point aria-controls at the panel of every tab, but only the active
 * panel is rendered, so the others name an element that does not exist (axe:
 * aria-valid-attr-value). The reference is kept while its panel exists.
 * 3. Controls a library draws without a name (a progress bar, an upload's file input) take
 * the name a page gives their wrapper in data-a11y-name.
 * 4. An open dialog keeps the keyboard: Tab from its last control goes to its first and
 * Shift+Tab from its first to its last (WCAG 2.4.3). Bootstrap's modal only pulls focus back
 * after it has left, so a keyboard user briefly lands behind the dialog, on the page it hides.
 * Closing the dialog returns focus to the control that opened it (the modal does that).
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
    root.querySelectorAll("[data-a11y-name]").forEach(function (wrapper) {
      var target = wrapper.querySelector("[role=progressbar], input[type=file]");
      if (target && !target.getAttribute("aria-label")) {
        target.setAttribute("aria-label", wrapper.getAttribute("data-a11y-name"));
      }
    });
    root.querySelectorAll("[role=tab][aria-controls]").forEach(function (tab) {
      var panel = tab.getAttribute("aria-controls");
      if (panel && !document.getElementById(panel)) {
        tab.removeAttribute("aria-controls");
      }
    });
  }
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  function trapTab(event) {
    var dialogs = document.querySelectorAll(".modal.show");
    var dialog = dialogs[dialogs.length - 1];
    if (event.key !== "Tab" || !dialog) {
      return;
    }
    var stops = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
      return el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0;
    });
    if (!stops.length) {
      return;
    }
    var active = document.activeElement;
    var outside = active === dialog || !dialog.contains(active);
    var target = null;
    if (event.shiftKey && (outside || active === stops[0])) {
      target = stops[stops.length - 1];
    } else if (!event.shiftKey && (outside || active === stops[stops.length - 1])) {
      target = stops[0];
    }
    if (target) {
      event.preventDefault();
      target.focus();
    }
  }
  document.addEventListener("keydown", trapTab, true);
  var pending = false;
  function schedule() {
    if (!pending) {
      pending = true; // at most once a frame, however many nodes a grid redraws
      window.requestAnimationFrame(function () {
        pending = false;
        fix(document);
      });
    }
  }
  function start() {
    fix(document);
    new MutationObserver(schedule).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["tabindex", "disabled", "aria-controls"],
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
