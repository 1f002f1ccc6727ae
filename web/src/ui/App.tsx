// The shell: signed out → the sign-in form; signed in → navigation and the
// page the path names. A 401 anywhere (REST or WebSocket 4401) remembers the
// page, shows the sign-in form, and comes back to it afterwards.
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, hasRole, onUnauthorized, type Me } from "../lib/api";
import { ApiError } from "../lib/errors";
import { currentPath, navigate, onNavigate, parseRoute } from "../lib/router";
import { clearToken, getToken, rememberReturnTo, setToken, takeReturnTo } from "../lib/session";
import { ErrorNote, Link, Loading, Page } from "./common";
import { FleetPage } from "./Fleet";
import { AuditPage } from "./Audit";
import { ChannelsPage } from "./Channels";
import { EventPage } from "./EventPage";
import { EventsPage } from "./Events";
import { RulesPage } from "./Rules";
import { ServerPage } from "./ServerPage";
import { SignIn } from "./SignIn";
import { SilencesPage } from "./Silences";
import { TokensPage } from "./Tokens";
import { UsersPage } from "./Users";

const NAV: { href: string; label: string; admin?: boolean }[] = [
  { href: "/servers", label: "Servers" },
  { href: "/rules", label: "Rules" },
  { href: "/events", label: "Events" },
  { href: "/silences", label: "Silences" },
  { href: "/channels", label: "Channels" }, // viewers read them (secrets masked); editors change them
  { href: "/users", label: "Users", admin: true },
  { href: "/tokens", label: "Tokens" }, // every role manages its own tokens (§7)
  { href: "/audit", label: "Audit", admin: true },
];

export function App() {
  const [token, setTokenState] = useState(getToken());
  const [expired, setExpired] = useState(false);
  const [me, setMe] = useState<Me | null>(null);
  const [meError, setMeError] = useState<string | null>(null);
  const [path, setPath] = useState(currentPath());

  useEffect(() => onNavigate(setPath), []);
  useEffect(
    () =>
      onUnauthorized(() => {
        rememberReturnTo(currentPath());
        setExpired(true);
        setMe(null);
        setTokenState(null);
      }),
    [],
  );

  useEffect(() => {
    if (!token) return;
    const ctl = new AbortController();
    setMeError(null);
    api<Me>("/api/v1/auth/me", { signal: ctl.signal })
      .then(setMe)
      .catch((e) => {
        if (e instanceof ApiError) setMeError(e.message);
      });
    return () => ctl.abort();
  }, [token]);

  // Moving between pages puts the focus on the new page's heading, so a
  // screen reader announces it and Tab starts from the content.
  useEffect(() => {
    document.getElementById("page-title")?.focus();
  }, [path, me]);

  const signedIn = useCallback((t: string) => {
    setToken(t);
    setExpired(false);
    setTokenState(t);
    navigate(takeReturnTo(currentPath()), true);
  }, []);

  const signOut = () => {
    clearToken();
    setMe(null);
    setExpired(false);
    setTokenState(null);
    navigate("/", true);
  };

  if (!token) return <SignIn onSignedIn={signedIn} expired={expired} />;
  if (!me)
    return (
      <main id="main" class="signin">
        {meError ? <ErrorNote message={meError} /> : <Loading what="your account" />}
      </main>
    );

  const route = parseRoute(path);
  const active = route.page === "server" ? "servers" : route.page === "event" ? "events" : route.page;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Sentinel</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.admin || hasRole(me, "admin")).map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={active === n.href.slice(1) ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class="who" title={`Role: ${me.role}`}>
            {me.email} <span class="role">{me.role}</span>
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        {route.page === "servers" && <FleetPage me={me} />}
        {route.page === "server" && <ServerPage id={route.id} me={me} />}
        {route.page === "rules" && <RulesPage me={me} />}
        {route.page === "events" && <EventsPage me={me} />}
        {route.page === "event" && <EventPage id={route.id} me={me} />}
        {route.page === "silences" && <SilencesPage me={me} />}
        {route.page === "channels" && <ChannelsPage me={me} />}
        {route.page === "tokens" && <TokensPage me={me} />}
        {route.page === "users" && <UsersPage me={me} />}
        {route.page === "audit" && <AuditPage me={me} />}
        {route.page === "not_found" && (
          <Page title="Page not found">
            <p>
              There is no page at this address. <Link href="/servers">Go to the servers</Link>.
            </p>
          </Page>
        )}
      </main>
    </>
  );
}
