'use strict';
// Assignments that setters take: a class's, an inherited one, an object literal's, one on a
// plain prototype object; and Error subclasses with and without their own name.
class Temperature {
  constructor(celsius) {
    this.celsius = celsius;
  }
  set fahrenheit(f) {
    this.celsius = (f - 32) / 1.8;
  }
  get fahrenheit() {
    return this.celsius * 1.8 + 32;
  }
}

class Thermostat extends Temperature {
  constructor(celsius, target) {
    super(celsius);
    this.target = target;
  }
}

class NotFound extends Error {
  constructor(what) {
    super(`no ${what}`);
    this.what = what;
  }
}

class Conflict extends Error {
  constructor(what) {
    super(`${what} exists`);
    this.name = 'Conflict';
  }
}

const t = new Temperature(10);
t.fahrenheit = 212;
const th = new Thermostat(20, 22);
th.fahrenheit = 32;
const box = {
  stored: 1,
  set value(x) {
    this.stored = x * 2;
  },
};
box.value = 5;
const proto = {
  set size(n) {
    this.count = n;
  },
};
const sized = Object.create(proto);
sized.size = 3;
const missing = new NotFound('user');
const clash = new Conflict('order');
const plain = new Error('');
console.log(t.fahrenheit, th.celsius, box.stored, sized.count, missing.message, clash.name, plain.message);
