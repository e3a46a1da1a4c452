// The faqbot site widget: one script tag adds a chat bubble that opens the chat page in a frame.
//
//   <script src="https://HOST/widget.js" data-title="Ask us" async></script>
//
// Options (all optional), as data- attributes of the script tag:
//   data-title       the panel's title and the button's label (default "Ask faqbot")
//   data-color       the accent colour: button, header, your messages (any CSS colour)
//   data-text-color  the text on the accent colour (default white)
//   data-position    "right" (default) or "left": the bottom corner for the button
//   data-open        "true" to open the chat when the page loads
//
// Only DOM calls: no HTML strings, no inline styles in markup, nothing loaded but the frame,
// so it works under a strict Content-Security-Policy on the host page (which must allow this
// script, and this server in frame-src). Needs a current browser (constructable stylesheets).
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src$="/widget.js"]');
  if (!script || window.__faqbotWidget) return; // one widget per page
  window.__faqbotWidget = true;

  var base = new URL(".", script.src);
  var options = script.dataset;
  var title = options.title || "Ask faqbot";
  var left = options.position === "left";
  var openOnLoad = ["", "true", "1", "yes"].indexOf(options.open === undefined ? "no" : options.open) >= 0;

  function colour(value, fallback) {
    return value && window.CSS && CSS.supports("color", value) ? value : fallback;
  }
  var accent = colour(options.color, "#0b6e4f");
  var accentText = colour(options.textColor, "#ffffff");

  var CSS_TEXT = [
    ":host { all: initial; }",
    ".toggle { position: fixed; bottom: 20px; z-index: 2147483000; width: 60px; height: 60px;",
    "  border: none; border-radius: 50%; cursor: pointer; padding: 0;",
    "  display: flex; align-items: center; justify-content: center;",
    "  background: var(--faqbot-accent); color: var(--faqbot-accent-text);",
    "  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.28); }",
    ".toggle:focus-visible { outline: 3px solid #1a5fd0; outline-offset: 3px; }",
    ".toggle svg { width: 30px; height: 30px; fill: currentColor; }",
    ".panel { position: fixed; bottom: 92px; z-index: 2147483000;",
    "  width: 400px; height: 620px; max-width: calc(100vw - 24px); max-height: calc(100vh - 112px);",
    "  border-radius: 14px; overflow: hidden; background: #ffffff;",
    "  box-shadow: 0 10px 34px rgba(0, 0, 0, 0.32); }",
    ".panel[hidden] { display: none; }",
    ".panel iframe { width: 100%; height: 100%; border: 0; display: block; }",
    ".right { right: 20px; } .left { left: 20px; }",
    "@media (max-width: 520px) {",
    "  .panel { width: auto; height: auto; top: 8px; bottom: 84px; left: 8px; right: 8px;",
    "    max-width: none; max-height: none; } }",
  ].join("\n");

  var host = document.createElement("div");
  host.className = "faqbot-widget";
  host.style.setProperty("--faqbot-accent", accent);
  host.style.setProperty("--faqbot-accent-text", accentText);
  var root = host.attachShadow({ mode: "closed" });
  if (root.adoptedStyleSheets === undefined) return; // a browser too old for the widget's styles
  var sheet = new CSSStyleSheet(); // built from script, so no inline style the host's CSP may refuse
  sheet.replaceSync(CSS_TEXT);
  root.adoptedStyleSheets = [sheet];

  var side = left ? "left" : "right";
  var panel = document.createElement("div");
  panel.className = "panel " + side;
  panel.id = "faqbot-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);

  var frame = null;
  var wantFocus = false; // only a visitor's click moves the focus: opening on load does not
  function frameUrl() {
    var url = new URL(base.href);
    url.searchParams.set("embed", "1");
    url.searchParams.set("title", title);
    url.searchParams.set("accent", accent);
    url.searchParams.set("accentText", accentText);
    return url.href;
  }

  var toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "toggle " + side;
  toggle.setAttribute("aria-controls", panel.id);

  var SVG = "http://www.w3.org/2000/svg";
  function icon(path) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var shape = document.createElementNS(SVG, "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    return svg;
  }
  var BUBBLE = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z";
  var CROSS = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";

  function show(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.setAttribute("aria-label", (open ? "Close the chat: " : "Open the chat: ") + title);
    toggle.replaceChildren(icon(open ? CROSS : BUBBLE));
    if (open && !frame) {
      frame = document.createElement("iframe");
      frame.title = title;
      frame.src = frameUrl();
      frame.addEventListener("load", function () { if (wantFocus) focusChat(); });
      panel.appendChild(frame);
    }
  }

  function focusChat() {
    if (!frame || panel.hidden) return;
    frame.focus();
    frame.contentWindow.postMessage({ faqbot: "focus" }, base.origin);
  }

  function open() { wantFocus = true; show(true); focusChat(); }
  function close() { wantFocus = false; show(false); toggle.focus(); }

  toggle.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) close();
  });
  window.addEventListener("message", function (event) {
    if (frame && event.source === frame.contentWindow && event.origin === base.origin &&
        event.data && event.data.faqbot === "close") {
      close();
    }
  });

  root.appendChild(panel);
  root.appendChild(toggle);
  show(false);
  function attach() {
    document.body.appendChild(host);
    if (openOnLoad) show(true);
  }
  if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
})();
