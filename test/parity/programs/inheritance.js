'use strict';
// Classes with inheritance and super, getters and setters, a static field.
class Shape {
  static count = 0;
  constructor(name) {
    this.name = name;
    Shape.count++;
  }
  get label() {
    return `${this.name}#${Shape.count}`;
  }
  area() {
    return 0;
  }
  describe() {
    const a = this.area();
    return `${this.label}: ${a}`;
  }
}

class Rect extends Shape {
  constructor(w, h) {
    super('rect');
    this.w = w;
    this.h = h;
  }
  set width(value) {
    this.w = value;
  }
  area() {
    const base = super.area();
    return base + this.w * this.h;
  }
}

class Square extends Rect {
  constructor(side) {
    super(side, side);
    this.name = 'square';
  }
  describe() {
    const text = super.describe();
    return text.toUpperCase();
  }
}

const r = new Rect(2, 3);
r.width = 4;
const s = new Square(5);
const lines = [r.describe(), s.describe()];
console.log(lines, Shape.count);
