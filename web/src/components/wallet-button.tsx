/** Connect / disconnect, with the wallets the page knows and the connected account's balance. */
import { useEffect, useRef, useState } from "react";
import { address as toAddress } from "@solana/kit";
import { useApp } from "../lib/app-context";
import { shortAddress } from "../lib/format";
import { useLoad } from "../lib/use-load";
import { useWallet } from "../wallet/wallet-context";
import { formatSol } from "../lib/format";

export function WalletButton() {
  const { wallets, account, wallet, connect, disconnect, connecting } = useWallet();
  const { chain } = useApp();
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const balance = useLoad(async () => (account ? chain.getBalance(toAddress(account.address)) : null), [chain, account]);
  // The balance moves with every request: re-read it every few seconds while connected.
  const reloadBalance = balance.reload;
  useEffect(() => {
    if (!account) return;
    const timer = setInterval(reloadBalance, 5_000);
    return () => clearInterval(timer);
  }, [account, reloadBalance]);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => menu.current && !menu.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);

  if (account && wallet)
    return (
      <div className="wallet" ref={menu}>
        <button
          className="button button-ghost"
          aria-haspopup="menu"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
          data-testid="wallet-account"
        >
          <img src={wallet.icon} alt="" width={18} height={18} />
          <span className="mono">{shortAddress(account.address)}</span>
          {balance.data != null ? <span className="muted wallet-balance">{formatSol(balance.data)} SOL</span> : null}
        </button>
        {open ? (
          <div className="menu" role="menu">
            <div className="menu-note mono">{account.address}</div>
            <button role="menuitem" className="menu-item" onClick={() => void navigator.clipboard?.writeText(account.address)}>
              Copy address
            </button>
            <button role="menuitem" className="menu-item" onClick={() => void disconnect().then(() => setOpen(false))}>
              Disconnect
            </button>
          </div>
        ) : null}
      </div>
    );
  return (
    <div className="wallet" ref={menu}>
      <button
        className="button button-primary"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        disabled={connecting}
      >
        {connecting ? "Connecting…" : "Connect wallet"}
      </button>
      {open ? (
        <div className="menu" role="menu" aria-label="Wallets">
          {wallets.length === 0 ? (
            <div className="menu-note">
              No Solana wallet found in this browser. Install one that supports wallet-standard (Phantom, Solflare, Backpack).
            </div>
          ) : (
            wallets.map((w) => (
              <button
                key={w.name}
                role="menuitem"
                className="menu-item"
                onClick={() => {
                  setOpen(false);
                  void connect(w).catch(() => undefined);
                }}
              >
                <img src={w.icon} alt="" width={20} height={20} /> {w.name}
              </button>
            ))
          )}
        </div>
      ) : null}
    </div>
  );
}
