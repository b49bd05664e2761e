/** The shell: top bar (brand, pages, cluster, theme, wallet) and the current page. */
import { useEffect, useState } from "react";
import { ClusterSwitch } from "./components/cluster-switch";
import { WalletButton } from "./components/wallet-button";
import { AppProvider, useApp } from "./lib/app-context";
import { useRoute, type Route } from "./lib/router";
import { ChatPage } from "./pages/chat/chat-page";
import { HistoryPage } from "./pages/history-page";
import { MarketPage } from "./pages/market/market-page";
import { ServerDetail } from "./pages/market/server-detail";
import { ProviderPage } from "./pages/provider-page";
import { WalletProvider } from "./wallet/wallet-context";

const NAV: { page: Route["page"]; label: string; href: string }[] = [
  { page: "chat", label: "Chat", href: "#/" },
  { page: "market", label: "Market", href: "#/market" },
  { page: "history", label: "History", href: "#/history" },
  { page: "provider", label: "Provider", href: "#/provider" },
];

type Theme = "light" | "dark";

function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(
    () =>
      (localStorage.getItem("chainference.theme") as Theme | null) ??
      (window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"),
  );
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = () => {
    const next = theme === "dark" ? "light" : "dark";
    localStorage.setItem("chainference.theme", next);
    setTheme(next);
  };
  return [theme, toggle];
}

function Shell() {
  const route = useRoute();
  const { cluster } = useApp();
  const [theme, toggleTheme] = useTheme();
  const current = route.page === "server" ? "market" : route.page;
  return (
    <WalletProvider cluster={cluster}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="#/" aria-label="Chainference home">
          <span className="brand-mark" aria-hidden>
            ◆
          </span>
          <span className="brand-name">Chainference</span>
        </a>
        <nav aria-label="Pages" className="nav">
          {NAV.map((n) => (
            <a key={n.page} href={n.href} aria-current={current === n.page ? "page" : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <div className="topbar-actions">
          <ClusterSwitch />
          <button
            className="button button-ghost icon-button"
            onClick={toggleTheme}
            aria-label={theme === "dark" ? "Switch to light theme" : "Switch to dark theme"}
          >
            {theme === "dark" ? "☀" : "☾"}
          </button>
          <WalletButton />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === "chat" ? <ChatPage /> : null}
        {route.page === "market" ? <MarketPage /> : null}
        {route.page === "server" ? <ServerDetail server={route.server} /> : null}
        {route.page === "history" ? <HistoryPage /> : null}
        {route.page === "provider" ? <ProviderPage /> : null}
      </main>
    </WalletProvider>
  );
}

export function App() {
  return (
    <AppProvider>
      <Shell />
    </AppProvider>
  );
}
