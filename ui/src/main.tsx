/**
 * The dashboard's entry: read the settings, make sure the page is on the
 * origin its redirect URI names (sessionStorage is per origin), then sign
 * in (or pick the session up again) and show the views.
 */
import { render } from "preact";

import { connectApi } from "./api.js";
import { App } from "./App.js";
import { loadConfig, Session } from "./auth.js";
import { LiveImports } from "./live.js";
import { ServicesContext } from "./services.js";

async function boot(root: HTMLElement) {
  const config = await loadConfig();
  const home = new URL(config.redirect_uri);
  if (location.origin !== home.origin) {
    location.replace(new URL(location.hash, home).href);
    return;
  }
  const session = new Session(config);
  const api = connectApi(session);
  const live = new LiveImports(api, session);
  render(
    <ServicesContext.Provider value={{ session, api, live }}>
      <App />
    </ServicesContext.Provider>,
    root,
  );
  await session.start();
}

const root = document.getElementById("app");
if (root) {
  boot(root).catch((err: unknown) => {
    const message = document.createElement("p");
    message.className = "note note-problem";
    message.setAttribute("role", "alert");
    message.textContent = `The dashboard could not start: ${err instanceof Error ? err.message : String(err)}`;
    root.replaceChildren(message);
  });
}
