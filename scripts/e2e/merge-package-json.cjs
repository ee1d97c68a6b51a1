#!/usr/bin/env node
// Merges the VS Code extension manifest parts owned by extension/ into package.json:
// `contributes`, `activationEvents`, `capabilities`, and the scripts `workbench`, `package`, `test:e2e`.
// Every other key is left exactly as it is (other parts of the project edit them concurrently).
// Usage: node scripts/e2e/merge-package-json.cjs   (idempotent)
'use strict';
const fs = require('fs');
const path = require('path');

const file = path.join(__dirname, '..', '..', 'package.json');
const languages = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'];
const whenEs = "debugType == 'elixirscope'";

const snapshotProps = {
  maxDepth: { type: 'integer', minimum: 0, description: 'How deep objects are copied into the recording.' },
  maxKeys: { type: 'integer', minimum: 0, description: 'How many properties/elements of one object are recorded.' },
  maxString: { type: 'integer', minimum: 0, description: 'How many characters of one string are recorded.' },
};

const launchProps = {
  program: { type: 'string', description: 'The TypeScript or JavaScript file to record.', default: '${file}' },
  args: { type: 'array', items: { type: 'string' }, description: 'Command-line arguments passed to the program.', default: [] },
  cwd: { type: 'string', description: 'Working directory of the program.', default: '${workspaceFolder}' },
  env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra environment variables for the program.', default: {} },
  stopOnEntry: { type: 'boolean', description: 'Stop at the first statement.', default: false },
  mode: { type: 'string', enum: ['full', 'balanced', 'minimal'], description: 'Recording detail (default: the elixirscope.mode setting).' },
  recording: { type: 'string', description: 'Replay an existing recording folder instead of running a program.' },
  out: { type: 'string', description: 'Folder the new recording is written to (default: a new folder in elixirscope.recordingsFolder).' },
  runtimeExecutable: { type: 'string', description: 'The node executable that runs the program.', default: 'node' },
  include: { type: 'array', items: { type: 'string' }, description: 'Glob patterns of files to instrument (default: the elixirscope.include setting).' },
  exclude: { type: 'array', items: { type: 'string' }, description: 'Glob patterns of files never instrumented (default: the elixirscope.exclude setting).' },
  redact: { type: 'array', items: { type: 'string' }, description: 'Regular expressions of names whose values are redacted before they leave the program.' },
  retention: { type: 'integer', minimum: 0, description: 'Keep the last N recordings (0 = all).' },
  snapshot: { type: 'object', properties: snapshotProps, description: 'Limits of the values copied into the recording.' },
};

const contributes = {
  debuggers: [{
    type: 'elixirscope',
    label: 'ElixirScope',
    languages,
    program: './dist/adapter.js',
    runtime: 'node',
    configurationAttributes: { launch: { properties: launchProps } },
    initialConfigurations: [
      { type: 'elixirscope', request: 'launch', name: 'ElixirScope: Record Current File', program: '${file}' },
    ],
    configurationSnippets: [
      {
        label: 'ElixirScope: Record a program',
        description: 'Record a TypeScript/JavaScript program and debug it back and forth in time.',
        body: { type: 'elixirscope', request: 'launch', name: 'ElixirScope: Record ${1:program}', program: '^"\\${workspaceFolder}/${1:src/index.ts}"' },
      },
      {
        label: 'ElixirScope: Record the current file',
        description: 'Record whichever TS/JS file is open in the editor.',
        body: { type: 'elixirscope', request: 'launch', name: 'ElixirScope: Record Current File', program: '^"\\${file}"' },
      },
      {
        label: 'ElixirScope: Open a recording',
        description: 'Replay a recording made earlier (works in untrusted workspaces).',
        body: { type: 'elixirscope', request: 'launch', name: 'ElixirScope: Replay', recording: '^"\\${workspaceFolder}/.elixirscope/recordings/${1:name}"' },
      },
    ],
  }],
  breakpoints: languages.map((language) => ({ language })),
  commands: [
    { command: 'elixirscope.openTimeline', title: 'Open Timeline', category: 'ElixirScope', icon: '$(graph-line)' },
    { command: 'elixirscope.recordCurrentFile', title: 'Record Current File', category: 'ElixirScope', icon: '$(record)' },
    { command: 'elixirscope.openRecording', title: 'Open Recording…', category: 'ElixirScope', icon: '$(folder-opened)' },
    { command: 'elixirscope.goToTime', title: 'Go to Time…', category: 'ElixirScope', icon: '$(history)' },
    { command: 'elixirscope.whereDidThisValueComeFrom', title: 'Where Did This Value Come From?', category: 'ElixirScope' },
    { command: 'elixirscope.seek', title: 'Go to Point in Time', category: 'ElixirScope' },
    { command: 'elixirscope.reverseStepIn', title: 'Step Back Into', category: 'ElixirScope', icon: '$(debug-step-into)' },
    { command: 'elixirscope.reverseStepOut', title: 'Step Back Out', category: 'ElixirScope', icon: '$(debug-step-out)' },
  ],
  menus: {
    commandPalette: [
      { command: 'elixirscope.goToTime', when: whenEs },
      { command: 'elixirscope.whereDidThisValueComeFrom', when: `${whenEs} && editorIsOpen` },
      { command: 'elixirscope.seek', when: 'false' },
      { command: 'elixirscope.reverseStepIn', when: `${whenEs} && inDebugMode` },
      { command: 'elixirscope.reverseStepOut', when: `${whenEs} && inDebugMode` },
      { command: 'elixirscope.recordCurrentFile', when: `isWorkspaceTrusted && editorLangId =~ /^(typescript|javascript)(react)?$/` },
    ],
    'editor/context': [
      { command: 'elixirscope.whereDidThisValueComeFrom', when: `${whenEs} && inDebugMode`, group: 'navigation@90' },
    ],
    'editor/title/run': [
      { command: 'elixirscope.recordCurrentFile', when: `isWorkspaceTrusted && resourceLangId =~ /^(typescript|javascript)(react)?$/`, group: 'navigation@90' },
    ],
    'explorer/context': [
      { command: 'elixirscope.recordCurrentFile', when: `isWorkspaceTrusted && resourceLangId =~ /^(typescript|javascript)(react)?$/`, group: 'elixirscope@1' },
      { command: 'elixirscope.openRecording', when: 'explorerResourceIsFolder', group: 'elixirscope@2' },
    ],
    'debug/toolBar': [
      { command: 'elixirscope.openTimeline', when: whenEs },
    ],
  },
  configuration: {
    title: 'ElixirScope',
    properties: {
      'elixirscope.mode': {
        type: 'string', enum: ['full', 'balanced', 'minimal'], default: 'balanced',
        enumDescriptions: ['Every statement, write and value: slowest, most complete.', 'Statements, calls and writes with bounded values.', 'Calls, returns and exceptions only: fastest.'],
        description: 'How much of the program is recorded.',
      },
      'elixirscope.include': { type: 'array', items: { type: 'string' }, default: ['**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}'], description: 'Glob patterns (relative to the workspace folder) of files to instrument.' },
      'elixirscope.exclude': { type: 'array', items: { type: 'string' }, default: ['**/node_modules/**', '**/.elixirscope/**', '**/*.d.ts'], description: 'Glob patterns of files never instrumented.' },
      'elixirscope.redact': { type: 'array', items: { type: 'string' }, default: ['pass(word)?', 'secret', 'token', 'api[-_]?key', 'authori[sz]ation', 'cookie'], description: 'Regular expressions (matched case-insensitively): values of variables and properties whose names match are redacted before they leave the program.' },
      'elixirscope.recordingsFolder': { type: 'string', default: '', scope: 'resource', description: 'Folder for new recordings, absolute or relative to the workspace folder (empty: .elixirscope/recordings).' },
      'elixirscope.retention': { type: 'integer', minimum: 0, default: 20, description: 'Keep the last N recordings in the recordings folder (0 = keep all).' },
      'elixirscope.snapshot.maxDepth': { type: 'integer', minimum: 0, default: 3, description: 'How deep objects are copied into the recording.' },
      'elixirscope.snapshot.maxKeys': { type: 'integer', minimum: 0, default: 50, description: 'How many properties/elements of one object are recorded.' },
      'elixirscope.snapshot.maxString': { type: 'integer', minimum: 0, default: 1000, description: 'How many characters of one string are recorded.' },
    },
  },
};

const activationEvents = [
  'onDebugResolve:elixirscope',
  'onDebugDynamicConfigurations:elixirscope',
  'onDebugInitialConfigurations',
  'onDebugAdapterProtocolTracker:elixirscope',
  'onWebviewPanel:elixirscope.timeline',
];

const capabilities = {
  untrustedWorkspaces: {
    supported: 'limited',
    description: 'In an untrusted workspace ElixirScope only replays existing recordings: recording runs the program, so it needs a trusted workspace.',
    restrictedConfigurations: ['elixirscope.recordingsFolder', 'elixirscope.include', 'elixirscope.exclude'],
  },
  virtualWorkspaces: { supported: false, description: 'ElixirScope runs and records programs from the local file system.' },
};

const scripts = {
  workbench: 'node scripts/e2e/workbench.cjs',
  package: 'node scripts/e2e/package.cjs',
  'test:e2e': 'node test/e2e/run-e2e.cjs',
};

// Re-read right before writing to keep the window for concurrent edits small; keep key order and indentation.
const text = fs.readFileSync(file, 'utf8');
const pkg = JSON.parse(text);
pkg.activationEvents = activationEvents;
pkg.contributes = contributes;
pkg.capabilities = capabilities;
pkg.scripts = { ...(pkg.scripts || {}), ...scripts };
const out = JSON.stringify(pkg, null, 2) + (text.endsWith('\n') ? '\n' : '');
if (out !== text) { fs.writeFileSync(file, out); console.log('package.json: merged contributes, activationEvents, capabilities, scripts'); }
else console.log('package.json: already up to date');
