import { Invoice } from './invoice';
import { formatMoney } from './money';

const invoice = new Invoice('ACME Corp')
  .add({ sku: 'KB-01', description: 'Mechanical keyboard', unitPrice: 120, quantity: 2 })
  .add({ sku: 'MS-07', description: 'Wireless mouse', unitPrice: 45.5, quantity: 2 })
  .add({ sku: 'MN-27', description: '27" monitor', unitPrice: 310, quantity: 1 })
  .add({ sku: 'CB-10', description: 'USB-C cable', unitPrice: 12.25, quantity: 4 });

invoice.applyDiscount(0.1);

const subtotal = invoice.subtotal();
const expected = subtotal * 0.9;
const total = invoice.total();

console.log(`Invoice for ${invoice.customer}`);
console.log(`  subtotal:          ${formatMoney(subtotal)}`);
console.log(`  10% discount:      ${formatMoney(total)}`);
console.log(`  expected:          ${formatMoney(expected)}`);
if (Math.abs(total - expected) > 0.005) {
  console.log('  MISMATCH: the discounted total is wrong');
}
