import { MuxedAccount, StrKey } from '@stellar/stellar-sdk';
import type { Party } from './ledger';

/** A G… or M… address as the account it names; null if it is neither. */
export function partyOf(address: string): Party | null {
  if (StrKey.isValidEd25519PublicKey(address)) return { account: address, muxed: null };
  if (StrKey.isValidMed25519PublicKey(address)) {
    const muxed = MuxedAccount.fromAddress(address, '0');
    return { account: muxed.baseAccount().accountId(), muxed: { address, id: muxed.id() } };
  }
  return null;
}
