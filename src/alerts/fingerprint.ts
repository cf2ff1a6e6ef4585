import { createHash } from 'node:crypto';

/** Rule plus labels, hashed: the same condition always gets the same fingerprint, whatever the label order. */
export function alertFingerprint(rule: string, labels: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256')
    .update(JSON.stringify([rule, sorted]))
    .digest('hex')
    .slice(0, 16);
}
