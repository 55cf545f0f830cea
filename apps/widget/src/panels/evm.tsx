import { useId, useState } from 'react';
import type { EvmNetwork } from '../api';
import type { Locale } from '../i18n';
import type { PanelProps, RailPanelProps } from '../rail-state';
import { Fact, QrImage } from './parts';

/** The panel's words, in every language the page speaks; they come with the panel, not the page. */
type EvmMessages = Readonly<{
  token: string;
  show: string;
  qrCaption: string;
  qrAlt: string;
  openWallet: string;
  address: string;
  network: string;
  onlyThis: (code: string, network: string) => string;
}>;

export const EVM_MESSAGES: Readonly<Record<Locale, EvmMessages>> = {
  en: {
    token: 'Token and network',
    show: 'Show address',
    qrCaption: 'Scan with your wallet',
    qrAlt: 'QR code of the payment',
    openWallet: 'Open in wallet',
    address: 'Address',
    network: 'Network',
    onlyThis: (code, network) => `Send only ${code} on ${network}; other tokens or networks are lost.`,
  },
  de: {
    token: 'Token und Netzwerk',
    show: 'Adresse anzeigen',
    qrCaption: 'Mit Ihrer Wallet scannen',
    qrAlt: 'QR-Code der Zahlung',
    openWallet: 'In der Wallet öffnen',
    address: 'Adresse',
    network: 'Netzwerk',
    onlyThis: (code, network) =>
      `Nur ${code} über ${network} senden; andere Token oder Netzwerke gehen verloren.`,
  },
};

// Names payers know from their wallets' network pickers; the same in every language.
const EVM_NETWORK_NAMES: Readonly<Record<EvmNetwork, string>> = {
  tron: 'Tron (TRC20)',
  bsc: 'BNB Chain (BEP20)',
  ethereum: 'Ethereum (ERC20)',
};
/** The API's own default. */
const DEFAULT_EVM_ASSET = 'USDT:tron';
/** The tokens a stablecoin invoice can be made in, by asset id (`USDT:tron`), as wallets name them. */
const EVM_TOKENS = ['USDT', 'USDC'].flatMap((code) =>
  Object.entries(EVM_NETWORK_NAMES).map(([network, name]) => ({
    id: `${code}:${network}`,
    name: `${code} · ${name}`,
  })),
);

/**
 * The token and network of a stablecoin invoice, picked before it is made: each is an invoice, and
 * an address, of its own. A button, not the change of the select: arrow keys would make an invoice
 * per step.
 */
export function Lead({ state, choose, t }: RailPanelProps) {
  const words = EVM_MESSAGES[t.locale];
  const { asset } = state;
  const id = useId();
  const [picked, setPicked] = useState(asset ?? DEFAULT_EVM_ASSET);
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        choose('evm', picked);
      }}
    >
      <label htmlFor={id}>{words.token}</label>
      <select id={id} value={picked} onChange={(event) => setPicked(event.currentTarget.value)}>
        {EVM_TOKENS.map((token) => (
          <option key={token.id} value={token.id}>
            {token.name}
          </option>
        ))}
      </select>
      <button type="submit">{words.show}</button>
    </form>
  );
}

/**
 * Stablecoin: the payer sends `amount` of one token to the invoice's address, from any wallet on
 * that network. The link (EIP-681) opens EVM wallets with all of it filled in; Tron has no such
 * link, its QR code is the address. The same token on another network is another coin: lost.
 */
export function Body({ instructions, t, money }: PanelProps<'evm'>) {
  const words = EVM_MESSAGES[t.locale];
  const { address, amount, asset, uri } = instructions;
  const network = EVM_NETWORK_NAMES[instructions.network];
  return (
    <div className="stack">
      <p className="warn">{words.onlyThis(asset.code, network)}</p>
      <QrImage svg={instructions.qrSvg} caption={words.qrCaption} alt={words.qrAlt} />
      {uri.startsWith('ethereum:') && (
        <a className="button button-primary" href={uri} target="_blank" rel="noopener">
          {words.openWallet}
        </a>
      )}
      <dl className="facts">
        {/* 18 decimals on BNB Chain: shown without trailing zeros, copied exactly as asked. */}
        <Fact
          label={t.amountLabel}
          value={money({
            amount: amount.includes('.') ? amount.replace(/\.?0+$/, '') : amount,
            asset: asset.id,
          })}
          copyValue={amount}
          t={t}
        />
        <Fact label={words.address} value={address} copyValue={address} t={t} />
        <Fact label={words.network} value={network} t={t} />
      </dl>
    </div>
  );
}
