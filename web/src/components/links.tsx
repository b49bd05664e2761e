import { useApp } from "../lib/app-context";
import { explorerLink } from "../lib/cluster";
import { shortAddress } from "../lib/format";

/** A transaction signature, shortened, linking to the explorer. */
export function TxLink({ signature, label }: { signature: string; label?: string }) {
  const { cluster } = useApp();
  return (
    <a className="mono" href={explorerLink(cluster, "tx", signature)} target="_blank" rel="noreferrer" data-signature={signature}>
      {label ?? shortAddress(signature, 6)}
    </a>
  );
}

/** An account address, shortened, linking to the explorer. */
export function AddressLink({ address }: { address: string }) {
  const { cluster } = useApp();
  return (
    <a className="mono" href={explorerLink(cluster, "address", address)} target="_blank" rel="noreferrer" title={address}>
      {shortAddress(address)}
    </a>
  );
}
