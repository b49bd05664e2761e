/** The cluster, the chain built from it and the display settings, shared by every page. */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { createRpcChain, type Chain } from "@chainference/client";
import { loadCluster, saveCluster, type Cluster } from "./cluster";

/** SOL's price for USD values: a setting (no price feed is queried), 150 by default. */
const USD_KEY = "chainference.usdPerSol";
const DEFAULT_USD_PER_SOL = 150;

export type AppState = {
  readonly cluster: Cluster;
  readonly chain: Chain;
  setCluster(cluster: Cluster): void;
  readonly usdPerSol: number;
  setUsdPerSol(value: number): void;
};

const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error("useApp outside AppProvider");
  return state;
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [cluster, setClusterState] = useState(loadCluster);
  const [usdPerSol, setUsd] = useState(() => Number(localStorage.getItem(USD_KEY)) || DEFAULT_USD_PER_SOL);
  const chain = useMemo(() => createRpcChain(cluster.url, { pollMs: 400 }), [cluster.url]);
  const setCluster = useCallback((next: Cluster) => {
    saveCluster(next);
    setClusterState(next);
  }, []);
  const setUsdPerSol = useCallback((value: number) => {
    localStorage.setItem(USD_KEY, String(value));
    setUsd(value);
  }, []);
  const value = useMemo(
    () => ({ cluster, chain, setCluster, usdPerSol, setUsdPerSol }),
    [cluster, chain, setCluster, usdPerSol, setUsdPerSol],
  );
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}
