// Vårdlotsen chat: the full page at / and the embedded panel at /chat.
// Every text from the server or the resident is inserted with textContent, never as HTML.
(function () {
  "use strict";

  var SENDER_KEY = "vardlotsen.sender";
  var HISTORY_KEY = "vardlotsen.history";
  var CONTEXT_KEY = "vardlotsen.context";
  var TIMEOUT_MS = 15000;
  var LEVELS = {
    self_care: { label: "Egenvård", hint: "Du kan troligen ta hand om det själv." },
    primary_care: { label: "Kontakta vårdcentralen", hint: "Inom några dagar." },
    urgent: { label: "Sök vård i dag", hint: "Vänta inte till i morgon." },
    emergency: { label: "Ring 112 nu", hint: "Livshotande tillstånd." }
  };
  var KINDS = {
    emergency: "Larmnummer", advice: "Sjukvårdsrådgivning", digital: "Digital vård",
    vardcentral: "Vårdcentral", jourcentral: "Jourcentral", kvall_helg: "Kvälls- och helgmottagning",
    narakut: "Närakut", akutmottagning: "Akutmottagning", barnakut: "Barnakut",
    e_service: "E-tjänst"
  };
  var OFFLINE = "Jag kan inte nå servern just nu. Vid livshotande tillstånd, ring 112. " +
    "För sjukvårdsrådgivning, ring 1177 eller gå till 1177.se.";

  if (location.pathname === "/chat") { document.body.className = "embedded"; }
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var send = document.getElementById("send");
  var typing = document.getElementById("typing");
  var reset = document.getElementById("reset");

  function newSender() {
    var bytes = crypto.getRandomValues(new Uint8Array(12));
    return "web-" + Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function store(key, value) {
    try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function load(key, fallback) {
    try {
      var raw = sessionStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) { return fallback; }
  }

  // The embedding page passes the signed resident context in the fragment (#ctx=...),
  // which browsers never send to servers; it is moved to sessionStorage at once.
  (function takeContextFromFragment() {
    var match = /(?:^#|&)ctx=([^&]+)/.exec(location.hash);
    if (match) {
      store(CONTEXT_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
  })();

  var sender = load(SENDER_KEY, null);
  if (!sender) { sender = newSender(); store(SENDER_KEY, sender); }
  var history_ = load(HISTORY_KEY, []);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function telLink(number, label) {
    var link = el("a", "tel", label || number);
    link.href = "tel:" + String(number).replace(/[^0-9+]/g, "");
    return link;
  }

  function formatTime(iso) {
    var when = new Date(iso);
    if (isNaN(when.getTime())) { return iso; }
    var days = ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"];
    var today = new Date();
    var clock = when.toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit",
      timeZone: "Europe/Stockholm" });
    var sameDay = when.toDateString() === today.toDateString();
    return (sameDay ? "i dag" : days[when.getDay()]) + " " + clock;
  }

  function careOption(option) {
    var item = el("li", "option");
    var title = el("p", "option-title");
    title.appendChild(el("span", "option-kind", (KINDS[option.kind] || option.kind) + ": "));
    title.appendChild(el("strong", null, option.name));
    item.appendChild(title);
    var status = null;
    // A unit whose hours are not verified shows no opening status: nothing invented.
    var unverified = Boolean(option.unit_id) && option.hours_verified === false;
    if (option.kind === "emergency" || option.kind === "advice") {
      status = "Dygnet runt";
    } else if (unverified) {
      status = null;
    } else if (option.open_now === true) {
      status = "Öppet nu";
    } else if (option.next_opening) {
      status = "Stängt – öppnar " + formatTime(option.next_opening);
    }
    if (status) { item.appendChild(el("p", "option-status", status)); }
    if (option.why) { item.appendChild(el("p", "option-why", option.why)); }
    var contact = el("p", "option-contact");
    if (option.phone) { contact.appendChild(document.createTextNode("Telefon: ")); contact.appendChild(telLink(option.phone)); }
    if (option.address) { contact.appendChild(document.createTextNode(" · " + option.address)); }
    if (option.url) {
      var link = el("a", null, "Webbplats");
      link.href = option.url; link.target = "_blank"; link.rel = "noopener noreferrer";
      contact.appendChild(document.createTextNode(option.phone || option.address ? " · " : ""));
      contact.appendChild(link);
    }
    if (contact.childNodes.length) { item.appendChild(contact); }
    if (unverified) {
      item.appendChild(el("p", "option-note", "Se öppettider och telefonnummer på 1177.se"));
    }
    return item;
  }

  function careCard(result) {
    var level = LEVELS[result.level] || { label: result.level, hint: "" };
    var card = el("section", "card level-" + result.level);
    card.setAttribute("aria-label", "Bedömning: " + level.label);
    var heading = el("h2", "card-level");
    heading.appendChild(el("span", "card-icon", result.level === "emergency" ? "!" : "●"));
    heading.appendChild(document.createTextNode(" " + level.label));
    card.appendChild(heading);
    if (level.hint) { card.appendChild(el("p", "card-hint", level.hint)); }
    if (result.level === "emergency") {
      var call = telLink("112", "Ring 112");
      call.className = "call-112";
      card.appendChild(call);
    }
    if (result.explanations && result.explanations.length) {
      var why = el("details", "card-why");
      why.appendChild(el("summary", null, "Varför den här bedömningen?"));
      var list = el("ul");
      result.explanations.forEach(function (text) { list.appendChild(el("li", null, text)); });
      why.appendChild(list);
      card.appendChild(why);
    }
    var options = result.care_options || result.options || [];
    if (options.length) {
      card.appendChild(el("h3", "card-sub", "Hit kan du vända dig"));
      var list2 = el("ol", "options");
      options.forEach(function (option) { list2.appendChild(careOption(option)); });
      card.appendChild(list2);
    }
    return card;
  }

  function renderButtons(buttons, live) {
    var row = el("div", "buttons");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", "Svarsalternativ");
    buttons.forEach(function (b) {
      var button = el("button", "choice", b.title);
      button.type = "button";
      button.disabled = !live;
      button.addEventListener("click", function () {
        Array.prototype.forEach.call(row.querySelectorAll("button"), function (x) { x.disabled = true; });
        post(b.payload, b.title);
      });
      row.appendChild(button);
    });
    return row;
  }

  // Appends one entry ({role, text, buttons, custom}) to the log.
  function render(entry, live) {
    var wrapper = el("div", "entry " + entry.role);
    if (entry.text) {
      var bubble = el("p", "msg " + entry.role + (entry.error ? " error" : ""));
      var who = el("span", "visually-hidden", entry.role === "user" ? "Du: " : "Vårdlotsen: ");
      bubble.appendChild(who);
      bubble.appendChild(document.createTextNode(entry.text));
      wrapper.appendChild(bubble);
    }
    var custom = entry.custom || {};
    if (custom.type === "triage_result") {
      wrapper.appendChild(careCard(custom));
    } else if (custom.type === "care_options") {
      wrapper.appendChild(careCard({ level: "info", care_options: custom.options }));
    }
    if (entry.buttons && entry.buttons.length) {
      wrapper.appendChild(renderButtons(entry.buttons, live));
    }
    if (wrapper.childNodes.length) {
      log.appendChild(wrapper);
      wrapper.scrollIntoView({ block: "end" });
    }
  }

  function remember(entry) {
    history_.push(entry);
    store(HISTORY_KEY, history_.slice(-200));
  }

  function add(entry) { remember(entry); render(entry, true); }

  function setBusy(busy) {
    typing.hidden = !busy;
    send.disabled = busy;
    log.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function post(message, shown) {
    add({ role: "user", text: shown || message });
    setBusy(true);
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var body = { sender: sender, message: message };
    var token = load(CONTEXT_KEY, null);
    if (token) { body.context_token = token; }
    return fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal
    }).then(function (reply) {
      return reply.json().then(function (data) {
        if (Array.isArray(data)) {
          data.forEach(function (m) {
            if (m.custom && m.custom.type === "context_rejected") { store(CONTEXT_KEY, null); }
            add({ role: "bot", text: m.text, buttons: m.buttons, custom: m.custom });
          });
        } else if (data && data.message) {
          add({ role: "bot", text: data.message, error: true });
        } else {
          add({ role: "bot", text: OFFLINE, error: true });
        }
      });
    }).catch(function () {
      add({ role: "bot", text: OFFLINE, error: true });
    }).finally(function () {
      clearTimeout(timer);
      setBusy(false);
      input.focus();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || send.disabled) { input.focus(); return; }
    input.value = "";
    post(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  reset.addEventListener("click", function () {
    try {
      sessionStorage.removeItem(HISTORY_KEY);
      sessionStorage.removeItem(SENDER_KEY);
      sessionStorage.removeItem(CONTEXT_KEY);
    } catch (e) { /* nothing stored */ }
    history_ = [];
    sender = newSender();
    store(SENDER_KEY, sender);
    log.textContent = "";
    greet();
    input.focus();
  });

  function greet() {
    render({ role: "bot", text: "Hej! Jag är Vårdlotsen, en digital assistent – inte en människa. " +
      "Berätta vad du behöver hjälp med. Vid livshotande tillstånd, ring 112." }, false);
  }

  // A reload shows the same conversation (same tab); buttons of old messages stay inactive.
  greet();
  history_.forEach(function (entry) { render(entry, false); });
})();
