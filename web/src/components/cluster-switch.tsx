/** Localnet, devnet or a custom RPC URL; remembered (lib/cluster.ts). */
import { useState } from "react";
import { useApp } from "../lib/app-context";
import { DEVNET_URL, LOCALNET_URL, isRpcUrl, type ClusterName } from "../lib/cluster";

/** "Local :8899" for a chain on this machine, else the host. */
function customLabel(url: string): string {
  const { hostname, host, port } = new URL(url);
  return hostname === "127.0.0.1" || hostname === "localhost" ? `Local :${port || "80"}` : host;
}

export function ClusterSwitch() {
  const { cluster, setCluster } = useApp();
  const [editing, setEditing] = useState(false);
  const [custom, setCustom] = useState(cluster.name === "custom" ? cluster.url : "");
  const choose = (name: ClusterName) => {
    if (name === "localnet") setCluster({ name, url: LOCALNET_URL });
    else if (name === "devnet") setCluster({ name, url: DEVNET_URL });
    else setEditing(true);
  };
  return (
    <div className="cluster">
      <label className="visually-hidden" htmlFor="cluster-select">
        Cluster
      </label>
      <select id="cluster-select" value={editing ? "custom" : cluster.name} onChange={(e) => choose(e.target.value as ClusterName)}>
        <option value="localnet">Localnet</option>
        <option value="devnet">Devnet</option>
        <option value="custom">{cluster.name === "custom" && !editing ? customLabel(cluster.url) : "Custom RPC…"}</option>
      </select>
      {editing ? (
        <form
          className="cluster-custom"
          onSubmit={(e) => {
            e.preventDefault();
            if (!isRpcUrl(custom)) return;
            setCluster({ name: "custom", url: custom });
            setEditing(false);
          }}
        >
          <label className="visually-hidden" htmlFor="cluster-url">
            RPC URL
          </label>
          <input
            id="cluster-url"
            type="url"
            placeholder="https://…"
            value={custom}
            onChange={(e) => setCustom(e.target.value)}
            aria-invalid={custom !== "" && !isRpcUrl(custom)}
            autoFocus
          />
          <button className="button button-small" type="submit" disabled={!isRpcUrl(custom)}>
            Use
          </button>
          <button className="button button-small button-ghost" type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : null}
    </div>
  );
}
