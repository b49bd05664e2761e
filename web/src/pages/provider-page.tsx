/**
 * Provider: register or update the connected wallet's server (models, prices, endpoint, X25519 key), and see
 * its locks, completions and earnings. The node itself runs with `chainference serve`.
 */
import { useEffect, useState } from "react";
import {
  createServerKeyring,
  encodeServerKeyring,
  fetchLockedRequests,
  fetchOwnServer,
  generateX25519KeyPair,
  getServerReputation,
  publishServer,
  validateModelId,
  type ModelInputArgs,
} from "@chainference/client";
import { address as toAddress } from "@solana/kit";
import { Amount } from "../components/amount";
import { AddressLink, TxLink } from "../components/links";
import { ErrorNotice, Notice } from "../components/notice";
import { useApp } from "../lib/app-context";
import { describeError, type UserError } from "../lib/errors";
import { formatInteger, formatSol, parseSol } from "../lib/format";
import { serverEvents } from "../lib/server-events";
import { useLoad } from "../lib/use-load";
import { useWallet } from "../wallet/wallet-context";

type ModelForm = { hfId: string; revision: string; quantization: string; priceIn: string; priceOut: string; maxContext: string };
const EMPTY_MODEL: ModelForm = { hfId: "", revision: "", quantization: "Q4_K_M", priceIn: "0.001", priceOut: "0.005", maxContext: "8192" };

const toHex = (bytes: Uint8Array | readonly number[]) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (hex: string): Uint8Array | null =>
  /^[0-9a-f]{64}$/i.test(hex.trim()) ? Uint8Array.from(hex.trim().match(/../g)!, (h) => parseInt(h, 16)) : null;

/** The form's models as the program takes them, or the first problem. */
function parseModels(models: readonly ModelForm[]): ModelInputArgs[] | string {
  const out: ModelInputArgs[] = [];
  for (const [i, m] of models.entries()) {
    const where = `Model ${i + 1}`;
    const problem = validateModelId(m.hfId.trim());
    if (problem) return `${where}: '${m.hfId}' is not a Hugging Face id (org/name): ${problem}`;
    const priceIn = parseSol(m.priceIn);
    const priceOut = parseSol(m.priceOut);
    if (priceIn === null || priceOut === null) return `${where}: prices are SOL per 1M tokens, like 0.001`;
    const maxContext = Number(m.maxContext);
    if (!Number.isInteger(maxContext) || maxContext < 1) return `${where}: the context window is a number of tokens`;
    out.push({ hfId: m.hfId.trim(), revision: m.revision.trim(), quantization: m.quantization.trim(), priceIn, priceOut, maxContext });
  }
  return out.length ? out : "List at least one model.";
}

export function ProviderPage() {
  const { chain, cluster } = useApp();
  const { signer } = useWallet();
  const own = useLoad(async () => {
    if (!signer) return null;
    const found = await fetchOwnServer(chain, signer.address);
    if (!found) return { found: null, locks: [], events: [] };
    const [locks, events] = await Promise.all([fetchLockedRequests(chain, found.address), serverEvents(chain, found.address)]);
    return { found, locks, events };
  }, [chain, signer]);
  const [models, setModels] = useState<ModelForm[]>([{ ...EMPTY_MODEL }]);
  const [endpoint, setEndpoint] = useState("");
  const [keyHex, setKeyHex] = useState("");
  const [active, setActive] = useState(true);
  const [keyring, setKeyring] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<UserError | null>(null);
  const [saved, setSaved] = useState<{ signature: string; created: boolean } | null>(null);

  // Start the form from the listing on-chain.
  const listing = own.data?.found?.server;
  useEffect(() => {
    if (!listing) return;
    setModels(
      listing.models.map((m) => ({
        hfId: m.hfId,
        revision: m.revision,
        quantization: m.quant,
        priceIn: formatSol(m.priceIn),
        priceOut: formatSol(m.priceOut),
        maxContext: String(m.maxContext),
      })),
    );
    setEndpoint(listing.endpoint);
    setKeyHex(toHex(Uint8Array.from(listing.x25519Key)));
    setActive(listing.active);
  }, [listing]);

  const generateKey = () => {
    const pair = generateX25519KeyPair();
    setKeyHex(toHex(pair.publicKey));
    setKeyring(encodeServerKeyring(createServerKeyring({ epoch: (listing?.keyEpoch ?? -1) + 1, secretKey: pair.secretKey })));
  };

  const save = async () => {
    setError(null);
    setSaved(null);
    if (!signer) return;
    const parsed = parseModels(models);
    if (typeof parsed === "string") return setError({ kind: "other", title: parsed });
    const x25519Key = fromHex(keyHex);
    if (!x25519Key)
      return setError({ kind: "other", title: "The X25519 key is 64 hex characters (32 bytes). Generate one, or paste your node's." });
    setSaving(true);
    try {
      const result = await publishServer(chain, signer, { x25519Key, endpoint: endpoint.trim(), models: parsed, active });
      setSaved({ signature: result.sent.signature, created: result.created });
      own.reload();
    } catch (e) {
      setError(describeError(e, { rpcUrl: cluster.url }));
    } finally {
      setSaving(false);
    }
  };

  const setModel = (i: number, change: Partial<ModelForm>) => setModels((all) => all.map((m, j) => (j === i ? { ...m, ...change } : m)));
  if (!signer)
    return (
      <div className="page">
        <header className="page-header">
          <div>
            <h1>Provider</h1>
            <p className="muted">Offer your GPU or CPU: list models and prices on-chain, then run the node with chainference serve.</p>
          </div>
        </header>
        <Notice>Connect the wallet that will operate the server (it signs the listing and receives the earnings).</Notice>
      </div>
    );
  const found = own.data?.found ?? null;
  const rep = found ? getServerReputation(found.server) : null;
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Provider</h1>
          <p className="muted">
            {found ? (
              <>
                Your server <AddressLink address={found.address} /> is {found.server.active ? "listed and active" : "listed, inactive"}.
              </>
            ) : (
              "This wallet has no server yet: list your models and prices to register one."
            )}
          </p>
        </div>
      </header>
      {own.error ? <ErrorNotice error={describeError(own.error, { rpcUrl: cluster.url })} /> : null}
      {found && rep ? (
        <div className="stats">
          <div className="stat card">
            <div className="stat-label">Earnings</div>
            <div className="stat-value">
              <Amount lamports={rep.lamportsEarned} testId="provider-earnings" />
            </div>
          </div>
          <div className="stat card">
            <div className="stat-label">Completed</div>
            <div className="stat-value">{formatInteger(rep.completed)}</div>
          </div>
          <div className="stat card">
            <div className="stat-label">Expired</div>
            <div className="stat-value">{formatInteger(rep.expired)}</div>
          </div>
          <div className="stat card">
            <div className="stat-label">Locks now</div>
            <div className="stat-value">{own.data?.locks.length ?? 0}</div>
          </div>
        </div>
      ) : null}

      <form
        className="card provider-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h2>{found ? "Update listing" : "Register a server"}</h2>
        <fieldset>
          <legend>Models</legend>
          {models.map((m, i) => (
            <div className="model-row" key={i}>
              <div className="field grow">
                <label htmlFor={`hf-${i}`}>Hugging Face id</label>
                <input id={`hf-${i}`} placeholder="org/model" value={m.hfId} onChange={(e) => setModel(i, { hfId: e.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={`rev-${i}`}>Revision</label>
                <input id={`rev-${i}`} placeholder="any" value={m.revision} onChange={(e) => setModel(i, { revision: e.target.value })} />
              </div>
              <div className="field narrow">
                <label htmlFor={`quant-${i}`}>Quant</label>
                <input id={`quant-${i}`} value={m.quantization} onChange={(e) => setModel(i, { quantization: e.target.value })} />
              </div>
              <div className="field narrow">
                <label htmlFor={`in-${i}`}>In (SOL/1M)</label>
                <input id={`in-${i}`} inputMode="decimal" value={m.priceIn} onChange={(e) => setModel(i, { priceIn: e.target.value })} />
              </div>
              <div className="field narrow">
                <label htmlFor={`out-${i}`}>Out (SOL/1M)</label>
                <input id={`out-${i}`} inputMode="decimal" value={m.priceOut} onChange={(e) => setModel(i, { priceOut: e.target.value })} />
              </div>
              <div className="field narrow">
                <label htmlFor={`ctx-${i}`}>Context</label>
                <input
                  id={`ctx-${i}`}
                  inputMode="numeric"
                  value={m.maxContext}
                  onChange={(e) => setModel(i, { maxContext: e.target.value })}
                />
              </div>
              {models.length > 1 ? (
                <button
                  type="button"
                  className="button button-small button-ghost"
                  aria-label={`Remove model ${i + 1}`}
                  onClick={() => setModels((all) => all.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              ) : null}
            </div>
          ))}
          <button
            type="button"
            className="button button-small button-ghost"
            onClick={() => setModels((all) => [...all, { ...EMPTY_MODEL }])}
          >
            Add a model
          </button>
        </fieldset>
        <div className="field">
          <label htmlFor="endpoint">Endpoint (optional URL clients may show)</label>
          <input id="endpoint" type="url" placeholder="https://…" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="x25519">X25519 public key (hex): prompts are encrypted to it</label>
          <div className="input-row">
            <input
              id="x25519"
              className="mono"
              value={keyHex}
              onChange={(e) => setKeyHex(e.target.value)}
              placeholder="64 hex characters"
            />
            <button type="button" className="button button-ghost" onClick={generateKey}>
              Generate
            </button>
          </div>
          {keyring ? (
            <p className="small">
              New key pair made in this browser.{" "}
              <a href={`data:application/json;charset=utf-8,${encodeURIComponent(keyring)}`} download="server-keyring.json">
                Download server-keyring.json
              </a>{" "}
              and give it to your node (its secret key never leaves your machine otherwise).
            </p>
          ) : null}
        </div>
        {found ? (
          <label className="checkbox">
            <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> Active (accepting requests)
          </label>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
        {saved ? (
          <Notice tone="success">
            {saved.created ? "Registered" : "Updated"}: <TxLink signature={saved.signature} />. It is in the <a href="#/market">market</a>{" "}
            now; run your node with chainference serve.
          </Notice>
        ) : null}
        <div>
          <button className="button button-primary" type="submit" disabled={saving} data-testid="publish-server">
            {saving ? "Waiting for the wallet…" : found ? "Update listing" : "Register server"}
          </button>
        </div>
      </form>

      {found ? (
        <section className="card">
          <h2>Locks and completions</h2>
          {own.data!.locks.length ? (
            <ul className="events">
              {own.data!.locks.map((l) => (
                <li key={l.address}>
                  locked <AddressLink address={toAddress(l.address)} /> · {l.model} · stake <Amount lamports={l.stake} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No request locked right now.</p>
          )}
          <ol className="events">
            {own.data!.events.map((e) => (
              <li key={`${e.signature}-${e.what}`}>
                <span className="muted">slot {formatInteger(e.slot)}</span> {e.what} <TxLink signature={e.signature} />
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </div>
  );
}
