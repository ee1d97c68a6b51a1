import { roundCents } from './money';

export interface LineItem {
  sku: string;
  description: string;
  unitPrice: number;
  quantity: number;
}

export class Invoice {
  readonly items: LineItem[] = [];
  private discountRate = 0;

  constructor(readonly customer: string) {}

  add(item: LineItem): this {
    this.items.push(item);
    return this;
  }

  /** A loyalty discount: `rate` off every line. */
  applyDiscount(rate: number): void {
    this.discountRate = rate;
  }

  subtotal(): number {
    let sum = 0;
    for (const item of this.items) {
      sum += item.unitPrice * item.quantity;
    }
    return roundCents(sum);
  }

  total(): number {
    let total = 0;
    for (const item of this.items) {
      const line = item.unitPrice * item.quantity;
      total += line;
      if (this.discountRate > 0) {
        total = total * (1 - this.discountRate);
      }
    }
    return roundCents(total);
  }
}
