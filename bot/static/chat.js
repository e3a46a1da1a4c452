// The faqbot chat page: talks to chat/ask, keeps the conversation in sessionStorage.
// Every text from the server is inserted with textContent, never as HTML: a reply cannot
// inject markup or script. No inline handlers anywhere (the page's CSP forbids them).
"use strict";

(function () {
  const STORE = "faqbot.chat.v1";
  const GREETING = "Hello! Ask me a question in your own words.";
  const params = new URLSearchParams(window.location.search);
  const embedded = params.has("embed");

  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");
  const send = document.getElementById("send");
  let chat = load();
  let whyCount = 0;

  function load() {
    try {
      const saved = JSON.parse(window.sessionStorage.getItem(STORE) || "null");
      if (saved && Array.isArray(saved.turns)) return saved;
    } catch (e) { /* storage blocked or corrupt: start afresh */ }
    return { state: null, turns: [] };
  }

  function save() {
    try {
      window.sessionStorage.setItem(STORE, JSON.stringify(chat));
    } catch (e) { /* storage blocked or full: the chat still works, it is just not kept */ }
  }

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // -- options the widget passes in the URL -------------------------------------------------

  function applyOptions() {
    const title = params.get("title");
    if (title) {
      document.getElementById("title").textContent = title;
      document.title = title;
    }
    const colours = { accent: "--accent", accentText: "--accent-text" };
    for (const [name, property] of Object.entries(colours)) {
      const value = params.get(name);
      if (value && window.CSS && CSS.supports("color", value)) {
        document.documentElement.style.setProperty(property, value);
      }
    }
    if (embedded) {
      document.body.classList.add("embedded");
      const close = document.getElementById("close");
      close.hidden = false;
      close.addEventListener("click", closeWidget);
      document.addEventListener("keydown", (event) => {
        if (event.key === "Escape") closeWidget();
      });
      window.addEventListener("message", (event) => {
        if (event.source === window.parent && event.data && event.data.faqbot === "focus") {
          input.focus();
        }
      });
    }
  }

  function closeWidget() {
    // the widget checks that the message comes from its own frame; it carries no data
    window.parent.postMessage({ faqbot: "close" }, "*");
  }

  // -- drawing the conversation ---------------------------------------------------------------

  function render(turn, index) {
    if (turn.who === "user") {
      const bubble = make("div", "msg user");
      bubble.append(make("span", "visually-hidden", "You said: "), make("span", "text", turn.text));
      return bubble;
    }
    if (turn.who === "error") {
      const bubble = make("div", "msg error");
      bubble.append(make("span", "visually-hidden", "Error: "), make("span", "text", turn.text));
      return bubble;
    }
    const bubble = make("div", "msg bot kind-" + (turn.kind || "answer"));
    bubble.append(make("span", "visually-hidden", turn.kind === "urgent" ? "faqbot, urgent: " : "faqbot said: "));
    if (turn.kind === "urgent") {
      const badge = make("strong", "badge", "Urgent");
      badge.setAttribute("aria-hidden", "true"); // the hidden prefix already says it
      bubble.append(badge);
    }
    const choices = turn.kind === "clarify" ? (turn.alternatives || []) : [];
    // the numbered choices become buttons, so their lines are not repeated as text
    const shown = new Set(choices.map((alt, n) => (n + 1) + ". " + alt[1]));
    const text = (turn.text || "").split("\n").filter((line) => !shown.has(line)).join("\n");
    bubble.append(make("p", "text", text));
    if (choices.length) {
      const group = make("div", "choices");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Did you mean");
      choices.forEach((alt, n) => {
        const button = make("button", "choice", alt[1]);
        button.type = "button";
        button.disabled = index !== chat.turns.length - 1 || Boolean(turn.picked);
        button.addEventListener("click", () => ask(String(n + 1), alt[1]));
        group.append(button);
      });
      bubble.append(group);
    }
    if (Array.isArray(turn.why) && turn.why.length) bubble.append(whyControl(turn.why));
    return bubble;
  }

  function whyControl(rows) {
    const box = make("div", "why");
    const id = "why-" + (++whyCount);
    const toggle = make("button", "why-toggle", "why?");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", id);
    const detail = make("dl", "why-detail");
    detail.id = id;
    detail.hidden = true;
    for (const [label, text] of rows) {
      const row = make("div", "why-row");
      row.append(make("dt", "", label), make("dd", "", text));
      detail.append(row);
    }
    toggle.addEventListener("click", () => {
      detail.hidden = !detail.hidden;
      toggle.setAttribute("aria-expanded", String(!detail.hidden));
    });
    box.append(toggle, detail);
    return box;
  }

  function redraw() {
    log.replaceChildren(make("div", "msg bot greeting", GREETING));
    chat.turns.forEach((turn, index) => log.append(render(turn, index)));
    log.scrollTop = log.scrollHeight;
  }

  function add(turn) {
    for (const button of log.querySelectorAll("button.choice")) button.disabled = true;
    chat.turns.push(turn);
    save();
    const bubble = render(turn, chat.turns.length - 1);
    log.append(bubble);
    reveal(bubble);
  }

  // Scroll so that a reply shows with the question above it; a long reply shows its start.
  function reveal(bubble) {
    const question = bubble.classList.contains("user") ? null : bubble.previousElementSibling;
    const anchor = question || bubble;
    const top = anchor.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop;
    log.scrollTop = top - 12; // the browser stops at the bottom when everything fits
  }

  // -- talking to the server ---------------------------------------------------------------------

  function problem(response, body) {
    const message = body && body.error && body.error.message;
    if (response.status === 429) {
      const wait = response.headers.get("Retry-After");
      return "Too many questions from your connection" + (wait ? ": please try again in " + wait + " s." : ".");
    }
    return "Sorry, that did not work (" + response.status + ")" + (message ? ": " + message : ".");
  }

  async function ask(question, shown) {
    const last = chat.turns[chat.turns.length - 1];
    if (shown !== undefined && last) last.picked = true;
    add({ who: "user", text: shown === undefined ? question : shown });
    send.disabled = true;
    log.setAttribute("aria-busy", "true");
    try {
      const response = await fetch("chat/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question: question, state: chat.state }),
      });
      let body = null;
      try { body = await response.json(); } catch (e) { /* not JSON: said below */ }
      if (response.ok && body) {
        chat.state = body.state;
        add({ who: "bot", kind: body.kind, text: body.text, why: body.why,
              alternatives: body.alternatives });
      } else {
        add({ who: "error", text: problem(response, body) });
      }
    } catch (e) {
      add({ who: "error", text: "Could not reach faqbot. Check your connection and try again." });
    } finally {
      send.disabled = false;
      log.removeAttribute("aria-busy");
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || send.disabled) return;
    input.value = "";
    ask(question);
  });

  document.getElementById("new").addEventListener("click", () => {
    chat = { state: null, turns: [] };
    save();
    redraw();
    input.focus();
  });

  applyOptions();
  redraw();
})();
