// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons copy the text of the element they name.
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      if (!source) return;
      const text = source.textContent;
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        document.execCommand("copy");
      }
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = label; }, 1500);
    });
  }
  // A running build's log follows live (Server-Sent Events); the page shows what existed when it was rendered.
  const log = document.querySelector("[data-events]");
  if (log && window.EventSource) {
    const output = log.querySelector("code") || log;
    output.textContent = "";
    const status = document.getElementById("build-status");
    const source = new EventSource(log.dataset.events);
    source.addEventListener("line", (event) => {
      output.append(event.data + "\n");
      log.scrollTop = log.scrollHeight;
    });
    source.addEventListener("end", (event) => {
      if (status) status.textContent = event.data;
      source.close();
    });
    source.onerror = () => source.close();
  }
});
