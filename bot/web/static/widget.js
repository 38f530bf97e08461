// Vårdlotsen launcher for a host page:
//   <script src="https://<host>/widget.js" data-token="<signed context>" defer></script>
// It adds a button that opens the chat in a panel. The chat itself runs in an iframe from
// Vårdlotsen's own origin, so the host page's styles and scripts cannot reach it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || document.getElementById("vardlotsen-launcher")) { return; }
  var origin = new URL(script.src, location.href).origin;
  var token = script.getAttribute("data-token") || "";
  var label = script.getAttribute("data-label") || "Chatta med Vårdlotsen";
  var panelId = "vardlotsen-panel";

  function css(node, rules) { Object.keys(rules).forEach(function (k) { node.style[k] = rules[k]; }); }

  var launcher = document.createElement("button");
  launcher.id = "vardlotsen-launcher";
  launcher.type = "button";
  launcher.textContent = label;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", panelId);
  css(launcher, { position: "fixed", right: "1rem", bottom: "1rem", zIndex: "2147483000",
    font: "600 1rem system-ui, sans-serif", padding: ".75rem 1.1rem", borderRadius: "2rem",
    border: "2px solid #ffffff", background: "#0a4f9e", color: "#ffffff", cursor: "pointer",
    boxShadow: "0 2px 8px rgba(0,0,0,.35)" });

  var panel = document.createElement("div");
  panel.id = panelId;
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Vårdlotsen chatt");
  css(panel, { position: "fixed", right: "1rem", bottom: "4.5rem", zIndex: "2147483001",
    width: "min(27rem, calc(100vw - 2rem))", height: "min(42rem, calc(100vh - 6rem))",
    background: "#ffffff", border: "2px solid #0a4f9e", borderRadius: ".6rem",
    boxShadow: "0 4px 18px rgba(0,0,0,.35)", display: "flex", flexDirection: "column" });

  var bar = document.createElement("div");
  css(bar, { display: "flex", justifyContent: "flex-end", padding: ".25rem" });
  var close = document.createElement("button");
  close.type = "button";
  close.textContent = "Stäng chatten";
  css(close, { font: "600 .95rem system-ui, sans-serif", padding: ".4rem .8rem",
    border: "2px solid #0a4f9e", background: "#ffffff", color: "#0a4f9e", borderRadius: ".4rem",
    cursor: "pointer" });
  bar.appendChild(close);
  panel.appendChild(bar);

  var frame = null;
  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = "Vårdlotsen – chatt om hälsa och vård";
      frame.src = origin + "/chat" + (token ? "#ctx=" + encodeURIComponent(token) : "");
      css(frame, { border: "0", width: "100%", flex: "1" });
      panel.appendChild(frame);
    }
    panel.hidden = false;
    panel.style.display = "flex";
    launcher.setAttribute("aria-expanded", "true");
    frame.focus();
  }
  function shut() {
    panel.hidden = true;
    panel.style.display = "none";
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  panel.style.display = "none";
  launcher.addEventListener("click", function () { if (panel.hidden) { open(); } else { shut(); } });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") { shut(); } });

  document.body.appendChild(panel);
  document.body.appendChild(launcher);
  if (script.getAttribute("data-open") === "true") { open(); }
})();
