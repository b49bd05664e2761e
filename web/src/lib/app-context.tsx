/** The cluster, the chain built from it and the display settings, shared by every page. */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { createRpcChain, type Chain } from "@chainference/client";
import { withWalletSending } from "@chainference/client/wallet";
import { loadCluster, saveCluster, type Cluster } from "./cluster";

/** SOL's price for USD values: a setting (no price feed is queried), 150 by default. */
const USD_KEY = "chainference.usdPerSol";
const DEFAULT_USD_PER_SOL = 150;
/** The unit amounts are typed in (stake, deposit, max price), remembered like the rate. */
const UNIT_KEY = "chainference.amountUnit";

export type AmountUnit = "SOL" | "USD";

export type AppState = {
  readonly cluster: Cluster;
  readonly chain: Chain;
  setCluster(cluster: Cluster): void;
  readonly usdPerSol: number;
  setUsdPerSol(value: number): void;
  readonly amountUnit: AmountUnit;
  setAmountUnit(unit: AmountUnit): void;
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
  const [amountUnit, setUnit] = useState<AmountUnit>(() => (localStorage.getItem(UNIT_KEY) === "USD" ? "USD" : "SOL"));
  // Wallets that only sign-and-send put their transactions on the cluster themselves; the chain then confirms them.
  const chain = useMemo(() => withWalletSending(createRpcChain(cluster.url, { pollMs: 400 }), cluster.url), [cluster.url]);
  const setCluster = useCallback((next: Cluster) => {
    saveCluster(next);
    setClusterState(next);
  }, []);
  const setUsdPerSol = useCallback((value: number) => {
    localStorage.setItem(USD_KEY, String(value));
    setUsd(value);
  }, []);
  const setAmountUnit = useCallback((unit: AmountUnit) => {
    localStorage.setItem(UNIT_KEY, unit);
    setUnit(unit);
  }, []);
  const value = useMemo(
    () => ({ cluster, chain, setCluster, usdPerSol, setUsdPerSol, amountUnit, setAmountUnit }),
    [cluster, chain, setCluster, usdPerSol, setUsdPerSol, amountUnit, setAmountUnit],
  );
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}
