'use strict';
// A class with state, a method that calls another method, and a static helper.
class Account {
  constructor(owner, balance) {
    this.owner = owner;
    this.balance = balance;
    this.history = [];
  }

  deposit(amount) {
    const before = this.balance;
    this.balance = before + amount;
    this.history.push(amount);
    return this.balance;
  }

  transfer(to, amount) {
    if (amount > this.balance) {
      return false;
    }
    this.balance -= amount;
    to.deposit(amount);
    return true;
  }

  static describe(account) {
    return account.owner + ': ' + account.balance;
  }
}

const alice = new Account('alice', 100);
const bob = new Account('bob', 5);
alice.deposit(20);
const ok = alice.transfer(bob, 50);
const refused = bob.transfer(alice, 1000);
console.log(Account.describe(alice), Account.describe(bob), ok, refused);
