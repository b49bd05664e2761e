/** Hash routes (`#/market`, `#/market/<server>`): the app works from any static file server. */
import { useEffect, useState } from "react";

export type Route =
  | { readonly page: "chat" }
  | { readonly page: "market" }
  | { readonly page: "server"; readonly server: string }
  | { readonly page: "history" }
  | { readonly page: "provider" };

export function parseRoute(hash: string): Route {
  const [page, arg] = hash.replace(/^#\/?/, "").split("/");
  if (page === "market" && arg) return { page: "server", server: arg };
  if (page === "market" || page === "history" || page === "provider") return { page };
  return { page: "chat" };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => {
      setRoute(parseRoute(location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
