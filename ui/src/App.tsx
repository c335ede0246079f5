/** The page around every view: skip link, header and navigation, sign in and out. */
import { useEffect, useRef } from "preact/hooks";

import { shortId } from "./format.js";
import { ImportPage } from "./pages/ImportPage.js";
import { Project } from "./pages/Project.js";
import { Projects } from "./pages/Projects.js";
import { Servers } from "./pages/Servers.js";
import { href, useRoute, type Route } from "./router.js";
import { useServices, useSubscription } from "./services.js";

function title(route: Route): string {
  switch (route.page) {
    case "projects":
      return "Projects";
    case "project":
      return route.project;
    case "import":
      return `Import ${shortId(route.id)}`;
    case "servers":
      return "FHIR servers";
    case "missing":
      return "Not found";
  }
}

export function App() {
  const { session } = useServices();
  useSubscription(session);
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    document.title = `${title(route)} · fhir-import`;
    // A new view: start reading from its top, as after a page load.
    if (first.current) {
      first.current = false;
    } else {
      window.scrollTo(0, 0);
      main.current?.focus({ preventScroll: true });
    }
  }, [route]);

  const state = session.state;
  const signedIn = state.kind === "signed-in";
  const admin = signedIn && state.scopes.has("admin");
  const skip = (event: Event) => {
    event.preventDefault();
    main.current?.focus();
  };

  return (
    <>
      <a class="skip" href="#main" onClick={skip}>
        Skip to content
      </a>
      <header class="top">
        <div class="top-inner">
          <a class="brand" href={href.projects()}>
            <span class="brand-mark" aria-hidden="true" />
            fhir-import
          </a>
          {signedIn && (
            <nav aria-label="Main">
              <ul>
                <li>
                  <a
                    href={href.projects()}
                    aria-current={route.page === "projects" ? "page" : undefined}
                    class={route.page === "project" || route.page === "import" ? "within" : undefined}
                  >
                    Projects
                  </a>
                </li>
                {admin && (
                  <li>
                    <a href={href.servers()} aria-current={route.page === "servers" ? "page" : undefined}>
                      FHIR servers
                    </a>
                  </li>
                )}
              </ul>
            </nav>
          )}
          {signedIn && (
            <div class="account">
              {state.user && <span class="user">{state.user}</span>}
              <button type="button" onClick={() => void session.signOut()}>
                Sign out
              </button>
            </div>
          )}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {state.kind === "starting" && (
          <p class="muted" role="status">
            Signing in…
          </p>
        )}
        {state.kind === "signing-out" && (
          <p class="muted" role="status">
            Signing out…
          </p>
        )}
        {state.kind === "unreachable" && (
          <div class="note note-passing" role="status">
            <p>The server cannot be reached right now ({state.reason}); reconnecting…</p>
          </div>
        )}
        {state.kind === "signed-out" && <SignedOut reason={state.reason} />}
        {signedIn && <View route={route} />}
      </main>
    </>
  );
}

function View({ route }: { route: Route }) {
  switch (route.page) {
    case "projects":
      return <Projects />;
    case "project":
      return <Project key={route.project} project={route.project} />;
    case "import":
      return <ImportPage key={route.id} id={route.id} />;
    case "servers":
      return <Servers />;
    case "missing":
      return (
        <>
          <h1>Not found</h1>
          <p>
            There is no page at <code>{route.path}</code>. <a href={href.projects()}>Go to your projects</a>.
          </p>
        </>
      );
  }
}

function SignedOut({ reason }: { reason?: string }) {
  const { session } = useServices();
  return (
    <div class="signed-out">
      <h1>fhir-import dashboard</h1>
      <p class="lede">
        Follow imports of FHIR DocumentReferences live, read their rejections and find files by metadata.
      </p>
      <p role="status" class="muted">
        {reason ?? "You are not signed in."}
      </p>
      <button type="button" class="primary big" onClick={() => void session.signIn()}>
        Sign in
      </button>
    </div>
  );
}
