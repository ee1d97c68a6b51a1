/** Rounds to whole cents, as the accounting system does. */
export function roundCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}

export function formatMoney(amount: number): string {
  return `$${roundCents(amount).toFixed(2)}`;
}
