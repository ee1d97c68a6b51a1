'use strict';
// immer: many produce() calls with patches over a nested state (objects, arrays, Maps, Sets),
// applyPatches to replay them, freezing, and current/original inside recipes.
const immer = require('../vendor/immer');
const { n, gen, hash, report } = require('./lib/common');

immer.enablePatches();
immer.enableMapSet();
const g = gen(53);

let state = { todos: [], users: new Map(), tags: new Set(), meta: { version: 0, log: [] } };
for (let i = 0; i < n(200, 20); i++) state.todos.push({ id: i, text: g.words(3), done: g.bool(), owner: `u${i % 20}` });
for (let i = 0; i < 20; i++) state.users.set(`u${i}`, { name: g.words(2), karma: 0 });
state = immer.freeze(state, true);
const initial = state;

const steps = n(3000, 6);
const allPatches = [];
let inverseCount = 0;
for (let s = 0; s < steps; s++) {
  const op = s % 6;
  const [next, patches, inverse] = immer.produceWithPatches(state, (draft) => {
    if (op === 0) draft.todos.push({ id: 1000 + s, text: g.words(2), done: false, owner: `u${s % 20}` });
    else if (op === 1) { const t = draft.todos[g.int(0, draft.todos.length - 1)]; t.done = !t.done; }
    else if (op === 2) { const u = draft.users.get(`u${s % 20}`); u.karma += g.int(1, 5); }
    else if (op === 3) { draft.tags.add(g.word()); if (draft.tags.size > 10) draft.tags.delete(draft.tags.values().next().value); }
    else if (op === 4) { if (draft.todos.length > 150) draft.todos.splice(g.int(0, 50), 1); draft.meta.version++; }
    else { draft.meta.log.push(immer.current(draft.meta).version); if (draft.meta.log.length > 20) draft.meta.log.shift(); }
  });
  allPatches.push(...patches);
  inverseCount += inverse.length;
  state = next;
}
const replayed = immer.applyPatches(initial, allPatches);
const summary = (st) => ({ todos: st.todos.map((t) => `${t.id}${t.done ? '+' : '-'}${t.owner}`).join(','), users: [...st.users].map(([k, u]) => `${k}:${u.karma}`).join(','), tags: [...st.tags].join(','), meta: st.meta });
const same = JSON.stringify(summary(replayed)) === JSON.stringify(summary(state));
let frozenError = '';
try { state.meta.version = -1; } catch (e) { frozenError = e.constructor.name; }
const unchanged = immer.produce(state, (d) => { d.meta.version = d.meta.version; }) === state;
const curried = immer.produce((d, k) => { d.k = k; });
report('immer', { steps, patches: allPatches.length, inverseCount, state: hash(summary(state)), same, frozen: Object.isFrozen(state.todos), frozenError, unchanged, curried: curried({}, 3).k, patchOps: hash(allPatches.slice(0, 500).map((p) => p.op + p.path.join('/'))) });
